"""The readings of names that the variant rules were measured with (issue 22 point 5), switchable in a process
so that tests/support/place_eval.py and tests/support/person_eval.py can measure each one:

- `rules`: the variant rules as they were before newsarc.names.readings (hand tables for Cyrillic and Arabic,
  nothing for other scripts, no transcription conventions);
- `anyascii`, `icu`, `unidecode`: those rules plus one more form of every word not in ASCII, as the library
  transliterates it (ICU: the `Any-Latin; Latin-ASCII` transliterator, through PyICU or Debian's python3-icu);
- `chosen`: what newsarc ships (newsarc.names.readings: anyascii for letters the tables do not know, Arabic with
  its long vowels, German, French and Arabic transcription conventions).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

CONFIGS = ("rules", "anyascii", "icu", "unidecode", "chosen")


def transliterator(config: str) -> Callable[[str], str]:
    """The library's word -> ASCII function (ImportError when it is not installed)."""
    if config == "anyascii":
        from anyascii import anyascii

        return anyascii  # type: ignore[no-any-return]
    if config == "unidecode":
        from unidecode import unidecode

        return unidecode  # type: ignore[no-any-return]
    if config == "icu":
        try:
            import icu
        except ImportError:  # Debian's python3-icu, for the same minor Python version
            sys.path.append("/usr/lib/python3/dist-packages")
            import icu
        any_latin = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
        return any_latin.transliterate  # type: ignore[no-any-return]
    raise ValueError(config)


def apply(config: str) -> None:
    """Switch this process's variant rules to one configuration (call before any archive is built)."""
    from newsarc.names import readings, variants

    if config == "chosen":
        return
    if config not in CONFIGS:
        raise ValueError(f"unknown readings {config!r}; choose from {', '.join(CONFIGS)}")
    library = None if config == "rules" else transliterator(config)
    readings.latin_readings = lambda folded: ()  # type: ignore[assignment]
    readings.arabic_reading = lambda word: None  # type: ignore[assignment]
    readings.to_ascii = lambda text: text  # a word the tables leave outside ASCII has no form, as before
    original = variants._forms_of

    def forms_of(word: str) -> tuple[variants.NameForm, ...]:
        forms = original(word)
        if library is None or variants.fold_token(word).isascii():
            return forms
        extra = variants.name_form(library(word))
        return forms + (extra,) if extra and extra not in forms else forms

    original.cache_clear()
    variants._forms_of = forms_of  # type: ignore[assignment]
