"""The newsarc command line: a thin click layer over newsarc.api.

Each command parses its options, makes one or two api calls, and prints through newsarc.cli.render (terminal
and plain text) or newsarc.cli.output (--json/--jsonl/--csv). Errors a user can fix are NewsarcError: the group
prints them as one line and exits with their code; no traceback.
Heavy modules (whoosh, yaml, rich) are imported inside the code paths that need them.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from newsarc import __version__
from newsarc.cli.output import output_options
from newsarc.cli.query_args import QueryCommand
from newsarc.errors import ExitCode, NewsarcError, UsageError
from newsarc.exchange.formats import EXPORT_FORMATS, IMPORT_FORMATS
from newsarc.search_request import CLI_LIMITS, LISTING_SORTS, SORTS

if TYPE_CHECKING:
    from newsarc.api import AddOutcome, AddReport, SearchRequest, Store
    from newsarc.cli.render import Output

T = TypeVar("T")

# Commands that live in their own modules, loaded only when invoked (or listed by --help).
LAZY_COMMANDS = {
    "check": "newsarc.cli.check:check",
    "alias": "newsarc.cli.search:alias",
    "timeline": "newsarc.cli.search:timeline",
    "similar": "newsarc.cli.search:similar",
    "watch": "newsarc.cli.search:watch",
    "feed": "newsarc.cli.ingest:feed",
    "dups": "newsarc.cli.ingest:dups",
    "reextract": "newsarc.cli.ingest:reextract",
    "serve": "newsarc.cli.serve:serve",
}


class NewsarcGroup(click.Group):
    """Loads LAZY_COMMANDS on demand; turns NewsarcError into `newsarc: error: ...` and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        import importlib.util

        lazy = [name for name, target in LAZY_COMMANDS.items()
                if importlib.util.find_spec(target.split(":")[0]) is not None]
        return sorted({*super().list_commands(ctx), *lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in LAZY_COMMANDS:
            import importlib

            module_name, attribute = LAZY_COMMANDS[name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                return None
            command = getattr(module, attribute, None)
        return command

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """click's main, with click's own usage errors printed in newsarc's one-line format."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
                exc.show()  # `newsarc` or `newsarc alias` alone: the help, as click prints it
                sys.exit(exc.exit_code)
            misplaced = self.misplaced_command_option(exc, list(sys.argv[1:] if args is None else args))
            click.echo(f"newsarc: error: {misplaced or click_error_message(exc)}", err=True)
            sys.exit(int(ExitCode.USAGE if isinstance(exc, click.UsageError) else ExitCode.BAD_INPUT))
        except click.Abort:
            click.echo("newsarc: interrupted", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        # click returns the code of an explicit exit (ctx.exit, --help); a command's own return value is no code.
        sys.exit(result if isinstance(result, int) else 0)

    def misplaced_command_option(self, exc: click.ClickException, words: list[str]) -> str | None:
        """`newsarc --json list`: a command's option before the command; say where it goes, with the line meant."""
        import shlex

        ctx = getattr(exc, "ctx", None)
        if not isinstance(exc, click.NoSuchOption) or ctx is None or ctx.command is not self:
            return None
        option = exc.option_name
        commands = set(self.list_commands(ctx))
        at = next((i for i, word in enumerate(words) if word == option or word.startswith(option + "=")), None)
        command_at = next((i for i, word in enumerate(words) if word in commands), None)
        if at is None or command_at is None or command_at < at:
            return None
        command = self.get_command(ctx, words[command_at])
        params = [param for param in getattr(command, "params", ())
                  if isinstance(param, click.Option) and option in param.opts]
        if not params:
            return None  # not the command's option either: click's own message, pointing at --help
        takes_value = not params[0].is_flag
        moved = words[at:at + 2] if takes_value and "=" not in words[at] and at + 1 < command_at else words[at:at + 1]
        rest = words[:at] + words[at + len(moved):]
        command_at -= len(moved)
        line = shlex.join(["newsarc", *rest[:command_at + 1], *moved, *rest[command_at + 1:]])
        return (f"no such option {option} before the command; {option} belongs to the command and goes after "
                f"it: {line}")

    def invoke(self, ctx: click.Context) -> Any:
        given = [*getattr(ctx, "_protected_args", ()), *ctx.args]  # the words after `newsarc [OPTIONS]`
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if exc.option_name in GROUP_OPTIONS:
                raise click.UsageError(misplaced_group_option(exc, given)) from None
            raise
        except NewsarcError as exc:
            click.echo(f"newsarc: error: {one_line(str(exc))}", err=True)
            ctx.exit(int(exc.exit_code))
        except BrokenPipeError:
            sys.stderr.close()  # `newsarc list | head`: stop quietly
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("newsarc: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))


GROUP_OPTIONS = ("--archive", "-a", "--color")


def click_error_message(exc: click.ClickException) -> str:
    """A click error as one line: the message, then which --help to read."""
    message = one_line(" ".join(exc.format_message().split())).rstrip(".")
    if message[:2].istitle():  # click's "No such option" reads as newsarc's own "no such ..." messages
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    return f"{message} (see `{ctx.command_path} --help`)" if ctx is not None else message


def misplaced_group_option(exc: click.NoSuchOption, given: list[str]) -> str:
    """`newsarc list --archive DIR`: say that --archive goes before the command, with the line meant."""
    import shlex

    words = list(given)
    option = exc.option_name
    value: list[str] = []
    for at, word in enumerate(words):
        if word == option:
            value = words[at + 1:at + 2]
            del words[at:at + 2]
            break
        if word.startswith(option + "="):
            value = [word.split("=", 1)[1]]
            del words[at]
            break
    name = "--archive" if option == "-a" else option
    return (f"no such option {option} after the command; {name} goes before the command: "
            f"{shlex.join(['newsarc', name, *(value or ['DIR' if name == '--archive' else 'auto']), *words])}")


def one_line(message: str) -> str:
    """A message as one line: line breaks and other control characters (e.g. from a file name) escaped."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


class Env:
    """What every command shares: the archive option and the output settings."""

    def __init__(self, archive: str | None, color: str):
        self.archive = archive
        self.color = color
        self._store: Store | None = None

    def store(self, *, create: bool = False) -> Store:
        if self._store is None:
            from newsarc.api import open_store

            self._store = open_store(self.archive, create=create, progress=progress_bar,
                                     warn=lambda m: click.echo(f"newsarc: warning: {one_line(m)}", err=True))
        return self._store

    def output(self) -> Output:
        from newsarc.cli.render import Output

        return Output(sys.stdout, self.color)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


@contextlib.contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal and the work is more than a moment."""
    from newsarc.cli.progress import work_bar

    with work_bar(total, label) as advance:
        yield advance


# The command line's names for the library's options (newsarc.search_request), where they differ from --NAME.
CLI_NAMES = {"query": "QUERY", "tags": "--tag", "places": "--place"}


def cli_name(option: str) -> str:
    """How the command line spells a library option (newsarc.search_request): --limit, --tag, QUERY."""
    return CLI_NAMES.get(option, "--" + option)


def checked(build: Callable[..., T], options: dict[str, Any], **settings: Any) -> T:
    """The library's request from the command's options as data; a value it refuses is a usage error in the
    library's words, under the option's command-line name (`--since must be a date: ...`)."""
    from newsarc.api import OptionError

    try:
        return build(options, **settings)
    except OptionError as exc:  # click's own usage errors end "(see `newsarc search --help`)": so does this
        raise click.UsageError(f"{cli_name(exc.option)} {exc.problem}", click.get_current_context(silent=True)) \
            from None


def date_option(name: str, help_text: str) -> Callable[..., Any]:
    """--since/--until: checked as the option is read, by the library's one rule and message (also for export,
    which builds no search request)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from newsarc.api import OptionError
        from newsarc.search_request import check_date

        try:
            return check_date(param.name or name, value)
        except OptionError as exc:
            raise click.UsageError(f"{cli_name(exc.option)} {exc.problem}", ctx) from None

    return click.option(name, metavar="DATE", callback=check, help=help_text)


def _publication_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """add --date: checked once as the option is read, by the rule every article's date follows, so a bad one
    is refused before any input is read -- not once per input, and not ignored when every input is already in."""
    from newsarc.article import normalise_date
    from newsarc.errors import BadInputError

    if value is None or not value.strip():
        return None
    try:
        normalise_date(value, field_name="--date")
    except BadInputError as exc:
        why = str(exc).removeprefix("field '--date': ")
        raise click.UsageError(f"--date must be a date: {why}", ctx) from None
    return value


@click.group(cls=NewsarcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="newsarc")
# No envvar= here: newsarc.storage.archive reads $NEWSARC_ARCHIVE itself, so messages can say where a path came from.
@click.option("--archive", "-a", metavar="DIR",
              help="Archive directory (default: $NEWSARC_ARCHIVE, else the nearest archive up from here, "
                   "else ~/.local/share/newsarc).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour and rich layout: auto uses them on a terminal only.")
@click.pass_context
def cli(ctx: click.Context, archive: str | None, color: str) -> None:
    """newsarc: keep news articles in a plain-YAML archive and find them again in milliseconds.

    \b
    Example:
      newsarc init ~/news && newsarc --archive ~/news add saved-articles/
      newsarc search '"Abu Kamal" OR Bukamal' --since 2017-05
    """
    if archive is not None and not archive.strip():
        raise click.BadParameter("the archive directory is empty; name one, or leave --archive out",
                                 param_hint="'--archive'")
    env = Env(archive, color)
    ctx.obj = env
    ctx.call_on_close(env.close)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_obj
def init(env: Env, directory: str | None) -> None:
    """Create an archive in DIRECTORY (default: --archive's, else the current directory).

    \b
    Example:
      newsarc init ~/news
    """
    from pathlib import Path

    from newsarc import api

    if directory is not None and not directory.strip():
        raise UsageError("the directory name is empty; name the directory for the archive, or leave it out to "
                         "make the current directory one")
    if directory is None:
        directory = env.archive  # `newsarc --archive DIR init` makes DIR the archive, not the current directory
    root = api.init_archive(Path(directory or "."))
    click.echo(f"archive ready at {root}")


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH|URL|-]...")
@click.option("--title", help="Title (overrides the one read from the text).")
@click.option("--date", callback=_publication_date, help="Publication date, e.g. 2017-05-18 or '18 May 2017'.")
@click.option("--source", help="Publisher, e.g. Rudaw.")
@click.option("--url", help="Where the article was published.")
@click.option("--author", "authors", multiple=True, help="An author (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag to add (repeatable).")
@click.option("--date-order", type=click.Choice(["DMY", "MDY", "YMD"], case_sensitive=False),
              help="How to read ambiguous dates like 05-06-2017 (default: the archive's setting, DMY).")
@click.option("--map", "field_map", multiple=True, metavar="FIELD=COLUMN",
              help="JSON/CSV: take FIELD from COLUMN, e.g. --map body=story_text (repeatable).")
@click.option("--dedupe", type=click.Choice(["link", "skip", "keep"]), default="link", show_default=True,
              help="Near-duplicates of articles already in: add with duplicate_of, skip, or keep unlinked.")
@click.option("--keep-original", is_flag=True,
              help="Store the raw page/mail/text gzip'd beside the YAML, for `newsarc reextract`.")
@click.option("--failures", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write every failure as a JSON line (path, reason) to FILE.")
@click.option("--allow-private", is_flag=True,
              help="Let URLs reach private and local addresses (refused by default).")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the summary line (failures are counted in it; --failures FILE lists them).")
@click.pass_obj
def add(env: Env, paths: tuple[str, ...], title: str | None, date: str | None, source: str | None,
        url: str | None, authors: tuple[str, ...], tags: tuple[str, ...], date_order: str | None,
        field_map: tuple[str, ...], dedupe: str, keep_original: bool, failures: str | None, allow_private: bool,
        quiet: bool) -> None:
    """Add articles from files, directories (recursively), URLs or stdin (-).

    Reads plain text, web pages (.html or a URL), RSS/Atom feeds, JSON, JSON Lines, CSV/TSV, Markdown with
    front matter, .eml mail and .mbox mailboxes; the kind is judged from the content. Plain text: the first
    line is the title; a header may give the date, the source and a "Tags:" line. Adding an article that is
    already there reports its id and changes nothing; re-running over the same files skips them quickly.

    \b
    Example:
      newsarc add article.txt --tag Syria
      newsarc add https://www.example.com/news/story.html --keep-original
      newsarc add export.csv --map body=story_text --failures failed.jsonl
      pbpaste | newsarc add - --source Rudaw --url https://www.rudaw.net/...
    """
    from newsarc import api
    from newsarc.cli.add_report import FailureLog, describe_outcome, summary_line
    from newsarc.cli.progress import SourceTally, ingest_progress, say

    if not paths:
        raise UsageError("name files, directories or URLs to add, or - to read stdin (see newsarc add --help)")
    settings = api.IngestSettings.from_options(field_map=field_map, dedupe=dedupe, keep_original=keep_original,
                                               allow_private=allow_private)
    store = env.store(create=True)
    failed: list[api.AddOutcome] = []
    read_stdin = sys.stdin.buffer.read
    if "-" in paths and sys.stdin.isatty():
        # A paste at the terminal is read before the archive lock is taken, so other writers (a cron feed
        # update) do not wait on the user's typing; piped input streams as usual.
        pasted = sys.stdin.buffer.read()
        read_stdin = lambda: pasted  # noqa: E731
    # The inputs are walked twice, to size the bar and then to add them, and never held in a list (issue 14).
    tally = SourceTally.of(api.iter_sources(paths, stdin=read_stdin, skipped=failed, allow_private=allow_private))
    sources = api.iter_sources(paths, stdin=read_stdin, allow_private=allow_private)
    overrides = api.Overrides(title, date, source, url, authors, tags)
    report = api.AddReport(keep_outcomes=False)
    shown = 0

    with FailureLog(failures) as log, ingest_progress(tally, store=store) as progress:
        def show(outcome: api.AddOutcome) -> None:
            nonlocal shown
            if outcome.status == "skipped":
                return  # counted by kind in the summary
            progress.article(outcome)
            if outcome.status == "failed":
                log.write(outcome)
                if not quiet:  # counted in the summary; --failures FILE lists them
                    say(f"newsarc: failed: {one_line(outcome.message)}", err=True)
            elif not quiet and shown < 20 and tally.count <= 20 and (
                    outcome.status != "duplicate" or tally.count == 1 and outcome.origin == tally.first_origin):
                shown += 1
                say(describe_outcome(outcome))

        for outcome in failed:
            report.add(outcome)
            show(outcome)
        interrupted = _interrupted(lambda: api.add_sources(
            store, sources, overrides=overrides, date_order=date_order, report=report, on_outcome=show,
            settings=settings, on_bytes=progress.consumed))
        if not interrupted:
            progress.finish()
    if interrupted:
        _exit_interrupted(report, "add")
    added, dups, bad = report.count("added"), report.count("duplicate"), report.count("failed")
    total = added + dups + bad + report.count("near-duplicate")
    single = total == 1 and tally.count + len(failed) == 1
    if not single or quiet:
        click.echo(summary_line(report, date_order), err=quiet)
    elif report.ambiguous_dates:
        click.echo(f"newsarc: note: the date was ambiguous and read as {date_order or 'DMY'} (see --date-order)",
                   err=True)
    if bad:
        sys.exit(int(ExitCode.BAD_INPUT if single else ExitCode.PARTIAL))
    if not total and report.count("skipped"):
        sys.exit(int(ExitCode.BAD_INPUT))  # nothing in the inputs was an article file


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default="10", show_default=True, metavar="N",
              help=f"Results per page (1-{CLI_LIMITS.max_limit}).")
@click.option("--page", default="1", show_default=True, metavar="N", help="Page of results.")
@click.option("--sort", default=SORTS[0], show_default=True, metavar="|".join(SORTS),
              help="Order of the hits: best match first, or newest first (undated last).")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag (repeatable; all must match).")
@click.option("--place", "places", multiple=True, metavar="PLACE",
              help="Only articles naming this place in any spelling: a name the gazetteer lists or a place id "
                   "from --facets --json (repeatable).")
@click.option("--source", help="Only articles from this source.")
@date_option("--since", "Only articles dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@date_option("--until", "Only articles dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--ids", "ids_only", is_flag=True, help="Print only the ids, one per line.")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option("--exact", is_flag=True, help="No alias or variant expansion: only the spellings typed.")
@click.option("--explain", is_flag=True, help="Print the parsed query and the expansions applied.")
@click.option("--keys", "keys_only", is_flag=True,
              help="Print, instead of hits, the query's names as an Elasticsearch/OpenSearch query of the name keys "
                   "and places that `export --format es-bulk` writes (docs/scaling.md).")
@click.option("--collapse", is_flag=True, help="Fold near-duplicates (duplicate_of) into one hit, '+N copies'.")
@click.option("--facets", is_flag=True,
              help="Counts by tag, place, source, location, language and month beside the hits (with --json the "
                   "output becomes {\"total\", \"hits\", \"facets\"}; with --jsonl a last {\"facets\"} line).")
@output_options()
@click.pass_obj
def search(env: Env, query: tuple[str, ...], ids_only: bool, count_only: bool, explain: bool, keys_only: bool,
           machine: str | None, **options: Any) -> None:
    """Search titles, bodies and tags; best matches first, matches highlighted.

    Words are ANDed; use "quoted phrases" ("a b"~3 within 3 words), OR, NOT, parentheses, field:value (title,
    body, tag, source, author, location, language, url), tag:"Abu Kamal", wildcards (Bukam*), fuzzy words
    (Bukamal~, Bukamal~2) and dates (date:2017-05, date:[2017-05-01 TO 2017-05-20], date:>2017-05).
    Capitalised words also find other spellings of the name (Qamishli finds Kamishli) and alias groups
    (`newsarc alias`) are searched together; --exact turns both off. Exit status 1 when nothing matched.

    \b
    Example:
      newsarc search "Abu Kamal"
      newsarc search 'tag:Syria "military cooperation"' --since 2017 --json
      newsarc search Raqqa --facets --explain
    """
    from newsarc import api
    from newsarc.cli.output import refuse_with
    from newsarc.search_request import build_request

    facets = options["facets"]
    if keys_only:
        refuse_with_keys(machine, options, ids=ids_only, count=count_only, explain=explain, facets=facets)
    if facets and machine == "csv":
        raise UsageError("--facets does not fit CSV; use --json or --jsonl")
    refuse_with(machine, ids=ids_only, count=count_only)
    brief = ids_only or count_only  # no snippets or facets to compute
    request = checked(build_request, {**options, "query": " ".join(query), "snippets": not brief,
                                      "facets": facets and not brief})
    if keys_only:
        return print_name_keys(env, request)
    page, limit = request.page, request.limit
    result = api.search(env.store(), request)
    if explain:
        from newsarc.cli.render import explain_lines

        to_stderr = bool(machine or ids_only or count_only)
        for line in explain_lines(result):
            click.echo(line, err=to_stderr)
    if count_only:
        click.echo(str(result.total))
    elif ids_only:
        for hit in result.hits:
            click.echo(hit.id)
    elif machine:
        from newsarc.cli.render import write_search_records

        write_search_records(result, machine, sys.stdout, with_facets=facets)
    elif result.hits:
        from newsarc.cli.render import print_search

        print_search(result, env.output(), page=page, limit=limit)
    elif result.total:
        from newsarc.cli.render import plural

        there = "there is" if result.total == 1 else "there are"
        click.echo(f"no hits on page {page}; {there} {plural(result.total, 'match', 'matches')}", err=True)
    else:
        click.echo("no matches", err=True)
    for suggestion in result.suggestions:  # also beside hits: a typo's hits may come from a stem collision
        click.echo(f"newsarc: {suggestion.line}", err=True)
    if result.total == 0:
        sys.exit(int(ExitCode.NO_MATCH))


def refuse_with_keys(machine: str | None, options: dict[str, Any], **outputs: bool) -> None:
    """search --keys prints one thing, the query's name keys: no other output, and no filter it would leave out."""
    clash = next((name for name, on in outputs.items() if on), machine)
    if clash:
        raise UsageError(f"--keys and --{clash} ask for two different outputs; give one")
    filters = {"tags": "--tag", "places": "--place", "source": "--source", "since": "--since", "until": "--until"}
    given = [option for name, option in filters.items() if options.get(name)]
    if given:
        raise UsageError(f"--keys gives the query's names only, not {given[0]}: filter in the cluster, with a "
                         "bool query's `filter` beside the printed query (docs/scaling.md)")


def print_name_keys(env: Env, request: SearchRequest) -> None:
    """search --keys: the cluster query of the request's names as JSON; exit status 1 when it names nothing."""
    import json

    from newsarc import api
    from newsarc.exchange.es_names import cluster_query

    keys = api.name_keys(env.store(), request)
    click.echo(json.dumps(cluster_query(keys), ensure_ascii=False, indent=2))
    if not keys.words and not keys.places:
        click.echo("newsarc: the query names no one-word name or gazetteer place this archive holds; search its "
                   "words in the cluster's title and body (a name of several words as a phrase)", err=True)
        sys.exit(int(ExitCode.NO_MATCH))


@cli.command()
@click.argument("article_id", metavar="ID")
@click.option("--format", "-f", "fmt", type=click.Choice(["yaml", "json", "text", "markdown"]),
              help="Print the article raw for scripts instead of formatted for reading.")
@click.option("--versions", is_flag=True, help="List the versions of this page (same URL, changed text).")
@click.option("--diff", is_flag=True, help="Show what changed from the previous version.")
@click.pass_obj
def show(env: Env, article_id: str, fmt: str | None, versions: bool = False, diff: bool = False) -> None:
    """Show one article: a metadata header and the body. ID may be any unique prefix of 4+ characters.

    \b
    Example:
      newsarc show 3kq8
      newsarc show 3kq8v0m2xa --format json | jq .tags
    """
    from newsarc import api

    if versions or diff:
        from newsarc.cli.ingest import show_versions

        return show_versions(env, article_id, diff=diff)
    article = api.get_article(env.store(), article_id)
    if fmt:
        from newsarc.cli.render import article_as

        click.echo(article_as(article, fmt), nl=False)
    else:
        from newsarc.cli.render import print_article

        print_article(article, env.output())


@cli.command(name="list")
@click.option("--limit", "-n", default="20", show_default=True, metavar="N", help="How many (0 for all).")
@click.option("--sort", default="date", show_default=True, metavar="|".join(LISTING_SORTS),
              help="Newest publication date first (undated last), or most recently added first.")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag (repeatable).")
@click.option("--source", help="Only articles from this source.")
@date_option("--since", "Only articles dated on or after DATE.")
@date_option("--until", "Only articles dated on or before DATE.")
@click.option("--ids", "ids_only", is_flag=True, help="Print only the ids, one per line.")
@output_options()
@click.pass_obj
def list_(env: Env, ids_only: bool, machine: str | None, **options: Any) -> None:
    """List articles: newest first (undated last), or last added first.

    \b
    Example:
      newsarc list --tag Syria --since 2017-05 --limit 5
      newsarc list --ids --limit 0 | xargs -n1 newsarc show --format json
    """
    from newsarc import api
    from newsarc.cli.output import refuse_with
    from newsarc.search_request import build_listing

    refuse_with(machine, ids=ids_only)
    request = checked(build_listing, options, sort="date")
    entries = api.listing(env.store(), request)
    if ids_only:
        for entry in entries:
            click.echo(entry.id)
    elif machine:
        from newsarc.cli.output import write_records
        from newsarc.cli.render import LIST_FIELDS, entry_record

        write_records((entry_record(e) for e in entries), machine, sys.stdout, LIST_FIELDS)
    else:
        from newsarc.cli.render import print_entries

        print_entries(entries, env.output())
    if not entries:
        if not machine:  # an empty listing says so on stderr, as feed/watch/alias list do
            filtered = request.tags or request.source or request.since or request.until
            click.echo("no articles match" if filtered else "no articles yet; add some with `newsarc add PATH`",
                       err=True)
        sys.exit(int(ExitCode.NO_MATCH))


# Only --help: a removal such as -Shah would otherwise be read as the short options -S -h -a -h, and -h is help.
@cli.command(context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
@click.argument("article_id", metavar="ID")
@click.argument("changes", nargs=-1, required=True, metavar="+TAG|-TAG...", type=click.UNPROCESSED)
@click.pass_obj
def tag(env: Env, article_id: str, changes: tuple[str, ...]) -> None:
    """Add (+TAG) and remove (-TAG) tags of one article. Quote tags with spaces.

    \b
    Example:
      newsarc tag 3kq8 +"Deir ez-Zor" -ISIS
    """
    from newsarc import api

    add_tags, remove_tags = [], []
    for change in changes:
        if change.startswith("+") and change[1:].strip():
            add_tags.append(change[1:].strip())
        elif change.startswith("-") and change[1:].strip():
            remove_tags.append(change[1:].strip())
        else:
            raise UsageError(f"{change!r}: write +TAG to add a tag or -TAG to remove one")
    article = api.retag(env.store(), article_id, add_tags, remove_tags)
    click.echo(f"{article.id}  tags: {', '.join(article.tags) or '(none)'}")


@cli.command()
@click.argument("article_id", metavar="ID")
@click.pass_obj
def rm(env: Env, article_id: str) -> None:
    """Remove one article (its YAML file and its index entry).

    \b
    Example:
      newsarc rm 3kq8v0m2xa
    """
    from newsarc import api

    removed = api.remove_article(env.store(), article_id)
    click.echo(f"removed {removed.article.id}  {removed.article.title}")
    for change in removed.relinked:
        click.echo(f"relinked {change.line()}")


@cli.command()
@output_options("json", texts={"json": "Print the counts as one JSON object."})
@click.pass_obj
def stats(env: Env, machine: str | None) -> None:
    """Counts, date span, top sources and tags.

    \b
    Example:
      newsarc stats
    """
    from newsarc import api

    result = api.stats(env.store())
    if machine:
        from newsarc.cli.output import write_document

        write_document(result, sys.stdout)
    else:
        from newsarc.cli.render import print_stats

        print_stats(result, env.output())


@cli.command()
@click.pass_obj
def reindex(env: Env) -> None:
    """Rebuild the index from the YAML files (it is kept up to date by itself; this is for repair).

    The new index is built beside the one in use, which searches keep using until the switch at the end; an
    interrupted rebuild leaves it in place.

    \b
    Example:
      newsarc reindex
    """
    import time

    from newsarc import api

    started = time.perf_counter()
    try:
        count = api.reindex(env.store())
    except KeyboardInterrupt:
        click.echo("newsarc: interrupted: the index was not rebuilt; the one from before is kept and searched",
                   err=True)
        sys.exit(130)
    from newsarc.cli.render import plural

    click.echo(f"indexed {plural(count, 'article')} in {time.perf_counter() - started:.1f} s")


@cli.command()
@click.option("--format", "-f", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True,
              help="Output format; all but markdown can be read back with `newsarc import`.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write (default: stdout). A file is replaced atomically (temporary file, then "
                   "renamed); a symlink is written through, a FIFO or device (/dev/stdout) written into.")
@click.option("--query", "-q", help="Only articles matching this search query.")
@click.option("--tag", "tags", multiple=True, help="Only articles with this tag (repeatable).")
@date_option("--since", "Only articles dated on or after DATE.")
@date_option("--until", "Only articles dated on or before DATE.")
@click.option("--no-csv-safe", is_flag=True,
              help="CSV: keep cells starting with = + - @ as they are (by default they get a leading ' so a "
                   "spreadsheet does not run them as formulas).")
@click.option("--index-name", default="newsarc", show_default=True, help="es-bulk: the target index name.")
@click.option("--mapping", type=click.Path(dir_okay=False),
              help="es-bulk: also write the index mapping JSON here (with the alias groups as synonyms).")
@click.pass_obj
def export(env: Env, fmt: str, output: str, query: str | None, tags: tuple[str, ...], since: str | None,
           until: str | None, no_csv_safe: bool, index_name: str, mapping: str | None) -> None:
    """Export the archive, or a selection of it, streaming (memory does not grow with the archive).

    \b
    Formats: jsonl (default), json, csv, yaml and es-bulk round-trip through `newsarc import` (es-bulk
    loads into Elasticsearch/OpenSearch with the _bulk API); markdown is for reading.
    Example:
      newsarc export -o archive.jsonl
      newsarc export --tag Syria --since 2017 --format csv -o syria.csv
    """
    from newsarc import api
    from newsarc.dateranges import since_day, until_day
    from newsarc.exchange.export import check_target, es_mapping, write_export, write_export_file

    targets = {"-o": check_target(output, "-o") if output != "-" else None,
               "--mapping": check_target(mapping, "--mapping") if mapping else None}
    from newsarc.cli.progress import work_bar

    store = env.store()
    # Counted first, so that the bar knows its total, then streamed: no list of the archive in memory.
    total, paths = api.select_paths(store, query=query, tags=tags, since=since_day(since) if since else None,
                                    until=until_day(until) if until else None)
    kwargs: dict[str, Any] = {"safe_csv": not no_csv_safe, "index_name": index_name,
                              "name_keys": lambda article: api.name_keys_of(store, article)}
    on_screen = targets["-o"] is None and sys.stdout.isatty()  # no bar through the articles being printed
    with work_bar(0 if on_screen else total, "exporting") as advance:
        def records() -> Iterator[dict[str, Any]]:
            for article in api.iter_articles(store, paths):
                advance(1)
                yield article.to_dict()

        if targets["-o"] is None:
            count = write_export(records(), fmt, sys.stdout, **kwargs)
        else:
            count = write_export_file(targets["-o"], lambda stream: write_export(records(), fmt, stream, **kwargs))
    if targets["--mapping"] is not None:
        import json

        write_export_file(targets["--mapping"],
                          lambda stream: stream.write(json.dumps(es_mapping(index_name, api.alias_groups(store)),
                                                                 indent=2, ensure_ascii=False) + "\n"),
                          "--mapping")
    from newsarc.cli.render import plural

    click.echo(f"exported {plural(count, 'article')}", err=True)


@cli.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@click.option("--format", "-f", "fmt", type=click.Choice(IMPORT_FORMATS),
              help="Input format (default: from the file's extension or content).")
@click.option("--update", is_flag=True,
              help="Apply the fields of articles whose id is in the archive but whose fields differ (an edited "
                   "export); the old fields are kept as an earlier version (newsarc show ID --versions).")
@click.option("--failures", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write every record that failed as a JSON line (path, reason) to FILE.")
@click.pass_obj
def import_(env: Env, file: str, fmt: str | None, update: bool, failures: str | None) -> None:
    """Import articles from a newsarc export (jsonl, json, csv, yaml, es-bulk), keeping their ids.

    An article whose id is in the archive with other fields is reported as differing and left alone unless
    --update is given. A record that cannot be read or used is reported with its line and why, counted as
    failed, and the others are imported (exit status 8, as for add).

    \b
    Example:
      newsarc --archive ~/copy import archive.jsonl
      newsarc import edited.jsonl --update
    """
    from pathlib import Path

    from newsarc import api
    from newsarc.api import BadRecord
    from newsarc.cli.add_report import FailureLog
    from newsarc.cli.progress import ingest_progress, say
    from newsarc.errors import BadInputError
    from newsarc.exchange.importer import count_records, read_records

    store = env.store(create=True)
    records = ((f"{file} {where}", BadInputError(record.reason) if isinstance(record, BadRecord) else record)
               for where, record in read_records(Path(file), fmt))
    differing_fields: set[str] = set()  # the outcomes are not kept: an import's memory must not grow with it
    with FailureLog(failures) as log, ingest_progress(store=store, total_items=count_records(Path(file), fmt),
                                                      label="importing") as progress:
        def show(outcome: AddOutcome) -> None:
            progress.article(outcome)
            if outcome.status == "differing":
                differing_fields.update(outcome.reason.split(", "))
            if outcome.status == "failed":
                log.write(outcome)
                say(f"newsarc: failed: {one_line(outcome.message)}", err=True)
            elif outcome.status == "updated":
                say(f"updated {outcome.id}  ({outcome.reason})  {outcome.title}")

        report = api.AddReport(keep_outcomes=False)
        interrupted = _interrupted(lambda: api.add_articles(store, records, on_outcome=show, update=update,
                                                            report=report))
        if not interrupted:
            progress.finish()
    if interrupted:
        _exit_interrupted(report, "import")
    added, bad = report.count("added"), report.count("failed")
    differing, updated = report.count("differing"), report.count("updated")
    summary = f"{added} imported, {report.count('duplicate')} already in the archive"
    if differing:
        summary += (f", {differing} differing from the archive ({', '.join(sorted(differing_fields))}; "
                    "`newsarc import --update` applies them)")
    if updated:
        summary += f", {updated} updated"
    click.echo(f"{summary}, {bad} failed")
    if bad:
        sys.exit(int(ExitCode.PARTIAL))


def _interrupted(run: Callable[[], object]) -> bool:
    """Run an add or import inside its progress bar; True if Ctrl-C stopped it (the bar closes before the line
    that says what was kept is printed, by _exit_interrupted)."""
    try:
        run()
    except KeyboardInterrupt:
        return True
    return False


def _exit_interrupted(report: AddReport, command: str) -> NoReturn:
    click.echo(f"newsarc: {report.interrupted_line(command)}", err=True)
    sys.exit(130)


def main() -> None:
    cli(prog_name="newsarc")
