#!/usr/bin/env python3
"""Syndicated copies: a labelled test archive and the pairwise precision and recall of
newsfind's stories on it.

    bench/syndication.py                       # build, index (fresh and incremental), score
    bench/syndication.py --base 3000 --keep    # bigger; keep the temp dir to look at it

The archive is generated into a temporary folder from ../shared/corpus/allsides.jsonl.xz
(never into the repo) and holds:

- real articles, chosen in topic groups (several articles of one outlet on one subject:
  follow-ups that share names, not text: hard negatives), with real near-duplicates of
  each other left out so that the labels are right;
- syndicated variants of some of them: a new headline, a rewritten or an added first
  paragraph, the last paragraphs dropped, sometimes two paragraphs run together and the
  quotes retyped, in another source folder, dated 0-2 days later;
- boilerplate-only pairs: short articles of one outlet that all carry the same newsletter
  pitch, copyright line, subscription form or photo gallery (each a little different),
  and nothing else in common.

labels.jsonl says which story each file belongs to. The score compares every pair of
articles: a pair is predicted together when newsfind gives both the same story id
(`search '*' --copies -f jsonl`), and truly together when the labels say so.
Targets: precision >= 0.95, recall >= 0.90. The incremental run indexes a random half
first and the rest after, so copies join stories already committed.
"""
import argparse
import collections
import itertools
import json
import lzma
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEWSFIND = os.path.join(ROOT, "target", "release", "newsfind")
SUBJECTS = ["Mueller", "Brexit", "Ebola", "Kavanaugh", "Obamacare", "Benghazi", "Ukraine",
            "Iran", "Syria", "shutdown", "impeachment", "Comey", "Putin", "Sanders", "Clinton",
            "immigration", "tariffs", "coronavirus", "Supreme Court", "North Korea"]
WIRES = ["wire-one", "wire-two", "daily-copy", "metro-herald", "aggregator-news",
         "regional-post", "syndicate-times"]
BOILERPLATE = [
    "Sign up for our Morning Briefing newsletter and get the day's top stories delivered to your inbox.",
    "Copyright 2019 Example Media Group LLC. All rights reserved. Click here for reprint permission.",
    "This article appears in the print edition under the headline of the day. Subscribe to read every story.",
]


def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "unknown"


def paragraphs(body):
    return [" ".join(p.split()) for p in body.split("\n\n") if p.strip() and p.strip() != "ADVERTISEMENT"]


def shingles(paras, k=5):
    words = re.findall(r"\w+", " ".join(paras).lower())
    return {hash(tuple(words[i:i + k])) for i in range(max(0, len(words) - k + 1))}


def render(title, date, paras):
    lines = [f" date {date or 'None'} {title}", ""]
    for p in paras:
        lines += [p, ""]
    return "\n".join(lines)


def shift(date, days):
    if not date:
        return None
    import datetime
    d = datetime.date.fromisoformat(date) + datetime.timedelta(days=days)
    return d.isoformat()


def choose_base(rows, n, rng):
    """Articles in topic groups (same outlet, same subject), then others; no two of them
    near-duplicates of each other (the corpus has some, and they would be mislabelled)."""
    by_group = collections.defaultdict(list)
    for i, r in enumerate(rows):
        for s in SUBJECTS:
            if s.lower() in r["title"].lower():
                by_group[(r["source"], s)].append(i)
                break
    groups = [g for g in by_group.values() if len(g) >= 3]
    rng.shuffle(groups)
    chosen = []
    for g in groups:
        chosen += g[:12]
        if len(chosen) >= n * 2 // 3:
            break
    rest = [i for i in range(len(rows)) if i not in set(chosen)]
    rng.shuffle(rest)
    chosen += rest[: n - len(chosen)]
    # Drop near-duplicates: pairs sharing a fifth of the smaller one's shingles.
    sets = {i: shingles(paragraphs(rows[i]["body"])) for i in chosen}
    index = collections.defaultdict(list)
    keep = []
    for i in chosen:
        s = sets[i]
        if len(s) < 40:
            continue
        shared = collections.Counter()
        for h in s:
            for j in index.get(h, ()):
                shared[j] += 1
        if any(c >= 0.2 * min(len(s), len(sets[j])) for j, c in shared.items()):
            continue
        keep.append(i)
        for h in s:
            index[h].append(i)
    return keep


def variant(r, rng, names):
    paras = paragraphs(r["body"])
    kind = []
    title = r["title"]
    title = rng.choice([f"{title}: what to know", f"UPDATE: {title}", " ".join(reversed(title.split()[:6])) + " (report)",
                        f"{names[0] if names else 'Officials'} in focus as {title.lower()}"])
    # A new lede: the article's own words, reordered (an editor's rewrite keeps the names
    # and the facts, not the sentences).
    words = paras[0].split()
    rng.shuffle(words)
    lede = " ".join((names[:1] or []) + words[: rng.randint(15, 40)]) + "."
    if rng.random() < 0.5:
        paras = [lede] + paras[1:]  # first paragraph rewritten
        kind.append("rewritten-lede")
    else:
        paras = [lede] + paras  # a paragraph added
        kind.append("added-lede")
    if len(paras) > 4 and rng.random() < 0.8:
        drop = rng.randint(1, max(1, int(len(paras) * 0.4)))
        paras = paras[: len(paras) - drop]
        kind.append(f"cut-{drop}")
    if len(paras) > 3 and rng.random() < 0.3:
        k = rng.randrange(1, len(paras) - 1)
        paras = paras[:k] + [paras[k] + " " + paras[k + 1]] + paras[k + 2:]
        kind.append("joined")
    if rng.random() < 0.5:
        paras = [p.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'") for p in paras]
    return title, shift(r.get("date"), rng.randint(0, 2)), paras, kind


def build(rows, out, n_base, rng):
    base = choose_base(rows, n_base, rng)
    labels = []
    files = 0

    def write(folder, title, date, paras, story, what):
        nonlocal files
        rel = os.path.join(folder, f"{files:05d}.txt")
        files += 1
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(title, date, paras))
        labels.append({"path": rel, "story": story, "what": what})

    for i in base:
        r = rows[i]
        write(slug(r["source"]), " ".join(r["title"].split()), r.get("date"), paragraphs(r["body"]), r["id"], "real")
    # Syndicated variants of a third of them, 1-4 each, in other folders.
    long_enough = [i for i in base if len(paragraphs(rows[i]["body"])) >= 4]
    for i in rng.sample(long_enough, len(base) // 3):
        r = rows[i]
        names = re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", r["body"])[:3]
        for wire in rng.sample(WIRES, rng.randint(1, 4)):
            title, date, paras, kind = variant(r, rng, names)
            write(wire, title, date, paras, r["id"], "variant:" + ",".join(kind))
    # Boilerplate only: short unrelated articles of two made-up outlets, each carrying the
    # same pitch and copyright lines, and a long photo gallery that changes a little from
    # article to article (no paragraph count can catch it).
    unused = [i for i in range(len(rows)) if i not in set(base)]
    rng.shuffle(unused)
    short = [i for i in unused if 3 <= len(paragraphs(rows[i]["body"])) <= 6][:120]
    gallery_words = " ".join(paragraphs(rows[unused[0]]["body"]))[:6000].split()
    for k, i in enumerate(short):
        r = rows[i]
        outlet = "boilerplate-daily" if k % 2 else "boilerplate-weekly"
        paras = paragraphs(r["body"])
        start = rng.randint(0, 40)
        gallery = f"Photos: {r['title']} " + " ".join(gallery_words[start: start + 700 + rng.randint(0, 200)])
        paras = paras[:2] + [gallery] + paras[2:] + [BOILERPLATE[0], BOILERPLATE[k % 3]]
        write(outlet, " ".join(r["title"].split()), r.get("date"), paras, r["id"], "boilerplate")
    with open(os.path.join(out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            f.write(json.dumps(l) + "\n")
    return labels


def run(args, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def predicted(index):
    out = run([NEWSFIND, "search", "*", "--kind", "article", "--copies", "-n", "10000000", "-f", "jsonl", "--index", index])
    return {h["path"]: h["story"] for h in map(json.loads, out.splitlines())}


def score(labels, archive, stories):
    truth = {os.path.realpath(os.path.join(archive, l["path"])): l["story"] for l in labels}
    missing = [p for p in truth if p not in stories]
    if missing:
        sys.exit(f"{len(missing)} labelled files are not in the index, e.g. {missing[0]}")
    pred_groups = collections.defaultdict(list)
    true_groups = collections.defaultdict(list)
    for p, s in truth.items():
        pred_groups[stories[p]].append(p)
        true_groups[s].append(p)
    pairs = lambda groups: {tuple(sorted(x)) for g in groups.values() for x in itertools.combinations(g, 2)}
    pp, tp_ = pairs(pred_groups), pairs(true_groups)
    tp = len(pp & tp_)
    precision = tp / len(pp) if pp else 1.0
    recall = tp / len(tp_) if tp_ else 1.0
    return {"files": len(truth), "true_pairs": len(tp_), "predicted_pairs": len(pp), "both": tp,
            "precision": precision, "recall": recall, "false": sorted(pp - tp_)[:10], "missed": sorted(tp_ - pp)[:10]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--base", type=int, default=2000, help="real articles to start from")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--json", help="also write the scores here")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed (for CI)")
    a = ap.parse_args()
    corpus = os.path.join(a.shared, "corpus", "allsides.jsonl.xz")
    if not os.path.exists(corpus):
        print(f"skipped: {corpus} not found")
        return
    if not os.path.exists(NEWSFIND):
        sys.exit(f"{NEWSFIND} missing: cargo build --release")
    rng = random.Random(a.seed)
    rows = [json.loads(l) for l in lzma.open(corpus, "rt", encoding="utf-8")]
    rows = [r for r in rows if r.get("title") and r.get("body")]
    tmp = tempfile.mkdtemp(prefix="newsfind-syndication-")
    try:
        archive = os.path.join(tmp, "archive")
        labels = build(rows, archive, a.base, rng)
        kinds = collections.Counter(l["what"].split(":")[0] for l in labels)
        print(f"archive: {len(labels)} files ({dict(kinds)}) in {archive}")
        results = {}
        fresh = os.path.join(tmp, "fresh")
        run([NEWSFIND, "index", archive, "--glob", "*.txt", "--index", fresh, "-q"])
        results["fresh"] = score(labels, archive, predicted(fresh))
        # Incremental: half the files first (the other half moved aside), then all.
        inc = os.path.join(tmp, "incremental")
        aside = os.path.join(tmp, "aside")
        half = [l["path"] for l in labels if rng.random() < 0.5]
        for rel in half:
            os.makedirs(os.path.dirname(os.path.join(aside, rel)), exist_ok=True)
            shutil.move(os.path.join(archive, rel), os.path.join(aside, rel))
        run([NEWSFIND, "index", archive, "--index", inc, "-q"])
        for rel in half:
            shutil.move(os.path.join(aside, rel), os.path.join(archive, rel))
        run([NEWSFIND, "index", archive, "--index", inc, "-q"])
        results["incremental"] = score(labels, archive, predicted(inc))
        print(f"{'run':<12} {'files':>6} {'true pairs':>10} {'predicted':>9} {'precision':>9} {'recall':>7}")
        for name, r in results.items():
            print(f"{name:<12} {r['files']:>6} {r['true_pairs']:>10} {r['predicted_pairs']:>9} {r['precision']:>9.3f} {r['recall']:>7.3f}")
        for name, r in results.items():
            for what, key in (("false pair", "false"), ("missed pair", "missed")):
                for x, y in r[key][:3]:
                    print(f"  {name} {what}: {os.path.relpath(x, archive)} {os.path.relpath(y, archive)}")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({k: {x: y for x, y in v.items() if x not in ("false", "missed")} for k, v in results.items()}, f, indent=1)
        if a.check and any(r["precision"] < 0.95 or r["recall"] < 0.90 for r in results.values()):
            sys.exit("syndication: precision >= 0.95 and recall >= 0.90 not met")
    finally:
        if a.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
