#!/usr/bin/env python3
"""Replicate a rendered archive R times into a bigger one with real news text.

Round 0 is a plain copy of the base archive. Round k >= 1 writes every base file again
with a new file name (`NNN_<new hash16>.txt`), into a renamed source folder
(`reuters/` -> `reuters-r3/`), with the header date shifted by k*11 days (so the dates
spread over ~10 months more per 27 rounds and date filters keep their meaning). Undated
headers (`date None`) stay undated; those files get k trailing newlines so that no two
files of the replica have the same bytes. Teasers are copied as they are. The text is
otherwise the base text, so term statistics are those of the real corpus.

    python3 bench/replicate.py BASE_DIR OUT_DIR ROUNDS [--jobs N]

Writes OUT_DIR/.bench-archive.json ({"files", "bytes", "rounds"}) when complete.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import sys
import time
from multiprocessing import Pool

SHIFT_DAYS = 11
HEADER_DATE = re.compile(rb"^((?:\xef\xbb\xbf)?[^\n]*?\bdate )(\d{4}-\d{2}-\d{2})(?=[ \r\n])")
MARKER = ".bench-archive.json"


def list_txt(root):
    """Sorted relative paths of the *.txt files under root."""
    out = []
    for d, _, files in os.walk(root):
        rel = os.path.relpath(d, root)
        for f in files:
            if f.endswith(".txt"):
                out.append(f if rel == "." else os.path.join(rel, f))
    out.sort()
    return out


def replica_path(rel, k):
    if k == 0:
        return rel
    folder, name = os.path.split(rel)
    stem, _ = os.path.splitext(name)
    num, _, h = stem.partition("_")
    h2 = hashlib.sha1(f"{h}:{k}".encode()).hexdigest()[:16]
    folder = f"{folder}-r{k}" if folder else f"r{k}"
    return os.path.join(folder, f"{num}_{h2}.txt")


def rewrite(data, k):
    if k == 0:
        return data
    m = HEADER_DATE.match(data)
    if m:
        try:
            d = datetime.date.fromisoformat(m.group(2).decode())
        except ValueError:
            return data + b"\n" * k
        d2 = (d + datetime.timedelta(days=SHIFT_DAYS * k)).isoformat().encode()
        return m.group(1) + d2 + data[m.end():]
    return data + b"\n" * k


def _work(job):
    base, out, k, rels = job
    total = 0
    made = set()
    for rel in rels:
        dst = os.path.join(out, replica_path(rel, k))
        parent = os.path.dirname(dst)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(os.path.join(base, rel), "rb") as f:
            data = rewrite(f.read(), k)
        with open(dst, "wb") as f:
            f.write(data)
        total += len(data)
    return len(rels), total


def read_marker(out):
    try:
        with open(os.path.join(out, MARKER)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def replicate(base, out, rounds, jobs=None, log=print):
    rels = list_txt(base)
    want = len(rels) * rounds
    m = read_marker(out)
    if m and m.get("files") == want and m.get("rounds") == rounds:
        log(f"{out}: complete ({want} files), kept")
        return m
    if os.path.exists(out):
        log(f"{out}: incomplete, rebuilding")
        shutil.rmtree(out)
    os.makedirs(out)
    chunk = 500
    work = [(base, out, k, rels[i:i + chunk]) for k in range(rounds) for i in range(0, len(rels), chunk)]
    t0 = time.monotonic()
    files = size = 0
    with Pool(jobs or os.cpu_count()) as pool:
        for n, b in pool.imap_unordered(_work, work):
            files += n
            size += b
            if files % 50000 < chunk:
                log(f"  {files}/{want} files, {size / 1e9:.2f} GB, {time.monotonic() - t0:.0f} s")
    m = {"files": files, "bytes": size, "rounds": rounds, "base_files": len(rels),
         "seconds": round(time.monotonic() - t0, 1)}
    with open(os.path.join(out, MARKER), "w") as f:
        json.dump(m, f)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("rounds", type=int)
    ap.add_argument("--jobs", type=int)
    a = ap.parse_args()
    print(json.dumps(replicate(a.base, a.out, a.rounds, a.jobs, log=lambda s: print(s, file=sys.stderr))))


if __name__ == "__main__":
    main()
