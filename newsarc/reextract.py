"""Reading an article again from the original kept beside it with `add --keep-original`.

What the extractor reads now (title, date, source, url, authors, location, language, body) replaces the
stored fields where it finds them; tags are merged; the id, the added time and other fields are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarc.errors import NewsarcError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    from newsarc.article import Article
    from newsarc.storage.store import Store

REPLACED_FIELDS = ("title", "date", "source", "url", "location", "language", "body")


def reextract(store: Store, text: str) -> tuple[str, list[str]]:
    """Re-extract the article named by id or prefix `text`; returns its id and the fields that changed."""
    from newsarc.ingest.dispatch import parse_source
    from newsarc.ingest.options import IngestOptions

    with store.archive.lock:
        store.refresh(write=True)
        found_id, relpath = store.resolve(text)
        article = store.archive.read(relpath)
        path, raw = read_original(store, found_id, relpath, article)
        hints = {k: v for k, v in {"url": article.url, "final_url": article.extra.get("final_url"),
                                   "fetched": article.extra.get("fetched")}.items() if v}
        options = IngestOptions(date_order=store.archive.settings["date_order"], hints=hints)
        parsed = next((p for p in parse_source(raw, origin=str(path), options=options) if "_error" not in p
                       and "_skip" not in p), None)
        if parsed is None:
            raise NewsarcError(f"{path}: the original holds no article any more")
        before = article.to_dict()
        for name in REPLACED_FIELDS:
            if parsed.get(name):
                setattr(article, name, parsed[name])
        if parsed.get("authors"):
            article.authors = list(parsed["authors"])
        article.tags = article.tags + [t for t in parsed.get("tags") or [] if t not in article.tags]
        for key, value in parsed.items():
            fresh = not key.startswith("_") and key not in before and key != "date_ambiguous"
            if fresh and value not in ("", [], None):
                article.extra[key] = value
        before["body"] = (before.get("body") or "").rstrip("\n")  # the YAML block adds a final newline
        article.body = article.body.rstrip("\n")
        changed = [k for k, v in article.to_dict().items() if before.get(k) != v]
        if not changed:
            return found_id, []
        new_relpath = store.archive.save(article)
        deletes = []
        if new_relpath != relpath:
            path.replace(store.archive.abspath(store.archive.original_relpath(new_relpath, found_id)))
            store.archive.remove(relpath)
            deletes = [relpath]
        store.record([(new_relpath, article)], deletes)
    return found_id, changed


def read_original(store: Store, found_id: str, relpath: str, article: Article) -> tuple[Path, bytes]:
    """(path, bytes) of the original kept beside an article by `add --keep-original`, by one rule for every
    reader (`newsarc reextract`, the web page that shows it): only the file newsarc names beside the YAML."""
    import gzip

    from newsarc.storage.archive import original_name

    original = article.extra.get("original")
    if not isinstance(original, str) or not original:
        raise NotFoundError(f"{found_id} has no original kept; add it again with --keep-original")
    if original != original_name(found_id):
        # The field is data from a file anyone may have edited: it names, never locates, the original.
        raise NewsarcError(f"{relpath}: field 'original': {original!r} is not {original_name(found_id)}; "
                           "newsarc only reads the original kept beside the article")
    path = store.archive.abspath(store.archive.original_relpath(relpath, found_id))
    try:
        return path, gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise NotFoundError(f"{found_id}: its original {path.name} is missing beside the YAML") from None
    except (OSError, EOFError) as exc:
        raise NewsarcError(f"{path}: cannot read the original ({exc}); it is damaged") from None
