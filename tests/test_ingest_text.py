"""Plain-text ingest: decoding, header/body rules, datelines, tags; on the seed and the BBC corpus."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarc.errors import BadInputError
from newsarc.ingest.decode import decode_bytes
from newsarc.ingest.tags import split_tags
from newsarc.ingest.text import Rules, parse_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_78a7aa51e64dfc42.txt"
BBC = SHARED / "corpora" / "bbc"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"../shared/{path.relative_to(SHARED)} not found: "
                    "put the shared material at ../shared beside the repo")
    return path


def _read(path: Path) -> str:
    return decode_bytes(_need(path).read_bytes(), origin=str(path))


def _expected_bbc_body(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines[1:])).strip("\n")


# --- the seed article -------------------------------------------------------------------------------------


def test_seed_parses_exactly() -> None:
    article = parse_text(_read(SEED), origin=SEED.name)
    assert article["title"] == (
        "Syrian President Assad, Iraqi security advisor discuss 'direct' military cooperation"
    )
    assert article["date"] == "2017-05-18"
    assert article["date_ambiguous"] is False
    assert article["source"] == "Rudaw"
    assert article["authors"] == []
    assert article["tags"] == [
        "Syria", "Iraq", "ISIS", "Mosul offensive", "Iraqi border", "Abu Kamal", "al-Bukamal", "al-Bokamal",
    ]
    assert article["location"] == "ERBIL, Kurdistan Region"
    body = article["body"]
    assert body.startswith("Syrian President Bashar al-Assad and Iraq’s top security advisor")
    assert body.endswith("against the extremist group in 2014.")
    assert "A+ A-" not in body
    assert "Comments" not in body and "moderates all comments" not in body and "Required" not in body
    assert "\xa0" not in body
    assert "\n\n\n" not in body
    assert all(line == line.rstrip() for line in body.split("\n"))
    assert body.count("\n\n") == 10  # 11 paragraphs


def test_seed_under_mdy_keeps_the_unambiguous_date() -> None:
    assert parse_text(_read(SEED), date_order="MDY")["date"] == "2017-05-18"


# --- the BBC corpus: title on line 1, then paragraphs; nothing may be guessed -----------------------------


@pytest.mark.parametrize(
    ("name", "title", "first"),
    [
        ("business/001.txt", "Ad sales boost Time Warner profit",
         "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m)"),
        ("politics/084.txt", "Job cuts 'false economy'  - TUC",
         "Plans to shed 71,000 civil service jobs will prove to be a \"false economy\""),
        ("sport/199.txt", None, None),
        ("tech/001.txt", None, None),
        ("entertainment/001.txt", None, None),
    ],
)
def test_bbc_files(name: str, title: str | None, first: str | None) -> None:
    text = _read(BBC / name)
    article = parse_text(text, origin=name)
    line1 = text.split("\n")[0].strip()
    assert article["title"] == (title or line1)
    assert article["body"] == _expected_bbc_body(text)
    if first:
        assert article["body"].startswith(first)
    assert (article["date"], article["source"], article["tags"], article["authors"], article["location"]) == (
        None, "", [], [], ""
    )


def test_whole_bbc_corpus_keeps_everything() -> None:
    files = sorted(_need(BBC).glob("*/*.txt"))
    assert len(files) == 2225
    failures = []
    for path in files:
        text = decode_bytes(path.read_bytes(), origin=str(path))
        article = parse_text(text, origin=str(path))
        guessed = {k: article[k] for k in ("date", "source", "tags", "authors", "location") if article[k]}
        title_ok = article["title"] == text.split("\n")[0].strip()
        if not title_ok or article["body"] != _expected_bbc_body(text) or guessed:
            failures.append((path.relative_to(BBC).as_posix(), guessed))
    assert failures == []


# --- header rules -----------------------------------------------------------------------------------------


FULL_HEADER = """Big story here

Published: Thursday 18 May 2017 12:41 GMT
By Jane Doe and John Smith
Example News
Tags: economy, trade; Brexit | EU

Share this article
First paragraph is here and it is long enough to be prose.
Print

Second paragraph.\xa0\xa0



Third paragraph.

Related stories

- Something else
- Another thing
"""


def test_full_header_and_furniture_and_footer() -> None:
    article = parse_text(FULL_HEADER)
    assert article == {
        "title": "Big story here",
        "date": "2017-05-18T12:41:00+00:00",
        "date_ambiguous": False,
        "source": "Example News",
        "authors": ["Jane Doe", "John Smith"],
        "tags": ["economy", "trade", "Brexit", "EU"],
        "location": "",
        "body": (
            "First paragraph is here and it is long enough to be prose.\n\n"
            "Second paragraph.\n\nThird paragraph."
        ),
    }


def test_source_needs_a_date_or_tags_line() -> None:
    article = parse_text("A title\n\nExample News\n\nThe first paragraph.")
    assert article["source"] == ""
    assert article["body"] == "Example News\n\nThe first paragraph."


def test_labelled_source_and_tags_without_date() -> None:
    article = parse_text("A title\nKeywords: Gaza; Israel\nSource: Wire Service\n\nThe first paragraph.")
    assert (article["source"], article["tags"], article["date"]) == ("Wire Service", ["Gaza", "Israel"], None)
    assert article["body"] == "The first paragraph."


def test_crlf_text_and_leading_blank_lines() -> None:
    article = parse_text("\r\n\r\nTitle\r\n18 May 2017\r\nSource\r\n\r\nBody one.\r\n\r\n\r\nBody two.\r\n")
    assert (article["title"], article["date"], article["source"]) == ("Title", "2017-05-18", "Source")
    assert article["body"] == "Body one.\n\nBody two."


@pytest.mark.parametrize(
    ("order", "expected"), [("DMY", "2017-06-05"), ("MDY", "2017-05-06")],
)
def test_ambiguous_header_date(order: str, expected: str) -> None:
    article = parse_text("Title\n\n05-06-2017\nSource\n\nBody text.", date_order=order)
    assert (article["date"], article["date_ambiguous"]) == (expected, True)


def test_bad_date_order_and_empty_text() -> None:
    with pytest.raises(BadInputError, match="date order"):
        parse_text("Title\n\nBody.", date_order="XYZ")
    with pytest.raises(BadInputError, match="no text"):
        parse_text("\n  \nShare\n", origin="x.txt")


def test_footer_marker_near_the_top_is_kept() -> None:
    body = "Comments\n\n" + "A long paragraph that goes on. " * 20
    article = parse_text("Title\n\n" + body)
    assert article["body"].startswith("Comments\n\n")


def test_moderation_policy_paragraph_cuts_the_footer() -> None:
    policy = "The Site moderates all comments submitted on our website."
    text = "Title\n\n" + "Body sentence here. " * 30 + f"\n\n{policy}\n\nMore"
    assert parse_text(text)["body"] == ("Body sentence here. " * 30).rstrip()


def test_user_rules_are_merged_with_the_shipped_ones() -> None:
    rules = Rules.load({"furniture": {"exact": ["Subscribe now"]}, "footer": ["About the author"],
                        "dateline_agencies": ["Ahram Online"]})
    text = ("Title\n\nCAIRO (Ahram Online) - Egypt said.\n\nSubscribe now\n\nShare\n\nMore text."
            "\n\nAbout the author\n\nBio.")
    article = parse_text(text, rules=rules)
    assert article["location"] == "CAIRO"
    assert article["body"] == "Egypt said.\n\nMore text."
    plain = parse_text(text)
    assert plain["location"] == ""
    assert "Subscribe now" in plain["body"] and "About the author" in plain["body"]
    assert Rules.load() is Rules.load()


def test_bad_user_rules() -> None:
    with pytest.raises(BadInputError, match="not a valid regex"):
        Rules.load({"footer": {"patterns": ["(unclosed"]}})
    with pytest.raises(BadInputError, match="unknown key"):
        Rules.load({"furnishings": ["x"]})


# --- datelines --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "location", "rest", "date"),
    [
        ("ERBIL, Kurdistan Region — Syrian forces advanced.", "ERBIL, Kurdistan Region",
         "Syrian forces advanced.", None),
        ("LONDON (Reuters) - Shares fell on Monday.", "LONDON", "Shares fell on Monday.", None),
        ("WASHINGTON, May 18 (AP) — The Senate voted.", "WASHINGTON", "The Senate voted.", None),
        ("BEIRUT, 18 May 2017 (AFP) - Fighting resumed.", "BEIRUT", "Fighting resumed.", "2017-05-18"),
        ("NEW YORK – Stocks rose.", "NEW YORK", "Stocks rose.", None),
        ("WASHINGTON, D.C., May 18 (AP) — It passed.", "WASHINGTON, D.C.", "It passed.", None),
    ],
)
def test_datelines(first: str, location: str, rest: str, date: str | None) -> None:
    article = parse_text(f"Title\n\n{first}\nSecond line.\n\nSecond paragraph.")
    assert article["location"] == location
    assert article["body"] == f"{rest}\nSecond line.\n\nSecond paragraph."
    assert article["date"] == date


@pytest.mark.parametrize(
    "first",
    [
        "US - China talks resumed today.",
        "UK-based firms said so.",
        "DJ Norman Cook - aka Fatboy Slim - has said so.",
        "CAIRO (Ahram Online) - Egypt said.",  # unknown agency with a plain hyphen
        "The LONDON office - said something.",
    ],
)
def test_not_datelines(first: str) -> None:
    article = parse_text(f"Title\n\n{first}\n\nMore.")
    assert article["location"] == ""
    assert article["body"] == f"{first}\n\nMore."


def test_dateline_only_in_first_paragraph() -> None:
    article = parse_text("Title\n\nFirst paragraph.\n\nLONDON (Reuters) - Second.")
    assert article["location"] == ""
    assert article["body"].endswith("LONDON (Reuters) - Second.")


# --- tags -------------------------------------------------------------------------------------------------


def test_split_tags_explicit_separators_win() -> None:
    tags = split_tags("Syria, Iraq ; Mosul offensive | ISIS,, Syria", evidence="Syria Iraq")
    assert tags == ["Syria", "Iraq", "Mosul offensive", "ISIS"]


def test_split_tags_recovers_phrases() -> None:
    evidence = "Forces near Abu Kamal and the Iraqi border."
    line = "Syria Iraq ISIS Mosul offensive Iraqi border Abu Kamal al-Bukamal al-Bokamal"
    assert split_tags(line, evidence=evidence) == [
        "Syria", "Iraq", "ISIS", "Mosul offensive", "Iraqi border", "Abu Kamal", "al-Bukamal", "al-Bokamal",
    ]
    assert split_tags("Abu Kamal Syria", evidence="") == ["Abu", "Kamal", "Syria"]
    assert split_tags("Abu Kamal", evidence="Abu Kamalia is elsewhere") == ["Abu", "Kamal"]  # word-bounded
    # case-sensitive evidence; a lower-case word continues the tag before it
    assert split_tags("Abu kamal", evidence="Abu Kamal") == ["Abu kamal"]
    # a line with no capitals at all: each word is a tag
    assert split_tags("abu kamal", evidence="abu kamal") == ["abu", "kamal"]
    assert split_tags("Syria Syria Iraq") == ["Syria", "Iraq"]
    assert split_tags("   ") == []


@pytest.mark.parametrize(("line", "evidence", "tags"), [
    ("New York City Hall de Blasio", "Mayor Bill de Blasio spoke at City Hall in New York on Monday.",
     ["New York", "City Hall", "de Blasio"]),
    ("Politics de Blasio", "", ["Politics", "de Blasio"]),
    ("EU Ursula von der Leyen Brussels", "Ursula von der Leyen said in Brussels that the EU would act.",
     ["EU", "Ursula von der Leyen", "Brussels"]),
    ("EU von der Leyen Brussels", "", ["EU", "von der Leyen", "Brussels"]),
    ("Football Virgil van Dijk Liverpool", "Virgil van Dijk scored for Liverpool.",
     ["Football", "Virgil van Dijk", "Liverpool"]),
    ("Netherlands van Gogh museums", "", ["Netherlands", "van Gogh museums"]),
    ("Al-Qaeda Osama bin Laden Pakistan", "Osama bin Laden was found in Pakistan.",
     ["Al-Qaeda", "Osama bin Laden", "Pakistan"]),
    ("Terrorism bin Laden", "", ["Terrorism", "bin Laden"]),
    ("Saudi Arabia Mohammed bin Salman", "Saudi Arabia's Mohammed bin Salman met the king.",
     ["Saudi Arabia", "Mohammed bin Salman"]),
    ("Iraq ibn Saud", "", ["Iraq", "ibn Saud"]),
    ("Art Leonardo da Vinci Louvre", "A drawing by Leonardo da Vinci went on show at the Louvre.",
     ["Art", "Leonardo da Vinci", "Louvre"]),
    ("Brazil Lula da Silva", "", ["Brazil", "Lula", "da Silva"]),
    ("Brazil Lula da Silva", "President Lula da Silva of Brazil.", ["Brazil", "Lula da Silva"]),
    ("Angola dos Santos Luanda", "", ["Angola", "dos Santos", "Luanda"]),
    ("Boxing Oscar de la Hoya", "Oscar de la Hoya retired.", ["Boxing", "Oscar de la Hoya"]),
    ("Boxing de la Hoya Las Vegas", "Fights in Las Vegas.", ["Boxing", "de la Hoya", "Las Vegas"]),
    ("France Charles de Gaulle Paris", "Charles de Gaulle returned to Paris.",
     ["France", "Charles de Gaulle", "Paris"]),
    ("Germany Karl-Theodor zu Guttenberg", "", ["Germany", "Karl-Theodor", "zu Guttenberg"]),
    ("Syria Bashar al-Assad Damascus", "Bashar al-Assad spoke in Damascus.", ["Syria", "Bashar al-Assad", "Damascus"]),
    ("Syria al Assad Damascus", "", ["Syria", "al Assad", "Damascus"]),
    ("UK Bank of England Carney", "", ["UK", "Bank of England", "Carney"]),
    ("Royals Duke of York Windsor", "", ["Royals", "Duke of York", "Windsor"]),
    ("Europe Prince of the Netherlands", "", ["Europe", "Prince of the Netherlands"]),
    ("Cricket Trinidad and Tobago", "", ["Cricket", "Trinidad and Tobago"]),
    ("England Newcastle upon Tyne Gateshead", "", ["England", "Newcastle upon Tyne", "Gateshead"]),
    ("Spain Ortega y Gasset Madrid", "", ["Spain", "Ortega y Gasset", "Madrid"]),
    ("Food Pasta de", "", ["Food", "Pasta de"]),  # nothing capitalised after it: an ordinary lower-case word
    ("pasta de la casa", "", ["pasta", "de", "la", "casa"]),  # no capitals at all: each word a tag
])
def test_split_tags_joins_particles_to_their_name(line: str, evidence: str, tags: list[str]) -> None:
    assert split_tags(line, evidence=evidence) == tags


def test_tags_line_with_particles_through_add(run, archive) -> None:  # type: ignore[no-untyped-def]
    text = ("De Blasio defends budget at City Hall\n\nTags: New York City Hall de Blasio\n\n"
            "Mayor Bill de Blasio defended his budget at City Hall in New York on Monday.\n")
    assert run("add", "-", input=text.encode()).exit_code == 0
    shown = run("search", "tag:\"de Blasio\"", "--json")
    assert shown.exit_code == 0, shown.output
    import json

    assert json.loads(shown.stdout)[0]["tags"] == ["New York", "City Hall", "de Blasio"]


# --- decoding ---------------------------------------------------------------------------------------------

SAMPLE = "Café £15.8m “quoted” — naïve\r\nsecond line\rthird\n"
CLEAN = "Café £15.8m “quoted” — naïve\nsecond line\nthird\n"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-16-le"),  # without BOM
        SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-32"),
        SAMPLE.encode("cp1252"),
    ],
)
def test_decode_encodings(data: bytes) -> None:
    assert decode_bytes(data) == CLEAN


def test_decode_bbc_sport_199_cp1252() -> None:
    path = _need(BBC / "sport" / "199.txt")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = decode_bytes(data, origin="sport/199.txt")
    assert "£15.8m" in text
    assert "\ufffd" not in text


def test_decode_cleans_controls_and_normalises() -> None:
    assert decode_bytes(b"a\x00b\x07c\td\x1b\n") == "abc\td\n"
    assert decode_bytes("e\u0301t\u00e9".encode()) == "\u00e9t\u00e9"  # NFC
    # 0x81 is undefined in cp1252: it is read (as Latin-1), then dropped as a C1 control character
    assert decode_bytes(b"caf\xe9 \x80 \x81x") == "café € x"


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        b"\x00\x01\x02abc" * 100,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"text" + b"\x00" * 40 + b"more",
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20 + b"some words",
    ],
)
def test_decode_refuses_binary(data: bytes) -> None:
    message = r"^x\.bin: looks like a binary file \(.+\); newsarc reads text articles$"
    with pytest.raises(BadInputError, match=message):
        decode_bytes(data, origin="x.bin")


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t ", codecs.BOM_UTF8, "  \n".encode("utf-16")])
def test_decode_refuses_empty(data: bytes) -> None:
    with pytest.raises(BadInputError, match=r"^x\.txt: file is empty$"):
        decode_bytes(data, origin="x.txt")


@given(st.binary(max_size=400))
def test_decode_random_bytes_gives_clean_text_or_bad_input(data: bytes) -> None:
    try:
        text = decode_bytes(data)
    except BadInputError:
        return
    assert text.strip()
    assert "\r" not in text and "\x00" not in text


@given(st.text(max_size=300))
def test_parse_text_never_crashes(text: str) -> None:
    try:
        article = parse_text(text)
    except BadInputError:
        return
    assert article["title"] and article["title"] == article["title"].strip()
