"""Whoosh as newsarc's search engine, before any of it is loaded: the index's stamp, whether an index exists, and
what damage looks like. Opening the index (newsarc.index.whoosh_backend) is what loads Whoosh: a `newsarc list`
or `show` asks only this module, and imports no more of Whoosh than its version number.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from newsarc.index import whoosh_files

if TYPE_CHECKING:
    from newsarc.index.whoosh_backend import WhooshBackend

# Bump when the schema or the analyzers change (newsarc.index.whoosh_backend.build_schema, newsarc.index.analysis,
# newsarc.names.variants): an index of another version is rebuilt once, with a notice.
# 3: url matches by host and path parts; tokens like AT&T, C++, 9/11 kept whole; modules renamed (the schema
# pickles analyzer classes by module path, so a 2 index no longer even opens).
# 4: the places field (gazetteer ids, newsarc.names.gazetteer); a rebuilt gazetteer.sqlite needs a bump too,
# so that articles are linked to the places of the new data.
# 5: variant keys from other readings of a name (newsarc.names.readings: anyascii, Arabic long vowels, German,
# French and Arabic transcription conventions).
# 6: a Cyrillic word with no case ending is not looked up as a place's base (Александр is not Александрия).
# 7: small places' own names that are common English words link no text word (David, Police, Bush).
# 8: Arabic-script alternates that are function words or common nouns link no text word (كيف, سنه, صور).
# 9: those alternates get no variant keys in a text either (Wan, Van's Latin alternate, no longer finds وان).
# 10: Ukrainian's alternation (Львова: Львів) only in a text that writes a Ukrainian letter (Коле is not Kiel).
# 11: Arabic-script spellings whose bare word is another word keyed with their ال (أبى is not El Obeid's الأبي,
# مان not Germany's آلمان): gazetteer format 3.
# 12: gazetteer format 4, read with the article's language: a CLDR name that reads as English links in its own
# language's articles (Italian's Roma, German's Rom, Turkish's Şam); a German common noun links no place and gets
# no variant keys (Leben is not Lebanon); a common word opening a sentence links no place (Auch is not Auch, Gers);
# New York is New York City's English name (CLDR's time-zone id), and ʿman (a romanisation) no spelling of Amman.
# 13: a city's name in its own country's language is no ordinary word for being common there (Frankfurt, Firenze).
# 14: Persian's zero-width non-joiner inside a name joins its words (کی‌یف, Kyiv; تل‌اویو, Tel Aviv).
# 15: gazetteer format 5: a Russian name's every word declined (в Саудовской Аравии); the instrumental (-ой/-ей).
# 16: a day's or a month's name links no place in a text (دوشنبه is Monday, not Dushanbe); Kosovo's CLDR names.
# 17: an Arabic-script word written far more often than proclitics on a name are is no clitic and name (وكالة
# "agency" is not و + Calais); a spelling that is a word of the article's language names no place there (منا);
# a German genitive is read in German articles only (Georges); a name's words joined into a common word are no
# key (Alain).
SCHEMA_VERSION = "17"


class WhooshEngine:
    """The embedded engine: a Whoosh index in a directory of the archive's .newsarc/."""

    def format_stamp(self) -> str:
        """index<schema>-whoosh<version>: an index written by another Whoosh is rebuilt, so newsarc's own code
        for Whoosh's formats (newsarc.index.whoosh_internals) never reads one written by another version."""
        import whoosh  # its __init__ alone: the version, none of the engine

        return f"index{SCHEMA_VERSION}-whoosh{whoosh.versionstring()}"

    def has_index(self, directory: Path) -> bool:
        return whoosh_files.has_toc(directory)

    def is_damage(self, exc: BaseException) -> bool:
        """Whoosh reports damaged files with many kinds of exception (some bare `Exception`s), so the test is
        where it was raised: in Whoosh's storage, codec or index-opening code."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = tb.tb_frame.f_code.co_filename.replace("\\", "/") if tb is not None else ""
        return any(part in where for part in ("/whoosh/filedb/", "/whoosh/codec/", "/whoosh/index.py"))

    def open(self, directory: Path) -> WhooshBackend:
        from newsarc.index.whoosh_backend import WhooshBackend

        return WhooshBackend(directory)
