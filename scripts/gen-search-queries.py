#!/usr/bin/env python3
"""Writes tests/data/search_queries.tsv: the search quality query set over the demo catalogue.

Each line: kind, query, expected words (a product is relevant when its name has all of them).
Typos are made by seeded random edits and kept only when the typed word is exactly that many
edits (Damerau-Levenshtein) from the intended word and further from every other catalogue
word, so each query has one right answer. Run from the repository root; deterministic.
"""
import random, re, sys, unicodedata

NOUNS = ["kettle", "knife", "skillet", "board", "saucepan", "whisk", "colander", "peeler",
         "teapot", "set", "cups", "tea", "grinder", "strainer", "frother", "can", "shears",
         "planter", "kit", "gloves", "trowel", "feeder", "lamp", "stand", "riser", "tray", "mat",
         "holder", "light", "lights", "lantern", "blanket", "napkins", "cover", "towel",
         "runner", "quilt", "dish", "caddy", "cup", "robe", "puzzle", "blocks", "game", "kite",
         "run", "mug", "chair", "bottle", "hammock", "bag", "pen", "sketchbook", "tape",
         "planner", "paper"]
ADJECTIVES = ["copper", "oak", "linen", "stoneware", "walnut", "enamel", "bamboo", "brass",
              "cotton", "ceramic", "slate", "recycled", "nordic", "classic", "compact", "deluxe"]
VOCAB = sorted(set(NOUNS + ADJECTIVES + ["watering", "chef", "cutting", "pour", "over", "espresso",
    "loose", "leaf", "coffee", "milk", "pruning", "seed", "garden", "bird", "desk", "notebook",
    "monitor", "cable", "pen", "pendant", "table", "string", "floor", "night", "throw", "cushion",
    "bath", "soap", "shower", "toothbrush", "wooden", "card", "marble", "camping", "picnic",
    "folding", "water", "cooler", "fountain", "washi", "pencil", "letter"]))

PLURALS = {"kettle": "kettles", "knife": "knives", "skillet": "skillets", "saucepan": "saucepans",
           "whisk": "whisks", "colander": "colanders", "peeler": "peelers", "teapot": "teapots",
           "grinder": "grinders", "strainer": "strainers", "frother": "frothers", "planter": "planters",
           "trowel": "trowels", "feeder": "feeders", "lamp": "lamps", "lantern": "lanterns",
           "blanket": "blankets", "towel": "towels", "runner": "runners", "quilt": "quilts",
           "dish": "dishes", "robe": "robes", "puzzle": "puzzles", "kite": "kites", "mug": "mugs",
           "chair": "chairs", "bottle": "bottles", "hammock": "hammocks", "planner": "planners",
           "caddy": "caddies", "sketchbook": "sketchbooks", "holder": "holders"}
MULTI = ["copper kettle", "oak teapot", "desk lamp", "throw blanket", "bath towel", "camping mug",
         "fountain pen", "pour over set", "pruning shears", "notebook stand", "table lamp",
         "linen napkins", "soap dish", "wooden blocks", "picnic blanket", "monitor riser",
         "string lights", "cushion cover", "bath mat", "board game", "folding chair", "washi tape",
         "cable tray", "floor lamp", "tea towel", "shower caddy", "water bottle", "chef knife",
         "coffee grinder", "tea strainer"]


def dl(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def edit(w, rng):
    i = rng.randrange(len(w) - 1)
    op = rng.choice(["swap", "drop", "sub", "add"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op == "swap":
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if op == "drop":
        return w[:i] + w[i + 1:]
    if op == "sub":
        return w[:i] + rng.choice(letters) + w[i + 1:]
    return w[:i] + rng.choice(letters) + w[i:]


def typo(w, n, rng):
    for _ in range(500):
        t = w
        for _ in range(n):
            t = edit(t, rng)
        if dl(t, w) == n and all(dl(t, o) > n for o in VOCAB if o != w) \
                and not any(o.startswith(t) for o in VOCAB):
            return t
    return None


def accent(w, rng):
    marks = {"a": "à", "e": "é", "o": "ö", "u": "ü", "i": "í"}
    idx = [i for i, c in enumerate(w) if c in marks]
    i = rng.choice(idx)
    return w[:i] + marks[w[i]] + w[i + 1:]


def main():
    rng = random.Random(42)
    rows = []
    singles = [n for n in NOUNS if len(n) >= 4 and n not in ("cups", "lights")]
    for n in NOUNS:
        rows.append(("exact", n, n))
    for n, p in PLURALS.items():
        rows.append(("plural", p, n))
    for n in [n for n in singles if len(n) >= 6][:22]:
        rows.append(("prefix", n[: max(4, len(n) - 3)], n))
    one = [n for n in singles if len(n) >= 5]
    for n in one:
        t = typo(n, 1, rng)
        if t:
            rows.append(("typo1", t, n))
    two = [n for n in singles if len(n) >= 7]
    for n in two:
        t = typo(n, 2, rng)
        if t:
            rows.append(("typo2", t, n))
    for n in rng.sample(singles, 15):
        rows.append(("case", "".join(c.upper() if rng.random() < 0.5 else c for c in n).capitalize() if rng.random() < 0.3 else n.upper(), n))
    for n in rng.sample([s for s in singles if re.search("[aeiou]", s)], 12):
        rows.append(("accent", accent(n, rng), n))
    for m in MULTI:
        rows.append(("multi", m, m))
    with open("tests/data/search_queries.tsv", "w") as f:
        f.write("# kind\tquery\texpected words (generated by scripts/gen-search-queries.py)\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(len(rows), "queries", file=sys.stderr)


main()
