#!/usr/bin/env python3
"""Checks `newsfind search` against a rendered archive's manifest.jsonl.

    search_checks.py NEWSFIND ARCHIVE --index DIR [--articles N] [--seed S] [--jobs J]

On N sampled articles (all with --articles 0):
- recall: a word taken from the article's body (its tokens, as the tokenizer sees them)
  finds the article with `--kind article`;
- split: a phrase found only in the teasers of a file does not return that file's article;
and on the whole archive:
- dates: `--since/--until` results all lie in the range and miss none of the manifest's
  dated articles in it;
- sources: `--source` returns only that source, and all of its articles.
The index must already hold ARCHIVE (see verify_manifest.py). Exits 1 on a failure.
"""
import argparse, json, os, random, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

TOKEN = re.compile(r"[^\W_]+")
BIG = "100000000"

def search(a, *args):
    # --copies: the checks want every matching file, the copies of a story too.
    res = subprocess.run([a.newsfind, "search", "--index", a.index, "--copies", *args], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(f"newsfind search {args} failed ({res.returncode}): {res.stderr}")
    return res.stdout

def paths(a, *args):
    return {os.path.realpath(p) for p in search(a, *args, "--format", "paths", "-n", BIG).splitlines()}

def hits(a, *args):
    return [json.loads(l) for l in search(a, *args, "--format", "jsonl", "-n", BIG).splitlines()]

def tokens(text):
    return [t.lower() for t in TOKEN.findall(text)]

def crude_stem(word):
    """Enough of English stemming to tell that a phrase also stands in the body in
    another form ("allegations of" / "allegation of")."""
    for _ in range(2):  # testifying -> testify -> testif
        word = re.sub(r"(ing|ed|es|s|y)$", "", word)
    return word

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("newsfind"); ap.add_argument("archive"); ap.add_argument("--index", required=True)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    root = os.path.realpath(a.archive)
    manifest = [json.loads(l) for l in open(os.path.join(root, "manifest.jsonl"), encoding="utf-8")]
    articles = [m for m in manifest if "messy" not in m]
    rng = random.Random(a.seed)
    sample = articles if a.articles == 0 else rng.sample(articles, min(a.articles, len(articles)))
    failed = False

    # The text as newsfind parsed it (the manifest has only the ends of the body).
    parsed = {}
    chunk = [os.path.join(root, m["path"]) for m in sample]
    for i in range(0, len(chunk), 2000):
        out = subprocess.run([a.newsfind, "parse", *chunk[i:i + 2000]], capture_output=True, text=True).stdout
        for line in out.splitlines():
            o = json.loads(line)
            parsed[os.path.realpath(o["path"])] = o

    def recall(m):
        path = os.path.join(root, m["path"])
        words = [w for w in tokens(parsed[path]["body"]) if len(w) <= 40 and w not in ("and", "or", "not")]
        word = random.Random(m["path"]).choice(words)
        # Narrowed to the article's source and day, so that a common word does not list
        # the whole archive; the filters themselves are checked below.
        narrow = ["--source", m["source_slug"]] + (["--on", m["date"]] if m["date"] else [])
        return None if path in paths(a, word, "--kind", "article", *narrow) else f"{m['path']}: {word!r} does not find it"

    def split(m):
        o = parsed[os.path.join(root, m["path"])]
        own = [o["body"], o["title"], o["byline"] or ""] + [c["text"] for c in o["captions"]]
        body = " | ".join(" " + " ".join(crude_stem(w) for w in tokens(part)) + " " for part in own)
        r = random.Random(m["path"])
        for t in r.sample(o["teasers"], len(o["teasers"])):
            ws = tokens(t["summary"])[:-1]  # the last word may be cut
            if len(ws) < 4:
                continue
            k = r.randrange(0, len(ws) - 3)
            phrase = ws[k:k + 4]
            if " " + " ".join(crude_stem(w) for w in phrase) + " " in body:
                continue
            found = paths(a, '"' + " ".join(phrase) + '"', "--kind", "article")
            return None if os.path.join(root, m["path"]) not in found else f"{m['path']}: teaser phrase {' '.join(phrase)!r} returns the article"
        return None

    with ThreadPoolExecutor(a.jobs) as pool:
        for name, check, items in [("recall", recall, sample), ("split", split, [m for m in sample if m["teasers"]])]:
            problems = [p for p in pool.map(check, items) if p]
            print(f"{name}: {len(items) - len(problems)}/{len(items)} articles pass")
            for p in problems[:10]:
                print("  " + p)
            failed = failed or bool(problems)

    dated = [m for m in articles if m["date"]]
    for since, until in [("2012", "2013-06"), ("2016-03", "2016-05-15"), ("2019-12-31", "2020-12-31"), ("2017-02-01", "2017-02-01")]:
        got = hits(a, "*", "--kind", "article", "--since", since, "--until", until)
        def in_range(d):
            return d is not None and d[:len(since)] >= since and d[:len(until)] <= until
        want = {os.path.join(root, m["path"]) for m in dated if in_range(m["date"])}
        # Broken files that could still be read (cp1252, CRLF, truncated) are indexed too.
        messy = {os.path.join(root, m["path"]) for m in manifest if "messy" in m and in_range(m["date"])}
        have = {os.path.realpath(h["path"]) for h in got}
        outside = [h for h in got if not in_range(h["date"])]
        print(f"dates {since}..{until}: {len(have)} hits, {len(want)} expected, {len(want - have)} missed, {len(outside)} outside")
        failed = failed or bool(want - have) or bool(outside) or bool(have - want - messy)

    counts = {}
    for m in articles:
        counts.setdefault(m["source_slug"], []).append(m)
    for slug in sorted(counts, key=lambda s: -len(counts[s]))[:3] + [sorted(counts)[0]]:
        got = hits(a, "*", "--kind", "article", "--source", slug)
        others = [h for h in got if h["source_slug"] != slug]
        want = {os.path.join(root, m["path"]) for m in counts[slug]}
        have = {os.path.realpath(h["path"]) for h in got}
        print(f"source {slug}: {len(have)} hits, {len(want)} expected, {len(others)} from other sources")
        failed = failed or bool(others) or have != want
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
