"""What a reader sees for a place: its spellings as this archive writes them (Abu Kamal · al-Bukamal · البوكمال).

The index links each article to the gazetteer places it names (the `places` field: ids, whatever the spelling),
so a search counts its matches per place once, not once per spelling. An id means nothing to a reader, and the
gazetteer's own name may be one the archive never uses (Ālbū Kamāl), so the label is read from the archive: a
few articles naming the place are read again (their title, body and tags, as the index stores them) and the
spellings they write it in, most used first, make the label. Labels are kept per index state, so a server reads
each place's articles once until the archive changes.

    labels = place_labels(store, [174448])     # {174448: PlaceLabel(...)}
    labels[174448].text                        # 'Abu Kamal · al-Bukamal · البوكمال'
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarc.names.gazetteer import PlaceNamed
    from newsarc.storage.store import Store

SAMPLE = 5  # articles read per place: enough to meet its usual spellings, few enough to stay quick
READ = 3000  # characters of a body read: a story names its places early, and reading costs ~3 ms per 1,000
SHOWN = 4  # spellings in a label; the rest are in `spellings`
SEPARATOR = " · "
# An ending after an apostrophe (Howard's, Bağdat'ta, Halep'ten): the name is what comes before it.
_ENDING = re.compile(r"[’'][^\W\d_]{1,3}$")


@dataclass(frozen=True)
class PlaceLabel:
    """A gazetteer place as this archive writes it: `spellings` most used first, `text` the label shown, and
    `title` the gazetteer's description (Ālbū Kamāl (city, SY)) for a tooltip."""

    place: int
    spellings: tuple[str, ...]
    text: str
    title: str


_KEPT: dict[tuple[str, str, int], tuple[str, ...]] = {}  # (archive, index state, place) -> spellings
_KEPT_LOCK = threading.Lock()
_KEPT_MAX = 20_000


def place_labels(store: Store, places: Iterable[int]) -> dict[int, PlaceLabel]:
    """The label of each gazetteer place (unknown ids are left out). Two places that the archive writes alike
    (London, England and London, Ontario) are told apart by their country."""
    from newsarc.names.gazetteer import table

    gazetteer = table()
    wanted = [place for place in dict.fromkeys(places) if gazetteer.place(place) is not None]
    spellings = _spellings(store, wanted)
    labels: dict[int, PlaceLabel] = {}
    for place in wanted:
        known = gazetteer.place(place)
        assert known is not None
        written = spellings.get(place) or (known.name,)
        labels[place] = PlaceLabel(place, written, SEPARATOR.join(written[:SHOWN]), known.label())
    texts = Counter(label.text for label in labels.values())
    for place, label in labels.items():
        if texts[label.text] > 1:
            known = gazetteer.place(place)
            assert known is not None
            labels[place] = PlaceLabel(place, label.spellings, f"{label.text} ({known.country})", label.title)
    return labels


def _spellings(store: Store, places: list[int]) -> dict[int, tuple[str, ...]]:
    """Each place's spellings in the archive, most used first: from the kept ones for this index state, or by
    reading up to SAMPLE articles that name it (an article read for one place serves the others it names)."""
    from newsarc.names.gazetteer import places_in

    stamp = store.read_index(store.backend.content_stamp)
    root = str(store.archive.root)
    found: dict[int, tuple[str, ...]] = {}
    missing = []
    with _KEPT_LOCK:
        for place in places:
            kept = _KEPT.get((root, stamp, place))
            if kept is None:
                missing.append(place)
            else:
                found[place] = kept
    read: dict[str, list[PlaceNamed]] = {}  # path -> the places named in that article, with their spellings
    for place in missing:
        counts: Counter[str] = Counter()
        for path, parts, language in _texts(store, place):
            if path not in read:
                read[path] = places_in([(text[:READ], is_tag) for text, is_tag in parts], language)
            for named in read[path]:
                if named.place.id == place:
                    counts.update({_ENDING.sub("", spelling) for spelling in named.written})
        found[place] = tuple(spelling for spelling, _ in counts.most_common())
    with _KEPT_LOCK:
        if len(_KEPT) > _KEPT_MAX:
            _KEPT.clear()
        for place in missing:
            _KEPT[(root, stamp, place)] = found[place]
    return found


def _texts(store: Store, place: int) -> list[tuple[str, list[tuple[str, bool]], str]]:
    return store.read_index(lambda: store.backend.place_texts(place, SAMPLE))
