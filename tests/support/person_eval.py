"""Recall and precision of the variant rules on person names (issue 22 point 5): tests/data/person_names.tsv,
spellings in Latin, Cyrillic, Arabic, Greek and Hebrew script grouped by the Wikidata name item they spell
(built by tools/build_person_eval.py from rigour's name data; nobody here wrote it).

Every pair of spellings is judged: relevant when they spell one name item, found when the variant rules take
them for spellings of one name (newsarc.names.variants.compatible on their forms). Figures are counted over
pairs, overall and by pair of scripts. The data is noisy (Wikidata keeps Carol and Karol, Scot and Scott apart),
so precision is low for every reading alike: read the figures as a comparison of readings.

    python tests/support/person_eval.py                   # the readings newsarc ships
    python tests/support/person_eval.py --readings rules  # rules, anyascii, icu, unidecode, chosen
    python tests/support/person_eval.py --compare         # every reading, one summary line each
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "person_names.tsv"
COMMAND = "python tests/support/person_eval.py"
SCRIPTS = ("latin", "cyrillic", "arabic", "greek", "hebrew")


def load() -> dict[str, tuple[str, frozenset[str]]]:
    """spelling -> (script, name items)."""
    rows = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            spelling, _language, script, items = line.split("\t")
            rows[spelling] = (script, frozenset(items.split(",")))
    return rows


def pair_name(a: str, b: str) -> str:
    first, second = sorted((a, b), key=lambda s: SCRIPTS.index(s) if s in SCRIPTS else len(SCRIPTS))
    return f"{first}-{second}"


def measure() -> tuple[Counter[str], Counter[str], Counter[str]]:
    """(relevant, found, correct) pair counts by pair of scripts."""
    from newsarc.names import variants

    rows = load()
    forms = {s: variants.forms_of(s) for s in rows}
    by_skeleton: dict[str, set[str]] = defaultdict(set)
    for spelling, its_forms in forms.items():
        for form in its_forms:
            for skeleton in form.skeletons:
                by_skeleton[skeleton].add(spelling)
    found = {(a, b) for spellings in by_skeleton.values() for a, b in itertools.combinations(sorted(spellings), 2)
             if any(variants.compatible(x, y) for x in forms[a] for y in forms[b])}
    by_item: dict[str, set[str]] = defaultdict(set)
    for spelling, (_script, items) in rows.items():
        for item in items:
            by_item[item].add(spelling)
    relevant = {pair for spellings in by_item.values() for pair in itertools.combinations(sorted(spellings), 2)}
    name = {pair: pair_name(rows[pair[0]][0], rows[pair[1]][0]) for pair in relevant | found}
    return (Counter(name[p] for p in relevant), Counter(name[p] for p in found),
            Counter(name[p] for p in relevant & found))


def main(argv: list[str] | None = None) -> int:
    from tests.support.readings_compare import CONFIGS, apply

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readings", choices=CONFIGS, default="chosen", help="the readings to measure")
    parser.add_argument("--compare", action="store_true", help="every reading, one summary line each")
    parser.add_argument("--summary", action="store_true", help="one line: overall and by pair of scripts")
    args = parser.parse_args(argv)
    if args.compare:
        for config in CONFIGS:
            subprocess.run([sys.executable, __file__, "--readings", config, "--summary"], check=False)
        return 0
    apply(args.readings)
    relevant, found, correct = measure()
    pairs = sorted(relevant, key=lambda p: -relevant[p])
    total = [sum(c.values()) for c in (relevant, found, correct)]
    if args.summary:
        cells = [f"{correct[p] / relevant[p]:.3f}/{correct[p] / max(found[p], 1):.3f}" for p in pairs[:8]]
        print(f"{args.readings:10} overall {total[2] / total[0]:.3f}/{total[2] / max(total[1], 1):.3f}  "
              + "  ".join(f"{p} {c}" for p, c in zip(pairs[:8], cells, strict=True)))
        return 0
    print(f"{len(load())} spellings, readings: {args.readings}\n")
    print(f"{'':20} recall  precision  found/relevant  correct/found")
    print(f"{'overall':20} {total[2] / total[0]:.3f}   {total[2] / max(total[1], 1):.3f}      "
          f"{total[2]}/{total[0]}  {total[2]}/{total[1]}")
    for p in pairs:
        print(f"{p:20} {correct[p] / relevant[p]:.3f}   {correct[p] / max(found[p], 1):.3f}      "
              f"{correct[p]}/{relevant[p]}  {correct[p]}/{found[p]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
