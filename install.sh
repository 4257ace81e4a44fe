#!/bin/sh
# install.sh: build shipgate from this checkout, install the binary, and hook a repository.
#
#   ./install.sh                     build, install to ~/.cargo/bin, and hook the git
#                                    repository the current directory is in (if any)
#   ./install.sh --repo PATH         ... and hook the repository at PATH instead
#   ./install.sh --prefix DIR        install to DIR/bin instead of ~/.cargo/bin
#   ./install.sh --no-repo           only build and install the binary
#
# POSIX sh, no sudo, safe to run again: it rebuilds, replaces the binary, and
# `shipgate install` upgrades hooks in place.
set -eu

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

prefix="${CARGO_HOME:-${HOME:?HOME is not set}/.cargo}"
repo=
hook_repo=auto
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        --repo) [ $# -ge 2 ] || die "--repo needs a path"; repo=$2; hook_repo=yes; shift 2 ;;
        --repo=*) repo=${1#--repo=}; hook_repo=yes; shift ;;
        --no-repo) hook_repo=no; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument \`$1\` (see ./install.sh --help)" ;;
    esac
done

# A repository named on the command line must be there before minutes go into building.
if [ "$hook_repo" = yes ]; then
    [ -n "$repo" ] || die "--repo needs a path"
    [ -e "$repo" ] || die "--repo $repo: no such directory"
    [ -d "$repo" ] || die "--repo $repo: not a directory"
fi

here=$(cd "$(dirname "$0")" && pwd)
command -v cargo >/dev/null 2>&1 ||
    die "cargo is not on PATH; install Rust with rustup (https://rustup.rs), then run ./install.sh again"
command -v git >/dev/null 2>&1 || die "git is not on PATH; install git, then run ./install.sh again"

say "building the release binary in $here (cargo shows its progress; the first build takes a few minutes)"
# On Linux with glibc the binary is linked statically: every commit and push execs it,
# and a static binary starts in about half the time (no dynamic loader).
host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
# Where cargo puts what it builds: `target/` here, unless CARGO_TARGET_DIR or a cargo
# config says otherwise; cargo itself knows.
target=$(cd "$here" && cargo metadata --no-deps --format-version 1 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target" ] || target="$here/target"
case "$host" in
    *-linux-gnu)
        (cd "$here" && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
            cargo build --release --locked --target "$host") ||
            die "cargo build failed (see above)"
        built="$target/$host/release/shipgate" ;;
    *)
        (cd "$here" && cargo build --release --locked) || die "cargo build failed (see above)"
        built="$target/release/shipgate" ;;
esac

bindir="$prefix/bin"
mkdir -p "$bindir" || die "cannot create $bindir"
# Copy beside the target and rename over it: a hook running right now never sees a
# half-written binary.
cp "$built" "$bindir/.shipgate.new"
chmod 755 "$bindir/.shipgate.new"
mv -f "$bindir/.shipgate.new" "$bindir/shipgate"
say "installed $("$bindir/shipgate" --version) to $bindir/shipgate"
case ":$PATH:" in
    *":$bindir:"*) ;;
    *) say "note: $bindir is not on PATH; add it, e.g. export PATH=\"$bindir:\$PATH\""
       say "until then run it by its path, e.g. $bindir/shipgate demo" ;;
esac

if [ "$hook_repo" = auto ]; then
    if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$here" && pwd -P)" ]; then
        # shipgate's own checkout is no service repository: `./install.sh && shipgate demo`
        # must leave it as it was.
        say "this is shipgate's own checkout: no hooks installed here (use --repo PATH); see it work: shipgate demo"
        exit 0
    elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        repo=$(pwd)
    else
        say "not inside a git repository: no hooks installed (use --repo PATH, or shipgate install --all DIR)"
        exit 0
    fi
fi
if [ "$hook_repo" != no ]; then
    exec "$bindir/shipgate" install --repo "$repo"
fi
