#!/usr/bin/env bash
# check-master against git's own re-merge: on a generated git-flow history (thousands of
# commits, 1 000+ merges over dozens of release cycles, some conflict resolutions), time
# `shipgate check-master <last tag> --since <first tag>` (every merge since the first
# release re-merged and judged) against `git log --remerge-diff --merges` over the same
# merges. Runs alternate; medians and peak memory (max RSS) are printed.
#
#   benches/check_master.sh [RUNS] [CYCLES] [FEATURES]     (defaults 7, 35, 30)
#   SHIPGATE_BIN=/path/to/shipgate benches/check_master.sh
#
# Goal (issue): shipgate at most as slow as git, faster where merges are trivial.
set -euo pipefail

runs=${1:-7}
cycles=${2:-35}
features=${3:-30}
. "$(dirname "$0")/common.sh"

echo "generating $cycles release cycles of $features features..." >&2
python3 "$root/benches/gen_gitflow.py" "$work/repo" "$cycles" "$features"
cd "$work/repo"
last="v$cycles.0.0"
merges=$(git rev-list --merges --count v1.0.0..master)
commits=$(git rev-list --count master)

# One timed run: prints "microseconds max-rss-kb".
sample() {
    local start end
    start=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    echo "$(( ${end/./} - ${start/./} )) $(cat "$work/rss")"
}
for ((i = 0; i < runs; i++)); do
    sample "$bin" check-master "$last" --since v1.0.0 --format json >>"$work/shipgate"
    sample git log --remerge-diff --merges --format=%H v1.0.0..master >>"$work/git"
done

median() { cut -d' ' -f"$2" "$1" | sort -n | sed -n "$(( $(wc -l <"$1") / 2 + 1 ))p"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
s=$(median "$work/shipgate" 1)
g=$(median "$work/git" 1)
printf '%d commits, %d merges since v1.0.0, %d runs each, one run (%s)\n' "$commits" "$merges" "$runs" "$("$bin" --version)"
printf '%-44s %10s %12s\n' command 'median ms' 'max RSS MB'
printf '%-44s %10s %12s\n' "shipgate check-master $last --since v1.0.0" "$(ms "$s")" \
    "$(awk -v kb="$(median "$work/shipgate" 2)" 'BEGIN { printf "%.1f", kb / 1024 }')"
printf '%-44s %10s %12s\n' "git log --remerge-diff --merges" "$(ms "$g")" \
    "$(awk -v kb="$(median "$work/git" 2)" 'BEGIN { printf "%.1f", kb / 1024 }')"
printf 'shipgate / git: %s\n' "$(awk -v a="$s" -v b="$g" 'BEGIN { printf "%.2f", a / b }')"
