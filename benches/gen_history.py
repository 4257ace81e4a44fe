#!/usr/bin/env python3
"""Generate a service repository for the push benchmarks, with `git fast-import`.

    benches/gen_history.py DIR COMMITS TAGS

DIR gets a repository whose `master` has COMMITS commits (each changes one small file)
and TAGS annotated release tags spread over them, plus the branches the push rules look
at: `release` and `test` at master's tip (test with a few merges of its own), a
development branch `feature/bench`, and `refs/remotes/origin/*` as if they had been
fetched from a remote that has them all. Standard library only.
"""
import subprocess
import sys


def main():
    directory, commits, tags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    subprocess.run(["git", "init", "-q", "-b", "master", directory], check=True)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=directory,
        stdin=subprocess.PIPE,
    )
    out = proc.stdin
    every = max(1, commits // max(1, tags))
    tagged = 0

    def data(text):
        raw = text.encode()
        out.write(b"data %d\n" % len(raw) + raw + b"\n")

    for n in range(1, commits + 1):
        out.write(b"commit refs/heads/master\nmark :%d\n" % n)
        out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1_600_000_000 + n * 60))
        data("change %d" % n)
        if n > 1:
            out.write(b"from :%d\n" % (n - 1))
        out.write(b"M 644 inline src/file%d.txt\n" % (n % 100))
        data("line %d\n" % n)
        if n % every == 0 and tagged < tags:
            tagged += 1
            out.write(b"tag v%d.%d.%d\nfrom :%d\n" % (tagged // 10000, tagged // 100 % 100, tagged % 100, n))
            out.write(b"tagger Bench <bench@example.com> %d +0000\n" % (1_600_000_000 + n * 60))
            data("release %d" % tagged)
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")

    def git(*args):
        subprocess.run(["git", "-C", directory, *args], check=True, stdout=subprocess.DEVNULL)

    git("pack-refs", "--all")
    git("reset", "-q", "--hard", "master")
    git("branch", "release")
    git("branch", "test")
    # test has merges of its own since the last release
    git("switch", "-q", "-c", "feature/on-test")
    for i in range(3):
        git("commit", "-q", "--allow-empty", "-m", "on-test work %d" % i)
    git("switch", "-q", "test")
    git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature/on-test' into test", "feature/on-test")
    git("switch", "-q", "master")
    git("remote", "add", "origin", "../origin.git")
    for branch in ("master", "release", "test"):
        git("update-ref", "refs/remotes/origin/" + branch, branch)


if __name__ == "__main__":
    main()
