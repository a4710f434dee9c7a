"""A bare `*` is every article: with filters it lists what they admit (the web page's filters-alone search)."""

from __future__ import annotations

from pathlib import Path

from tests.support.archives import add_named


def test_star_counts_every_article_even_one_without_words(archive: Path, run) -> None:
    ids = add_named(archive, {
        "iraq": {"title": "Baghdad talks", "body": "Talks in Baghdad.", "source": "Wire"},
        "syria": {"title": "Raqqa report", "body": "A report from Raqqa.", "source": "Paper"},
        "marks": {"title": "!!!", "body": "— … —", "source": "Wire"},  # nothing a word index can hold
    })
    assert run("search", "*", "--count").output.strip() == "3"
    assert run("search", "*", "--source", "Wire", "--count").output.strip() == "2"
    listed = run("search", "*", "--source", "Wire", "--jsonl").output
    assert ids["marks"] in listed and ids["iraq"] in listed and ids["syria"] not in listed


def test_star_reads_no_posting_list() -> None:
    """Whoosh's own reading of `*` unions every posting list of the word field (~30 s at 100,000 articles)."""
    from whoosh import query

    from newsarc.index.query import parse
    from newsarc.index.whoosh_backend import build_schema

    assert parse("*", build_schema(), None)[0] == query.Every()
    assert parse("tags:*", build_schema(), None)[0] == query.Every("tags")  # articles with any tag: kept
