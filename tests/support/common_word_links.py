"""Which of a language's commonest words name a place where an article of that language writes them (issue 22
point 3): a look at what place linking does with ordinary modern prose, without a corpus.

Arabic script has no capitals, so every word of an Arabic or Persian article is looked up in the gazetteer; the
Qur'an (tests/support/prose_false_hits.py) is real prose but classical. wordfreq's lists are modern (Wikipedia,
news, subtitles, the web), so linking each of their commonest words shows what a modern article would name:
وكالة ("agency") and ولاية ("state") are in nearly every news story, and named Calais and Lae as و + a name
until proclitics were read only where plausible (Gazetteer.is_whole_word). Each word is linked alone, as a
one-word article of the language (a German word capitalised mid-sentence, as German writes its nouns); the
output lists the links, commonest word first, with the word's Zipf frequency, for a reader to judge: a country's
or a city's own name (مصر, تهران) is a true link, a word that only shares a place's letters is not.

    python tests/support/common_word_links.py ar [--top 50000] [--show 100]
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

COMMAND = "python tests/support/common_word_links.py"


def links(language: str, top: int) -> list[tuple[float, str, str]]:
    """(Zipf, word, place) for each of the `top` commonest words of `language` that names a place."""
    from wordfreq import top_n_list, zipf_frequency

    from newsarc.names.gazetteer import places_in

    found = []
    for word in top_n_list(language, top):
        text = f"Und {word[:1].upper()}{word[1:]} ist da." if language == "de" else word
        for named in places_in([(text, False)], language):
            found.append((zipf_frequency(word, language), word, named.place.label()))
    return sorted(found, key=lambda row: (-row[0], row[1], row[2]))


def main() -> None:
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # piped into head: stop quietly, as a shell tool does
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language", help="ISO 639-1 code of a wordfreq list: ar, fa, ur, de, ...")
    parser.add_argument("--top", type=int, default=50_000, help="how many of the commonest words (50,000)")
    parser.add_argument("--show", type=int, default=100, help="how many links to list (100; 0: all)")
    args = parser.parse_args()
    rows = links(args.language, args.top)
    words = {word for _, word, _ in rows}
    print(f"{len(words):,} of the {args.top:,} commonest {args.language} words name a place ({len(rows):,} links; "
          f"`{COMMAND} {args.language} --top {args.top}`):")
    for zipf, word, place in rows[:args.show or None]:
        print(f"{zipf:.2f}\t{word}\t{place}")


if __name__ == "__main__":
    main()
