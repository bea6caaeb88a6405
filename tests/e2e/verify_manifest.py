#!/usr/bin/env python3
"""Checks newsfind against a rendered archive's manifest.jsonl (ground truth per file).

    verify_manifest.py NEWSFIND ARCHIVE [--index DIR] [--flat] [--min-ratio 0.999]

1. `newsfind parse` every file: title, date, source, byline, caption, paragraph count and
   teaser titles must match the manifest for at least --min-ratio of the files; every
   messy file must be skipped or warned about, with its reason.
2. With --index: `newsfind index ARCHIVE --index DIR` must report every messy file on
   stderr, and the index must hold every parsed article (checked with `newsfind search`).
Prints a report and exits 1 when a check fails.
"""
import argparse, json, os, subprocess, sys

def parse_all(newsfind, archive, paths):
    out = {}
    for i in range(0, len(paths), 2000):
        chunk = [os.path.join(archive, p) for p in paths[i:i + 2000]]
        res = subprocess.run([newsfind, "parse", *chunk], capture_output=True, text=True)
        if res.returncode not in (0, 2):
            sys.exit(f"newsfind parse failed ({res.returncode}): {res.stderr}")
        for line in res.stdout.splitlines():
            obj = json.loads(line)
            out[os.path.relpath(obj["path"], archive)] = obj
    return out

def compare(m, got, flat):
    bad = []
    def check(name, want, have):
        if want != have:
            bad.append(f"{name}: want {want!r}, got {have!r}")
    check("title", m["title"], got.get("title"))
    check("date", m["date"], got.get("date"))
    check("source", m["source_slug"], got.get("source_slug"))
    if flat:
        check("source name", m["source"].strip(), got.get("source"))
    check("byline", m["byline"], got.get("byline"))
    caps = got.get("captions") or []
    check("caption", m["caption"], caps[0]["text"] if caps else None)
    check("paragraphs", m["paragraphs"], got.get("paragraphs"))
    body = got.get("body") or ""
    if m["body_first"] and not body.startswith(m["body_first"]):
        bad.append(f"body_first: want {m['body_first']!r}, got {body[:80]!r}")
    if m["body_last"] and not body.endswith(m["body_last"]):
        bad.append(f"body_last: want {m['body_last']!r}, got {body[-80:]!r}")
    check("teasers", m["teasers"], [t["title"] for t in got.get("teasers") or []])
    return bad

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("newsfind"); ap.add_argument("archive")
    ap.add_argument("--index"); ap.add_argument("--flat", action="store_true")
    ap.add_argument("--min-ratio", type=float, default=0.999)
    a = ap.parse_args()
    manifest = [json.loads(l) for l in open(os.path.join(a.archive, "manifest.jsonl"), encoding="utf-8")]
    parsed = parse_all(a.newsfind, a.archive, [m["path"] for m in manifest])
    ok = failures = 0
    examples = []
    messy_missed = []
    for m in manifest:
        got = parsed.get(m["path"])
        if got is None:
            failures += 1
            examples.append(f"{m['path']}: no output")
            continue
        if "messy" in m:
            if not got.get("skipped") and not got.get("warnings"):
                messy_missed.append(f"{m['path']} ({m['messy']}): neither skipped nor warned")
            continue
        bad = compare(m, got, a.flat)
        if bad:
            failures += 1
            if len(examples) < 15:
                examples.append(f"{m['path']}: " + "; ".join(bad))
        else:
            ok += 1
    total = ok + failures
    ratio = ok / total if total else 0
    print(f"parse: {ok}/{total} files match the manifest ({ratio:.4%}); {len(manifest) - total} messy files")
    for e in examples:
        print("  " + e)
    for e in messy_missed:
        print("  " + e)
    failed = ratio < a.min_ratio or bool(messy_missed)

    if a.index:
        res = subprocess.run([a.newsfind, "index", a.archive, "--index", a.index, "-v"], capture_output=True, text=True)
        messy = [m for m in manifest if "messy" in m]
        reported = [m for m in messy if m["path"] in res.stderr]
        print(f"index: exit {res.returncode}; {len(reported)}/{len(messy)} messy files reported on stderr")
        if len(reported) != len(messy) or res.returncode not in (0, 2) or (res.returncode == 2) != any(p.get("skipped") for p in parsed.values()):
            failed = True
            print(res.stderr[-2000:])
        res = subprocess.run([a.newsfind, "search", "--index", a.index, "*", "--kind", "article",
                              "--format", "jsonl", "-n", "10000000"], capture_output=True, text=True)
        hits = {}
        for line in res.stdout.splitlines():
            h = json.loads(line)
            hits[os.path.relpath(os.path.realpath(h["path"]), os.path.realpath(a.archive))] = h
        want = {p: o for p, o in parsed.items() if not o.get("skipped")}
        missing = [p for p in want if p not in hits]
        wrong = [p for p, o in want.items() if p in hits and (hits[p]["title"] != o["title"] or hits[p]["date"] != o["date"])]
        print(f"index: {len(hits)} articles searchable, {len(want)} parsed; {len(missing)} missing, {len(wrong)} differ")
        for p in (missing + wrong)[:10]:
            print("  " + p)
        failed = failed or bool(missing) or bool(wrong) or len(hits) != len(want)
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
