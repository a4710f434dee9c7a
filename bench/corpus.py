"""The synthetic archive: articles recombined from the BBC corpus, deterministic from a seed.

Each article is built by its own random generator, seeded from (seed, index), so article i is the same whatever
the size of the archive it belongs to, and the JSONL bytes depend only on the seed, the size, the corpus and this
file. Records have the fields of newsarc's Article.to_dict() without `id` (newsarc assigns it from the content),
so they load with `newsarc import`.

What makes them realistic enough for a benchmark:
- bodies of 3-7 paragraphs, each either a real BBC paragraph or 2-5 sentences drawn from other articles of the
  same topic (about the length of a BBC article, ~2.3 KB);
- titles: the real title of the article that gave the lead paragraph, a headline cut from the lead sentence, or
  a place-led headline;
- dates over 20 years (2005-2024, more in recent years, a few undated), some with a time of day;
- sources from a list of real publishers (weighted), authors for most non-agency stories, a dateline place;
- tags from a fixed vocabulary: the topic, countries the body mentions, multi-word tags (Human rights,
  Premier League, Syrian civil war, ...);
- one article in twelve carries sentences about the Syrian/Iraqi border with names in varying spellings
  (Abu Kamal / al-Bukamal / Albu Kamal, Qamishli / Kamishli, Raqqa / Raqqah, Mohammed / Muhammad, ...).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bump by hand only for changes the source hash below cannot see (e.g. a change of the corpus itself).
GENERATOR_VERSION = "1"
DEFAULT_SEED = 20170518
DATE_START = dt.date(2005, 1, 1)
DATE_END = dt.date(2024, 12, 31)
UNDATED_SHARE = 0.005
VARIANT_SHARE = 1 / 12

TOPICS = ("business", "entertainment", "politics", "sport", "tech")

TOPIC_TAGS: dict[str, tuple[str, ...]] = {
    "business": ("Business", "Economy", "Stock markets", "Interest rates", "Oil", "Trade", "Banking",
                 "Mergers and acquisitions"),
    "entertainment": ("Entertainment", "Film", "Music", "Television", "Box office", "Awards", "Celebrities"),
    "politics": ("Politics", "Elections", "Labour Party", "Conservative Party", "Foreign policy", "Immigration",
                 "Human rights"),
    "sport": ("Sport", "Football", "Rugby union", "Tennis", "Athletics", "Cricket", "Six Nations",
              "Premier League"),
    "tech": ("Technology", "Internet", "Mobile phones", "Video games", "Cyber security", "Broadband"),
}

# Country tag -> words whose presence in the body earns the tag.
COUNTRY_TAGS: dict[str, tuple[str, ...]] = {
    "United Kingdom": ("UK", "Britain", "British", "London"),
    "United States": ("US", "America", "American", "Washington"),
    "France": ("France", "French", "Paris"),
    "Germany": ("Germany", "German", "Berlin"),
    "Russia": ("Russia", "Russian", "Moscow"),
    "China": ("China", "Chinese", "Beijing"),
    "Japan": ("Japan", "Japanese", "Tokyo"),
    "India": ("India", "Indian"),
    "Ireland": ("Ireland", "Irish", "Dublin"),
    "Italy": ("Italy", "Italian", "Rome"),
    "Spain": ("Spain", "Spanish", "Madrid"),
    "Australia": ("Australia", "Australian"),
    "South Africa": ("South Africa",),
    "Iraq": ("Iraq", "Iraqi", "Baghdad"),
    "Iran": ("Iran", "Iranian", "Tehran"),
    "Israel": ("Israel", "Israeli"),
    "Saudi Arabia": ("Saudi",),
    "Brazil": ("Brazil", "Brazilian"),
}

# Canonical name -> spellings met in the press. The first spelling is the canonical one.
NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "Abu Kamal": ("Abu Kamal", "al-Bukamal", "Albu Kamal", "Al-Bukamal", "Bukamal", "Abukamal"),
    "Qamishli": ("Qamishli", "Kamishli", "Qamishly", "al-Qamishli"),
    "Raqqa": ("Raqqa", "Raqqah", "ar-Raqqah", "al-Raqqa"),
    "Deir ez-Zor": ("Deir ez-Zor", "Deir al-Zour", "Dayr az-Zawr", "Deir Ezzor"),
    "Erbil": ("Erbil", "Irbil", "Arbil", "Hawler"),
    "Mohammed": ("Mohammed", "Muhammad", "Mohamed", "Muhammed"),
}
PLACES = ("Abu Kamal", "Qamishli", "Raqqa", "Deir ez-Zor", "Erbil")
PLACE_COUNTRY = {"Abu Kamal": "Syria", "Qamishli": "Syria", "Raqqa": "Syria", "Deir ez-Zor": "Syria",
                 "Erbil": "Iraq"}
CONFLICT_TAGS = ("Syria", "Middle East", "Syrian civil war", "Islamic State", "Refugees", "Kurdish politics",
                 *PLACES)

TAG_VOCABULARY: frozenset[str] = frozenset(
    {tag for tags in TOPIC_TAGS.values() for tag in tags} | set(COUNTRY_TAGS) | set(CONFLICT_TAGS)
)

VARIANT_SENTENCES = (
    "Fighting was reported near {place} on {weekday}, according to local sources.",
    "Residents of {place} said supply convoys had not arrived for more than a week.",
    "{person}, a local official in {place}, said the talks would resume within days.",
    "The road between {place} and {place2} was reopened after three days of closures.",
    "Aid agencies said thousands of people had fled {place} since the start of the month.",
    "\"We have nothing left,\" said {person}, who runs a bakery in {place}.",
    "A delegation led by {person} travelled from {place2} to {place} for the meeting.",
)
VARIANT_TITLES = (
    "Convoy reaches {place} after week-long wait",
    "Clashes near {place} as talks stall",
    "Thousands flee {place} as fighting spreads",
    "{person} named to lead {place} council",
    "Road from {place2} to {place} reopens",
    "Bread prices soar in {place}",
)
SURNAMES = ("al-Hassan", "Khalil", "Ibrahim", "al-Ahmad", "Darwish", "Haddad", "al-Sheikh", "Mansour")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# (name, web domain, weight, wire agency: no byline)
SOURCES: tuple[tuple[str, str, int, bool], ...] = (
    ("BBC News", "www.bbc.co.uk", 14, False),
    ("Reuters", "www.reuters.com", 12, True),
    ("Associated Press", "apnews.com", 9, True),
    ("Agence France-Presse", "www.afp.com", 7, True),
    ("The Guardian", "www.theguardian.com", 8, False),
    ("The New York Times", "www.nytimes.com", 6, False),
    ("The Washington Post", "www.washingtonpost.com", 4, False),
    ("Financial Times", "www.ft.com", 4, False),
    ("Al Jazeera", "www.aljazeera.com", 5, False),
    ("Deutsche Welle", "www.dw.com", 3, False),
    ("France 24", "www.france24.com", 3, False),
    ("Le Monde", "www.lemonde.fr", 2, False),
    ("Der Spiegel", "www.spiegel.de", 2, False),
    ("The Independent", "www.independent.co.uk", 3, False),
    ("The Times", "www.thetimes.co.uk", 3, False),
    ("Rudaw", "www.rudaw.net", 2, False),
    ("Kurdistan 24", "www.kurdistan24.net", 1, False),
    ("Enab Baladi", "english.enabbaladi.net", 1, False),
    ("Al-Monitor", "www.al-monitor.com", 2, False),
    ("Middle East Eye", "www.middleeasteye.net", 1, False),
    ("The National", "www.thenationalnews.com", 1, False),
    ("NPR", "www.npr.org", 2, False),
    ("Bloomberg", "www.bloomberg.com", 3, False),
)
FIRST_NAMES = ("James", "Sarah", "David", "Emma", "John", "Laura", "Michael", "Anna", "Peter", "Claire",
               "Tom", "Rachel", "Daniel", "Helen", "Ahmed", "Leila", "Omar", "Nadia", "Karim", "Sophie")
LAST_NAMES = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
              "Walker", "Hughes", "Green", "Hall", "Wood", "Clarke", "Haddad", "Nasser", "Aziz", "Weber", "Martin")
LOCATIONS = ("London", "Washington", "Paris", "Berlin", "Brussels", "New York", "Moscow", "Beijing", "Tokyo",
             "Beirut", "Baghdad", "Istanbul", "Cairo", "Dubai", "Manchester", "Edinburgh", "Geneva")

_SENTENCE_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d]))\s+(?=[A-Z\"\u201c])")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Story:
    topic: str
    title: str
    paragraphs: list[str]


@dataclass
class Corpus:
    """The BBC corpus split into what the generator draws from, per topic."""

    stories: dict[str, list[Story]] = field(default_factory=dict)
    sentences: dict[str, list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(s) for s in self.stories.values())


class CorpusMissing(Exception):
    pass


def read_text(path: Path) -> str:
    """One corpus file as text (one file of the corpus is Latin-1, not UTF-8)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def load_corpus(root: Path) -> Corpus:
    """Read root/<topic>/*.txt (title on line 1, paragraphs separated by blank lines)."""
    root = Path(root)
    if not all((root / topic).is_dir() for topic in TOPICS):
        raise CorpusMissing(
            f"the BBC corpus was not found at {root} (expected the folders {', '.join(TOPICS)}); put the shared "
            "material beside the repository (../shared/corpora/bbc) or pass --corpus DIR"
        )
    corpus = Corpus()
    for topic in TOPICS:
        stories, sentences = [], []
        for name in sorted(os.listdir(root / topic)):
            if not name.endswith(".txt"):
                continue
            lines = read_text(root / topic / name).replace("\r\n", "\n").split("\n")
            title = lines[0].strip()
            paragraphs = [" ".join(p.split()) for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
            if not title or not paragraphs:
                continue
            stories.append(Story(topic, title, paragraphs))
            for paragraph in paragraphs:
                sentences.extend(s for s in _SENTENCE_SPLIT.split(paragraph) if len(s) > 20)
        corpus.stories[topic] = stories
        corpus.sentences[topic] = sentences
    if corpus.size == 0:
        raise CorpusMissing(f"the BBC corpus at {root} holds no articles")
    return corpus


def corpus_fingerprint(root: Path) -> str:
    """A short digest of the corpus file names and sizes: a changed corpus means different archives."""
    digest = hashlib.sha256()
    for topic in TOPICS:
        for name in sorted(os.listdir(root / topic)):
            digest.update(f"{topic}/{name}:{(root / topic / name).stat().st_size}\n".encode())
    return digest.hexdigest()[:12]


def generator_hash() -> str:
    """Changes whenever this file changes: cached archives built by another generator are not reused."""
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + GENERATOR_VERSION.encode()).hexdigest()[:10]


# -- one article ---------------------------------------------------------------------------------------------
_YEARS = list(range(DATE_START.year, DATE_END.year + 1))
_YEAR_WEIGHTS = [1 + i / 4 for i in range(len(_YEARS))]  # an archive grows: the last year has ~6x the first
_SOURCE_WEIGHTS = [s[2] for s in SOURCES]


def _date(rng: random.Random) -> str | None:
    if rng.random() < UNDATED_SHARE:
        return None
    year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]
    start = max(dt.date(year, 1, 1), DATE_START)
    end = min(dt.date(year, 12, 31), DATE_END)
    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    if rng.random() < 0.3:
        moment = dt.datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), 0)
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return day.isoformat()


def _added(rng: random.Random, date: str | None) -> str:
    """When the article entered the archive: a little after publication (fixed for undated ones)."""
    if date is None:
        base = dt.datetime(2025, 1, 1, 9, 0, 0)
    else:
        day = dt.date.fromisoformat(date[:10])
        base = dt.datetime(day.year, day.month, day.day, 6, 0, 0)
    moment = base + dt.timedelta(minutes=rng.randrange(3 * 24 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _headline(sentence: str, rng: random.Random) -> str:
    """A headline cut from a sentence: the words before the first comma, at most 6-11 of them."""
    clause = re.split(r"[,;:(]| - ", sentence)[0]
    words = clause.strip(" .\"'\u201c\u201d").split()
    words = words[: rng.randint(6, 11)]
    while words and words[-1].lower() in _WEAK_ENDINGS:
        words.pop()
    if len(words) < 4:
        return ""
    text = " ".join(words).rstrip(".,")
    return text[:1].upper() + text[1:]


_WEAK_ENDINGS = frozenset((
    "the", "a", "an", "of", "to", "and", "or", "but", "in", "for", "on", "at", "by", "with", "from", "its", "his",
    "her", "their", "was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "that", "which",
    "who", "will", "would", "should", "could", "can", "may", "might", "not", "as", "than", "said", "says",
    "against", "about", "into", "over", "after", "before", "under", "between", "during", "up", "out",
))


def _variant_text(rng: random.Random, templates: tuple[str, ...], place: str | None = None) -> tuple[str, str]:
    """A sentence or headline about a place on the Syrian/Iraqi border, names spelled one of their ways."""
    place = place or rng.choice(PLACES)
    place2 = rng.choice([p for p in PLACES if p != place])
    person = f"{rng.choice(NAME_VARIANTS['Mohammed'])} {rng.choice(SURNAMES)}"
    text = rng.choice(templates).format(place=rng.choice(NAME_VARIANTS[place]),
                                        place2=rng.choice(NAME_VARIANTS[place2]), person=person,
                                        weekday=rng.choice(WEEKDAYS))
    return text, place


def _body(rng: random.Random, corpus: Corpus, topic: str) -> tuple[str, Story, str]:
    """The paragraphs, the story that gave the lead paragraph, and the lead sentence."""
    stories = corpus.stories[topic]
    sentences = corpus.sentences[topic]
    lead = rng.choice(stories)
    paragraphs = [lead.paragraphs[0]]
    for _ in range(rng.randint(2, 6)):
        if rng.random() < 0.6:
            other = rng.choice(stories)
            paragraphs.append(rng.choice(other.paragraphs))
        else:
            paragraphs.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5))))
    lead_sentence = _SENTENCE_SPLIT.split(paragraphs[0])[0]
    return "\n\n".join(paragraphs), lead, lead_sentence


def _country_tags(rng: random.Random, body: str) -> list[str]:
    words = set(re.findall(r"[A-Z][a-zA-Z]+|[A-Z]{2,}", body))
    found = [country for country, keys in COUNTRY_TAGS.items()
             if any((" " in key and key in body) or key in words for key in keys)]
    rng.shuffle(found)
    return found[: rng.randint(0, 2)]


def make_article(corpus: Corpus, seed: int, index: int) -> dict[str, Any]:
    """Article number `index` of the archive made from `seed`, as a dict in newsarc's import format."""
    rng = random.Random(f"newsarc-bench:{seed}:{index}")
    topic = rng.choices(TOPICS, (5, 3, 5, 4, 4))[0]
    body, lead, lead_sentence = _body(rng, corpus, topic)
    tags = [TOPIC_TAGS[topic][0]]
    if rng.random() < 0.6:
        extra = rng.choice(TOPIC_TAGS[topic][1:])
        tags.append(extra)
    title_kind = rng.random()
    places: list[str] = []
    if rng.random() < VARIANT_SHARE:
        paragraphs = body.split("\n\n")
        for _ in range(rng.randint(1, 3)):
            sentence, mentioned = _variant_text(rng, VARIANT_SENTENCES)
            places.append(mentioned)
            position = rng.randrange(1, len(paragraphs) + 1)
            if rng.random() < 0.5 and position < len(paragraphs):
                paragraphs[position] = f"{paragraphs[position]} {sentence}"
            else:
                paragraphs.insert(position, sentence)
        body = "\n\n".join(paragraphs)
        tags.extend(t for t in rng.sample(CONFLICT_TAGS[:6], rng.randint(1, 2)) if t not in tags)
        for place in dict.fromkeys(places):
            tags.extend(t for t in (place, PLACE_COUNTRY[place]) if t not in tags)
    tags.extend(t for t in _country_tags(rng, body) if t not in tags)

    if places and title_kind < 0.5:
        title = _variant_text(rng, VARIANT_TITLES, rng.choice(places))[0]
    elif title_kind < 0.8:
        title = (title_kind >= 0.45 and _headline(lead_sentence, rng)) or lead.title
    else:
        title = f"{rng.choice(LOCATIONS)}: {lead.title}"

    date = _date(rng)
    name, domain, _, agency = rng.choices(SOURCES, _SOURCE_WEIGHTS)[0]
    authors: list[str] = []
    if not agency and rng.random() < 0.85:
        for _ in range(1 if rng.random() < 0.8 else 2):
            first = rng.choice(FIRST_NAMES) if rng.random() < 0.9 else rng.choice(NAME_VARIANTS["Mohammed"])
            author = f"{first} {rng.choice(LAST_NAMES)}"
            if author not in authors:
                authors.append(author)
    slug = _SLUG.sub("-", title.lower()).strip("-")[:60] or "story"
    when = f"{date[:4]}/{date[5:7]}/" if date else ""
    return {
        "title": title,
        "date": date,
        "source": name,
        "url": f"https://{domain}/news/{when}{slug}-{index:07d}",
        "authors": authors,
        "tags": tags,
        "location": rng.choice(LOCATIONS) if rng.random() < 0.5 else None,
        "language": "en",
        "added": _added(rng, date),
        "body": body,
    }


def generate(corpus: Corpus, size: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    for index in range(size):
        yield make_article(corpus, seed, index)


def write_jsonl(corpus: Corpus, path: Path, size: int, seed: int = DEFAULT_SEED) -> int:
    """Write the archive's articles as JSON Lines (written to a temporary file, then renamed); returns bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for record in generate(corpus, size, seed):
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    os.replace(tmp, path)
    return path.stat().st_size
