"""Recall and precision of `newsarc search` on the name-variant test set (tests/data/name_variants.yaml).

Used by tests/test_search_variants.py, and runnable to print the table:

    python tests/support/variant_eval.py            # builds a temporary archive, prints per-spelling results
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "name_variants.yaml"


@dataclass
class Row:
    group: str
    spelling: str
    relevant: int
    retrieved: int
    correct: int

    @property
    def recall(self) -> float:
        return self.correct / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.retrieved if self.retrieved else 1.0


def load_testset() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_78a7aa51e64dfc42.txt"


def build_archive(root: Path, *, seed: bool = False) -> dict[str, Any]:
    """An archive holding every test-set article (and the seed article, whose tags list three spellings of
    Abu Kamal side by side); returns the test set with each article's id filled in."""
    from newsarc import api
    from newsarc.storage.archive import init_archive

    data = load_testset()
    init_archive(root)
    store = api.open_store(root)
    if seed:
        report = api.add_sources(store, api.iter_sources([str(SEED)]))
        seed = api.get_article(store, report.outcomes[0].id)
        data["groups"][0]["articles"].append({"spelling": "Abu Kamal", "id": seed.id, "title": seed.title,
                                              "body": seed.body + "\n" + "\n".join(seed.tags)})
    items = []
    for group in data["groups"]:
        for article in group["articles"]:
            if "id" in article:
                continue
            items.append((f"{group['name']}/{article['spelling']}", {k: article[k] for k in
                                                                   ("title", "date", "source", "body")}))
    for article in data["distractors"]:
        items.append((f"distractor/{article['name']}", {k: article[k] for k in ("title", "date", "source", "body")}))
    report = api.add_articles(store, items)
    ids = {o.origin: o.id for o in report.outcomes}
    assert report.count("added") == len(items), [o for o in report.outcomes if o.status != "added"]
    for group in data["groups"]:
        for article in group["articles"]:
            article.setdefault("id", ids.get(f"{group['name']}/{article['spelling']}"))
    for article in data["distractors"]:
        article["id"] = ids[f"distractor/{article['name']}"]
    store.close()
    return data


def _mentions(text: str, spelling: str) -> bool:
    from newsarc.names.variants import fold_token

    def fold(s: str) -> str:
        return " ".join(fold_token(w) for w in re.findall(r"[\w'’]+", s))

    return re.search(r"(?<!\w)" + re.escape(fold(spelling)) + r"(?!\w)", fold(text)) is not None


def relevant_ids(data: dict[str, Any], group: dict[str, Any]) -> set[str]:
    """The group's own articles, and any other article that writes one of its spellings."""
    ids = {a["id"] for a in group["articles"]}
    others = [a for g in data["groups"] if g is not group for a in g["articles"]] + data["distractors"]
    for article in others:
        if any(_mentions(article["title"] + "\n" + article["body"], s) for s in group["spellings"]):
            ids.add(article["id"])
    return ids


def query_for(spelling: str) -> str:
    return f'"{spelling}"' if " " in spelling else spelling


def evaluate(root: Path, data: dict[str, Any], *, exact: bool) -> list[Row]:
    from newsarc import api
    from newsarc.index.backend import SearchRequest

    store = api.open_store(root)
    rows = []
    try:
        for group in data["groups"]:
            relevant = relevant_ids(data, group)
            for spelling in group["spellings"]:
                result = api.search(store, SearchRequest(query_for(spelling), limit=1000, snippets=False,
                                                         exact=exact))
                got = {hit.id for hit in result.hits}
                rows.append(Row(group["name"], spelling, len(relevant), len(got), len(got & relevant)))
    finally:
        store.close()
    return rows


def totals(rows: list[Row]) -> tuple[float, float]:
    """Micro-averaged recall and precision over every (spelling, article) pair."""
    relevant = sum(r.relevant for r in rows)
    retrieved = sum(r.retrieved for r in rows)
    correct = sum(r.correct for r in rows)
    return correct / relevant, (correct / retrieved if retrieved else 1.0)


def accept_suggestions(root: Path) -> list[list[str]]:
    """What `newsarc alias suggest --accept all` does: every proposed group becomes an alias group."""
    from newsarc import api
    from newsarc.alias_suggest import suggest_groups
    from newsarc.names.aliases import add_group, load_groups, save_groups

    store = api.open_store(root)
    try:
        groups = load_groups(root)
        proposals = suggest_groups(store)
        for names, _evidence in proposals:
            groups, _ = add_group(groups, names)
        save_groups(root, groups)
        return [names for names, _ in proposals]
    finally:
        store.close()


def table(columns: dict[str, list[Row]]) -> str:
    names = list(columns)
    lines = ["| group | spelling | relevant | " + " | ".join(f"{n}: found/retrieved, R, P" for n in names) + " |",
             "|---" * (3 + len(names)) + "|"]
    for rows in zip(*columns.values(), strict=True):
        first = rows[0]
        cells = [f"{r.correct}/{r.retrieved}, {r.recall:.2f}, {r.precision:.2f}" for r in rows]
        lines.append(f"| {first.group} | {first.spelling} | {first.relevant} | " + " | ".join(cells) + " |")
    summary = []
    for rows in columns.values():
        recall, precision = totals(rows)
        summary.append(f"**R {recall:.3f}, P {precision:.3f}**")
    lines.append(f"| **all** | {len(first_rows(columns))} spellings | | " + " | ".join(summary) + " |")
    return "\n".join(lines)


def first_rows(columns: dict[str, list[Row]]) -> list[Row]:
    return next(iter(columns.values()))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "arc"
        data = build_archive(root, seed=SEED.exists())
        columns = {"exact": evaluate(root, data, exact=True), "variants": evaluate(root, data, exact=False)}
        accepted = accept_suggestions(root)
        columns["variants + suggested aliases"] = evaluate(root, data, exact=False)
        print(table(columns))
        print()
        print("accepted suggestions:", "; ".join(", ".join(g) for g in accepted))
