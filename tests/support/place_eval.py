"""Recall and precision of place-name search on the evaluation built from CLDR and GeoNames
(tests/data/place_eval.yaml, made by tools/build_place_eval.py; issue 22 point 6).

Every spelling of every place is searched (quoted when it has spaces) in an archive holding every article. An
article names a place when it was written about it, with a name the sources also give that place (two places
sharing a name: Tripoli, عمان), or when its text writes one of the place's spellings; a query is relevant to the
articles that name any place its spelling names (case, Latin accents and Arabic vowel marks aside). Figures are
micro-averaged over (query, article) pairs, overall, by pair of scripts (query script and article script, both
directions folded together), by language, by the source of the queried spelling, for inflected and uninflected
articles; the worst spellings say what they missed and what they wrongly found.

Used by tests/test_search_places.py, and runnable:

    python tests/support/place_eval.py              # builds a temporary archive, prints the tables
    python tests/support/place_eval.py --markdown   # the same as Markdown, for docs/searching.md
    python tests/support/place_eval.py --rules-only # the variant rules alone: no place linked by the gazetteer
    python tests/support/place_eval.py --rules-only --readings icu   # with other readings of names (see
                                                    # tests/support/readings_compare.py)
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "place_eval.yaml"
SCRIPTS = ("latin", "cyrillic", "arabic")
COMMAND = "python tests/support/place_eval.py"


def load_evalset(path: Path = DATA) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml reads the 1 MB file ten times faster
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def build_archive(root: Path, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An archive holding every article and distractor (through newsarc.api, as an import would add them);
    returns the evaluation set with each article's id filled in."""
    from newsarc import api
    from newsarc.storage.archive import init_archive

    data = data if data is not None else load_evalset()
    init_archive(root)
    # The archive's "large archive" setting: each search checks the directories, not every file's stamp (the
    # judge searches two thousand times; what is found does not depend on it).
    settings = root / "newsarc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("full_scan_max_files: 5000",
                                                                     "full_scan_max_files: 0"), encoding="utf-8")
    store = api.open_store(root)
    try:
        everything = data["articles"] + data["distractors"]
        items = [(f"place-eval/{n}", {k: a[k] for k in ("title", "date", "source", "language", "body")})
                 for n, a in enumerate(everything)]
        report = api.add_articles(store, items)
        assert report.count("added") == len(items), [o for o in report.outcomes if o.status != "added"][:5]
        ids = {o.origin: o.id for o in report.outcomes}
        for n, article in enumerate(everything):
            article["id"] = ids[f"place-eval/{n}"]
    finally:
        store.close()
    return data


# ------------------------------------------------------------------------------------------------- relevance


_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")  # Arabic vowel marks and tatweel: optional in writing
_SAME_LETTER = str.maketrans("يىك", "ییک")  # Arabic and Persian code points of one letter (yeh, kaf)


def _plain_latin(ch: str) -> str:
    if ch.isascii() or not unicodedata.name(ch, "").startswith("LATIN"):
        return ch
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def _tokens(text: str) -> tuple[str, ...]:
    """The words of a text, compared as writers use them: any case, Latin letters with or without their marks
    (Trìpoli = Tripoli), Arabic with or without vowel marks (عُمان = عمان = عمّان), yeh and kaf in their Arabic or
    Persian code point. Cyrillic is not folded (й and и are two letters)."""
    text = _HARAKAT.sub("", unicodedata.normalize("NFC", text)).translate(_SAME_LETTER)
    return tuple(re.findall(r"\w+", "".join(_plain_latin(ch) for ch in text).casefold()))


def name_key(text: str) -> str:
    """A name as the judge compares it with another: its words (see _tokens), joined by spaces."""
    return " ".join(_tokens(text))


def _ngrams(tokens: tuple[str, ...], longest: int) -> set[tuple[str, ...]]:
    return {tokens[i:i + n] for n in range(1, longest + 1) for i in range(len(tokens) - n + 1)}


def relevant_ids(data: dict[str, Any]) -> dict[str, set[str]]:
    """Per place, the ids of the articles that name it: its own, those written with a spelling the sources
    give it too (a name two places share: Tripoli, عمان), and any article whose text writes one of its
    spellings word for word (Kuwait in "Kuwait City")."""
    spellings = {p["name"]: {_tokens(s["text"]) for s in p["spellings"]} - {()} for p in data["places"]}
    names = {p["name"]: {_tokens(n) for n in p.get("names", ())} | spellings[p["name"]] for p in data["places"]}
    longest = max(len(t) for needles in spellings.values() for t in needles)
    relevant: dict[str, set[str]] = {name: set() for name in spellings}
    for article in data["articles"] + data["distractors"]:
        grams = _ngrams(_tokens(article["title"] + "\n" + article["body"]), longest)
        written = _tokens(article.get("spelling", ""))
        for name, needles in spellings.items():
            if article.get("place") == name or written in names[name] or not needles.isdisjoint(grams):
                relevant[name].add(article["id"])
    return relevant


def places_named(data: dict[str, Any]) -> dict[str, list[str]]:
    """Per queried spelling (as tokens joined by spaces), every place the sources give that name: a search
    for a name two places share finds both."""
    named: dict[str, list[str]] = defaultdict(list)
    for place in data["places"]:
        for name in {name_key(n) for n in [*place.get("names", ()), *(s["text"] for s in place["spellings"])]}:
            named[name].append(place["name"])
    return named


def relevant_to_query(spelling: str, relevant: dict[str, set[str]], named: dict[str, list[str]]) -> set[str]:
    """The articles a search for spelling should find: those naming any place the spelling names."""
    return set().union(*(relevant[place] for place in named[name_key(spelling)]))


# ---------------------------------------------------------------------------------------------------- search


@dataclass
class QueryResult:
    place: str
    spelling: str
    script: str
    language: str
    source: str  # cldr | geonames:name | geonames:alternate (the first source that gives the spelling)
    relevant: set[str]
    retrieved: set[str]

    @property
    def missed(self) -> set[str]:
        return self.relevant - self.retrieved

    @property
    def wrong(self) -> set[str]:
        return self.retrieved - self.relevant


def query_for(spelling: str) -> str:
    return f'"{spelling}"' if " " in spelling else spelling


def run_queries(root: Path, data: dict[str, Any]) -> list[QueryResult]:
    """Search every spelling of every place through newsarc.api (variants on, as a user searches)."""
    from newsarc import api
    from newsarc.index.backend import SearchRequest

    relevant = relevant_ids(data)
    named = places_named(data)
    limit = len(data["articles"]) + len(data["distractors"]) + 1
    store = api.open_store(root)
    results = []
    try:
        for place in data["places"]:
            for spelling in place["spellings"]:
                found = api.search(store, SearchRequest(query_for(spelling["text"]), limit=limit, snippets=False))
                wanted = relevant_to_query(spelling["text"], relevant, named)
                source = "cldr" if any(s.startswith("cldr") for s in spelling["sources"]) else spelling["sources"][0]
                results.append(QueryResult(place["name"], spelling["text"], spelling["script"],
                                           spelling["language"], source, wanted, {hit.id for hit in found.hits}))
    finally:
        store.close()
    return results


# ----------------------------------------------------------------------------------------------------- score


@dataclass
class Count:
    relevant: int = 0
    retrieved: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.correct / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.retrieved if self.retrieved else 1.0

    def add(self, relevant: bool, retrieved: bool) -> None:
        self.relevant += relevant
        self.retrieved += retrieved
        self.correct += relevant and retrieved


def script_pair(a: str, b: str) -> str:
    first, second = sorted((a, b), key=SCRIPTS.index)
    return f"{first}-{second}"


@dataclass
class Scores:
    overall: Count = field(default_factory=Count)
    by_pair: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    by_article_language: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    by_query_language: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    by_query_source: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))
    by_inflection: dict[str, Count] = field(default_factory=lambda: defaultdict(Count))


def score(results: Iterable[QueryResult], data: dict[str, Any]) -> Scores:
    """Micro-averaged counts over every (query, article) pair that is relevant or retrieved."""
    articles = {a["id"]: a for a in data["articles"]}
    articles.update({a["id"]: {**a, "inflection": "distractor"} for a in data["distractors"]})
    scores = Scores()
    for result in results:
        for article_id in result.relevant | result.retrieved:
            article = articles[article_id]
            relevant, retrieved = article_id in result.relevant, article_id in result.retrieved
            inflection = article["inflection"]
            kind = "distractor" if inflection == "distractor" else ("inflected" if inflection else "as listed")
            for count in (scores.overall, scores.by_pair[script_pair(result.script, article["script"])],
                          scores.by_article_language[article["language"]],
                          scores.by_query_language[result.language], scores.by_query_source[result.source],
                          scores.by_inflection[kind]):
                count.add(relevant, retrieved)
    return scores


def describe(article: dict[str, Any]) -> str:
    if "place" not in article:
        return f"distractor {article['name']}"
    return f"{article['form']} [{article['language']}, {article['place']}]"


def worst(results: Iterable[QueryResult], data: dict[str, Any], n: int = 20) -> list[tuple[QueryResult, str]]:
    """The n spellings with the most errors (missed + wrongly found), each with what went wrong."""
    articles = {a["id"]: a for a in data["articles"] + data["distractors"]}
    ranked = sorted((r for r in results if r.missed or r.wrong),
                    key=lambda r: (-(len(r.missed) + len(r.wrong)), r.place, r.spelling))
    out = []
    for result in ranked[:n]:
        parts = []
        if result.missed:
            parts.append(f"missed {len(result.missed)}/{len(result.relevant)}: "
                         + ", ".join(sorted(articles[i]["form"] for i in result.missed)))
        if result.wrong:
            wrong = sorted(describe(articles[i]) for i in result.wrong)
            parts.append(f"wrongly found {len(result.wrong)}: " + ", ".join(wrong[:8])
                         + (" ..." if len(wrong) > 8 else ""))
        out.append((result, "; ".join(parts)))
    return out


# ----------------------------------------------------------------------------------------------------- print


def _rows(title: str, counts: dict[str, Count], order: Iterable[str] | None = None) -> list[list[str]]:
    keys = list(order) if order is not None else sorted(counts)
    return [[title if i == 0 else "", key, f"{counts[key].recall:.3f}", f"{counts[key].precision:.3f}",
             f"{counts[key].correct}/{counts[key].relevant}", f"{counts[key].correct}/{counts[key].retrieved}"]
            for i, key in enumerate(k for k in keys if k in counts)]


def sizes(data: dict[str, Any]) -> str:
    spellings = sum(len(p["spellings"]) for p in data["places"])
    inflected = sum(1 for a in data["articles"] if a["inflection"])
    return (f"{len(data['places'])} places, {spellings} spellings, {len(data['articles'])} articles "
            f"({inflected} inflected), {len(data['distractors'])} distractors")


def render(scores: Scores, results: list[QueryResult], data: dict[str, Any], *, markdown: bool,
           n_worst: int = 20) -> str:
    pairs = [script_pair(a, b) for i, a in enumerate(SCRIPTS) for b in SCRIPTS[i:]]
    rows = [["overall", "", f"{scores.overall.recall:.3f}", f"{scores.overall.precision:.3f}",
             f"{scores.overall.correct}/{scores.overall.relevant}",
             f"{scores.overall.correct}/{scores.overall.retrieved}"]]
    rows += _rows("scripts", scores.by_pair, pairs)
    rows += _rows("article language", scores.by_article_language)
    rows += _rows("query language", scores.by_query_language)
    rows += _rows("query from", scores.by_query_source, ("cldr", "geonames:name", "geonames:alternate"))
    rows += _rows("article", scores.by_inflection, ("as listed", "inflected", "distractor"))
    header = ["", "", "recall", "precision", "found/relevant", "correct/retrieved"]
    lines = [sizes(data), ""]
    if markdown:
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines += ["", f"worst {n_worst} spellings:"]
    for result, what in worst(results, data, n_worst):
        entry = f"{result.spelling} ({result.place}, {result.language}): {what}"
        lines.append(f"- `{result.spelling}` ({result.place}, {result.language}): {what}" if markdown else entry)
    return "\n".join(lines)


def rules_only() -> None:
    """Switch the gazetteer's places off for this process: what the variant rules find alone (names no gazetteer
    lists: people, villages, militias). The gazetteer's list of ordinary Arabic and Persian words stays, since
    it decides which words the rules may take for names."""
    from newsarc.names import gazetteer

    class NoPlaces(gazetteer.Gazetteer):
        def _lookup(self, table: str, key: str) -> frozenset[int]:
            return frozenset()

        def opens_longer_name(self, words: str) -> bool:
            return False

    gazetteer._TABLE = NoPlaces()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/searching.md)")
    parser.add_argument("--worst", type=int, default=20, metavar="N", help="list the N worst spellings")
    parser.add_argument("--rules-only", action="store_true",
                        help="the variant rules alone, the gazetteer's places switched off")
    parser.add_argument("--readings", default="chosen", metavar="NAME",
                        help="readings of names: rules, anyascii, icu, unidecode or chosen (the default, as shipped)")
    parser.add_argument("--data", type=Path, default=DATA, metavar="FILE",
                        help="another evaluation set of the same shape (default: %(default)s)")
    args = parser.parse_args(argv)
    from tests.support.readings_compare import apply

    apply(args.readings)
    if args.rules_only:
        rules_only()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        data = build_archive(Path(tmp) / "arc", load_evalset(args.data))
        built = time.perf_counter()
        results = run_queries(Path(tmp) / "arc", data)
        searched = time.perf_counter()
        print(render(score(results, data), results, data, markdown=args.markdown, n_worst=args.worst))
        print(f"\n(archive built in {built - start:.0f} s, {len(results)} searches in {searched - built:.0f} s; "
              f"`{COMMAND}`)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
