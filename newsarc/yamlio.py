"""YAML as newsarc reads and writes it: safe loading only (libyaml when present), one writer for articles.

A format, not storage: the archive's files, the merge driver, `show --format yaml`, feed subscriptions, saved
searches and alias files all read and write YAML through this module; writing the text to disk is
newsarc.storage.atomic's. Article YAML is UTF-8, keys in a fixed order, the body a literal block scalar so that a
file reads like the article and diffs line by line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from newsarc.errors import BadInputError

if TYPE_CHECKING:
    from newsarc.article import Article

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Article files are small; anything this large is not an article someone wrote by hand. Kept well above
# `add`'s 20 MB text cap (YAML indents the body), and low enough that one file cannot stall indexing and
# snippets for long (a 50 MB body costs ~18 s and ~900 MB to index). Archive.save refuses to write more.
MAX_YAML_BYTES = 32 * 1024 * 1024
# Real article files never use anchors and aliases; a handful is tolerated, more is an alias bomb.
MAX_ALIASES = 16


_STR_TAG = "tag:yaml.org,2002:str"
WIDTH = 10_000  # lines longer than this (a title of 10,000 characters) are folded, as YAML can do losslessly
# What dump_yaml raises for a value YAML cannot hold (an object that is not text, a number, a list or a mapping).
Unrepresentable = yaml.representer.RepresenterError


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class _StrictLoader(SafeLoader):  # type: ignore[misc, valid-type]  # the C or the Python loader, chosen at import
    """The safe loader, refusing a mapping that repeats a key (PyYAML would silently keep the last value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value  # what constructing it gives, without constructing every key twice
                else:
                    key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the base class reports it
                if duplicate:
                    raise _DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


class _ArticleDumper(SafeDumper):  # type: ignore[misc, valid-type]  # the C or the Python dumper, chosen at import
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_ArticleDumper.add_representer(str, _represent_str)


def dump_yaml(data: Mapping[str, Any], *, exact: bool = False) -> str:
    """YAML text of a mapping in the archive's spelling: keys in the given order, multi-line strings as literal
    blocks, no line folded short of WIDTH. As a file holds it (the default), a `date` that is an ISO day is also
    written as a plain YAML date and a `body` ends in a newline. exact=True (`export --format yaml`) leaves every
    value as given, so that reading the text back gives the same values, type for type."""
    data = dict(data)
    if not exact:
        date = data.get("date")
        if isinstance(date, str) and len(date) == 10:
            with contextlib.suppress(ValueError):
                data["date"] = dt.date.fromisoformat(date)
        body = data.get("body")
        if isinstance(body, str) and body and not body.endswith("\n"):
            data["body"] = body + "\n"  # "|" keeps the newline; "|-" noise is avoided
    return yaml.dump(data, Dumper=_ArticleDumper, allow_unicode=True, sort_keys=False, width=WIDTH,
                     default_flow_style=False)


def entry_line(entry: Any, *, flow: bool) -> str:
    """One entry of a file kept one entry a line (aliases.yaml, watches.yaml), so that git's union merge joins
    two clones' entries: `- [Erbil, Hawler]` (flow=True: its lists and mappings inline), `name: query`."""
    return yaml.safe_dump(entry, default_flow_style=None if flow else False, allow_unicode=True, width=1_000_000)


def load_yaml(text: str | bytes, *, origin: str) -> Any:
    """Safe-load one YAML document, refusing non-standard tags and alias bombs with a one-line error."""
    if len(text) > MAX_YAML_BYTES:
        raise BadInputError(f"{origin}: file is larger than {MAX_YAML_BYTES // 2**20} MB; not an article file")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadInputError(f"{origin}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8") from None
    if text.count("*") and _count_aliases(text) > MAX_ALIASES:
        raise BadInputError(f"{origin}: too many YAML aliases (*name); article files do not need them")
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKeyError as exc:
        raise BadInputError(f"{origin}: {_yaml_problem(exc)}; keep only one of them") from None
    except yaml.constructor.ConstructorError as exc:
        raise BadInputError(f"{origin}: {_yaml_problem(exc)}; only plain YAML is accepted") from None
    except yaml.YAMLError as exc:
        if text.startswith("<<<<<<< ") or "\n<<<<<<< " in text:
            raise BadInputError(f"{origin}: holds an unresolved git merge conflict (<<<<<<<); keep one version, "
                                "then `git add` it (`newsarc check` says when it can do that itself)") from None
        raise BadInputError(f"{origin}: invalid YAML: {_yaml_problem(exc)}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. `date: 2017-02-30` from the timestamp rule
        raise BadInputError(f"{origin}: a value cannot be read ({exc}); check the dates in the file") from None


def _count_aliases(text: str) -> int:
    events = yaml.parse(text, Loader=SafeLoader)
    try:
        return sum(1 for event in events if isinstance(event, yaml.AliasEvent))
    except yaml.YAMLError:
        return 0  # the loader reports the syntax error with its position


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"

# Written even when empty, so a hand editor sees where they go.
ALWAYS_WRITTEN = ("id", "title", "date", "added", "body")


def article_yaml(article: Article, *, every_field: bool = False) -> str:
    """The YAML text of an article, the one writer of article YAML. As its file holds it (the archive, the merge
    driver, `check --repair`): empty fields left out but for ALWAYS_WRITTEN. every_field=True: every field, empty
    ones too, in the same spelling (`show --format yaml`, so a reader sees every field there is)."""
    fields = article.to_dict()
    if not every_field:
        fields = {k: v for k, v in fields.items() if v not in (None, "", []) or k in ALWAYS_WRITTEN}
    return dump_yaml(fields)
