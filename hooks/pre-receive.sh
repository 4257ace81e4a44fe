#!/bin/sh
# shipgate-shim version={{version}} hook=pre-receive server
# Written by `shipgate install --server`. `shipgate uninstall --server` removes it and puts
# back any hook it replaced. The server is where the rules cannot be skipped: this hook
# honours no SHIPGATE_SKIP, and without the binary it refuses every push.
bin={{binary}}
if [ ! -x "$bin" ]; then
    bin=$(command -v shipgate 2>/dev/null) || bin=
fi

# The hook that was here before shipgate runs first, on the same input; its refusal stands.
foreign="${0%/*}/pre-receive.pre-shipgate"
case "$0" in *.pre-shipgate) foreign= ;; esac
if [ -n "$foreign" ] && [ -f "$foreign" ] && [ -x "$foreign" ]; then
    input=$(mktemp "${TMPDIR:-/tmp}/shipgate-pre-receive.XXXXXX") || exit 1
    cat >"$input" || { rm -f "$input"; exit 1; }
    "$foreign" "$@" <"$input" || { status=$?; rm -f "$input"; exit "$status"; }
    exec <"$input"
    rm -f "$input"
fi

if [ -z "$bin" ]; then
    printf '%s\n' {{missing_message}} >&2
    exit 1
fi
exec "$bin" hook pre-receive "$@"
