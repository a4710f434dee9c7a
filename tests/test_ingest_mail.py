"""Mail: .eml newsletters (HTML part extracted like a page) and .mbox mailboxes read message by message."""

from __future__ import annotations

from pathlib import Path

from newsarc.ingest.dispatch import parse_source
from newsarc.ingest.mail import split_mbox

MAIL = Path(__file__).resolve().parent / "fixtures" / "mail"


def test_eml_subject_date_sender_and_html_part() -> None:
    (article,) = list(parse_source((MAIL / "newsletter.eml").read_bytes(), origin="newsletter.eml"))
    assert article["title"] == "Grain talks resume — your Thursday briefing"  # an encoded-word subject
    assert article["date"] == "2017-05-18T07:30:00+02:00"
    assert article["source"] == "The Morning Brief"
    assert article["message_id"] == "brief-2017-05-18@news.example.com"
    assert article["list_id"] == "The Morning Brief <brief.news.example.com>"
    body = article["body"]
    assert body.startswith("Talks on resuming grain exports through the Black Sea")
    assert body.count("\n\n") == 3
    for furniture in ("View in browser", "Unsubscribe", "You are receiving this"):
        assert furniture not in body
    assert article["language"] == "en"


def test_mbox_messages_with_mboxrd_quoting_and_a_bad_message() -> None:
    parsed = list(parse_source((MAIL / "digest.mbox").read_bytes(), origin="digest.mbox"))
    assert len(parsed) == 4
    good, bad = parsed[:3], parsed[3]
    assert [p["title"] for p in good] == ["Markets: wheat falls on hopes of a deal",
                                          "Aid agencies warn on bread prices", "What the corridor would look like"]
    assert good[1]["body"].endswith("From our correspondents: more below.")  # ">From" unquoted
    assert [p["_origin"] for p in good] == [f"digest.mbox message {n}" for n in (1, 2, 3)]
    assert bad["_error"] == "digest.mbox message 4: the message has no text or HTML part to read"


def test_split_mbox_only_splits_at_from_lines_after_a_blank_line() -> None:
    raw = [b"From a@x Mon\n", b"Subject: one\n", b"\n", b"text\n", b"From here on it is prose\n", b"\n",
           b"From b@x Tue\n", b"Subject: two\n", b"\n", b"more\n"]
    messages = list(split_mbox(raw))
    assert len(messages) == 2
    assert b"From here on it is prose" in messages[0]


def test_add_mail_with_source_override(run, archive: Path) -> None:
    result = run("add", str(MAIL / "newsletter.eml"), "--source", "Morning Brief (newsletter)")
    assert result.exit_code == 0, result.output
    listed = run("list", "--json")
    assert '"source": "Morning Brief (newsletter)"' in listed.output
    box = run("add", str(MAIL / "digest.mbox"))
    assert box.exit_code == 8
    assert box.output.splitlines()[-1].startswith("3 added, 0 already in the archive, 1 failed")
