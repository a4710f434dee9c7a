"""Any encoding: BOMs, UTF-16, Windows-1252/1251/1256, KOI8-R, Latin-1; declared or detected; languages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.ingest.decode import decode_bytes, stream_encoding
from newsarc.ingest.dispatch import parse_source
from newsarc.ingest.language import detect, from_tag

ENCODINGS = Path(__file__).resolve().parent / "fixtures" / "encodings"
RUSSIAN_TITLE = "Засуха: правительство объявило о помощи фермерам"
ENGLISH = "Café owners protest as rents rise\n\nOwners of cafés marched on Thursday — they say rents rose by a “third”."


@pytest.mark.parametrize(("name", "title", "language"), [
    ("russian_koi8r.txt", RUSSIAN_TITLE, "ru"),
    ("russian_cp1251.txt", RUSSIAN_TITLE, "ru"),
    ("arabic_cp1256.txt", "الحكومة تعلن خطة لدعم المزارعين", "ar"),
    ("english_cp1252_crlf.txt", "Café owners protest as rents rise", "en"),
    ("english_utf16le_bom.txt", "Café owners protest as rents rise", "en"),
    ("english_utf8_bom_controls.txt", "Café owners protest as rents rise", "en"),
    ("german_latin1.txt", "Hilfspaket für Landwirte beschlossen", "de"),
])
def test_each_encoding_reads_back_exactly(name: str, title: str, language: str) -> None:
    (article,) = list(parse_source((ENCODINGS / name).read_bytes(), origin=name))
    assert article["title"] == title
    assert article["language"] == language
    assert "\ufffd" not in article["body"] and "\r" not in article["body"] and "\x07" not in article["body"]


def test_nothing_of_the_text_is_lost() -> None:
    for name in ("english_cp1252_crlf.txt", "english_utf16le_bom.txt", "english_utf8_bom_controls.txt"):
        text = decode_bytes((ENCODINGS / name).read_bytes(), origin=name)
        assert text.startswith(ENGLISH), name
    assert decode_bytes((ENCODINGS / "russian_koi8r.txt").read_bytes()).startswith(RUSSIAN_TITLE)


def test_localised_date_line_in_plain_text() -> None:
    (article,) = list(parse_source((ENCODINGS / "german_latin1.txt").read_bytes(), origin="de.txt"))
    assert article["date"] == "2017-05-18"  # "18. Mai 2017", read without dateparser


def test_declared_charset_is_used_but_valid_utf8_wins() -> None:
    arabic = "الحكومة تعلن خطة".encode("cp1256")
    assert decode_bytes(arabic, encoding="windows-1256") == "الحكومة تعلن خطة"
    assert decode_bytes("Café".encode(), encoding="iso-8859-1") == "Café"  # declared wrongly: UTF-8 wins
    assert decode_bytes(b"caf\xe9", encoding="utf-8") == "café"  # declared UTF-8, is not: Windows-1252


def test_stream_encoding_for_big_files() -> None:
    assert stream_encoding("héllo".encode()[:2]) == "utf-8"  # a cut multi-byte character is allowed for
    assert stream_encoding(b"\xff\xfeh\x00") == "utf-16"
    assert stream_encoding(RUSSIAN_TITLE.encode("koi8_r") * 4) == "koi8_r"


def test_language_tags_and_short_texts() -> None:
    assert (from_tag("en-GB"), from_tag("pt_BR"), from_tag("fra"), from_tag("x"), from_tag(None)) == (
        "en", "pt", "fr", "", "")
    assert detect("Hello") == ""  # too short to tell
    assert detect("Die Bundesregierung hat am Donnerstag ein Hilfspaket für Landwirte beschlossen.") == "de"


def test_utf8_input_never_loads_charset_normalizer() -> None:
    code = ("import sys\nfrom newsarc.ingest.decode import decode_bytes\n"
            "decode_bytes('Café — “quoted”'.encode() * 100)\nprint('charset_normalizer' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False"


MIXED_TITLE = "Assad discusses “direct” cooperation"
# UTF-8 throughout but for one raw \x92 byte (Windows-1252's curly apostrophe) pasted into "isn't".
MIXED = (MIXED_TITLE + "\n\nThe president said the talks were “frank” and “useful”; it isn").encode() + b"\x92t over.\n"


def test_utf8_with_a_stray_cp1252_byte_stays_utf8() -> None:
    """One byte pasted from Windows (\\x92, a curly apostrophe) is read on its own; the UTF-8 around it stays UTF-8."""
    text = decode_bytes(MIXED, origin="mixed.txt")
    assert text.startswith(MIXED_TITLE)
    assert "isn’t over" in text and "â€" not in text


def test_mostly_cp1252_text_is_still_read_as_cp1252() -> None:
    """A Windows-1252 file whose bytes happen to form one valid UTF-8 pair is not taken for UTF-8."""
    data = "Café “crème” à la carte — naïve".encode("cp1252") + "Ã©".encode("cp1252")
    assert decode_bytes(data) == "Café “crème” à la carte — naïve" + "Ã©"
    assert decode_bytes(RUSSIAN_TITLE.encode("cp1251") * 3).startswith(RUSSIAN_TITLE)


def test_mixed_encoding_article_is_found_by_its_words(tmp_path: Path) -> None:
    archive = tmp_path / "arc"
    source = tmp_path / "mixed.txt"
    source.write_bytes(MIXED)
    newsarc = [sys.executable, "-m", "newsarc", "--archive", str(archive)]
    subprocess.run([*newsarc[:3], "init", str(archive)], check=True, capture_output=True, timeout=120)
    subprocess.run([*newsarc, "add", str(source)], check=True, capture_output=True, timeout=120)
    found = subprocess.run([*newsarc, "search", "direct"], capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    assert MIXED_TITLE in found.stdout


def test_big_mostly_utf8_stream_reads_stray_bytes_as_cp1252() -> None:
    head = ("“quoted” " * 20).encode() + b"\x93odd\x94 "
    assert stream_encoding(head) == "utf-8"
    lines = b"".join(b'{"title": "Title %d \xe2\x80\x94 it\x92s", "body": "Body text \xe2\x80\x9cquoted\xe2\x80\x9d"}\n'
                     % n for n in range(3))
    articles = list(parse_source(lines, origin="big.jsonl"))
    assert articles[0]["title"] == "Title 0 — it’s"


def test_mail_part_in_utf8_with_a_stray_byte_keeps_its_utf8() -> None:
    """The email package would decode the part with errors='replace': every stray byte a U+FFFD."""
    mail = (b"From: desk@example.com\nTo: archive@example.com\nSubject: Assad discusses direct cooperation\n"
            b"Date: Thu, 18 May 2017 10:00:00 +0000\nMIME-Version: 1.0\n"
            b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + MIXED)
    (article,) = list(parse_source(mail, origin="mixed.eml"))
    assert "talks were “frank” and “useful”; it isn’t over" in article["body"]
    assert "\ufffd" not in article["body"]
