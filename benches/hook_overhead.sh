#!/usr/bin/env bash
# Hook overhead: what a `git commit` on a development branch costs with no hook, with a
# plain `#!/bin/sh` hook that exits 0, and with shipgate installed. One run measures all
# three, interleaved (a, b, c, a, b, c, ...) so machine noise hits them alike.
#
#   benches/hook_overhead.sh [RUNS]        (default 50)
#   SHIPGATE_BIN=/path/to/shipgate benches/hook_overhead.sh   (default: what ./install.sh builds)
#
# Budget (DESIGN.md): median(c) - median(b) <= 2 ms. Prints medians, p90s and ratios.
set -euo pipefail

runs=${1:-50}
. "$(dirname "$0")/common.sh"
git config --global init.defaultBranch master

make_repo() {
    git init -q "$work/$1"
    git -C "$work/$1" commit -q --allow-empty -m init
    git -C "$work/$1" switch -q -c feature/bench
}
make_repo none
make_repo plain
make_repo shipgate
printf '#!/bin/sh\nexit 0\n' >"$work/plain/.git/hooks/pre-commit"
chmod +x "$work/plain/.git/hooks/pre-commit"
"$bin" install --repo "$work/shipgate" >/dev/null

# One commit, timed in microseconds with bash's clock (no extra process per sample).
sample() {
    local start=$EPOCHREALTIME
    git -C "$work/$1" commit -q --allow-empty -m bench
    local end=$EPOCHREALTIME
    echo $(( (${end/./} - ${start/./}) ))
}

for repo in none plain shipgate; do sample "$repo" >/dev/null; done  # warm caches
for ((i = 0; i < runs; i++)); do
    for repo in none plain shipgate; do
        sample "$repo" >>"$work/$repo.us"
    done
done

# nth value (0-based) of a sorted sample file
nth() { sort -n "$1" | sed -n "$(($2 + 1))p"; }
median() { nth "$1" $(( $(wc -l <"$1") / 2 )); }
p90() { nth "$1" $(( $(wc -l <"$1") * 9 / 10 )); }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

none=$(median "$work/none.us")
plain=$(median "$work/plain.us")
ship=$(median "$work/shipgate.us")
printf 'git commit --allow-empty on a dev branch, %d runs each, one run (%s)\n' "$runs" "$("$bin" --version)"
printf '%-28s %10s %10s %10s\n' configuration 'median ms' 'p90 ms' 'vs none'
for repo in none plain shipgate; do
    m=$(median "$work/$repo.us")
    printf '%-28s %10s %10s %9sx\n' "($repo)" "$(ms "$m")" "$(ms "$(p90 "$work/$repo.us")")" \
        "$(awk -v a="$m" -v b="$none" 'BEGIN { printf "%.2f", a / b }')"
done
overhead=$((ship - plain))
printf 'shipgate over a plain sh hook: %s ms (budget 2.00 ms): %s\n' "$(ms "$overhead")" \
    "$([ "$overhead" -le 2000 ] && echo within || echo OVER)"
