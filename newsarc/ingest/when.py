"""Dates in any form and language: the fast stdlib parser first, dateparser only when it gives up.

dateparser reads "18 mai 2017", "18. Mai 2017", "2017年5月18日", "Seg, 24 Set 2018" and relative forms
("2 hours ago", "il y a 3 jours") against a base time (the fetch time). It is slow to import (~0.15 s) and, on
text that is no date at all, slow to give up (it tries every language), so it is only asked about short
texts that hold a digit or a relative word, and told the language when the input declares one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from newsarc.dates import is_ambiguous_numeric, parse_date

_MAX_LEN = 80
_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_ZONE = re.compile(r"(?:\b(?:GMT|UTC|UT|Z)\b|[+-]\d{2}:?\d{2}\b|\b[A-Z]{3,4}T\b)")
_RELATIVE_WORDS = re.compile(
    r"\b(?:ago|yesterday|today|hours?|minutes?|mins?|heures?|hier|aujourd|gestern|heute|vor|hace|ayer|ieri|oggi|"
    r"вчера|сегодня|назад)\b|il y a|أمس|منذ|昨日|今日|前",
    re.IGNORECASE,
)
_CLOCK_RELATIVE = re.compile(r"\b(?:hours?|minutes?|mins?|heures?|stunden?|minuten?|horas?|ore|minuti|час|мин)",
                             re.IGNORECASE)


# Month names of the languages news is most often saved in, for the stdlib parser of written-out dates.
_LOCAL_MONTHS = {
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
    "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "juni": 6, "juli": 7,
    "august": 8, "oktober": 10, "dezember": 12, "okt": 10, "dez": 12,
    # Spanish, Portuguese, Italian
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "janeiro": 1,
    "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9, "outubro": 10,
    "novembro": 11, "dezembro": 12, "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
    # Russian (genitive, as dates write them)
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7, "августа": 8,
    "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    # Turkish
    "ocak": 1, "şubat": 2, "mart": 3, "nisan": 4, "mayıs": 5, "haziran": 6, "temmuz": 7, "ağustos": 8,
    "eylül": 9, "ekim": 10, "kasım": 11, "aralık": 12,
}
_LOCAL_DATE = re.compile(
    r"^(?:[^\W\d_]{2,12}\.?,?\s+)?(?P<day>\d{1,2})(?:\.|er|º)?\s+(?:de\s+)?(?P<mon>[^\W\d_]{3,10})\.?,?\s+"
    r"(?:de\s+)?(?P<year>\d{4})(?:\s*(?:г\.?|года))?\.?$", re.IGNORECASE)
_CJK_DATE = re.compile(r"^(?P<year>\d{4})\s*[年년]\s*(?P<mon>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]")
_LABELS = re.compile(
    r"^(?:publié|mis à jour|published|posted|updated|veröffentlicht|aktualisiert|stand|publicado|actualizado|"
    r"pubblicato|aggiornato|опубликовано|обновлено)\s*:?\s*(?:(?:le|am|on|el|em|il)\s+(?=\d))?", re.IGNORECASE)


def parse_localized(text: str) -> str | None:
    """ISO day for a written-out date in a common non-English language ("18 mai 2017", "18. Mai 2017",
    "18 de mayo de 2017", "18 мая 2017", "2017年5月18日"), with the standard library only; else None."""
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        return None
    text = _LABELS.sub("", " ".join(text.split()))
    m = _CJK_DATE.match(text) or _LOCAL_DATE.match(text)
    if not m:
        return None
    month = m.group("mon")
    number = int(month) if month.isdigit() else _LOCAL_MONTHS.get(month.casefold())
    if not number:
        return None
    try:
        return dt.date(int(m.group("year")), number, int(m.group("day"))).isoformat()
    except ValueError:
        return None


def _looks_datelike(text: str) -> bool:
    return any(ch.isdigit() for ch in text) or bool(_RELATIVE_WORDS.search(text))


@functools.cache
def _parser(languages: tuple[str, ...] | None, date_order: str, base: dt.datetime | None) -> Any:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"DATE_ORDER": date_order, "PREFER_DATES_FROM": "past", "TIMEZONE": "UTC",
                                "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    try:
        return DateDataParser(languages=list(languages) if languages else None, settings=settings)
    except ValueError:  # a language dateparser does not know
        return DateDataParser(settings=settings)


def parse_any_date(text: Any, *, date_order: str = "DMY", language: str = "",
                   relative_base: str | dt.datetime | None = None) -> str | None:
    """ISO date (or UTC datetime when the text gives a time and a zone, or a clock-relative form) or None."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    if not text or len(text) > _MAX_LEN:
        return None
    found = parse_date(text, date_order) or parse_date(text.rstrip("."), date_order) or parse_localized(text)
    if found:
        return found
    text = _LABELS.sub("", text)
    if not text or not _looks_datelike(text):
        return None
    base = _base(relative_base)
    languages = (language,) if language else None
    try:
        data = _parser(languages, date_order, base).get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input; a date it cannot read is no date
        return None
    value = data.date_obj if data else None
    if value is None or data.period != "day" or not 1800 < value.year < 2200:
        return None
    relative = bool(_RELATIVE_WORDS.search(text))
    if (relative and _CLOCK_RELATIVE.search(text)) or (_TIME.search(text) and _ZONE.search(text)):
        return value.replace(tzinfo=dt.UTC, microsecond=0).isoformat()
    return value.date().isoformat()


def _base(value: str | dt.datetime | None) -> dt.datetime | None:
    """The relative base as a naive UTC datetime, rounded to the minute so parsers can be cached."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def ambiguous(text: Any) -> bool:
    return isinstance(text, str) and is_ambiguous_numeric(" ".join(text.split()))
