#!/usr/bin/env bash
# Push-check cost against repository size: shipgate's pre-push hook judging (a) one new
# commit on a development branch and (b) one reviewed merge into `release`, in a
# 100-commit repository and in a 200 000-commit repository with 5 000 release tags.
# Each measurement runs the installed pre-push hook exactly as git does (the shim, the
# remote's name and URL as arguments, the ref lines on stdin), so nothing is pushed and
# every run sees the same state; a plain `#!/bin/sh` hook run the same way is the
# baseline. The remote is a real bare repository beside the clone, since a push to a
# protected ref asks it (`git ls-remote`) what it has. Runs are interleaved across the configurations; medians are printed.
#
#   benches/push_scale.sh [RUNS] [COMMITS] [TAGS]     (defaults 50, 200000, 5000)
#
# Budgets (DESIGN.md): (b) big − (b) small ≤ 20 ms; (a) shipgate − plain hook ≤ 2 ms.
set -euo pipefail

runs=${1:-50}
commits=${2:-200000}
tags=${3:-5000}
. "$(dirname "$0")/common.sh"

# Builds one repository and writes the two stdin lines to push.a / push.b beside it.
setup() {
    local name=$1 n=$2 t=$3 dir="$work/$1"
    mkdir -p "$dir"
    python3 "$root/benches/gen_history.py" "$dir/repo" "$n" "$t"
    local r="$dir/repo"
    "$bin" install --repo "$r" >/dev/null
    printf '#!/bin/sh\nwhile read -r _; do :; done\nexit 0\n' >"$dir/plain-hook"
    chmod +x "$dir/plain-hook"
    git -C "$r" switch -q -c feature/bench master
    # The release being pushed has its plan, filled in (plan gates run on every push
    # to release).
    sed -i 's/^owners = \[\]/owners = ["zhangsan"]/; s/^tech_leads = \[\]/tech_leads = ["lisi"]/' "$r/.shipgate.toml"
    (cd "$r" && "$bin" plan new --kind optimization --version v9.0.0 >/dev/null 2>&1)
    sed -i 's/(to fill in)/done/g; s/- \[ \]/- [x]/; s/^approvals: \[\]/approvals: [zhangsan, lisi]/; s/^observed_minutes: 0/observed_minutes: 7/' \
        "$r/docs/releases/v9.0.0.md"
    # The policy is the one committed on the remote's production branch.
    git -C "$r" switch -q master
    git -C "$r" add .shipgate.toml
    git -C "$r" commit -q --no-verify -m "shipgate policy"
    git -C "$r" branch -f release master
    git -C "$r" switch -q feature/bench
    git -C "$r" merge -q --no-verify master
    git -C "$r" add docs
    git -C "$r" commit -q --no-verify -m "plan v9.0.0"
    git -C "$r" commit -q --no-verify --allow-empty -m "bench: first"
    local first; first=$(git -C "$r" rev-parse HEAD)
    git -C "$r" update-ref refs/remotes/origin/feature/bench "$first"
    git -C "$r" commit -q --no-verify --allow-empty -m "bench: second"
    local second; second=$(git -C "$r" rev-parse HEAD)
    git -C "$r" switch -q release
    local old; old=$(git -C "$r" rev-parse HEAD)
    git -C "$r" merge -q --no-ff --no-verify -m "Merge branch 'feature/bench' into release" feature/bench
    local merge; merge=$(git -C "$r" rev-parse HEAD)
    git -C "$r" switch -q feature/bench
    # The remote: what the clone has, with release and the dev branch before the push.
    git clone -q --bare "$r" "$dir/origin.git"
    git -C "$dir/origin.git" update-ref refs/heads/release "$old"
    git -C "$dir/origin.git" update-ref refs/heads/feature/bench "$first"
    echo "refs/heads/feature/bench $second refs/heads/feature/bench $first" >"$dir/push.a"
    echo "refs/heads/release $merge refs/heads/release $old" >"$dir/push.b"
}

echo "generating: small (100 commits, 5 tags) and big ($commits commits, $tags tags)..." >&2
setup small 100 5
setup big "$commits" "$tags"

# One hook run, timed in microseconds; fails loudly if the hook refuses.
sample() {
    local dir="$work/$1" hook=$2 case=$3 start end
    start=$EPOCHREALTIME
    (cd "$dir/repo" && "$hook" origin ../origin.git <"$dir/push.$case" >/dev/null 2>"$dir/err") ||
        { cat "$dir/err" >&2; echo "hook refused in $1 ($case)" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo $(( ${end/./} - ${start/./} ))
}

configs=("small a" "big a" "small b" "big b")
for c in "${configs[@]}"; do set -- $c; sample "$1" "$work/$1/repo/.git/hooks/pre-push" "$2" >/dev/null; done
for ((i = 0; i < runs; i++)); do
    for c in "${configs[@]}"; do
        set -- $c
        sample "$1" "$work/$1/repo/.git/hooks/pre-push" "$2" >>"$work/$1.$2.shipgate"
        sample "$1" "$work/$1/plain-hook" "$2" >>"$work/$1.$2.plain"
    done
done

median() { sort -n "$1" | sed -n "$(( $(wc -l <"$1") / 2 + 1 ))p"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

printf 'pre-push hook, %d runs each, one run (%s)\n' "$runs" "$("$bin" --version)"
printf '%-36s %12s %12s %12s\n' case 'small ms' 'big ms' 'big-small'
for case in a b; do
    label=$([ "$case" = a ] && echo "(a) one commit, dev branch" || echo "(b) one merge into release")
    for kind in shipgate plain; do
        s=$(median "$work/small.$case.$kind"); b=$(median "$work/big.$case.$kind")
        printf '%-36s %12s %12s %12s\n' "$label, $kind" "$(ms "$s")" "$(ms "$b")" "$(ms $((b - s)))"
    done
done
bb=$(( $(median "$work/big.b.shipgate") - $(median "$work/small.b.shipgate") ))
ab=$(( $(median "$work/big.a.shipgate") - $(median "$work/big.a.plain") ))
printf '(b) big - small: %s ms (budget 20 ms): %s\n' "$(ms "$bb")" "$([ "$bb" -le 20000 ] && echo within || echo OVER)"
printf '(a) big, shipgate - plain hook: %s ms (budget 2 ms): %s\n' "$(ms "$ab")" "$([ "$ab" -le 2000 ] && echo within || echo OVER)"
