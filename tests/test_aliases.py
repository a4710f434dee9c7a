"""`newsarc alias`: groups in aliases.yaml, one per line; suggestions from evidence; query-time expansion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEED, need_shared


def test_add_list_rm(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("alias", "add", "Erbil", "Irbil", "Arbil").exit_code == 0
    assert run("alias", "add", "Abu Kamal", "al-Bukamal").exit_code == 0
    result = run("alias", "add", "Hawler", "Erbil")  # shares Erbil: merged into that group
    assert result.stdout.strip() == "alias group: Erbil, Irbil, Arbil, Hawler"
    lines = (archive / "aliases.yaml").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "- [Abu Kamal, al-Bukamal]", "- [Erbil, Irbil, Arbil, Hawler]"]
    assert json.loads(run("alias", "list", "--json").stdout) == [["Abu Kamal", "al-Bukamal"],
                                                                 ["Erbil", "Irbil", "Arbil", "Hawler"]]
    assert run("alias", "list").stdout.splitlines() == ["Abu Kamal, al-Bukamal", "Erbil, Irbil, Arbil, Hawler"]
    assert run("alias", "rm", "arbil").stdout.strip() == "removed: Arbil"
    assert run("alias", "rm", "--group", "AL-BUKAMAL").exit_code == 0
    assert json.loads(run("alias", "list", "--json").stdout) == [["Erbil", "Irbil", "Hawler"]]
    missing = run("alias", "rm", "Nowhere")
    assert missing.exit_code == 3 and "in no alias group" in missing.output


def test_one_name_is_not_a_group(run) -> None:  # type: ignore[no-untyped-def]
    result = run("alias", "add", "Erbil", "erbil")
    assert result.exit_code == 2 and "at least two different spellings" in result.output


def test_broken_aliases_file_is_a_clear_error(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    (archive / "aliases.yaml").write_text("Erbil: Hawler\n", encoding="utf-8")
    result = run("search", "Erbil")
    assert result.exit_code == 5
    assert "aliases.yaml: expected a list of groups" in result.output and "Traceback" not in result.output


def test_hand_edits_take_effect_at_once(run, archive: Path) -> None:  # type: ignore[no-untyped-def]
    # A nickname no gazetteer or rule joins to the name: only an alias group does.
    run("add", "-", input="Talks resume\n\nTalks with Dubya resumed on Monday.\n")
    assert run("search", "Bushy").exit_code == 1
    (archive / "aliases.yaml").write_text("- [Bushy, Dubya]\n", encoding="utf-8")
    assert run("search", "Bushy").exit_code == 0
    (archive / "aliases.yaml").write_text("- [Bushy, Dubyo]\n", encoding="utf-8")  # same size, new content
    assert run("search", "Bushy").exit_code == 1


def test_suggest_from_the_seed_tags_and_accept(run) -> None:  # type: ignore[no-untyped-def]
    need_shared(SEED)
    assert run("add", str(SEED)).exit_code == 0
    run("add", "-", input="Strikes near Albu Kamal\n\nJets struck targets near al-Bokamal on Monday.\n")
    before = run("search", '"Abu Kamal"', "--ids").stdout.split()
    result = run("alias", "suggest")
    assert result.exit_code == 0
    assert "1. Abu Kamal, al-Bukamal, al-Bokamal" in result.stdout
    assert "listed side by side in the tags" in result.stdout
    accepted = run("alias", "suggest", "--accept", "1")
    assert accepted.stdout.strip() == "alias group: Abu Kamal, al-Bukamal, al-Bokamal"
    after = run("search", '"Abu Kamal"', "--ids").stdout.split()
    assert len(after) == len(before) == 2  # the Abu/Bu rule found the al-Bokamal story already
    explained = run("search", '"Abu Kamal"', "--explain").stdout
    assert "Abu Kamal -> alias group: Abu Kamal, al-Bukamal, al-Bokamal, Albu Kamal, Bukamal" in explained
    assert run("alias", "suggest", "--accept", "9").exit_code == 2


@pytest.mark.parametrize("bad", ["x", "0"])
def test_accept_needs_a_number(run, bad: str) -> None:  # type: ignore[no-untyped-def]
    need_shared(SEED)
    run("add", str(SEED))
    assert run("alias", "suggest", "--accept", bad).exit_code == 2
