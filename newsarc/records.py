"""The machine records newsarc prints for scripts: one owner, so every face prints the same fields.

`newsarc search --json`, `show --format json`, `list --json` (newsarc.cli.render) and the web server's
`/api/...` routes (newsarc.web) all build their JSON here, so they agree by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarc.article import Article
    from newsarc.index.backend import SearchHit, SearchResult
    from newsarc.storage.catalog import CatalogEntry

SEARCH_FIELDS = ("id", "score", "date", "source", "title", "tags", "url", "authors", "location", "language",
                 "path", "matched_terms", "snippets")
LIST_FIELDS = ("id", "date", "source", "title", "tags", "url", "added", "path")


# Text fields an article may lack: null in every record, as `export` and `show --format json` write them
# (Article.to_dict), never "" in one face and null in another.
OPTIONAL_TEXT = frozenset({"date", "source", "url", "location", "language"})


def _field(holder: Any, name: str) -> Any:
    value = getattr(holder, name)
    return None if name in OPTIONAL_TEXT and not value else value


def hit_record(hit: SearchHit) -> dict[str, Any]:
    """One search hit: SEARCH_FIELDS, plus duplicate_of and copies only where they apply."""
    record = {name: _field(hit, name) for name in SEARCH_FIELDS if name != "snippets"}
    record["snippets"] = [
        {"field": s.field, "text": s.text, "highlights": [list(h) for h in s.highlights]} for s in hit.snippets
    ]
    if hit.duplicate_of:  # only on near-duplicates, and with --collapse: scripts reading the fields above keep working
        record["duplicate_of"] = hit.duplicate_of
    if hit.copies:
        record["copies"] = hit.copies
    return record


def facet_records(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": value, "count": count} for value, count in pairs]
            for name, pairs in result.facets.items()}


def search_document(result: SearchResult) -> dict[str, Any]:
    """A result with its facets as one object: what `search --json --facets` prints."""
    return {"total": result.total, "hits": [hit_record(h) for h in result.hits], "facets": facet_records(result)}


def entry_record(entry: CatalogEntry) -> dict[str, Any]:
    return {name: _field(entry, name) for name in LIST_FIELDS}


def article_record(article: Article) -> dict[str, Any]:
    """One whole article, every field (empty ones as None/[]), extras before the body: `show --format json`."""
    return article.to_dict()


def article_yaml(article: Article) -> str:
    """`show --format yaml`: every field (empty ones too), by the archive's one writer of article YAML."""
    from newsarc.yamlio import article_yaml as write

    return write(article, every_field=True)
