"""The rule set is one data file a user extends in the archive settings (`ingest_rules:`); datelines per kind."""

from __future__ import annotations

from pathlib import Path

from newsarc.ingest.dispatch import parse_source

PAGE = """<html lang="en"><head><title>Storm hits coast</title><meta property="og:site_name" content="Coast News">
</head><body><nav><a href="/">Home</a></nav><article><h1>Storm hits coast</h1>
<p>LONDON (Reuters) - A storm hit the south coast on Thursday, cutting power to thousands of homes and closing
roads in three counties, officials said.</p>
<p>Engineers worked through the night to restore supplies, and most homes had power again by the morning.</p>
<p>Forecasters said more wind and rain would follow at the weekend, with warnings in place for the coast.</p>
</article></body></html>"""


def test_user_rules_from_archive_settings_apply_to_add(run, archive: Path, tmp_path: Path) -> None:
    settings = archive / "newsarc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "ingest_rules:\n  furniture:\n    exact: ['Listen to this story']\n"
                          "  footer:\n    patterns: ['More from the desk.*']\n", encoding="utf-8")
    text = tmp_path / "story.txt"
    text.write_text("Storm hits coast\n\nListen to this story\nA storm hit the south coast on Thursday.\n\n"
                    "Engineers worked through the night.\n\nMore from the desk: other stories\n\nUnrelated.\n",
                    encoding="utf-8")
    result = run("add", str(text))
    assert result.exit_code == 0, result.output
    article_id = result.output.split()[1]
    shown = run("show", article_id, "--format", "json").output
    assert "Listen to this story" not in shown and "More from the desk" not in shown
    assert "Engineers worked through the night." in shown


def test_bad_user_rules_are_one_clear_error(run, archive: Path, tmp_path: Path) -> None:
    settings = archive / "newsarc.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "ingest_rules:\n  furniture:\n    patterns: ['(']\n",
                        encoding="utf-8")
    text = tmp_path / "story.txt"
    text.write_text("Title\n\nBody text.\n", encoding="utf-8")
    result = run("add", str(text))
    assert result.exit_code == 5
    assert "rules furniture.patterns: pattern '(' is not a valid regex" in result.output


def test_page_dateline_is_stored_as_location_and_kept_in_the_body() -> None:
    (parsed,) = list(parse_source(PAGE.encode(), origin="storm.html"))
    assert parsed["location"] == "LONDON"
    assert parsed["body"].startswith("LONDON (Reuters) - A storm hit the south coast")


def test_plain_text_dateline_keeps_the_seed_behaviour() -> None:
    text = "Storm hits coast\n\nLONDON (Reuters) - A storm hit the south coast on Thursday.\n"
    (parsed,) = list(parse_source(text.encode(), origin="storm.txt"))
    assert parsed["location"] == "LONDON"
    assert parsed["body"] == "A storm hit the south coast on Thursday."  # issue 2: the dateline leaves the body
