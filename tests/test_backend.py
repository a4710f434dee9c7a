"""The backend interface: WhooshBackend provides every method the SearchBackend protocol names, with the same
parameters, so a server engine written against the protocol can take its place."""

from __future__ import annotations

import inspect

from newsarc.index.backend import SearchBackend
from newsarc.index.whoosh_backend import WhooshBackend


def protocol_methods(protocol: type = SearchBackend) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(protocol).items()
            if inspect.isfunction(member) and not name.startswith("_")}


def test_whoosh_backend_implements_the_protocol() -> None:
    methods = protocol_methods()
    assert {"add", "delete", "apply", "search", "facets", "suggest", "name_evidence"} <= set(methods)
    for name, signature in methods.items():
        implementation = getattr(WhooshBackend, name, None)
        assert callable(implementation), f"WhooshBackend lacks {name}"
        assert list(inspect.signature(implementation).parameters) == list(signature.parameters), name


def test_whoosh_engine_and_the_memory_engine_implement_their_protocols() -> None:
    """The store's Engine, and the test suite's second backend, have every method with the same parameters."""
    from newsarc.index.backend import Engine, NameEvidence
    from newsarc.index.whoosh_backend import _WhooshNameEvidence
    from newsarc.index.whoosh_engine import WhooshEngine
    from tests.support.memory_backend import MemoryBackend, MemoryEngine, MemoryEvidence

    for protocol, implementations in ((Engine, (WhooshEngine, MemoryEngine)),
                                      (SearchBackend, (WhooshBackend, MemoryBackend)),
                                      (NameEvidence, (_WhooshNameEvidence, MemoryEvidence))):
        methods = protocol_methods(protocol)
        assert methods, protocol
        for implementation in implementations:
            for name, signature in methods.items():
                method = getattr(implementation, name, None)
                assert callable(method), f"{implementation.__name__} lacks {name}"
                assert list(inspect.signature(method).parameters) == list(signature.parameters), name


def test_commands_reach_the_engine_only_through_the_protocol() -> None:
    """No module outside the Whoosh implementation opens Whoosh's index object directly."""
    import pathlib

    package = pathlib.Path(__file__).resolve().parents[1] / "newsarc"
    modules = list(package.rglob("*.py"))
    assert len(modules) > 30, "the package was not found where this test looks"
    # The index package is the Whoosh implementation; everything else uses the protocols of index/backend.py.
    offenders = [str(path.relative_to(package)) for path in modules
                 if "index" not in path.relative_to(package).parts[:1]
                 and ("backend.ix" in path.read_text(encoding="utf-8") or "_MAIN_" in path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_a_missing_length_column_is_looked_up_once_per_segment(tmp_path, monkeypatch) -> None:
    """A fast path (whoosh_internals.patches): Whoosh stat()s a missing column file once per posting unless
    the miss is kept."""
    from newsarc.article import Article
    from newsarc.index.whoosh_backend import document_for
    from newsarc.storage.archive import Archive

    backend = WhooshBackend(tmp_path / "index")
    backend.create()
    writer = backend.writer(bulk=True)
    for number in range(3):
        article = Article(title=f"Story {number}", body=f"Body of story {number}.", date=f"2020-01-0{number + 1}")
        article.id = f"abcdefghj{number}"  # a well-formed id
        writer.add_document(**document_for(Archive(tmp_path).relpath_for(article), article))
    writer.commit()
    with backend.ix.reader() as reader:
        perdoc = reader._perdoc  # one commit, one segment: the reader is that segment's
        lookups: list[str] = []
        storage_exists = perdoc._storage.file_exists
        monkeypatch.setattr(perdoc._storage, "file_exists", lambda name: lookups.append(name) or storage_exists(name))
        values = [perdoc.doc_field_length(docnum, "id") for docnum in range(3) for _ in range(5)]
    assert values == [0] * 15
    assert len(lookups) == 1
