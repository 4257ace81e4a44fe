#!/usr/bin/env bash
# Hostile input: each input below is generated in the scratch dir and fed to the command
# that would meet it (`shipgate plan check`, `shipgate check-master`, and a real
# `git push` through the installed hooks); wall time and peak memory are measured with
# /usr/bin/time. Every input must end (a clear error or a correct verdict) within the
# budget: at most 2 s and 200 MB peak RSS each, release build, this 2-core machine.
#
#   benches/hostile.sh
#   SHIPGATE_BIN=/path/to/shipgate benches/hostile.sh
#   HOSTILE_TIMEOUT=20 benches/hostile.sh      (cut a hang off sooner; default 60 s)
set -euo pipefail

. "$(dirname "$0")/common.sh"
git config --global init.defaultBranch master
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)..." >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
budget_s=2
budget_mb=200
limit=${HOSTILE_TIMEOUT:-60}
fixtures="$root/tests/fixtures/check-master"

# measure NAME DIR COMMAND...: one run, one table row (exit code, seconds, MB, verdict).
printf '%-40s %5s %8s %8s %s\n' input exit seconds 'peak MB' budget
failed=0
measure() {
    local name=$1 dir=$2 code=0
    shift 2
    # A hang is cut off after $limit seconds (exit 124), so one bad input cannot stall
    # the run.
    (cd "$dir" && /usr/bin/time -f '%e %M' -o "$work/time" timeout "$limit" "$@" >"$work/out" 2>&1) || code=$?
    # /usr/bin/time prefixes a note when the command fails; the figures are the last line.
    read -r seconds kb < <(tail -n 1 "$work/time")
    local mb verdict=pass
    mb=$(awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }')
    if awk -v s="$seconds" -v mb="$mb" -v bs="$budget_s" -v bm="$budget_mb" \
        'BEGIN { exit !(s > bs || mb > bm) }'; then
        verdict=FAIL
        failed=1
    fi
    if [ "$code" = 124 ]; then
        verdict="FAIL (killed after $limit s)"
        failed=1
    elif [ "$code" -gt 2 ]; then
        verdict="FAIL (crashed: exit $code)"
        failed=1
    fi
    printf '%-40s %5s %8s %8s %s\n' "$name" "$code" "$seconds" "$mb" "$verdict"
    # What the user saw, first line: the error that names the file and the limit.
    grep -m1 -E 'error|verdict|LOST|REVIEW|clean' "$work/out" | cut -c1-150 | sed 's/^/    /' || true
}

# ---- plan documents ----
plan_repo() {
    local dir="$work/plan-$1"
    git init -q "$dir"
    git -C "$dir" commit -q --allow-empty -m init
    mkdir -p "$dir/docs/releases"
    echo "$dir"
}
head='---\nkind: feature\nversion: "v1.0.0"\n'
gen_deep_list() { printf -- "$head---\n# plan\n\n"; head -c 500000 /dev/zero | tr '\0' '-' | sed 's/-/- /g'; echo x; }
gen_deep_yaml_flow() { printf -- "${head}approvals: "; head -c 500000 /dev/zero | tr '\0' '['; head -c 500000 /dev/zero | tr '\0' ']'; printf '\n---\n'; }
gen_deep_yaml_block() { printf -- "${head}rollback:\n"; for ((i = 1; i < 1000; i++)); do printf '%*sk:\n' "$i" ''; done; printf -- '---\n'; }
gen_items() { printf -- "$head---\n"; for ((i = 0; i < 50000; i++)); do echo "* [ ] <!--id:z-->"; done; }
gen_big() { printf -- "$head---\n"; head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; }
gen_utf8() { printf -- "${head}owner: \"\xff\xfe\"\n---\n# plan\n"; }
gen_dup() { printf -- "${head}status: rolled-back\nstatus: released\n---\n"; }
gen_doc_end() { printf -- "${head}status: released\n...\nstatus: rolled-back\n---\n"; }

for input in deep_list deep_yaml_flow deep_yaml_block items big utf8 dup doc_end; do
    dir=$(plan_repo "$input")
    "gen_$input" >"$dir/docs/releases/v1.0.0.md"
    measure "plan check: $input" "$dir" "$bin" plan check v1.0.0
done

# The 50 000-item plan and the 50 MB one, committed on a dev branch and merged into
# `release`: `git push` runs the pre-push hook, which reads the plan from the commit.
for input in items big deep_list; do
    dir=$(plan_repo "push-$input")
    git init -q --bare "$work/origin-$input.git"
    git -C "$dir" remote add origin "$work/origin-$input.git"
    git -C "$dir" push -q origin master
    "$bin" install --repo "$dir" >/dev/null 2>&1
    git -C "$dir" switch -q -c release
    git -C "$dir" push -q origin release
    git -C "$dir" switch -q -c feature/plan
    "gen_$input" >"$dir/docs/releases/v1.0.0.md"
    git -C "$dir" add docs
    git -C "$dir" commit -q -m "plan v1.0.0"
    git -C "$dir" switch -q release
    git -C "$dir" merge -q --no-ff -m "Merge branch 'feature/plan' into release" feature/plan
    measure "git push release: $input" "$dir" git push -q origin release
done

# ---- histories ----
for case in "hostile-wide-dir 10000" "hostile-rewrite 60000"; do
    set -- $case
    name=$1 size=$2
    dir="$work/$name"
    bash "$fixtures/$name.sh" "$dir" "$size"
    measure "check-master: $name $size" "$dir" "$bin" check-master
    # The same merge through the pre-push hook: everything but the merge is on origin.
    git init -q --bare "$work/$name.git"
    git -C "$dir" remote add origin "$work/$name.git"
    git -C "$dir" push -q origin release 'refs/tags/*' master^1:refs/heads/master
    "$bin" install --repo "$dir" >/dev/null 2>&1
    measure "git push master: $name $size" "$dir" git push -q origin master
done

printf 'budget: %s s and %s MB per input (%s)\n' "$budget_s" "$budget_mb" "$("$bin" --version)"
exit "$failed"
