"""kill -9 real `newsarc` processes at random moments of add (one file and a directory), tag, rm, import,
reindex and feed update, and prove nothing is lost or half-written.

What "nothing lost" means here, checked after every kill:

1. Every articles/**/*.yaml file parses and validates (no half-written file): `newsarc check` (the API) finds
   no problem other than a leftover temporary file of the killed writer (.tmp-*.part, never read as an
   article).
2. Every article that existed before the command still exists, byte for byte -- except the article `rm` was
   asked to remove (present intact, or gone), and the article `tag` was changing (present, with either its old
   tags or its new ones, nothing else changed).
3. Every id the killed process had reported (`added <id>`, `removed <id>`, `<id> tags: ...` on stdout, which
   is unbuffered here) is in the state it reported.
4. The index agrees with the archive after the next command: a fresh `newsarc list` process exits cleanly and
   lists exactly the ids found by scanning the files, a match-all search returns the same ids, and the check
   finds the catalog and the Whoosh index in step with the files (document for document, field for field).
5. Running the interrupted command again completes it: the archive then holds exactly the ids an
   uninterrupted run produces (no article twice, none missing), and the check is clean.

An "article lost" is any breach of 2, 3 or 5. Kill delays come from a seeded RNG (NEWSARC_CRASH_SEED to
replay a run), spread over each command's measured run time, most of them after start-up, where the writing
happens. The default run does a few dozen trials; `pytest -m slow` does hundreds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsarc import api
from newsarc.check import check_archive
from newsarc.yamlio import load_yaml

pytestmark = pytest.mark.processes  # processes signalled, killed or side by side: .ci/run re-runs these under load

NEWSARC = str(Path(sys.executable).with_name("newsarc"))
SEED = int(os.environ.get("NEWSARC_CRASH_SEED", "20170518"))
TEMPLATE_ARTICLES = 120
BULK_ARTICLES = 150
IMPORT_ARTICLES = 100
FEED_ENTRIES = 60
COMMANDS = ("add-one", "add-bulk", "tag", "rm", "import", "reindex", "feed-update")
CI_TRIALS = {"add-one": 3, "add-bulk": 4, "tag": 4, "rm": 3, "import": 4, "reindex": 3, "feed-update": 3}  # 24
SLOW_TRIALS = 60  # per command: 420 in all


# -- building the material once per module ---------------------------------------------------------------------
def _story(number: int, prefix: str) -> str:
    month, day = number % 12 + 1, number % 28 + 1
    return (f"{prefix} story {number}: a headline about the border\n\nDate: 2016-{month:02d}-{day:02d}\n\n"
            f"Paragraph one of {prefix.lower()} story {number} mentions {prefix}word{number} and Syria.\n\n"
            "Paragraph two adds a few more words so the body is not trivially small.\n")


def _write_stories(directory: Path, count: int, prefix: str) -> Path:
    directory.mkdir(parents=True)
    for number in range(count):
        (directory / f"{prefix.lower()}-{number:03d}.txt").write_text(_story(number, prefix), encoding="utf-8")
    return directory


def _write_feed(path: Path) -> Path:
    """A local RSS file of FEED_ENTRIES entries (feeds may be files as well as URLs)."""
    items = "".join(
        f"<item><title>Feed story {n} about the border</title><link>https://news.example.com/story/{n}</link>"
        f"<description>Feedword{n}: feed story {n} about Syria and the border crossing.</description>"
        f"<pubDate>Thu, {n % 28 + 1:02d} May 2017 10:00:00 GMT</pubDate></item>" for n in range(FEED_ENTRIES))
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Crash feed</title>'
                    f"<link>https://news.example.com/</link><description>x</description>{items}</channel></rss>",
                    encoding="utf-8")
    return path


def newsarc(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run newsarc on the archive at root, from a directory outside the repository."""
    return subprocess.run([NEWSARC, "--archive", str(root), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=root.parent)


def init(root: Path) -> Path:
    result = subprocess.run([NEWSARC, "init", str(root)], capture_output=True, text=True, cwd=root.parent)
    assert result.returncode == 0, result.stderr
    return root


def _age_tree(root: Path, seconds: float = 30) -> None:
    """Make the files look as they do some seconds after they were written (older than the racy window)."""
    past = time.time() - seconds
    for path in sorted((root / "articles").rglob("*"), reverse=True):
        os.utime(path, (past, past))
    os.utime(root / "articles", (past, past))


def clone(template: Path, target: Path) -> Path:
    """A copy of the template archive that looks like the same archive a moment later.

    Article files are hard links (same inode, so the catalog's stamps still match, as in the real archive; newsarc
    never writes a file in place, only renames new files over old ones, and the template is verified unchanged
    at the end); directory mtimes are kept by copytree; the derived state (.newsarc) is a real copy.
    """
    shutil.copytree(template, target, copy_function=os.link, ignore=shutil.ignore_patterns(".newsarc"))
    shutil.copytree(template / ".newsarc", target / ".newsarc")
    return target


@dataclass
class Material:
    base: Path
    template: Path
    one: Path
    bulk: Path
    jsonl: Path
    target: str  # the id tag and rm work on
    template_digest: dict[str, bytes]
    durations: dict[str, float] = field(default_factory=dict)
    start_up: float = 0.0
    expected: dict[str, set[str]] = field(default_factory=dict)

    def args(self, command: str) -> list[str]:
        return {
            "add-one": ["add", str(self.one)],
            "add-bulk": ["add", str(self.bulk)],
            "tag": ["tag", self.target, "+Crash test", "-Syria"],
            "rm": ["rm", self.target],
            "import": ["import", str(self.jsonl)],
            "reindex": ["reindex"],
            "feed-update": ["feed", "update"],
        }[command]


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Material:
    base = tmp_path_factory.mktemp("crash")
    template = base / "template"
    init(template)
    source = _write_stories(base / "template-src", TEMPLATE_ARTICLES, "Template")
    added = newsarc(template, "add", str(source), "--quiet")
    assert added.returncode == 0, added.stderr
    subscribed = newsarc(template, "feed", "add", str(_write_feed(base / "feed.xml")))
    assert subscribed.returncode == 0, subscribed.stderr
    _age_tree(template)
    assert newsarc(template, "list", "-n", "1").returncode == 0  # records the (now trusted) timestamps
    one = base / "one.txt"
    one.write_text(_story(1, "Single"), encoding="utf-8")
    bulk = _write_stories(base / "bulk", BULK_ARTICLES, "Bulk")
    # The import file: articles exported from another archive, so they carry their own ids.
    other = base / "other"
    init(other)
    assert newsarc(other, "add", str(_write_stories(base / "import-src", IMPORT_ARTICLES, "Imported")),
                   "--quiet").returncode == 0
    jsonl = base / "import.jsonl"
    assert newsarc(other, "export", "-o", str(jsonl)).returncode == 0
    ids = sorted(scan(template)[0])
    material = Material(base, template, one, bulk, jsonl, ids[len(ids) // 2],
                        {p.relative_to(template).as_posix(): p.read_bytes()
                         for p in (template / "articles").rglob("*.yaml")})
    # Measure each command uninterrupted: its run time, and what it leaves (the expected ids).
    probe = clone(template, base / "probe-start-up")
    started = time.perf_counter()
    assert newsarc(probe, "stats", "--json").returncode == 0
    material.start_up = time.perf_counter() - started
    for command in COMMANDS:
        root = clone(template, base / f"probe-{command}")
        started = time.perf_counter()
        done = newsarc(root, *material.args(command))
        material.durations[command] = time.perf_counter() - started
        assert done.returncode == 0, (command, done.stderr)
        material.expected[command] = set(scan(root)[0])
    return material


# -- looking at an archive -------------------------------------------------------------------------------------
def scan(root: Path) -> tuple[dict[str, tuple[str, bytes, dict]], list[str]]:
    """Every article file: id -> (path, bytes, fields); and the files that do not parse (must stay empty)."""
    from newsarc.article import Article

    found: dict[str, tuple[str, bytes, dict]] = {}
    broken: list[str] = []
    for path in sorted((root / "articles").rglob("*.yaml")):
        raw = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        try:
            article = Article.from_dict(load_yaml(raw, origin=rel), origin=rel)
        except Exception as exc:  # noqa: BLE001 - any failure here is a half-written file
            broken.append(f"{rel}: {exc}")
            continue
        assert article.id not in found, f"{article.id} in two files: {found[article.id][0]} and {rel}"
        found[article.id] = (rel, raw, article.to_dict())
    return found, broken


def reported(stdout: str) -> dict[str, str]:
    """What the killed process told the user, by id: added, removed or tagged."""
    said: dict[str, str] = {}
    for line in stdout.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("added", "removed"):
            said[words[1]] = words[0]
        elif len(words) >= 2 and words[1] == "tags:":
            said[words[0]] = "tagged"
    return said


def leftover_problems(root: Path) -> list[str]:
    """The check's findings, other than temporary files of the killed writer."""
    store = api.open_store(root)
    try:
        return [p.line() for p in check_archive(store) if p.kind != "temp-file"]
    finally:
        store.close()


def listed_ids(root: Path) -> set[str]:
    result = newsarc(root, "list", "--json", "-n", "0")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return {entry["id"] for entry in json.loads(result.stdout)}


def searched_ids(root: Path) -> set[str]:
    from click.testing import CliRunner

    from newsarc.cli.app import cli

    # Every story of this harness mentions Syria, so this search must return every article.
    result = CliRunner().invoke(cli, ["--archive", str(root), "search", "Syria", "--ids", "--limit", "10000"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return set(result.stdout.split())


# -- one trial -------------------------------------------------------------------------------------------------
@dataclass
class Tally:
    trials: Counter = field(default_factory=Counter)
    phases: Counter = field(default_factory=Counter)
    lost: int = 0
    failures: list[str] = field(default_factory=list)


def delay_for(material: Material, command: str, rng: random.Random) -> float:
    """A quarter of the kills anywhere in the run; the rest after start-up, where the writing is."""
    total = material.durations[command] * 1.15
    start = min(material.start_up * 0.9, total * 0.8)
    return rng.uniform(0, total) if rng.random() < 0.25 else rng.uniform(start, total)


def trial(material: Material, command: str, delay: float, root: Path, tally: Tally) -> None:
    clone(material.template, root)
    before, broken = scan(root)
    assert not broken
    out_path = root.parent / f"{root.name}.out"
    with open(out_path, "w") as out, open(root.parent / f"{root.name}.err", "w") as err:
        proc = subprocess.Popen([NEWSARC, "--archive", str(root), *material.args(command)], stdout=out,
                                stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=root.parent)
        try:
            proc.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            finished = False
    said = reported(out_path.read_text())
    after, broken = scan(root)
    label = f"{command} killed at {delay:.3f}s"
    problems: list[str] = [f"half-written: {b}" for b in broken]
    lost = 0

    # 2. nothing that existed is lost or changed, but for the article the command works on
    for article_id, (rel, raw, fields) in before.items():
        if article_id not in after:
            if command == "rm" and article_id == material.target:
                continue
            lost += 1
            problems.append(f"lost {article_id} ({rel})")
        elif command == "tag" and article_id == material.target:
            new = after[article_id][2]
            old_tags, new_tags = fields["tags"], new["tags"]
            tagged = [t for t in old_tags if t != "Syria"] + ["Crash test"]
            if new_tags not in (old_tags, tagged) or {**new, "tags": None} != {**fields, "tags": None}:
                lost += 1
                problems.append(f"tag left {article_id} as {new_tags}, neither old nor new")
        elif after[article_id][1] != raw:
            lost += 1
            problems.append(f"changed {article_id} ({rel})")
    # 3. what was reported is so
    for article_id, what in said.items():
        present = article_id in after
        if (what in ("added", "tagged")) != present:
            lost += 1
            problems.append(f"reported {what} {article_id}, but it is {'present' if present else 'absent'}")
    # 4. the next command brings the index in step with the files
    ids = set(after)
    listed = listed_ids(root)
    if listed != ids:
        problems.append(f"list shows {len(listed)} ids, the files hold {len(ids)}: {sorted(listed ^ ids)[:5]}")
    searched = searched_ids(root)
    if searched != ids:
        problems.append(f"search finds {len(searched)} ids, the files hold {len(ids)}")
    problems += leftover_problems(root)
    # 5. running the command again completes it
    again = newsarc(root, *material.args(command))
    if "Traceback" in again.stderr or again.returncode not in ((0, 3) if command == "rm" else (0,)):
        problems.append(f"re-run failed ({again.returncode}): {again.stderr.strip()[-300:]}")
    final, broken = scan(root)
    missing = material.expected[command] - set(final)
    lost += len(missing) + len(broken)
    if set(final) != material.expected[command] or broken:
        problems.append(f"after the re-run: {len(missing)} missing, {len(set(final) - material.expected[command])} "
                        f"extra, {len(broken)} broken")
    problems += leftover_problems(root)

    if finished:
        phase = "finished before the kill"
    elif {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}:
        phase = "killed before changing any article"
    else:
        phase = "killed part-way"
    tally.trials[command] += 1
    tally.phases[phase] += 1
    tally.lost += lost
    if problems:
        tally.failures.append(f"{label}: " + "; ".join(problems))
    shutil.rmtree(root, ignore_errors=True)


def run_trials(material: Material, plan: dict[str, int], seed: int) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    number = 0
    for command, count in plan.items():
        for _ in range(count):
            number += 1
            trial(material, command, delay_for(material, command, rng), material.base / f"t{seed}-{number}",
                  tally)
    # The template's files were shared by hard link with every trial: none may have been written in place.
    for rel, raw in material.template_digest.items():
        assert (material.template / rel).read_bytes() == raw, f"{rel} was modified in place"
    summary = (f"crash trials: {sum(tally.trials.values())} ({dict(tally.trials)}); "
               f"{dict(tally.phases)}; articles lost: {tally.lost}; seed {seed}; "
               f"measured run times: { {k: round(v, 2) for k, v in material.durations.items()} }, "
               f"start-up {material.start_up:.2f}s")
    print(summary)
    log = os.environ.get("NEWSARC_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"test": "crash", "seed": seed, "trials": dict(tally.trials),
                                     "phases": dict(tally.phases), "lost": tally.lost,
                                     "failures": tally.failures}) + "\n")
    return tally


def test_kill_9_at_random_moments_loses_nothing(material: Material) -> None:
    tally = run_trials(material, CI_TRIALS, SEED)
    assert tally.failures == []
    assert tally.lost == 0
    assert sum(tally.trials.values()) == sum(CI_TRIALS.values())


@pytest.mark.slow
def test_kill_9_hundreds_of_times_loses_nothing(material: Material) -> None:
    tally = run_trials(material, dict.fromkeys(COMMANDS, SLOW_TRIALS), SEED + 1)
    assert tally.failures == []
    assert tally.lost == 0
    # The kills must have landed in the middle of the work, not only before or after it.
    assert tally.phases["killed part-way"] >= SLOW_TRIALS
