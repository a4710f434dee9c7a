"""Turn the bytes of a text file into clean text whatever its encoding, refusing binary files.

Order of trust: a byte-order mark, then strict UTF-8, then UTF-16 without a BOM (recognised by its NUL
bytes at alternating positions), then Windows-1252, which accepts any byte (its five undefined bytes map as
Latin-1), so decoding never fails and no character is replaced by "?".
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from newsarc.errors import BadInputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
# C0 control bytes that never occur in text (tab, LF, FF, CR and ESC-free text is the norm).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f]")
_BREAKS = str.maketrans({"\f": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})
_MAX_CONTROL_SHARE = 0.05
_SAMPLE = 1 << 16


def _cp1252(data: bytes) -> str:
    """Windows-1252, with its undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as Latin-1."""
    return data.decode("cp1252", errors="newsarc-latin1")


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("newsarc-latin1", _latin1_fallback)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit mostly at odd/even positions (ASCII-range UTF-16), else None."""
    sample = data[:_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _binary(origin: str, why: str) -> BadInputError:
    return BadInputError(f"{origin}: looks like a binary file ({why}); newsarc reads text articles")


def _decode(data: bytes, origin: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise _binary(origin, f"it starts like {what}")
    encoding = _utf16_without_bom(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise _binary(origin, "NUL bytes in a pattern that is not valid UTF-16") from None
        controls = len(_CONTROL_CHARS.findall(text[:_SAMPLE]))
        if controls > max(8, _MAX_CONTROL_SHARE * min(len(text), _SAMPLE)):
            raise _binary(origin, "NUL bytes at alternating positions, but not UTF-16 text")
        return text
    sample = data[:_SAMPLE]
    if sample.count(0) > max(1, len(sample) // 1000):
        raise _binary(origin, f"{sample.count(0)} NUL bytes in the first {len(sample)} bytes")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(8, _MAX_CONTROL_SHARE * len(sample)):
        raise _binary(origin, f"{controls * 100 // len(sample)}% control bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(data)


def decode_bytes(data: bytes, *, origin: str = "input") -> str:
    """Text from a file's bytes: LF line ends, no control characters but \\n and \\t, NFC-normalised."""
    if not data or not data.strip():
        raise BadInputError(f"{origin}: file is empty")
    text = _decode(bytes(data), origin)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    text = _CONTROL_CHARS.sub("", text).replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise BadInputError(f"{origin}: file is empty")
    return text
