#!/usr/bin/env python3
"""Story groups after incremental runs against a fresh build of the same files.

    bench/stories_incremental.py BIN ARCHIVE     # e.g. target/release/newsfind /work/archive37k

Copies ARCHIVE into a temp folder (the archive itself is not touched) and runs three
incremental ingests: 80% of the files first (every 5th set aside); then half of those
set aside come back and every 37th file is changed (a line appended); then the rest come
back, every 53rd file is removed and every 41st changed again. Prints `stats` of the
incremental index and of a fresh index of the final files, and the story groups with
copies that only one of them has (BENCHMARKS.md, "Boilerplate counted with live
documents only").
"""
import json, os, shutil, subprocess, sys, tempfile
bin_, source = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="newsfind-stories-incremental-")
arch = os.path.join(work, "archive"); aside = os.path.join(work, "aside"); idx = os.path.join(work, "idx"); fresh = os.path.join(work, "fresh")
os.makedirs(aside)
shutil.copytree(source, arch)
files = sorted(os.path.relpath(os.path.join(d, f), arch) for d, _, fs in os.walk(arch) for f in fs)
def run(*a):
    r = subprocess.run([bin_, *a], capture_output=True, text=True)
    assert r.returncode in (0, 2), r.stderr
    return r.stdout
def stats(i):
    d = json.loads(run("stats", "--index", i, "--format", "json"))
    return {k: d[k] for k in ("articles", "stories", "stories_with_copies", "articles_with_copies")}
# 1: index 80% (every 5th file set aside)
for n, f in enumerate(files):
    if n % 5 == 0:
        os.makedirs(os.path.dirname(os.path.join(aside, f)), exist_ok=True)
        os.rename(os.path.join(arch, f), os.path.join(aside, f))
run("index", arch, "--index", idx, "-q")
# 2: bring half the set-aside files back, change every 37th file (a line appended)
for n, f in enumerate(files):
    if n % 10 == 0:
        os.rename(os.path.join(aside, f), os.path.join(arch, f))
    elif n % 37 == 1:
        with open(os.path.join(arch, f), "a") as h: h.write("\nUpdated: a line added at the end.\n")
run("index", arch, "--index", idx, "-q")
# 3: the rest back, every 53rd file removed, every 41st changed again
for n, f in enumerate(files):
    p = os.path.join(arch, f)
    if n % 10 == 5:
        os.rename(os.path.join(aside, f), p)
    elif n % 53 == 2:
        os.remove(p)
    elif n % 41 == 3:
        with open(p, "a") as h: h.write("\nCorrection: a second line.\n")
run("index", arch, "--index", idx, "-q")
run("index", arch, "--index", fresh, "-q")
def groups(i):
    out = run("search", "--index", i, "--format", "json", "*", "--kind", "article", "--copies", "-n", "100000")
    g = {}
    for h in json.loads(out)["hits"]:
        g.setdefault(h["story"], []).append(h["path"])
    return sorted(sorted(v) for v in g.values() if len(v) > 1)
gi, gf = groups(idx), groups(fresh)
print("incremental", stats(idx)); print("fresh      ", stats(fresh))
print("story groups with copies equal:", gi == gf, "(", len(gi), "vs", len(gf), ")")
for x in gi:
    if x not in gf: print("  only incremental:", x)
for x in gf:
    if x not in gi: print("  only fresh:", x)
shutil.rmtree(work)
