"""The layout keeps its promises: no import cycles, and the command line reaches the library only through its
public face (newsarc.api and the modules it names), the renderers and the error types."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsarc"

# What a face (the command line, the web page) may import: the library's public API, its request/result and
# record types, the features api names as their own modules, and the errors. Everything else (storage, index
# internals, names, ingest, adding, dedupe) is reached through these.
PUBLIC = ("newsarc", "newsarc.api", "newsarc.errors", "newsarc.article", "newsarc.index.backend",
          "newsarc.records", "newsarc.dateranges", "newsarc.timeline", "newsarc.watch", "newsarc.check",
          "newsarc.similar", "newsarc.versions", "newsarc.feeds", "newsarc.exchange.formats",
          "newsarc.exchange.export", "newsarc.exchange.importer")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every newsarc module `path` imports at run time, at the top or inside a function (not under
    TYPE_CHECKING, which never runs)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("newsarc"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newsarc"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if (PACKAGE.parent / submodule.replace(".", "/")).with_suffix(".py").exists()
                          or (PACKAGE.parent / submodule.replace(".", "/") / "__init__.py").exists()
                          else node.module)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    assert len(modules) > 40, "the package was not found where this test looks"
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_module_graph_has_no_cycles() -> None:
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_faces_import_only_the_public_library() -> None:
    edges = graph()
    faces = [m for m in edges if m.startswith(("newsarc.cli", "newsarc.web")) or m == "newsarc.__main__"]
    assert "newsarc.cli.app" in faces
    reached = {face: sorted(m for m in edges[face] if m not in PUBLIC and not m.startswith(("newsarc.cli",
                                                                                            "newsarc.web")))
               for face in faces}
    assert {face: mods for face, mods in reached.items() if mods} == {}


def test_the_library_never_imports_a_face() -> None:
    edges = graph()
    offenders = {m: sorted(d for d in deps if d.startswith(("newsarc.cli", "newsarc.web")))
                 for m, deps in edges.items() if not m.startswith(("newsarc.cli", "newsarc.web", "newsarc.__main__"))}
    assert {m: deps for m, deps in offenders.items() if deps} == {}


def test_every_type_ignore_says_why_on_its_line() -> None:
    """mypy runs in CI; a silenced check carries its reason beside it (`# type: ignore[code]  # why`)."""
    import re

    bare = [f"{path.relative_to(PACKAGE.parent)}:{number}"
            for path in PACKAGE.rglob("*.py")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if (m := re.search(r"# type: ignore(\[[^\]]*\])?", line)) and not line[m.end():].strip(" #")]
    assert bare == []
