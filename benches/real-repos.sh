#!/usr/bin/env bash
# check-master over every release of a real repository, side by side with git's own
# re-merge of the same merges. For each release tag reachable from the production branch:
# the commit where it reached that branch (the first commit of the branch's first-parent
# chain that contains it: the tag itself after a fast-forward or when the tag sits on the
# merge), `shipgate check-master TAG --master THAT` (JSON kept for triage), and
# `git log --remerge-diff --merges PREV..THAT` (PREV: where the previous release reached
# the branch), timed alternately; medians and peak memory (max RSS) are printed.
#
# Production at release time is taken from today's chain, which is wrong for projects
# that later fast-forward the production branch onto `develop` (grav, AntennaPod): there
# the first chain commit containing a tag that is not on the chain itself may be
# develop's "Merge branch 'master' into develop", whose first parent is develop's
# unreleased work, not production. The rule: when that commit's first parent holds
# non-merge commits (a release merge on master may be untagged, its tag sitting on
# develop) that neither the tag nor any tag made before it has (by commit time, any
# name; version order would put `1.4.0-beta.1` after `1.4.0`), it is no production
# commit (production only ever held released work), and production at release time is
# the tag itself (shape `tag-off-chain`: the branch was at the tag, as a fast-forward
# to a release or hotfix tag leaves it). A first parent holding only released work (the
# previous release, a hotfix tag the new release may lack) is production before the
# release, as in git-flow's merge of a release branch.
#
# Each command first runs once under `timeout` and `/usr/bin/time` for its output, exit
# code and memory; the RUNS timed runs have nothing but the command between the clock reads
# (the wrappers' own start-up would otherwise add a few milliseconds to both sides).
#
#   benches/real-repos.sh REPO_DIR [OUT_DIR] [RUNS]     (RUNS default 3)
#   SHIPGATE_BIN=/path/to/shipgate MASTER=master TAGS='^v?[0-9]' benches/real-repos.sh ...
#                             (default: what ./install.sh builds, installed into a scratch
#                             directory: the binary users get)
#   BASE_BIN=/path/to/older/shipgate benches/real-repos.sh ...
#
# REPO_DIR may be bare. Nothing is written into it. Per release, OUT_DIR/TAG.json holds
# check-master's findings and OUT_DIR/summary.tsv one row. With BASE_BIN, a second
# shipgate (say, main's before a change) is timed in the same rounds, its output kept as
# OUT_DIR/TAG.base.json and compared with the first's: `same` is `yes` when verdict and
# findings are identical.
set -euo pipefail

repo=$(cd "$1" && pwd)
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/real-repos.XXXXXX")}
runs=${3:-3}
mkdir -p "$out"
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SHIPGATE_BIN:-}
if [ -z "$bin" ]; then
    # What ./install.sh builds and installs (the binary users get, statically linked on
    # Linux with glibc), as the other benchmarks time it.
    prefix=$(mktemp -d "${TMPDIR:-/tmp}/real-repos-bin.XXXXXX")
    trap 'rm -rf "$prefix"' EXIT
    "$root/install.sh" --prefix "$prefix" --no-repo 2>/dev/null
    bin=$prefix/bin/shipgate
fi
master=${MASTER:-master}
tags_re=${TAGS:-'^v?[0-9]'}
base=${BASE_BIN:-}
limit=${TIMEOUT:-300}
export GIT_DIR=$repo GIT_CONFIG_NOSYSTEM=1
unset GIT_WORK_TREE SHIPGATE_SKIP
git() { command git -c core.quotepath=off "$@"; }

# The first-parent chain, oldest first, and where each tag reached it (binary search:
# the chain commits that contain a tag are a suffix of the chain).
mapfile -t chain < <(git rev-list --first-parent --reverse "$master")
integration() {
    local tag=$1 lo=0 hi=$((${#chain[@]} - 1)) mid
    git merge-base --is-ancestor "$tag" "${chain[$hi]}" || return 1
    while ((lo < hi)); do
        mid=$(((lo + hi) / 2))
        if git merge-base --is-ancestor "$tag" "${chain[$mid]}"; then hi=$mid; else lo=$((mid + 1)); fi
    done
    echo "${chain[$lo]}" "$lo"
}

# One run for the output and the memory, under a time limit: "max-rss-kb exit-code".
measure() {
    local code=0
    /usr/bin/time -f "%M" -o "$out/.rss" timeout "$limit" "$@" >"$out/.stdout" 2>"$out/.stderr" || code=$?
    echo "$(tail -1 "$out/.rss") $code"
}
# One timed run, nothing between the clock and the command: milliseconds (0.01).
timed() {
    local start end
    start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    printf '%d.%02d\n' $(((${end/./} - ${start/./}) / 1000)) $(((${end/./} - ${start/./}) % 1000 / 10))
}
median() {
    local v
    mapfile -t v < <(sort -g)
    echo "${v[$(((${#v[@]} - 1) / 2))]}"
}

printf 'tag\tintegration\tshape\tverdict\tLOST\tREVIEW\tINFO\tlines\tmerges\tshipgate_ms\tgit_ms\tshipgate_rss_kb\tgit_rss_kb\tbase_ms\tbase_rss_kb\tsame\n' >"$out/summary.tsv"
# Every tagged commit with its commit time, for the released work a release could see.
tagged=$(git for-each-ref --format='%(*objectname)|%(*committerdate:unix)|%(objecttype)|%(objectname)|%(committerdate:unix)' refs/tags |
    awk -F'|' '$1 != "" { print $1, $2; next } $3 == "commit" { print $4, $5 }' | sort -u)
prev= last_at=
# Releases in the order they reached the branch (the position of the first chain commit
# containing each; version order among those that came in together): by name alone,
# `v3.0.0` would come before its own `v3.0.0a7`.
ordered=()
while read -r _ tag; do ordered+=("$tag"); done < <(
    for tag in $(git tag --sort=v:refname | grep -E "$tags_re"); do
        read -r _ lo < <(integration "$(git rev-parse "refs/tags/$tag^{commit}")") ||
            { echo "$tag: not on $master" >&2; continue; }
        echo "$lo $tag"
    done | sort -s -n -k1,1)
for tag in "${ordered[@]}"; do
    commit=$(git rev-parse "refs/tags/$tag^{commit}")
    when=$(git log -1 --format=%ct "$commit")
    mapfile -t earlier < <(awk -v t="$when" '$2 <= t { print $1 }' <<<"$tagged")
    read -r at _ < <(integration "$commit")
    if [ "$(git rev-list --parents -n1 "$commit" | wc -w)" -gt 2 ]; then
        # git-flow tags the merge on master: that merge is where the release reached it
        # (even if master was later fast-forwarded onto another line).
        at=$commit shape=tag-on-merge
    elif [ "$at" = "$commit" ]; then
        shape=on-chain
    elif [ -n "$(git rev-list -n1 --no-merges "$at^1" "^$commit" "${earlier[@]/#/^}" --)" ]; then
        # The chain reached the tag through a merge into development work (master
        # fast-forwarded onto develop later): production at release time was the tag.
        at=$commit shape=tag-off-chain
    else
        shape=merged
    fi
    [ "$at" != "$last_at" ] && prev=$last_at
    last_at=$at
    range=("$at")
    [ -n "$prev" ] && range+=("^$prev")
    merges=$(git rev-list --merges --count "${range[@]}")
    shipgate=("$bin" check-master "$tag" --master "$at" --format json --repo "$repo")
    read -r s_kb code < <(measure "${shipgate[@]}")
    cp "$out/.stdout" "$out/$tag.json"
    if [ "$code" -gt 1 ]; then
        echo "$tag: shipgate exit $code: $(head -3 "$out/.stderr")" >&2
        printf '%s\t%s\t%s\terror-%s\t\t\t\t\t%s\t\t\t%s\t\t\t\t\n' "$tag" "${at:0:10}" "$shape" "$code" "$merges" "$s_kb" >>"$out/summary.tsv"
        continue
    fi
    gitlog=(git log --remerge-diff --merges --format=%H "${range[@]}")
    read -r g_kb _ < <(measure "${gitlog[@]}")
    b_kb=
    if [ -n "$base" ]; then
        based=("$base" check-master "$tag" --master "$at" --format json --repo "$repo")
        read -r b_kb _ < <(measure "${based[@]}")
        cp "$out/.stdout" "$out/$tag.base.json"
    fi
    # Timed rounds, the commands alternating.
    s_ms=() g_ms=() b_ms=()
    for ((i = 0; i < runs; i++)); do
        s_ms+=("$(timed "${shipgate[@]}")")
        g_ms+=("$(timed "${gitlog[@]}")")
        [ -z "$base" ] || b_ms+=("$(timed "${based[@]}")")
    done
    counts=$(python3 - "$out/$tag.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = {"LOST": 0, "REVIEW": 0, "INFO": 0}
lines = 0
for f in r["findings"]:
    c[f["severity"]] += 1
    lines += sum(max(1, len(x["lines"])) for x in f["files"])
print(r["verdict"], c["LOST"], c["REVIEW"], c["INFO"], lines, sep="\t")
EOF
)
    same= b_med=
    if [ -n "$base" ]; then
        same=no
        cmp -s "$out/$tag.json" "$out/$tag.base.json" && same=yes
        b_med=$(printf '%s\n' "${b_ms[@]}" | median)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "${at:0:10}" "$shape" "$counts" "$merges" \
        "$(printf '%s\n' "${s_ms[@]}" | median)" "$(printf '%s\n' "${g_ms[@]}" | median)" \
        "$s_kb" "$g_kb" "$b_med" "$b_kb" "$same" >>"$out/summary.tsv"
done
rm -f "$out/.rss" "$out/.stdout" "$out/.stderr"
column -t -s $'\t' "$out/summary.tsv"
awk -F'\t' 'NR > 1 && $10 != "" && $11 > 0 { s += $10; g += $11; n++; if ($12 > m) m = $12; if ($13 > gm) gm = $13
    l += $5; r += $6; i += $7; ratio[n] = $10 / $11
    if ($14 != "") { b += $14; bratio[n] = $14 / $11; if ($15 > bm) bm = $15; same += ($16 == "yes") } }
    function med(a, k,   j, t, x, y) { for (x = 1; x <= k; x++) t[x] = a[x]
        for (x = 2; x <= k; x++) { y = t[x]; for (j = x - 1; j > 0 && t[j] > y; j--) t[j + 1] = t[j]; t[j + 1] = y }
        return k ? t[int((k + 1) / 2)] : 0 }
    END { printf "%d releases: LOST %d, REVIEW %d, INFO %d; shipgate %.0f ms, git %.0f ms in all (ratio %.2f, median per-release ratio %.2f); peak RSS %.1f MB vs git %.1f MB\n",
        n, l, r, i, s, g, (g ? s / g : 0), med(ratio, n), m / 1024, gm / 1024
        if (b) printf "base: %.0f ms in all (ratio to git %.2f, median per-release ratio %.2f), peak RSS %.1f MB; output identical for %d of %d releases\n",
            b, b / g, med(bratio, n), bm / 1024, same, n }' "$out/summary.tsv"
echo "output: $out"
