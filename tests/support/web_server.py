"""For the web tests and the benchmark: a small archive with facets, near-duplicates and hostile articles, and
`newsarc serve` run as a real process on a free loopback port."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.events import HANG_GUARD, sigint_as_at_a_terminal

HOSTILE_TITLE = '<script>alert("title")</script> Hostile headline'
HOSTILE_TAG = '"><img src=x onerror=alert("tag")>'
HOSTILE_URL = 'javascript:alert("url")'
HOSTILE_SOURCE = "<b onmouseover=alert('source')>Evil Wire</b>"
HOSTILE_BODY = ("The hostile body opens with <script>alert('body')</script> and then an image "
                "<img src=x onerror=alert('img')> and a link <a href=\"javascript:alert('a')\">click</a>. "
                + " ".join(f"filler{i}" for i in range(40)))

_WORDS = ("offensive", "coalition", "airstrike", "militia", "displaced", "checkpoint", "convoy", "ceasefire",
          "council", "frontline", "shelling", "reconstruction", "governor", "refugees", "negotiations", "tribal",
          "province", "bridge", "market", "hospital", "water", "electricity", "school", "curfew", "witnesses")
SOURCES = ("Rudaw", "Reuters", "AFP")
DAM_URL = "https://rudaw.example.com/mosul-dam"
DAM_UPDATE = ("Update: the ministry said on Tuesday that the first phase of the grouting would take eight "
              "months and that a second contractor had been hired to replace the worn gates of the spillway.")
LOCATIONS = ("Raqqa", "Deir ez-Zor", "Tabqa")


def web_articles() -> list[dict]:
    """23 Raqqa articles (3 sources, 3 locations, 6 months), a near-duplicate pair and one hostile article."""
    rng = random.Random(13)
    items = []
    for i in range(23):
        words = " ".join(rng.choice(_WORDS) + ("" if rng.random() < 0.7 else f" w{i}x{j}") for j in range(60))
        tags = ["Syria", "Raqqa"] + (["SDF"] if i % 3 == 0 else [])
        items.append({
            "title": f"Raqqa report {i + 1}: {rng.choice(_WORDS)} and {rng.choice(_WORDS)}",
            "date": f"2017-{3 + i % 6:02d}-{1 + i:02d}", "source": SOURCES[i % 3],
            "url": f"https://news.example.com/raqqa/{i + 1}", "tags": tags, "location": LOCATIONS[i % 3],
            "body": f"Raqqa, story {i + 1}. The {words}.",
        })
    dam = ("Engineers began repairs on the Mosul dam on Monday after months of warnings that the structure "
           "could fail, officials said, as crews poured grout into the foundations and the government promised "
           "that residents living downstream along the Tigris would be warned well before any danger arose.")
    items.append({"title": "Mosul dam repairs begin", "date": "2017-06-10", "source": "Rudaw",
                  "url": DAM_URL, "tags": ["Iraq", "Mosul"], "body": dam})
    items.append({"title": "Repairs begin at Mosul dam", "date": "2017-06-10", "source": "Kurdistan24",
                  "url": "https://k24.example.com/mosul-dam", "tags": ["Iraq"], "body": dam})
    items.append({"title": HOSTILE_TITLE, "date": "2017-07-04", "source": HOSTILE_SOURCE, "url": HOSTILE_URL,
                  "tags": [HOSTILE_TAG, "hostile"], "body": HOSTILE_BODY})
    return items


def make_web_archive(root: Path) -> Path:
    """An archive at root holding web_articles(), added through the CLI as a user would."""
    root.parent.mkdir(parents=True, exist_ok=True)
    source = root.parent / "web-articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in web_articles()), encoding="utf-8")
    newsarc(["init", str(root)])
    newsarc(["--archive", str(root), "add", str(source), "--quiet"])
    # the Rudaw page again, its text since updated: a second version of the same URL
    update = root.parent / "web-update.jsonl"
    first = next(a for a in web_articles() if a["url"] == DAM_URL)
    updated = {**first, "body": first["body"] + " " + DAM_UPDATE}
    update.write_text(json.dumps(updated, ensure_ascii=False) + "\n", encoding="utf-8")
    newsarc(["--archive", str(root), "add", str(update), "--quiet"])
    return root


def newsarc_path() -> str:
    found = shutil.which("newsarc", path=str(Path(sys.executable).parent)) or shutil.which("newsarc")
    assert found, "the newsarc console script is not installed in this environment"
    return found


def newsarc(args: list[str], **kwargs: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([newsarc_path(), *args], capture_output=True, text=True, env=env, timeout=120,
                          check=kwargs.pop("check", True), **kwargs)  # type: ignore[call-overload]


@dataclass
class Server:
    """A `newsarc serve` process; url ends in '/'."""

    process: subprocess.Popen
    url: str
    banner: str
    token: str | None = None
    stderr: list[str] = field(default_factory=list)

    def get(self, path: str, *, headers: dict[str, str] | None = None, data: bytes | None = None,
            method: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of one request, never following redirects."""
        request = urllib.request.Request(self.url.rstrip("/") + path, data=data, headers=headers or {},
                                         method=method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=HANG_GUARD) as response:  # only a hang reaches it
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()

    def json(self, path: str) -> object:
        status, _, body = self.get(path)
        assert status == 200, (status, body[:300])
        return json.loads(body)

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=HANG_GUARD)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def start_server(archive: Path, *args: str, timeout: float = HANG_GUARD) -> Server:
    """Run `newsarc --archive ARCHIVE serve --port 0 ARGS...` and wait until it answers."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([newsarc_path(), "--archive", str(archive), "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                               preexec_fn=sigint_as_at_a_terminal)  # stop() is a Ctrl-C
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"(http://\S+?/)(\?token=(\S+))?(\s|$)", banner)
    if not match:
        process.kill()
        raise AssertionError(f"no address printed: {banner!r} {process.stderr.read() if process.stderr else ''}")
    server = Server(process, match.group(1), banner, match.group(3))
    deadline = time.monotonic() + timeout
    while True:
        try:
            headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
            status, _, _ = server.get("/static/style.css", headers=headers)
            if status == 200:
                return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"the server's first answer did not happen within {timeout:.0f} s: "
                                 f"{process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)


ARABIC_TITLE = "الرقة: عودة السكان إلى المدينة"
ARABIC_BODY = "عاد آلاف السكان إلى مدينة الرقة هذا الأسبوع. وقال مسؤولون إن المياه عادت إلى بعض الأحياء."
LONG_TAG = "Longtag" + "x" * 183  # 190 characters, no space to break at
LONG_TITLE = "Supercalifragilistic" * 50  # 1,000 characters, no space to break at
UNDATED_TITLE = "A wire story with no date"
FORMULA_TITLE = '=HYPERLINK("https://evil.example/","click me")'


def add_edge_articles(root: Path) -> dict[str, str]:
    """Articles that stretch a page: Arabic (right to left), a 190-character tag, a 1,000-character title, a
    Raqqa story dated 2020 (two years after the others), and a second article whose id shares its first four
    characters with another (an ambiguous prefix). Returns their ids by name."""
    items = [
        {"title": ARABIC_TITLE, "date": "2017-06-01", "source": "الجزيرة", "language": "ar", "tags": ["سوريا"],
         "body": ARABIC_BODY},
        {"title": LONG_TITLE, "date": "2017-05-02", "source": "Layout Wire", "tags": [LONG_TAG, "layout"],
         "body": "A layout probe with a very long title and a very long tag."},
        {"title": "Raqqa after the war", "date": "2020-01-15", "source": "Rudaw", "tags": ["Syria"],
         "body": "Raqqa, three years on: the markets are open again."},
        {"title": UNDATED_TITLE, "source": "Wire", "tags": ["undated"],
         "body": "A wire story that gives no date, like most of the BBC corpus."},
        {"title": FORMULA_TITLE, "date": "2017-05-03", "source": "+Formula Wire", "tags": ["formula"],
         "body": "A spreadsheet probe: its title and source would run as formulas."},
    ]
    source = root.parent / "edge-articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in items), encoding="utf-8")
    newsarc(["--archive", str(root), "add", str(source), "--quiet"])
    ids = {}
    for name, query in (("arabic", "source:الجزيرة"), ("long", "tag:layout"), ("late", '"three years on"')):
        ids[name] = newsarc(["--archive", str(root), "search", query, "--ids"]).stdout.split()[0]
    # a hand-written copy under an id with the same first four characters: `show PREFIX` is then ambiguous
    original = next(root.glob(f"articles/**/{ids['late']}.yaml"))
    twin = ids["late"][:4] + "zzzzzz" if ids["late"][4:] != "zzzzzz" else ids["late"][:4] + "yyyyyy"
    text = original.read_text(encoding="utf-8").replace(f"id: {ids['late']}", f"id: {twin}")
    text = text.replace("title: Raqqa after the war", "title: Raqqa after the war, a twin")
    (original.parent / f"{twin}.yaml").write_text(text, encoding="utf-8")
    ids["twin"] = twin
    newsarc(["--archive", str(root), "reindex"])  # the hand-written file indexed now, not by whoever reads first
    return ids


# One town in three spellings and two scripts (issue 22.7): its facet is one entry, its label the three spellings.
ABU_KAMAL = ("Abu Kamal", "al-Bukamal", "البوكمال")
ABU_KAMAL_ID = "174448"  # the shipped gazetteer's place (GeoNames' id): Ālbū Kamāl, a city in Syria


def place_articles() -> list[dict]:
    """Three articles on Abu Kamal, each writing it one way (Abu Kamal, al-Bukamal, البوكمال), and two that do
    not name it (Raqqa; a Mosul story)."""
    return [
        {"title": "Fighting near Abu Kamal on the border", "date": "2017-10-20", "source": "Rudaw",
         "tags": ["Syria"], "body": "Government forces advanced on Abu Kamal, the last town held by the group on "
                                    "the Euphrates, officials said on Friday. Abu Kamal's hospital was hit."},
        {"title": "Crossing at al-Bukamal to reopen", "date": "2017-11-02", "source": "Reuters", "tags": ["Syria"],
         "body": "The crossing at al-Bukamal will reopen next month, the ministry said, after the town changed "
                 "hands."},
        {"title": "معارك في البوكمال", "date": "2017-11-05", "source": "Enab Baladi", "language": "ar",
         "tags": ["Syria"], "body": "تقدمت القوات نحو مدينة البوكمال على نهر الفرات يوم الجمعة بحسب مصادر محلية."},
        {"title": "Raqqa after the battle", "date": "2017-10-25", "source": "AFP", "tags": ["Syria"],
         "body": "Residents returned to Raqqa this week, and the market opened again."},
        {"title": "Mosul rebuilds its bridges", "date": "2017-09-12", "source": "AFP", "tags": ["Iraq"],
         "body": "Engineers in Mosul reopened the second of the city's five bridges on Tuesday."},
    ]


def make_place_archive(root: Path) -> Path:
    """An archive at root holding place_articles(), added through the CLI."""
    root.parent.mkdir(parents=True, exist_ok=True)
    source = root.parent / "place-articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in place_articles()), encoding="utf-8")
    newsarc(["init", str(root)])
    newsarc(["--archive", str(root), "add", str(source), "--quiet"])
    return root
