"""The name-variant test set (tests/data/name_variants.yaml): recall and precision of `newsarc search` per
spelling, without expansion, with the variant rules, and with the alias groups `alias suggest` proposes."""

from __future__ import annotations

import pytest

from tests.support.variant_eval import (
    SEED,
    accept_suggestions,
    build_archive,
    evaluate,
    load_testset,
    table,
    totals,
)


def test_the_test_set_is_big_and_varied_enough() -> None:
    data = load_testset()
    groups = data["groups"]
    assert len(groups) >= 15
    assert all(len(g["spellings"]) >= 3 for g in groups)
    assert all({a["spelling"] for a in g["articles"]} == set(g["spellings"]) for g in groups)
    origins = " ".join(g["origin"] for g in groups)
    for origin in ("Arabic", "Persian", "Kurdish", "Russian", "Ukrainian", "Chinese", "Turkish", "German",
                   "French", "Italian"):
        assert origin in origins
    assert len(data["distractors"]) >= 10
    scripts = [{_script(s) for s in g["spellings"]} for g in groups]
    assert sum(1 for found in scripts if {"latin", "cyrillic"} <= found) >= 5
    assert sum(1 for found in scripts if {"latin", "arabic"} <= found) >= 3
    assert any(found >= {"latin", "cyrillic", "arabic"} for found in scripts)


def _script(spelling: str) -> str:
    if any("\u0400" <= ch <= "\u04ff" for ch in spelling):
        return "cyrillic"
    return "arabic" if any("\u0600" <= ch <= "\u06ff" for ch in spelling) else "latin"


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:  # type: ignore[type-arg]
    root = tmp_path_factory.mktemp("variants") / "arc"
    data = build_archive(root, seed=SEED.exists())
    columns = {"exact": evaluate(root, data, exact=True), "variants": evaluate(root, data, exact=False)}
    if SEED.exists():
        accept_suggestions(root)
        columns["variants + suggested aliases"] = evaluate(root, data, exact=False)
    print("\n" + table(columns))
    return columns


def test_without_expansion_most_spellings_miss(measured) -> None:  # type: ignore[no-untyped-def]
    recall, precision = totals(measured["exact"])
    assert recall < 0.5 and precision >= 0.95


def test_variant_rules_alone_reach_the_target(measured) -> None:  # type: ignore[no-untyped-def]
    """The default on a fresh archive: no alias groups. Measured 0.970 / 1.000 over 106 spellings (27 groups);
    what is missed needs an alias (Erbil / Hawler, Qamishli / Qamişlo) or a vowel swap the rules refuse for
    precision (Irbil / Arbil)."""
    recall, precision = totals(measured["variants"])
    assert recall >= 0.95 and precision >= 0.98


def test_variants_with_suggested_aliases_reach_the_target(measured) -> None:  # type: ignore[no-untyped-def]
    if "variants + suggested aliases" not in measured:
        pytest.skip("../shared/seeds not found: the seed's tags are the alias evidence")
    recall, precision = totals(measured["variants + suggested aliases"])
    assert recall >= 0.95 and precision >= 0.98


def test_distractors_are_never_found(measured, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    for column in measured.values():
        assert all(row.correct == row.retrieved for row in column if row.group in (
            "Bashar", "Hussein", "Khamenei", "Zelensky", "Navalny", "Erbil", "Gorbachev", "Chernobyl", "Erdogan",
            "Tehran", "Misrata", "Yeltsin"))
