"""Name search survives the move to a cluster (issue 24 point 5): an es-bulk export carries each article's name keys
(newsarc.exchange.es_names) and `newsarc search --keys` gives a query's, so that the articles a cluster's `terms`
query finds for a spelling are exactly the articles `newsarc search` finds for it.

No Elasticsearch here: the cluster's query is simulated over the exported NDJSON (a `terms` query on a keyword
field matches a document holding any of the terms). Real articles: the seed (Abu Kamal / al-Bukamal /
al-Bokamal in its tags), BBC articles that spell one name two ways (Mohammed / Muhammad / Mohammad, Hussein /
Hussain, Andrei / Andrey, Yuri / Yury, Dmitry / Dmitriy; Tottenham / Spurs made one by an alias group) or name it
where a name is not marked as one (Blair after a quote, Beckhams), and the place evaluation's articles for Aleppo
in each of its spellings (tests/data/place_eval.yaml: Aleppo, حلب, Алеппо, Халеб ...)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import BBC, SEED, need_shared

# Spellings, each searched alone; the pairs are one name in articles that write only one of them.
SPELLINGS = ("Abu Kamal", "al-Bukamal", "al-Bokamal",
             "Mohammed", "Muhammad", "Mohammad", "Hussein", "Hussain", "Andrei", "Andrey", "Yuri", "Yury",
             "Dmitry", "Dmitriy", "Tottenham", "Spurs", "Blair", "Beckham", "Chelsea", "Kiev",
             "Aleppo", "حلب", "Алеппо", "Халеб")
# (spelling, another spelling of it): some article writes the second and not the first, and the first finds it.
PAIRS = (("Mohammed", "Muhammad"), ("Hussein", "Hussain"), ("Andrei", "Andrey"), ("Yuri", "Yury"),
         ("Tottenham", "Spurs"), ("Aleppo", "حلب"), ("حلب", "Алеппо"), ("Beckham", "Beckhams"))
_NAMES = re.compile(r"\b(?:" + "|".join(["Mohamm?[ae]d", "Muhammad", "Huss[ae]in", "Andre[iy]", "Yur[iy]",
                                         "Dmitri?y", "Tottenham", "Spurs", "Beckhams?", "Kiev"]) + r")\b")


@pytest.fixture(scope="module")
def names_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, the BBC articles that write one of the names with every tenth other one beside them, the place
    evaluation's Aleppo articles, and the alias group Tottenham = Spurs."""
    need_shared(BBC)
    from newsarc import api
    from newsarc.storage.archive import init_archive
    from tests.support.place_eval import load_evalset

    root = init_archive(tmp_path_factory.mktemp("esnames") / "arc")
    files = sorted(p for p in BBC.glob("*/*.txt"))
    chosen = [str(p) for n, p in enumerate(files) if n % 10 == 0 or _NAMES.search(p.read_text(errors="replace"))]
    store = api.open_store(root)
    try:
        report = api.add_sources(store, api.iter_sources([str(need_shared(SEED)), *chosen]))
        assert report.count("failed") == 0
        aleppo = [a for a in load_evalset()["articles"] if a["place"] == "Aleppo"]
        items = [(f"aleppo/{n}", {k: a[k] for k in ("title", "date", "source", "language", "body")})
                 for n, a in enumerate(aleppo)]
        assert [o.status for o in api.add_articles(store, items).outcomes] == ["added"] * len(items)
        api.add_alias_group(store, ["Tottenham", "Spurs"])
    finally:
        store.close()
    return root


def _cli(root: Path, *args: str) -> Any:
    from newsarc.cli.app import cli

    return CliRunner().invoke(cli, ["--archive", str(root), *args], catch_exceptions=False)


def _terms(body: dict[str, Any]) -> dict[str, set[str]]:
    """{field: terms} of a `--keys` query: a bool query of `terms` clauses, any of which must match."""
    query = body["query"]["bool"]
    assert query["minimum_should_match"] == 1 and set(query) == {"should", "minimum_should_match"}
    found: dict[str, set[str]] = {}
    for clause in query["should"]:
        (field, terms), = clause["terms"].items()
        found[field] = set(terms)
    return found


def _cluster_finds(documents: dict[str, dict[str, Any]], terms: dict[str, set[str]]) -> set[str]:
    """What the cluster's query finds: documents holding, in a field the query names, one of its terms."""
    def holds(doc: dict[str, Any], field: str) -> set[str]:
        value: Any = doc
        for part in field.split("."):
            value = value.get(part, {}) if isinstance(value, dict) else {}
        return set(value) if isinstance(value, list) else set()

    return {doc_id for doc_id, doc in documents.items() if any(holds(doc, f) & t for f, t in terms.items())}


@pytest.fixture(scope="module")
def exported(names_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The archive exported as a user does, through the command: {id: document}."""
    out = tmp_path_factory.mktemp("bulk") / "bulk.ndjson"
    done = subprocess.run([sys.executable, "-m", "newsarc", "--archive", str(names_archive), "export", "--format",
                           "es-bulk", "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    documents = {}
    for action, document in zip(lines[::2], lines[1::2], strict=True):
        doc = json.loads(document)
        assert json.loads(action)["index"]["_id"] == doc["id"]
        documents[doc["id"]] = doc
    return documents


def test_the_cluster_finds_for_each_spelling_what_newsarc_search_finds(names_archive: Path,
                                                                       exported: dict[str, dict[str, Any]]) -> None:
    found: dict[str, set[str]] = {}
    for spelling in SPELLINGS:
        keys = _cli(names_archive, "search", "--keys", spelling)
        assert keys.exit_code == 0, (spelling, keys.output)
        by_cluster = _cluster_finds(exported, _terms(json.loads(keys.stdout)))
        searched = _cli(names_archive, "search", spelling, "--ids", "--limit", "10000")
        by_newsarc = set(searched.stdout.split())
        assert by_newsarc, spelling
        assert by_cluster == by_newsarc, (spelling, sorted(by_newsarc - by_cluster), sorted(by_cluster - by_newsarc))
        found[spelling] = by_newsarc
    # The spellings found each other through the keys: an article that writes only the other spelling is found.
    for spelling, other in PAIRS:
        writes_other = {i for i, d in exported.items() if _writes(d, other) and not _writes(d, spelling)}
        assert writes_other & found[spelling], (spelling, other)
    # As a user pipes it to curl: the command in its own process prints the same query.
    piped = subprocess.run([sys.executable, "-m", "newsarc", "--archive", str(names_archive), "search", "--keys",
                            "al-Bukamal"], capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and piped.stdout == _cli(names_archive, "search", "--keys", "al-Bukamal").stdout
    seed = {i for i, d in exported.items() if "al-Bokamal" in d.get("tags", [])}
    assert len(seed) == 1 and all(seed <= found[s] for s in ("Abu Kamal", "al-Bukamal", "al-Bokamal"))


def _writes(document: dict[str, Any], spelling: str) -> bool:
    text = " ".join([document.get("title") or "", document.get("body") or "", *document.get("tags", [])])
    return re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", text) is not None


def test_the_exported_places_are_the_index_own_and_a_round_trip_drops_the_keys(names_archive: Path,
                                                                              tmp_path: Path) -> None:
    """Each place an exported document names is one the index finds the article for (--place), and importing the
    export gives back the article without its keys."""
    from newsarc.exchange.importer import read_import

    out = tmp_path / "bulk.ndjson"
    assert _cli(names_archive, "export", "--format", "es-bulk", "-o", str(out), "--tag", "Syria").exit_code == 0
    (document,) = list(read_import(out))
    assert "newsarc" not in document and "al-Bokamal" in document["tags"]
    keys = json.loads(out.read_text(encoding="utf-8").splitlines()[1])["newsarc"]
    assert "174448" in keys["places"]  # Abu Kamal, in any spelling
    for place in keys["places"]:
        assert document["id"] in _cli(names_archive, "search", "*", "--place", place, "--ids", "-n", "10000").stdout
    assert {"bukamal", "bokamal", "albukamal", "abu", "kamal", "damascus"} <= set(keys["words"])


def test_keys_of_a_query_without_names_say_so(names_archive: Path) -> None:
    result = _cli(names_archive, "search", "--keys", "economy")
    assert result.exit_code == 1
    assert "names no one-word name or gazetteer place" in result.stderr
    assert _terms(json.loads(result.stdout)) == {}


def test_the_mapping_declares_the_keys_and_carries_the_alias_groups(names_archive: Path, tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.json"
    result = _cli(names_archive, "export", "--format", "es-bulk", "-o", str(tmp_path / "b.ndjson"),
                  "--mapping", str(mapping_file))
    assert result.exit_code == 0
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    props = mapping["mappings"]["properties"]
    assert props["newsarc"] == {"properties": {"words": {"type": "keyword", "ignore_above": 256},
                                               "places": {"type": "keyword"}}}
    analysis = mapping["settings"]["analysis"]
    assert analysis["filter"]["newsarc_aliases"] == {"type": "synonym_graph", "synonyms": ["tottenham, spurs"],
                                                     "lenient": True}
    analyzer = analysis["analyzer"]["newsarc_english_aliases"]
    assert "newsarc_aliases" in analyzer["filter"]
    assert analyzer["filter"].index("lowercase") < analyzer["filter"].index("newsarc_aliases") \
        < analyzer["filter"].index("newsarc_english_stemmer")
    for field in ("title", "body"):
        assert props[field]["analyzer"] == "english" and props[field]["search_analyzer"] == "newsarc_english_aliases"


def test_alias_members_cannot_break_the_synonym_rules() -> None:
    from newsarc.exchange.es_names import alias_analysis

    analysis = alias_analysis([["Smith, John", "J => S", "Back\\slash"], ["Erbil", "Hawler"]])
    assert analysis is not None
    assert analysis["filter"]["newsarc_aliases"]["synonyms"] == ["smith\\, john, j \\=\\> s, back\\\\slash",
                                                                 "erbil, hawler"]
    assert alias_analysis([]) is None


def test_an_article_with_a_field_of_the_keys_name_is_refused_in_one_line(run, archive: Path, tmp_path: Path) -> None:
    """A hand-added extra field `newsarc` would be overwritten by the keys and dropped by an import: said, not lost."""
    (archive / "articles").mkdir(exist_ok=True)
    (archive / "articles" / "x.yaml").write_text("title: Raqqa\nnewsarc: mine\nbody: In Raqqa today.\n",
                                                 encoding="utf-8")
    out = tmp_path / "bulk.ndjson"
    result = run("export", "--format", "es-bulk", "-o", str(out))
    assert result.exit_code != 0 and "field 'newsarc'" in result.output and "rename" in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(("extra", "said"), [(("--ids",), "--keys and --ids"), (("--json",), "--keys and --json"),
                                             (("--explain",), "--keys and --explain"),
                                             (("--tag", "Syria"), "not --tag"), (("--since", "2017"), "not --since")])
def test_keys_refuse_what_they_would_leave_out(run, extra: tuple[str, ...], said: str) -> None:
    result = run("search", "--keys", "Raqqa", *extra)
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output


def test_the_export_with_name_keys_streams_in_flat_memory(archive: Path, tmp_path: Path) -> None:
    """The name keys are computed one article at a time as it is written: no list of the archive. Memory is held by
    the analysis's bounded caches (the index's own: words folded, names' forms, at most some 100,000 entries each),
    not by the articles: 5,000 here, each naming places and a person not named before."""
    import tracemalloc

    from newsarc import api
    from newsarc.exchange.export import write_export

    made = [0]

    def articles(count: int) -> Any:
        for number in range(count):
            made[0] = number + 1
            yield {"id": f"id-{number}", "title": f"Talks in Aleppo, day {number}",
                   "body": f"Officials in Halep and Mosul met Mohammed Hussein{number} on Tuesday.", "tags": ["Syria"]}

    written_after: list[int] = []

    class Probe:
        def write(self, text: str) -> int:
            if not written_after:
                written_after.append(made[0])
            return len(text)

    store = api.open_store(archive)
    try:
        def keys_of(article: dict[str, Any]) -> Any:
            return api.name_keys_of(store, article)

        write_export(articles(50), "es-bulk", Probe(), name_keys=keys_of)  # type: ignore[arg-type]  # warm caches
        written_after.clear()
        tracemalloc.start()
        try:
            count = write_export(articles(5_000), "es-bulk", Probe(), name_keys=keys_of)  # type: ignore[arg-type]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        store.close()
    assert count == 5_000 and written_after == [1]
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
