"""The layout keeps its promises, each stated as a rule that fails on the first violation:

- no import cycles; the library never imports a face;
- the faces (command line, web) import only the public library, and reach no store internals (`store.backend`,
  the catalog, the archive lock): the library does that for them;
- Whoosh's private names, and the Whoosh modules that hold its binary formats, are used only inside
  newsarc/index/whoosh_internals/, and there its replacements are really in place;
- outside newsarc/index/, the index is reached only through its protocols (newsarc.index.backend) and the
  default engine: no Whoosh, no engine module, no Whoosh file name;
- SQL is written only by the module that owns each SQLite database;
- files are written only through newsarc/storage/atomic.py;
- one concept per module: PyYAML only in newsarc/yamlio.py (and the import reader), the terminal's progress bars
  only in newsarc/cli/progress.py, no module left behind that only forwards to another, and newsarc/names/ below
  the index and the store;
- types at the boundary: a face takes every library type from newsarc.api, which offers every type its calls
  take and return, and mypy is strict (every function typed, no bare generics) over newsarc/ but for the Whoosh
  boundary.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsarc"
BOUNDARY = PACKAGE / "index" / "whoosh_internals"
FACES = ("newsarc.cli", "newsarc.web", "newsarc.__main__")

# What a face (the command line, the web page) may import: the library's public API, its request/result and
# record types, the features api names as their own modules, and the errors. Everything else (storage, index
# internals, names, ingest, adding, dedupe) is reached through these.
PUBLIC = ("newsarc", "newsarc.api", "newsarc.errors", "newsarc.article", "newsarc.index.backend",
          "newsarc.records", "newsarc.dateranges", "newsarc.timeline", "newsarc.watch", "newsarc.check",
          "newsarc.similar", "newsarc.versions", "newsarc.feeds", "newsarc.exchange.formats",
          "newsarc.exchange.export", "newsarc.exchange.importer", "newsarc.exchange.es_names",
          "newsarc.search_request")  # the search options both faces translate into (issue 21.17)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, *, for_types_too: bool = False) -> set[str]:
    """Every newsarc module `path` imports at run time, at the top or inside a function (not under
    TYPE_CHECKING, which never runs, unless for_types_too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if not for_types_too and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
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


# -- rules over the source -------------------------------------------------------------------------------------
def library_sources() -> Iterator[tuple[Path, ast.Module]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    assert len(paths) > 40, "the package was not found where this test looks"
    for path in paths:
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"


def private_names_defined(trees: list[ast.Module]) -> set[str]:
    """Single-underscore names that these modules define: functions, classes, attributes and variables they
    assign, parameters, import aliases."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def whoosh_private_names() -> set[str]:
    import whoosh

    root = Path(whoosh.__file__).parent
    with warnings.catch_warnings():  # Whoosh's source has invalid escape sequences, which do not matter here
        warnings.simplefilter("ignore")
        return private_names_defined([ast.parse(p.read_text(encoding="utf-8")) for p in root.rglob("*.py")])


# Whoosh's modules for its codec, files and writer: what they hold is its binary formats and writing machinery.
WHOOSH_INTERNAL_MODULES = ("whoosh.codec", "whoosh.filedb", "whoosh.writing", "whoosh.matching")


def whoosh_private_uses(path: Path, tree: ast.Module, private: set[str]) -> list[str]:
    """Where a module outside the boundary uses a private Whoosh name (an attribute, a keyword argument, a name
    given to getattr and friends, an import) that it does not define itself, or imports a Whoosh internal module."""
    own = private_names_defined([tree])
    found = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.keyword):
            name = node.arg
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            name = node.args[1].value
        if name in private and name not in own:
            found.append(f"{where(path, node)} {name}")
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            found += [f"{where(path, node)} {alias.name}" for alias in node.names
                      if node.module.startswith("whoosh") and alias.name.startswith("_")]
        found += [f"{where(path, node)} {module}" for module in modules
                  if module.startswith(WHOOSH_INTERNAL_MODULES)]
    return found


def test_whoosh_private_names_are_used_only_inside_the_boundary() -> None:
    private = whoosh_private_names()
    assert {"_read_data", "_segments", "_finalize_segment", "_stem"} <= private  # the scan reads Whoosh
    offenders = [use for path, tree in library_sources() if BOUNDARY not in path.parents
                 for use in whoosh_private_uses(path, tree, private)]
    assert offenders == []


def test_the_rule_finds_a_private_name_planted_outside_the_boundary() -> None:
    """The rule above is not vacuous: the uses it was written for are found where they would be violations."""
    private = whoosh_private_names()
    planted = ast.parse("def stamp(ix):\n    return ix._segments()\n"
                        "def stems(analyzer):\n    return getattr(analyzer, '_stem')\n"
                        "from whoosh.codec.whoosh3 import W3LeafMatcher\n")
    found = whoosh_private_uses(PACKAGE / "index" / "planted.py", planted, private)
    assert sorted(use.split()[-1] for use in found) == ["_segments", "_stem", "whoosh.codec.whoosh3",
                                                        "whoosh.codec.whoosh3.W3LeafMatcher"]


def test_the_boundarys_replacements_are_in_place() -> None:
    """Every Whoosh attribute the boundary replaced holds the boundary's code now (else the tests that compare
    newsarc's code with Whoosh's would compare Whoosh with itself; tests/test_whoosh_boundary.py goes further)."""
    from newsarc.index import whoosh_internals
    from newsarc.index.whoosh_internals import patches

    assert whoosh_internals.fast_paths_on()
    assert len(patches.WHOOSH_OWN) >= 8  # 5 posting reads, 1 more fast path, 2 fixes
    misplaced = {f"{owner.__name__}.{name}": getattr(owner, name).__module__
                 for owner, name in patches.WHOOSH_OWN
                 if not getattr(owner, name).__module__.startswith("newsarc.index.whoosh_internals.")}
    assert misplaced == {}


# What a face may not reach on a store: the library does these for it (api.search, api.retag(wait=False)...).
STORE_INTERNALS = ("backend", "catalog", "lock", "engine", "_backend", "_catalog")


def test_faces_reach_no_store_internals() -> None:
    offenders = [f"{where(path, node)} .{node.attr}" for path, tree in library_sources()
                 if module_name(path).startswith(FACES)
                 for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in STORE_INTERNALS]
    assert offenders == []


# Each SQLite database has one module that holds all its SQL.
SQL_OWNERS = {
    "storage/catalog.py": "the catalog of article files",
    "dedupe.py": "the near-duplicate sketches (neardup.sqlite)",
    "ingest/ledger.py": "the inputs an interrupted add has done",
    "names/gazetteer.py": "the gazetteer (gazetteer.sqlite, read-only)",
    "check_ledger.py": "what `check` remembers of every article until its walk is over (a temporary database)",
}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|ROLLBACK|REPLACE)\b")


def sql_uses(path: Path, tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value):
            found.append(f"{where(path, node)} {node.value.split()[0]}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("execute", "executemany", "executescript", "connect")
              and ast.unparse(node.func.value) != "socket"):
            found.append(f"{where(path, node)} {node.func.attr}()")
    return found


def test_sql_is_written_only_by_the_owner_of_each_database() -> None:
    offenders = [use for path, tree in library_sources()
                 if path.relative_to(PACKAGE).as_posix() not in SQL_OWNERS for use in sql_uses(path, tree)]
    assert offenders == []


# Writes outside storage/atomic.py, each with its reason (content a user or a later command reads never is one).
WRITE_EXCEPTIONS = {
    "storage/locking.py": "opens (creates) the lock file it locks: no content",
    "pause_point.py": "a test hook's signal file, created and polled while a test holds a command still",
}


def write_uses(path: Path, tree: ast.Module) -> list[str]:
    """Calls that create or change a file's content: write_text/write_bytes, open() for writing, os.open with
    write flags, copies and temporary files."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
        if name in ("write_text", "write_bytes") or (owner == "shutil" and name.startswith("copy")) or (
                owner == "tempfile" and name in ("mkstemp", "NamedTemporaryFile", "TemporaryFile", "mkdtemp")):
            found.append(f"{where(path, node)} {ast.unparse(func)}")
        elif name == "open" and owner == "os":
            flags = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
            if any(flag in flags for flag in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC")):
                found.append(f"{where(path, node)} os.open({flags})")
        elif name == "open":
            # open(path, mode) and gzip.open(path, mode); path.open(mode)
            position = 0 if owner and owner not in ("io", "gzip", "bz2", "lzma", "codecs", "builtins") else 1
            modes = [kw.value for kw in node.keywords if kw.arg == "mode"] or node.args[position:position + 1]
            mode = modes[0].value if modes and isinstance(modes[0], ast.Constant) else "r"
            if isinstance(mode, str) and set(mode) & set("wax+"):
                found.append(f"{where(path, node)} {ast.unparse(func)}({mode!r})")
    return found


def test_files_are_written_only_through_storage_atomic() -> None:
    allowed = {"storage/atomic.py", *WRITE_EXCEPTIONS}
    offenders = [use for path, tree in library_sources() if path.relative_to(PACKAGE).as_posix() not in allowed
                 for use in write_uses(path, tree)]
    assert offenders == []


# YAML is a format, not storage: PyYAML is used by newsarc/yamlio.py alone (safe loading, the one writer of article
# YAML, the files kept one entry a line), but for the import reader, which checks each node of a file from
# elsewhere before it constructs anything.
YAML_USERS = {
    "yamlio.py": "the format module",
    "exchange/importer.py": "reads an export node by node, refusing anchors and tags before constructing",
}


def yaml_uses(path: Path, tree: ast.Module) -> list[str]:
    """Where a module imports PyYAML."""
    return [f"{where(path, node)} yaml" for node in ast.walk(tree)
            if (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "yaml" for alias in node.names))
            or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "yaml")]


def test_yaml_is_read_and_written_only_through_the_format_module() -> None:
    offenders = [use for path, tree in library_sources() if path.relative_to(PACKAGE).as_posix() not in YAML_USERS
                 for use in yaml_uses(path, tree)]
    assert offenders == []
    edges = graph()
    assert "newsarc.storage.yamlio" not in edges  # no forwarder: every caller imports newsarc.yamlio
    assert not {dep for dep in edges["newsarc.yamlio"] if dep.startswith(("newsarc.storage", "newsarc.index"))}


# -- the search engine seam (issue 23.2) ------------------------------------------------------------------------
def engine_uses(path: Path, tree: ast.Module) -> list[str]:
    """Where a module outside newsarc/index/ reaches past the engine's protocols: an import of Whoosh, or of an
    index module but the protocols (newsarc.index.backend) and the default engine (newsarc.index), or a name of
    Whoosh's files (`_MAIN_3.toc`)."""
    found = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module if node.module != "newsarc.index" else f"newsarc.index.{alias.name}"
                       for alias in node.names]
        found += [f"{where(path, node)} {module}" for module in modules
                  if (module.startswith("newsarc.index.")
                      and module not in ("newsarc.index.backend", "newsarc.index.default_engine"))
                  or module.split(".")[0] == "whoosh"]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"_MAIN_|\.toc\b", node.value):
            found.append(f"{where(path, node)} {node.value!r}")
    return found


def test_the_index_is_reached_only_through_its_protocols() -> None:
    """Storage, names, the features and the faces talk to the index through newsarc.index.backend (Engine,
    SearchBackend, NameEvidence) and take the default engine from newsarc.index, so a second engine changes
    nothing outside newsarc/index/ (tests/test_second_backend.py runs one)."""
    offenders = [use for path, tree in library_sources() if (PACKAGE / "index") not in path.parents
                 for use in engine_uses(path, tree)]
    assert offenders == []


# -- one concept per module -------------------------------------------------------------------------------------
def forwards_only(tree: ast.Module) -> bool:
    """A module that defines nothing and only hands on names it imports (a forwarder left by a move)."""
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    return bool(body) and all(isinstance(node, ast.Import | ast.ImportFrom)
                              or (isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__")
                              for node in body) and any(isinstance(node, ast.ImportFrom) for node in body)


def test_no_module_only_forwards_to_another() -> None:
    """A move is finished: callers import the new module, and the old name is gone (package __init__ files, which
    name a package's public parts, are not forwarders)."""
    offenders = [module_name(path) for path, tree in library_sources()
                 if path.name != "__init__.py" and forwards_only(tree)]
    assert offenders == []


# Concepts with one home: the third-party module that does the work is imported there and nowhere else.
CONCEPT_HOMES = {
    "rich.progress": ("cli/progress.py", "progress bars on the terminal"),
}


def imports_module(tree: ast.Module, module: str) -> list[int]:
    """The lines where `tree` imports `module` or a module inside it."""
    return [node.lineno for node in ast.walk(tree)
            if (isinstance(node, ast.Import) and any(a.name == module or a.name.startswith(module + ".")
                                                     for a in node.names))
            or (isinstance(node, ast.ImportFrom) and node.module
                and (node.module == module or node.module.startswith(module + ".")
                     or any(f"{node.module}.{a.name}" == module for a in node.names)))]


def test_each_concept_lives_in_its_one_module() -> None:
    offenders = [f"{path.relative_to(PACKAGE).as_posix()}:{line} {module} (belongs in {home})"
                 for path, tree in library_sources() for module, (home, _) in CONCEPT_HOMES.items()
                 if path.relative_to(PACKAGE).as_posix() != home for line in imports_module(tree, module)]
    assert offenders == []


def names_reaching_up(imports: dict[str, set[str]]) -> dict[str, list[str]]:
    above = ("newsarc.index", "newsarc.storage", "newsarc.api", "newsarc.cli", "newsarc.web")
    return {module: sorted(dep for dep in deps if dep.startswith(above) and dep != "newsarc.storage.atomic")
            for module, deps in imports.items()
            if module.startswith("newsarc.names") and any(dep.startswith(above) and dep != "newsarc.storage.atomic"
                                                           for dep in deps)}


def test_names_reach_no_index_or_store() -> None:
    """newsarc/names/ is the bottom of the library (the index builds on it): it holds the rules for names and the
    alias groups, reads files through newsarc.yamlio and writes them through storage/atomic.py, and imports nothing
    else of storage, the index or the API, not even for types. What reads the index for names (alias suggestions)
    is a feature over the archive (newsarc/alias_suggest.py)."""
    imports = {module_name(p): imports_of(p, for_types_too=True) for p in PACKAGE.rglob("*.py")}
    assert imports["newsarc.alias_suggest"] & {"newsarc.index.backend", "newsarc.storage.store"}  # the scan sees types
    assert names_reaching_up(imports) == {}
    planted = {"newsarc.names.planted": {"newsarc.storage.store", "newsarc.storage.atomic", "newsarc.names.fold"}}
    assert names_reaching_up(planted) == {"newsarc.names.planted": ["newsarc.storage.store"]}


# -- types at the boundary --------------------------------------------------------------------------------------
def is_type_name(name: str) -> bool:
    """CamelCase: a class or type alias (SearchHit), not a constant (SEARCH_FIELDS) or a function."""
    return name[:1].isupper() and not name.isupper()


def face_type_imports(path: Path, tree: ast.Module) -> list[str]:
    """Types a face imports from a library module other than newsarc.api (and newsarc.errors, whose exception
    types are the errors' own public module), at run time or under TYPE_CHECKING."""
    return [f"{where(path, node)} {node.module}.{alias.name}" for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newsarc")
            and not node.module.startswith(("newsarc.cli", "newsarc.web"))
            and node.module not in ("newsarc.api", "newsarc.errors")
            for alias in node.names if is_type_name(alias.name)]


def test_faces_take_every_library_type_from_newsarc_api() -> None:
    offenders = [use for path, tree in library_sources() if module_name(path).startswith(FACES)
                 for use in face_type_imports(path, tree)]
    assert offenders == []


def test_every_type_of_the_public_api_is_offered_by_it() -> None:
    """Each type named in a public function's signature in newsarc.api, and each type a face imports from it, is
    an attribute of newsarc.api (some loaded on first use), so a caller needs no other module to name them."""
    from newsarc import api

    tree = ast.parse((PACKAGE / "api.py").read_text(encoding="utf-8"))
    named: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            for annotation in [a.annotation for a in arguments] + [node.returns]:
                if annotation is not None:
                    named.update(n.id for n in ast.walk(annotation) if isinstance(n, ast.Name) and is_type_name(n.id))
    assert {"SearchRequest", "SearchResult", "Store", "Versions"} <= named  # the scan reads the signatures
    for path, tree in library_sources():
        if module_name(path).startswith(FACES):
            named.update(alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                         and node.module == "newsarc.api" for alias in node.names if is_type_name(alias.name))
    typing_names = {"Any", "Callable", "Iterable", "Iterator", "Mapping", "Sequence", "NoReturn"}
    assert sorted(name for name in named - typing_names if not hasattr(api, name)) == []


def mypy_loosened(config: dict[str, Any]) -> list[str]:
    """Modules for which the project's mypy settings switch off a strict check, outside the Whoosh boundary."""
    mypy = config["tool"]["mypy"]
    loose = [f"[tool.mypy] {check}" for check in ("disallow_untyped_defs", "disallow_any_generics")
             if not mypy.get(check)]
    for override in mypy.get("overrides", []):
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        switched_off = [check for check in ("disallow_untyped_defs", "disallow_any_generics", "check_untyped_defs")
                        if override.get(check) is False] + (["ignore_errors"] if override.get("ignore_errors") else [])
        loose += [f"{module}: {check}" for module in modules for check in switched_off
                  if not module.startswith("newsarc.index.whoosh_internals")]
    return loose


def test_mypy_is_strict_over_the_library_outside_the_whoosh_boundary() -> None:
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["files"] == ["newsarc"]
    assert mypy_loosened(config) == []


# -- every rule above finds what it was written for ---------------------------------------------------------
@pytest.mark.parametrize(("source", "rule"), [
    ("def f(store):\n    return store.backend.doc_count()\n", "face"),
    ("def f(db):\n    db.execute('SELECT 1')\n", "sql"),
    ("def f(path):\n    path.write_text('x')\n", "write"),
    ("def f(path):\n    with open(path, 'a') as out:\n        out.write('x')\n", "write"),
    ("def f(entry):\n    import yaml\n    return yaml.safe_dump(entry)\n", "yaml"),
    ("from yaml import CSafeDumper\n", "yaml"),
    ('"""Moved."""\nfrom newsarc.yamlio import load_yaml\n\n__all__ = ["load_yaml"]\n', "forwarder"),
    ("from rich.progress import Progress\n", "concept"),
    ("from rich import progress\n", "concept"),
    ("from newsarc.index.backend import SearchRequest\n", "face type"),
    ("from newsarc.index.whoosh_backend import WhooshBackend\n", "engine"),
    ("from newsarc.index import whoosh_files\n", "engine"),
    ("def f(root):\n    return list(root.glob('_MAIN_*.toc'))\n", "engine"),
    ("def f():\n    import whoosh.index\n", "engine"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from newsarc.storage.store import Store\n", "face type"),
])
def test_each_rule_finds_a_violation_planted_on_purpose(source: str, rule: str) -> None:
    tree = ast.parse(source)
    path = PACKAGE / "cli" / "planted.py"
    if rule == "face":
        assert [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in STORE_INTERNALS]
    elif rule == "sql":
        assert len(sql_uses(path, tree)) == 2
    elif rule == "yaml":
        assert len(yaml_uses(path, tree)) == 1
    elif rule == "forwarder":
        assert forwards_only(tree)
    elif rule == "concept":
        assert len(imports_module(tree, "rich.progress")) == 1
    elif rule == "engine":
        assert len(engine_uses(path, tree)) == 1
    elif rule == "face type":
        assert len(face_type_imports(path, tree)) == 1
    else:
        assert len(write_uses(path, tree)) == 1


def test_the_mypy_rule_finds_an_exemption_planted_on_purpose() -> None:
    planted = {"tool": {"mypy": {"disallow_untyped_defs": True, "disallow_any_generics": True, "overrides": [
        {"module": ["newsarc.adding", "newsarc.index.whoosh_internals.postings"], "disallow_untyped_defs": False},
        {"module": "newsarc.ingest.mail", "ignore_errors": True}]}}}
    assert mypy_loosened(planted) == ["newsarc.adding: disallow_untyped_defs", "newsarc.ingest.mail: ignore_errors"]
