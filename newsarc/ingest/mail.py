"""Mail: a message (.eml) or a mailbox (.mbox) of newsletters, one article per message.

Subject is the title, the Date header the date, the sender (display name, else address) the source. The HTML
part is extracted like a web page; when it yields much less than the text part (table-heavy newsletters), or
there is none, the text part is the body. A mailbox is read message by message from a stream, never whole.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from newsarc.errors import BadInputError
from newsarc.ingest.decode import clean_text
from newsarc.ingest.options import IngestOptions

_FROM_LINE = re.compile(rb"^From \S*.*$")
_ESCAPED_FROM = re.compile(rb"^>+From ")


def _header(message: Any, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header the policy cannot decode: treat it as absent
        return ""
    return " ".join(str(value).split()) if value else ""


def _part_text(part: Any) -> str:
    """A text part's text, decoded as any file is (newsarc.ingest.decode): its declared charset is used only when
    the bytes are not UTF-8, and a UTF-8 part with a stray Windows-1252 byte keeps its UTF-8 (the email
    package would replace every such byte with U+FFFD)."""
    from newsarc.ingest.decode import decode_bytes

    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        if not payload.strip():
            return ""
        try:
            return decode_bytes(payload, origin="mail part", encoding=part.get_content_charset())
        except BadInputError:
            return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        return ""


def _date(message: Any) -> str | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        stamp = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        from newsarc.ingest.when import parse_any_date

        return parse_any_date(value)
    if stamp.tzinfo is None:
        return stamp.date().isoformat()
    return stamp.replace(microsecond=0).isoformat()


def _sender(message: Any) -> str:
    name, address = email.utils.parseaddr(_header(message, "From"))
    return " ".join(name.split()) or address


def _body(message: Any, origin: str, hints: dict[str, Any], date_order: str, rules: Any) -> tuple[str, dict[str, Any]]:
    """(body text, metadata found in the HTML part)."""
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    plain = clean_text(_part_text(text_part)).strip() if text_part is not None else ""
    if html_part is not None:
        from newsarc.ingest.html import extract_page

        try:
            page = extract_page(_part_text(html_part), origin=origin, hints=hints, date_order=date_order, rules=rules)
        except BadInputError:
            page = None
        if page and len(page["body"]) >= 0.5 * len(plain):
            return page["body"], page
    if plain:
        from newsarc.ingest.html import apply_rules

        paragraphs = apply_rules([p.strip() for p in re.split(r"\n\s*\n", plain) if p.strip()], rules)
        return "\n\n".join(paragraphs), {}
    if html_part is not None:
        from newsarc.ingest.html import fragment_to_text

        return fragment_to_text(_part_text(html_part)), {}
    return "", {}


def parse_message(raw: bytes, *, origin: str, options: IngestOptions) -> dict[str, Any]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    title = _header(message, "Subject")
    body, page = _body(message, origin, options.hints, options.date_order, options.rules)
    first, _, rest = body.partition("\n\n")
    if rest and title and len(first) <= 120 and title.casefold().startswith(first.casefold()):
        body = rest  # the newsletter's own heading repeats the subject
    if not body.strip():
        raise BadInputError(f"{origin}: the message has no text or HTML part to read")
    if not title:
        title = body.split("\n", 1)[0][:120]
    parsed: dict[str, Any] = {
        "title": title,
        "date": _date(message),
        "date_ambiguous": False,
        "source": _sender(message),
        "url": page.get("url", "") if page else "",
        "authors": [],
        "tags": list(page.get("tags", [])) if page else [],
        "location": page.get("location", "") if page else "",
        "language": page.get("language", "") if page else "",
        "body": body,
    }
    message_id = _header(message, "Message-ID").strip("<>")
    if message_id:
        parsed["message_id"] = message_id
    list_id = _header(message, "List-Id")
    if list_id:
        parsed["list_id"] = list_id
    return parsed


def split_mbox(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The raw messages of an mbox stream: split at "From " lines that follow a blank line (or start the
    file), with mboxrd ">From " quoting undone."""
    current: list[bytes] = []
    previous_blank = True
    for line in lines:
        if previous_blank and _FROM_LINE.match(line):
            if current:
                yield b"".join(current)
            current = []
            previous_blank = False
            continue
        previous_blank = not line.strip()
        if _ESCAPED_FROM.match(line):
            line = line[1:]
        current.append(line)
    if current and b"".join(current).strip():
        yield b"".join(current)


def parse_mbox(lines: Iterable[bytes], *, origin: str, options: IngestOptions) -> Iterator[dict[str, Any]]:
    """One parsed article (or `_error`/`_skip` marker) per message; a bad message never stops the rest."""
    for n, raw in enumerate(split_mbox(lines), start=1):
        where = f"{origin} message {n}"
        key = hashlib.sha256(options.fingerprint().encode() + b"\0" + raw).hexdigest()
        ids = options.seen(key) if options.seen else None
        if ids:
            yield {"_skip": True, "_ids": ids, "_origin": where, "_raw_key": key}
            continue
        try:
            parsed = parse_message(raw, origin=where, options=options)
        except BadInputError as exc:
            yield {"_error": str(exc), "_origin": where, "_raw_key": key}
            continue
        parsed.update({"_origin": where, "_raw_key": key})
        if options.keep_raw:
            parsed["_raw"] = raw
        yield parsed
