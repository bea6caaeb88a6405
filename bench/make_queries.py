#!/usr/bin/env python3
"""Build bench/queries.txt: a fixed, mixed query set drawn from the real corpus vocabulary.

Each output line is the argument list of `newsfind search`, shell-quoted (what
`newsfind query-bench` reads). Words are chosen deterministically (fixed seed, sorted
candidate lists) from three document-frequency bands of the article bodies, so the set
mixes rare, medium and common terms; phrases are frequent title/body bigrams and
trigrams. Run once and commit the result; the harness never regenerates it:

    python3 bench/make_queries.py ../shared/corpus/allsides.jsonl.xz > bench/queries.txt
"""
import collections
import json
import lzma
import random
import re
import shlex
import sys
import unicodedata

SEED = 4
# Function words: never picked as query words (they would only measure stop-word cost).
STOP = set("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each even few for
from further had has have having he her here hers herself him himself his how i if in into
is it its itself just like made make many may me might more most much must my myself new
no nor not now of off on once one only or other our ours ourselves out over own said same
say says she should since so some such than that the their theirs them themselves then
there these they this those through to too two under until up upon us very was we were
what when where which while who whom why will with would year years you your yours also
get got going people told time first last back still well way week day
""".split())
WORD = re.compile(r"[a-z][a-z']+[a-z]")


def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-") or "unknown"


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/allsides.jsonl.xz"
    rows = [json.loads(l) for l in lzma.open(corpus, "rt", encoding="utf-8")]
    rows = [r for r in rows if r.get("title") and r.get("body")]
    n = len(rows)
    df = collections.Counter()
    bigrams = collections.Counter()
    trigrams = collections.Counter()
    for r in rows:
        toks = WORD.findall(r["body"].lower())
        df.update(set(toks))
        ttoks = WORD.findall(r["title"].lower())
        for a, b in zip(ttoks, ttoks[1:]):
            if a not in STOP and b not in STOP:
                bigrams[(a, b)] += 1
        for a, b, c in zip(ttoks, ttoks[1:], ttoks[2:]):
            if a not in STOP and c not in STOP:
                trigrams[(a, b, c)] += 1
    cand = [w for w in df if w not in STOP and 4 <= len(w) <= 14 and "'" not in w]

    def band(lo, hi):
        return sorted(w for w in cand if lo <= df[w] / n < hi)

    rare = band(20 / n, 0.002)  # 20 .. ~75 articles
    medium = band(0.002, 0.03)  # ~75 .. ~1100 articles
    common = band(0.03, 0.35)  # ~1100 .. ~13000 articles
    rng = random.Random(20240611)
    pick = lambda pool: rng.choice(pool)
    any_word = lambda: pick(rng.choice([rare, medium, medium, common]))
    phrases2 = sorted(p for p, c in bigrams.items() if c >= 15)
    phrases3 = sorted(p for p, c in trigrams.items() if c >= 8)
    prefixes = sorted({w[:5] for w in medium + common if len(w) >= 7})
    counts = collections.Counter(slug(r["source"]) for r in rows)
    sources = [s for s, _ in counts.most_common(15)]
    years = [str(y) for y in range(2012, 2021)]
    months = [f"{y}-{m:02d}" for y in range(2012, 2021) for m in range(1, 13)]

    q = []
    add = lambda kind, *args: q.append((kind, [str(a) for a in args]))
    for pool, k in ((rare, 14), (medium, 14), (common, 12)):
        for _ in range(k):
            add("1word", pick(pool))
    # Multi-word queries take words that co-occur in one real article (as a user's would),
    # each from a random band, so most have hits and their df mix varies.
    bands = {w: b for b, pool in (("rare", rare), ("medium", medium), ("common", common)) for w in pool}

    def cooccurring(k):
        while True:
            r = rows[rng.randrange(n)]
            words = sorted({w for w in WORD.findall(r["body"].lower()) if w in bands})
            by = {b: [w for w in words if bands[w] == b] for b in ("rare", "medium", "common")}
            chosen = []
            for b in rng.sample(["rare", "medium", "medium", "common", "common"], k):
                if by[b]:
                    w = pick(by[b])
                    if w not in chosen:
                        chosen.append(w)
            if len(chosen) == k:
                return " ".join(chosen)

    for _ in range(30):
        add("2words", cooccurring(2))
    for _ in range(25):
        add("3words", cooccurring(3))
    for _ in range(14):
        add("phrase", '"%s"' % " ".join(pick(phrases2)))
    for _ in range(6):
        add("phrase", '"%s"' % " ".join(pick(phrases3)))
    for _ in range(15):
        add("or", f"{pick(medium)} OR {pick(rare)}")
    for _ in range(15):
        add("prefix", f"{pick(prefixes)}*")
    for _ in range(8):
        add("since", any_word(), "--since", pick(months))
    for _ in range(7):
        y = pick(years[:-1])
        add("range", any_word(), "--since", y, "--until", str(int(y) + 1))
    for _ in range(10):
        add("on", pick(common), "--on", pick(months))
    for _ in range(5):
        add("date:", f"{pick(common)} date:{pick(months)}")
    for _ in range(5):
        a, b = sorted(rng.sample(months, 2))
        add("date:", f"{any_word()} date:{a}..{b}")
    for _ in range(15):
        add("source", any_word(), "--source", pick(sources))
    for _ in range(10):
        add("newest", pick(common), "--sort", "newest")
    for _ in range(10):
        add("facets", any_word(), "--facets")
    for _ in range(4):
        add("mixed", f"{pick(common)} -{pick(medium)}")
    for _ in range(3):
        add("mixed", f"title:{pick(medium)}", "--kind", "article")
    for _ in range(3):
        add("mixed", '"%s"' % " ".join(pick(phrases2)), "--sort", "newest", "--facets", "-n", "20")
    for kind, args in q:
        print(" ".join(shlex.quote(a) for a in args))
    print(f"{len(q)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
