"""A backend that searches again and again (as `newsarc serve` does) keeps its searcher open between searches:
every search still sees the newest index, whoever changed it, and counts exactly."""

from __future__ import annotations

import threading
from pathlib import Path

from newsarc.article import Article
from newsarc.index.backend import SearchRequest
from newsarc.index.whoosh_backend import WhooshBackend


def article(number: int, body: str) -> tuple[str, Article]:
    item = Article(title=f"Story {number}", body=body, date=f"2020-01-{number % 28 + 1:02d}")
    item.id = f"{number:010d}"
    return f"articles/{number:05d}.yaml", item


def found(backend: WhooshBackend, text: str) -> tuple[int, list[str]]:
    result = backend.search(SearchRequest(text, limit=100, snippets=False))
    return result.total, sorted(hit.id for hit in result.hits)


def test_searches_see_every_change_made_by_another_writer(tmp_path: Path) -> None:
    directory = tmp_path / "index"
    writer = WhooshBackend(directory)  # another process's backend: its own index object and files
    writer.create()
    writer.apply([article(n, "harvest festival") for n in range(5)], [])
    reader = WhooshBackend(directory)
    assert found(reader, "harvest") == (5, [f"{n:010d}" for n in range(5)])
    assert reader._kept is not None
    kept = reader._kept.searcher
    assert found(reader, "festival")[0] == 5 and reader._kept.searcher is kept  # unchanged index: same searcher

    writer.apply([article(5, "harvest moon")], [])
    assert found(reader, "harvest")[0] == 6
    writer.delete(["articles/00001.yaml", "articles/00005.yaml"])
    assert found(reader, "harvest") == (4, ["0000000000", "0000000002", "0000000003", "0000000004"])

    assert reader._kept is not None
    generation = reader._kept.key[0]
    writer.clear()  # a rebuild: the generations start again, with other segments, up to the kept one's number
    added = []
    while writer.ix.latest_generation() < generation:
        path, item = article(10 + len(added), "winter harvest")
        writer.apply([(path, item)], [])
        added.append(item.id)
    assert writer.ix.latest_generation() == generation and added
    assert found(reader, "harvest") == (len(added), added)
    assert found(reader, "festival") == (0, [])
    writer.close()
    reader.close()
    assert reader._kept is None


def test_own_writes_other_threads_and_nested_searches(tmp_path: Path) -> None:
    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    backend.apply([article(n, "river crossing") for n in range(3)], [])
    assert found(backend, "river")[0] == 3
    backend.apply([article(3, "river delta")], [])
    assert found(backend, "river")[0] == 4

    answers: list[tuple[int, list[str]]] = []
    worker = threading.Thread(target=lambda: answers.append(found(backend, "delta")))
    worker.start()
    worker.join()
    assert answers == [(1, ["0000000003"])]  # another thread: a searcher of its own

    with backend._searcher() as outer:
        assert found(backend, "crossing")[0] == 3  # a search inside a search: its own searcher too
        assert outer is backend._kept.searcher and not outer.is_closed  # type: ignore[union-attr]
    backend.close()
