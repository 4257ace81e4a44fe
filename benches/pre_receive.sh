#!/usr/bin/env bash
# Server-side cost: one reviewed merge pushed to `release` of a 200 000-commit bare
# repository with 5 000 release tags, with shipgate's pre-receive hook installed, against
# the same push to the same repository without any hook. Each run is a real `git push`
# over file:// (receive-pack, quarantine, the hook, the ref update); between runs the
# server's `release` is put back, so every run pushes the same thing onto the same state.
# Runs are interleaved; medians are printed.
#
#   benches/pre_receive.sh [RUNS] [COMMITS] [TAGS]     (defaults 20, 200000, 5000)
#
# Budget (issue): shipgate's push − the hookless push ≤ 20 ms.
set -euo pipefail

runs=${1:-20}
commits=${2:-200000}
tags=${3:-5000}
. "$(dirname "$0")/common.sh"

echo "generating: $commits commits, $tags tags..." >&2
r="$work/repo"
python3 "$root/benches/gen_history.py" "$r" "$commits" "$tags"
for name in hooked plain; do
    git clone -q --bare --no-local "$r" "$work/$name.git"
    # The policy the server judges by: its administrator's file (nothing is committed
    # on master in the generated history), naming the people the plan's approvals need.
    printf '[people]\nowners = ["zhangsan"]\ntech_leads = ["lisi"]\n' >"$work/$name.git/shipgate.toml"
done
"$bin" install --server --repo "$work/hooked.git" >/dev/null

# The push: a development branch with its filled plan, merged into release.
git -C "$r" switch -q -c feature/server-bench release
(cd "$r" && "$bin" plan new --kind optimization --version v9.0.0 >/dev/null 2>&1)
sed -i 's/(to fill in)/done/g; s/- \[ \]/- [x]/; s/^approvals: \[\]/approvals: [zhangsan, lisi]/; s/^observed_minutes: 0/observed_minutes: 7/' \
    "$r/docs/releases/v9.0.0.md"
git -C "$r" add docs
git -C "$r" commit -q --no-verify -m "plan v9.0.0"
git -C "$r" commit -q --no-verify --allow-empty -m "bench: change"
git -C "$r" switch -q release
old=$(git -C "$r" rev-parse HEAD)
git -C "$r" merge -q --no-ff --no-verify -m "Merge branch 'feature/server-bench' into release" feature/server-bench
merge=$(git -C "$r" rev-parse HEAD)

# One push, timed in microseconds; fails loudly if it is refused. The server's release
# goes back to where it was afterwards (not timed).
sample() {
    local server="$work/$1.git" start end
    start=$EPOCHREALTIME
    git -C "$r" push -q --no-verify "file://$server" "$merge:refs/heads/release" 2>"$work/err" ||
        { cat "$work/err" >&2; echo "push refused by $1" >&2; exit 1; }
    end=$EPOCHREALTIME
    git -C "$server" update-ref refs/heads/release "$old"
    echo $(( ${end/./} - ${start/./} ))
}

# The hook really judges: a direct commit to release is refused by the hooked server.
direct=$(git -C "$r" commit-tree -p "$old" -m "straight on release" "$old^{tree}")
if git -C "$r" push -q --no-verify "file://$work/hooked.git" "$direct:refs/heads/release" 2>/dev/null; then
    echo "the hooked server accepted a direct commit to release: its hook is not running" >&2
    exit 1
fi

for name in hooked plain; do sample "$name" >/dev/null; done
for ((i = 0; i < runs; i++)); do
    sample hooked >>"$work/hooked.us"
    sample plain >>"$work/plain.us"
done

median() { sort -n "$1" | sed -n "$(( $(wc -l <"$1") / 2 + 1 ))p"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

h=$(median "$work/hooked.us"); p=$(median "$work/plain.us")
printf 'git push of one merge to release, %d commits, %d tags, %d runs each (%s)\n' \
    "$commits" "$tags" "$runs" "$("$bin" --version)"
printf '%-40s %10s ms\n' "with shipgate's pre-receive" "$(ms "$h")"
printf '%-40s %10s ms\n' "without any hook" "$(ms "$p")"
printf 'pre-receive overhead: %s ms (budget 20 ms): %s\n' "$(ms $((h - p)))" \
    "$([ $((h - p)) -le 20000 ] && echo within || echo OVER)"
