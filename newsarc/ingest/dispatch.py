"""From the bytes of one input to the articles in it: the one entry point `newsarc add` calls.

Each parsed article is a plain dict with the keys parse_text returns (title, date, date_ambiguous, source,
authors, tags, location, body, and optionally url, language or any provenance field). Keys starting with "_"
are for the caller, never stored: `_origin` (where in a container the article came from), `_raw` (its source
bytes, with keep_raw), `_raw_key` (the resume key of those bytes), and two markers that take the place of an
article: `{"_skip": True, "_ids": [...]}` (this exact input is already in the archive) and `{"_error": "..."}`
(one record of a container was unreadable; the others go on).

The kind of input is judged from its content (newsarc.ingest.sniff). Containers that can be big (JSON Lines,
CSV/TSV, mbox) are read as streams when given one, so memory stays flat; the rest is read whole (at most
MAX_SINGLE_BYTES). The readers of pages, feeds and dates load their libraries only when such an input comes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from newsarc.errors import BadInputError
from newsarc.ingest.decode import UTF8_STRAY_BYTES, decode_bytes, stream_encoding
from newsarc.ingest.options import MAX_SINGLE_BYTES, IngestOptions
from newsarc.ingest.sniff import detect_kind
from newsarc.ingest.text import parse_text

HEAD_BYTES = 64 * 1024
STREAMED = frozenset({"jsonl", "csv", "tsv", "mbox"})


class _Counted(io.RawIOBase):
    """A binary stream that first replays the bytes already read for sniffing, and reports bytes consumed."""

    def __init__(self, head: bytes, rest: BinaryIO | None, on_bytes: Callable[[int], None] | None):
        self._head = head
        self._rest = rest
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        elif self._rest is not None:
            data = self._rest.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        else:
            n = 0
        if n and self._on_bytes:
            self._on_bytes(n)
        return n


def _head_text(head: bytes, origin: str, declared: str | None) -> str:
    """The decoded start of an input, for sniffing. A head cut from a longer input is cut further at its last
    line end, so that a multi-byte character split at the cut does not make UTF-8 look like something else."""
    if not head.strip():
        raise BadInputError(f"{origin}: file is empty")
    if len(head) >= HEAD_BYTES and b"\0" not in head:
        cut = head.rfind(b"\n")
        if cut > 0:
            head = head[:cut + 1]
    return decode_bytes(head, origin=origin, encoding=declared)


def parse_source(data: bytes | BinaryIO, *, origin: str, date_order: str = "DMY",
                 options: IngestOptions | None = None) -> Iterator[dict[str, Any]]:
    """Every article one input holds: a text, page or mail holds one; a feed, JSON array, JSONL, CSV or mbox
    holds many. `data` is the input's bytes, or a binary stream (read lazily for the streamed kinds)."""
    options = options or IngestOptions(date_order=date_order)  # given options carry their own date order
    hints = options.hints
    stream: BinaryIO | None = None
    if isinstance(data, bytes | bytearray | memoryview):
        whole: bytes | None = bytes(data)
        head = bytes(data[:HEAD_BYTES])
    else:
        stream = data
        head = stream.read(HEAD_BYTES)
        whole = None
    declared, head_text, kind = _sniff(head, origin, hints)
    if kind in STREAMED:
        if whole is not None:
            yield from _streamed(kind, head, io.BytesIO(whole[len(head):]), origin, options, declared)
        else:
            yield from _streamed(kind, head, stream, origin, options, declared)
        return
    if whole is None:
        rest = stream.read(MAX_SINGLE_BYTES + 1 - len(head)) if stream is not None else b""
        whole = head + rest
    if len(whole) > MAX_SINGLE_BYTES:
        raise BadInputError(f"{origin}: more than {MAX_SINGLE_BYTES // 2**20} MB; an article is never that large "
                            "(split the file, or save it as JSON Lines)")
    if options.on_bytes:
        options.on_bytes(len(whole))
    if kind == "feed":
        from newsarc.ingest.feed import parse_feed

        for parsed in parse_feed(whole, origin=origin, options=options):
            yield finish(parsed, options) if not _marker(parsed) else parsed
        return
    if kind == "json":
        from newsarc.ingest.structured import parse_json

        text = decode_bytes(whole, origin=origin, encoding=declared)
        for parsed in parse_json(text, origin=origin, options=options):
            yield finish(parsed, options) if not _marker(parsed) else parsed
        return
    key = hashlib.sha256(options.fingerprint().encode() + b"\0" + whole).hexdigest()
    ids = options.seen(key) if options.seen else None
    if ids:
        yield {"_skip": True, "_ids": ids, "_origin": origin, "_raw_key": key}
        return
    # A small input was decoded whole for sniffing: reuse that text rather than decode it again.
    decoded = head_text if len(whole) <= HEAD_BYTES else None
    parsed = _parse_single(kind, whole, origin, options, declared, decoded)
    parsed["_raw_key"] = key
    if options.keep_raw:
        parsed["_raw"] = whole
    yield finish(parsed, options)


def _sniff(head: bytes, origin: str, hints: dict[str, Any]) -> tuple[str | None, str, str]:
    """The declared charset, the decoded head and the kind of an input."""
    declared = hints.get("charset")
    if not declared and hints.get("content_type"):
        from newsarc.ingest.html import declared_charset

        declared = declared_charset(b"", hints["content_type"])
    head_text = _head_text(head, origin, declared)
    kind = detect_kind(head_text, name=hints.get("name") or origin, content_type=hints.get("content_type", ""))
    return declared, head_text, kind


def parse_detached(data: bytes, *, origin: str, options: IngestOptions) -> list[dict[str, Any]] | None:
    """parse_source's items for a process that does not hold the archive (newsarc.ingest.parse_ahead), with
    options that have no callables; None for a feed, whose entries already in the archive are skipped by what
    the adding process knows. The resume check (options.seen) is left to the adding process."""
    if _sniff(bytes(data[:HEAD_BYTES]), origin, options.hints)[2] == "feed":
        return None
    return list(parse_source(data, origin=origin, options=options))


def _marker(parsed: dict[str, Any]) -> bool:
    return "_skip" in parsed or "_error" in parsed


def _parse_single(kind: str, data: bytes, origin: str, options: IngestOptions, declared: str | None,
                  text: str | None = None) -> dict[str, Any]:
    hints = options.hints
    if kind == "html":
        from newsarc.ingest.html import NoArticleTextError, extract_page

        try:
            parsed = extract_page(data, origin=origin, hints=hints, date_order=options.date_order,
                                  rules=options.rules)
        except NoArticleTextError:
            # Sniffed as a page for its tags, yet no article layout in it: plain text is tried (a wire story
            # naming <COMPANIES> with a <b>word</b> in it); a page that is only navigation is refused.
            from newsarc.ingest.page_text import read_as_text

            if text is None:
                text = decode_bytes(data, origin=origin, encoding=declared)
            parsed = parse_text(read_as_text(text, origin), date_order=options.date_order, rules=options.rules,
                                origin=origin)
    elif kind == "eml":
        from newsarc.ingest.mail import parse_message

        parsed = parse_message(data, origin=origin, options=options)
    else:
        if text is None:
            text = decode_bytes(data, origin=origin, encoding=declared)
        start = text.lstrip("\ufeff \t\n")
        if kind == "markdown" and (start.startswith("---") or start.startswith("# ")):
            from newsarc.ingest.structured import parse_front_matter

            parsed = parse_front_matter(text, origin=origin, options=options)
        else:
            parsed = parse_text(text, date_order=options.date_order, rules=options.rules, origin=origin)
    for name in ("fetched", "final_url"):
        if hints.get(name) and not parsed.get(name):
            if name == "final_url" and hints[name] == parsed.get("url"):
                continue
            parsed[name] = hints[name]
    if not parsed.get("url") and hints.get("final_url"):
        parsed["url"] = hints["final_url"]
    return parsed


def _streamed(kind: str, head: bytes, rest: BinaryIO | None, origin: str, options: IngestOptions,
              declared: str | None) -> Iterator[dict[str, Any]]:
    binary = io.BufferedReader(_Counted(head, rest, options.on_bytes), buffer_size=1 << 20)
    if kind == "mbox":
        from newsarc.ingest.mail import parse_mbox

        for parsed in parse_mbox(binary, origin=origin, options=options):
            yield finish(parsed, options) if not _marker(parsed) else parsed
        return
    encoding = stream_encoding(head, declared=declared)
    errors = {"cp1252": "newsarc-latin1", "utf-8": UTF8_STRAY_BYTES}.get(encoding, "replace")
    text = io.TextIOWrapper(binary, encoding=encoding, errors=errors,
                            newline="" if kind != "jsonl" else None)
    from newsarc.ingest.structured import parse_delimited, parse_jsonl

    if kind == "jsonl":
        records = parse_jsonl(text, origin=origin, options=options)
    else:
        records = parse_delimited(text, origin=origin, options=options, delimiter="\t" if kind == "tsv" else None)
    for parsed in records:
        yield finish(parsed, options) if not _marker(parsed) else parsed


def finish(parsed: dict[str, Any], options: IngestOptions) -> dict[str, Any]:
    """Last touches common to every kind: a title of one line and at most a few hundred characters (the text
    cut from it opens the body: newsarc.ingest.title), and the language, detected when the input did not
    declare it."""
    from newsarc.ingest.language import detect, from_tag
    from newsarc.ingest.title import fit_title

    if isinstance(parsed.get("title"), str):
        parsed["title"], parsed["body"] = fit_title(parsed["title"], str(parsed.get("body") or ""))

    declared = from_tag(parsed.get("language"))
    parsed["language"] = declared or detect(f"{parsed.get('title', '')}\n{parsed.get('body', '')}")
    return parsed
