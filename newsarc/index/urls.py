"""The `url` field: an address is found by its host, a label of it, a path part, or host and leading path.

https://www.rudaw.net/english/middleeast/syria/1 is indexed as rudaw, net, rudaw.net, english, middleeast, syria,
1, rudaw.net/english, rudaw.net/english/middleeast, ... and rudaw.net/english/middleeast/syria/1 (case, scheme,
`www.`, port, fragment and a trailing slash do not matter). A query value is read as one such key, so
url:rudaw.net, url:rudaw.net/english and the whole URL all match, and url:udaw.net or url:rudaw.net/engl do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from newsarc.index import whoosh_internals

whoosh_internals.load()

from whoosh.analysis import Token  # noqa: E402

from newsarc.index.analysis import SettinglessTokenizer  # noqa: E402

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:/*")


def _parts(url: str) -> tuple[str, str, list[str]]:
    """(host, query string, path segments) of an address, normalised."""
    text = _SCHEME.sub("", url.strip().casefold()).split("#", 1)[0]
    address, _, query = text.partition("?")
    host, _, path = address.partition("/")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host, query, [segment for segment in path.split("/") if segment]


def query_key(value: str) -> str:
    """The one key a url: query value stands for."""
    host, query, segments = _parts(value)
    key = "/".join([host, *segments]) if host else "/".join(segments)
    return f"{key}?{query}" if query else key


def url_keys(url: str) -> list[str]:
    """Every key an address is found by (see the module docstring)."""
    host, query, segments = _parts(url)
    labels = [label for label in host.split(".") if label]
    suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    keys = [*labels, *suffixes, *segments]
    for suffix in suffixes:
        keys += ["/".join([suffix, *segments[:n]]) for n in range(1, len(segments) + 1)]
    if query:
        keys.append(f"{query_key(url)}")
    return list(dict.fromkeys(keys))


class UrlTokenizer(SettinglessTokenizer):
    """Index time: the keys of an address; query time: the one key of the value typed."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        keys = url_keys(value) if mode == "index" else [query_key(value)]
        for pos, key in enumerate(k for k in keys if k):
            t.text = t.original = key
            t.pos = start_pos + pos
            t.startchar, t.endchar = start_char, start_char + len(value)
            yield t


def url_analyzer() -> UrlTokenizer:
    return UrlTokenizer()
