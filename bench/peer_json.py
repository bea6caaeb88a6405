#!/usr/bin/env python3
"""Turn an archive into JSON lines for tantivy-cli, one document per article file.

A minimal splitter of the archive format (README of the crate), enough for the
rendered archives: header line -> title; byline, `·N min read` and the caption pair are
set aside; body paragraphs up to the teaser heading (`Latest Stories`, ... followed by a
bullet), `ADVERTISEMENT` dropped; teasers after it.

Variants:
  body  {"title", "body"}: the article's own text only (less than newsfind indexes).
  full  {"title", "body", "extra"}: plus byline, caption, credit, and the teaser titles
        and summaries of the file (more than newsfind indexes, which stores each distinct
        teaser once).

    python3 bench/peer_json.py ARCHIVE OUT.jsonl --variant body|full [--jobs N]
"""
import argparse
import json
import os
import re
import sys
from multiprocessing import Pool

HEADINGS = {"Latest Stories", "Related Stories", "More Stories", "Recommended Stories"}
HEADER = re.compile(r"^(?:.*?\s)?date \S+ ?(.*)$")


def split(text):
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return None
    m = HEADER.match(lines[i])
    title = (m.group(1) if m else lines[i]).strip()
    i += 1
    extra = []
    while i < len(lines) and not lines[i].strip():
        i += 1
    # byline, read time, caption pair
    if i + 1 < len(lines) and lines[i + 1].startswith("\u00b7") and not lines[i].startswith("\u00b7"):
        extra.append(lines[i].strip())
        i += 1
    if i < len(lines) and lines[i].startswith("\u00b7"):
        i += 1
    if i + 1 < len(lines) and lines[i].strip() and lines[i + 1].startswith(lines[i] + " - "):
        extra.append(lines[i + 1].strip())
        i += 2
    paras = []
    while i < len(lines):
        line = lines[i].strip()
        if line in HEADINGS:
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j].lstrip().startswith("\u2022"):
                extra.extend(l.strip().lstrip("\u2022").strip() for l in lines[j:] if l.strip())
                break
        if line and line != "ADVERTISEMENT":
            paras.append(line)
        i += 1
    return title, "\n\n".join(paras), "\n".join(extra)


def _work(job):
    root, rels, variant = job
    out = []
    for rel in rels:
        with open(os.path.join(root, rel), "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
        parts = split(text)
        if parts is None:
            continue
        title, body, extra = parts
        doc = {"title": title, "body": body}
        if variant == "full":
            doc["extra"] = extra
        out.append(json.dumps(doc, ensure_ascii=False))
    return "\n".join(out) + "\n" if out else ""


def write_jsonl(root, rels, out_path, variant, jobs=None):
    chunk = 500
    work = [(root, rels[i:i + chunk], variant) for i in range(0, len(rels), chunk)]
    tmp = out_path + ".part"
    size = 0
    with open(tmp, "w", encoding="utf-8") as f, Pool(jobs or os.cpu_count()) as pool:
        for s in pool.imap(_work, work, chunksize=2):
            f.write(s)
            size += len(s)
    os.replace(tmp, out_path)
    return size


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from replicate import list_txt

    ap = argparse.ArgumentParser()
    ap.add_argument("archive")
    ap.add_argument("out")
    ap.add_argument("--variant", choices=["body", "full"], default="body")
    ap.add_argument("--jobs", type=int)
    a = ap.parse_args()
    write_jsonl(a.archive, list_txt(a.archive), a.out, a.variant, a.jobs)


if __name__ == "__main__":
    main()
