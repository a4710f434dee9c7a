"""Turn the bytes of a text file into clean text whatever its encoding, refusing binary files.

Order of trust: a byte-order mark, then UTF-16 without a BOM (recognised by its NUL bytes at alternating
positions), then strict UTF-8 (valid UTF-8 with non-ASCII bytes is almost never an accident, so it beats a
declared charset, which pages often get wrong), then mostly-UTF-8 (text where valid multi-byte characters
outnumber the bytes UTF-8 cannot read -- a UTF-8 file with a few bytes pasted from Windows: each stray byte is
read on its own as Windows-1252, the rest stays UTF-8), then the encoding the input declares (HTTP header, <meta
charset>, XML declaration), then -- for text with enough non-ASCII bytes to judge -- charset-normalizer's guess
when it names a non-Latin script (Cyrillic, Arabic, Greek, Hebrew, CJK, Thai), and last Windows-1252, which
accepts any byte (its five undefined bytes map as Latin-1), so decoding never fails and no character is
replaced by "?". UTF-8 input never loads charset-normalizer.
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
    (b"MZ\x90\x00", "a Windows executable"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"BZh91AY&SY", "bzip2 data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"OggS\x00", "an Ogg audio or video file"),
    (b"fLaC\x00", "a FLAC audio file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
# A text never starts with a control byte (a BOM and UTF-16 are recognised before this is asked); binary
# formats very often do (\x00\x00\x00\x18ftyp, \x1aE\xdf\xa3, \x00\x01\x00\x00). ESC is left out: a saved
# terminal log starts with a colour code and is text.
_LEADING_CONTROL = frozenset(b for b in range(32) if b not in (9, 10, 12, 13, 27)) | {0x7f}
# C0 control bytes that never occur in text (tab, LF, FF, CR and ESC-free text is the norm).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f]")
_BREAKS = str.maketrans({"\f": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})
_MAX_CONTROL_SHARE = 0.05
_SAMPLE = 1 << 16
# Below this many non-ASCII bytes a guess is noise (one "£" reads as anything): Windows-1252 it is.
_MIN_NON_ASCII_TO_GUESS = 8
# Guesses trusted from charset-normalizer: scripts where Windows-1252 would be wrong. A Latin-family guess
# (cp1250, cp1257, latin-1...) is unreliable on Western text and loses to Windows-1252.
_TRUSTED_GUESSES = frozenset({
    "koi8_r", "koi8_u", "cp1251", "iso8859_5", "mac_cyrillic", "cp866", "cp855",
    "cp1256", "iso8859_6", "cp864", "cp1253", "iso8859_7", "cp1255", "iso8859_8",
    "cp932", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "hz",
    "euc_kr", "cp949", "johab", "iso2022_kr", "cp874", "tis_620", "iso8859_11",
})
# WHATWG: pages that declare Latin-1 or ASCII are decoded as Windows-1252.
_DECLARED_ALIASES = {"latin_1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252"}
_HIGH_BYTES = bytes(range(128, 256))


def _cp1252(data: bytes) -> str:
    """Windows-1252, with its undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as Latin-1."""
    return data.decode("cp1252", errors="newsarc-latin1")


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("latin-1"), exc.end


codecs.register_error("newsarc-latin1", _latin1_fallback)


def _stray_bytes_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Error handler for UTF-8: each byte UTF-8 cannot read is read on its own as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return _cp1252(exc.object[exc.start:exc.start + 1]), exc.start + 1


# The handler's name, for decoders that take one by name (io.TextIOWrapper for big files).
UTF8_STRAY_BYTES = "newsarc-utf8-stray-cp1252"
codecs.register_error(UTF8_STRAY_BYTES, _stray_bytes_as_cp1252)
_ESCAPED_BYTE = re.compile(r"[\udc80-\udcff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _mostly_utf8(data: bytes) -> str | None:
    """The text when `data` is UTF-8 with a few stray bytes (fewer than its valid multi-byte characters), else None.

    Text in Windows-1252 or a Cyrillic code page almost never forms valid UTF-8 sequences, so valid characters
    outnumbering the unreadable bytes means the file is UTF-8 and the unreadable bytes were pasted from
    elsewhere: each is read as Windows-1252 ("\\x93" is a curly quote), not the whole file.
    """
    escaped = data.decode("utf-8", errors="surrogateescape")
    stray = len(_ESCAPED_BYTE.findall(escaped))
    valid = len(_NON_ASCII.findall(escaped)) - stray
    if valid <= stray:
        return None
    return _ESCAPED_BYTE.sub(lambda match: _cp1252(bytes([ord(match.group()) - 0xDC00])), escaped)


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


def normalise_encoding(name: str | None) -> str | None:
    """Python's codec name for a declared charset ("ISO-8859-1" -> "cp1252"), or None when unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("'\"")).name
    except (LookupError, ValueError):
        return None
    codec = codec.replace("-", "_")
    if codec.startswith(("utf_16", "utf_32")):
        return None  # a declared UTF-16 on bytes without a BOM is handled by the NUL-pattern check
    return _DECLARED_ALIASES.get(codec, codec)


def _guess(data: bytes) -> str | None:
    """charset-normalizer's encoding for non-UTF-8 text, when it names a script Windows-1252 cannot be."""
    sample = data[:_SAMPLE]
    if len(sample) - len(sample.translate(None, _HIGH_BYTES)) < _MIN_NON_ASCII_TO_GUESS:
        return None
    import charset_normalizer

    best = charset_normalizer.from_bytes(sample).best()
    if best is None or best.encoding not in _TRUSTED_GUESSES:
        return None
    try:
        data.decode(best.encoding)
    except UnicodeDecodeError:
        return None
    return best.encoding


def _decode(data: bytes, origin: str, declared: str | None = None) -> str:
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(bom_encoding, errors="replace")
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
    if data[0] in _LEADING_CONTROL:
        lead = "".join(f"\\x{b:02x}" for b in data[:3])
        raise _binary(origin, f"it starts with the control bytes {lead}, as binary files do and text never does")
    sample = data[:_SAMPLE]
    if sample.count(0) > max(1, len(sample) // 1000):
        raise _binary(origin, f"{sample.count(0)} NUL bytes in the first {len(sample)} bytes")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(8, _MAX_CONTROL_SHARE * len(sample)):
        raise _binary(origin, f"{controls * 100 // len(sample)}% control bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    encoding = normalise_encoding(declared)
    if encoding and encoding != "utf_8":
        try:
            return data.decode(encoding) if encoding != "cp1252" else _cp1252(data)
        except UnicodeDecodeError:
            pass  # declared wrongly: guess as if nothing was declared
    encoding = _guess(data)
    if encoding:
        return data.decode(encoding)
    return _cp1252(data)


def decode_bytes(data: bytes, *, origin: str = "input", encoding: str | None = None) -> str:
    """Text from a file's bytes: LF line ends, no control characters but \\n and \\t, NFC-normalised.

    `encoding` is what the input declares (an HTTP charset, a <meta charset>); it is used only when the bytes
    are not valid UTF-8.
    """
    if not data or not data.strip():
        raise BadInputError(f"{origin}: file is empty")
    text = _decode(bytes(data), origin, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    text = _CONTROL_CHARS.sub("", text).replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise BadInputError(f"{origin}: file is empty")
    return text


def stream_encoding(head: bytes, *, declared: str | None = None) -> str:
    """The codec to read a large file as a stream, judged from its first bytes (same order as decode_bytes).

    A BOM gives "utf-8-sig"/"utf-16"/"utf-32" (the codec then skips it); valid or mostly valid UTF-8 gives
    "utf-8" (the head may end inside a character, which is allowed for); read it with errors=UTF8_STRAY_BYTES so
    a stray byte is read as Windows-1252.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
        if _mostly_utf8(head[:len(head) - 3] if len(head) > 3 else head) is not None:
            return "utf-8"
    encoding = normalise_encoding(declared)
    if encoding and encoding != "utf_8":
        return encoding
    return _guess(head) or "cp1252"


def clean_text(text: str) -> str:
    """The cleaning decode_bytes applies, for text that arrives already decoded (a parsed field, a mail part)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    return unicodedata.normalize("NFC", _CONTROL_CHARS.sub("", text).replace("\ufeff", ""))
