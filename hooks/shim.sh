#!/bin/sh
# shipgate-shim version={{version}} hook={{hook}}
# Written by `shipgate install`. `shipgate uninstall` removes it and puts back any hook
# it replaced; edits here are lost on the next install (change .shipgate.toml instead).
hook='{{hook}}'
bin={{binary}}
if [ ! -x "$bin" ]; then
    # GUI clients have a thin PATH, hence the absolute path first; PATH is the fallback.
    bin=$(command -v shipgate 2>/dev/null) || bin=
fi

# The hook that was here before shipgate runs first, as git would have run it.
foreign="${0%/*}/{{hook}}.pre-shipgate"
# Run as someone's kept hook (a symlink to this shim), do not run it again.
case "$0" in *.pre-shipgate) foreign= ;; esac
if [ -n "$foreign" ] && [ -f "$foreign" ] && [ -x "$foreign" ]; then
    if [ {{stdin}} = 1 ]; then
        # Both hooks read the same standard input: keep a copy for the second one.
        input=$(mktemp "${TMPDIR:-/tmp}/shipgate-$hook.XXXXXX") || exit 1
        cat >"$input" || { rm -f "$input"; exit 1; }
        "$foreign" "$@" <"$input" || { status=$?; rm -f "$input"; exit "$status"; }
        exec <"$input"
        rm -f "$input"
    else
        "$foreign" "$@" || exit $?
    fi
fi

if [ "${SHIPGATE_SKIP:-}" = 1 ]; then
    printf '%s\n' {{skip_message}} >&2
    exit 0
fi
if [ -z "$bin" ]; then
    printf '%s\n' {{missing_message}} >&2
    exit 1
fi
exec "$bin" hook "$hook" "$@"
