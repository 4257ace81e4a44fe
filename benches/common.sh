# Shared by the benchmark scripts (sourced, not run): a scratch directory removed on
# exit, the binary to measure, and a hermetic git.
#
# Sets `root` (the checkout), `work` (the scratch directory) and `bin`: $SHIPGATE_BIN, or
# what ./install.sh builds and installs (the binary users get), installed into `work`.
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/shipgate-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
bin=${SHIPGATE_BIN:-}
if [ -z "$bin" ]; then
    "$root/install.sh" --prefix "$work/prefix" --no-repo 2>/dev/null
    bin="$work/prefix/bin/shipgate"
fi
# No user or system git config, a fixed identity, nothing inherited from a calling git.
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset GIT_DIR GIT_WORK_TREE SHIPGATE_SKIP
