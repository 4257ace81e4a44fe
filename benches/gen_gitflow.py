#!/usr/bin/env python3
"""Generate a git-flow history for the check-master benchmark.

    benches/gen_gitflow.py DIR [CYCLES] [FEATURES]

DIR gets a repository with CYCLES release cycles (default 35). In each, `release` starts
from master, FEATURES development branches (default 30) of two commits each are merged
into it with --no-ff, a hotfix goes to master through a hotfix branch, QA tags the
release `vN.0.0` and merges the tag into master. Every third cycle the hotfix touches a
line a feature also changed, so the tag merge conflicts and is resolved (the release's
side wins). With the defaults: about 2 300 commits and 1 100 merges. Standard library and
the git command line only.
"""
import os
import random
import subprocess
import sys

FILES = 40
LINES = 30


def main():
    directory = sys.argv[1]
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 35
    features = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    rng = random.Random(7)
    subprocess.run(["git", "init", "-q", "-b", "master", directory], check=True)
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")

    def git(*args, check=True):
        return subprocess.run(["git", "-C", directory, *args], check=check, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def path(n):
        return os.path.join(directory, "src", "file%02d.txt" % n)

    def edit(n, line, text):
        with open(path(n)) as f:
            lines = f.read().splitlines()
        lines[line] = text
        with open(path(n), "w") as f:
            f.write("\n".join(lines) + "\n")
        git("add", path(n))

    os.makedirs(os.path.join(directory, "src"))
    for n in range(FILES):
        with open(path(n), "w") as f:
            f.write("".join("file %d line %d\n" % (n, i) for i in range(LINES)))
    git("add", "src")
    git("commit", "-q", "-m", "initial service")
    for cycle in range(1, cycles + 1):
        git("branch", "-f", "release", "master")
        touched = []
        for feature in range(features):
            name = "feature/c%d-f%d" % (cycle, feature)
            git("switch", "-q", "-c", name, "release")
            for step in range(2):
                n, line = rng.randrange(FILES), rng.randrange(LINES)
                touched.append((n, line))
                edit(n, line, "c%d f%d s%d" % (cycle, feature, step))
                git("commit", "-q", "-m", "%s step %d" % (name, step))
            git("switch", "-q", "release")
            git("merge", "-q", "--no-ff", "-m", "Merge branch '%s' into release" % name, name)
            git("branch", "-q", "-D", name)
        # A hotfix on master; every third cycle it collides with a feature's line.
        git("switch", "-q", "-c", "hotfix/c%d" % cycle, "master")
        n, line = touched[0] if cycle % 3 == 0 else (rng.randrange(FILES), rng.randrange(LINES))
        edit(n, line, "hotfix %d" % cycle)
        git("commit", "-q", "-m", "hotfix %d" % cycle)
        git("switch", "-q", "master")
        git("merge", "-q", "--no-ff", "-m", "Merge branch 'hotfix/c%d'" % cycle, "hotfix/c%d" % cycle)
        git("branch", "-q", "-D", "hotfix/c%d" % cycle)
        tag = "v%d.0.0" % cycle
        git("tag", "-a", tag, "-m", "release %d" % cycle, "release")
        merged = git("merge", "-q", "--no-ff", "-m", "Merge tag '%s'" % tag, tag, check=False)
        if merged.returncode != 0:
            # The conflict: QA keeps the release's side.
            git("checkout", "--theirs", "--", "src")
            git("add", "src")
            git("commit", "-q", "--no-edit")


if __name__ == "__main__":
    main()
