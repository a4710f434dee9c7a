"""The page-extraction evaluation: news pages of real layouts with bodies whose true text is known.

tests/fixtures/pages/*.html are page layouts modelled on real news sites (BBC 2017, Guardian, Reuters, NYT,
Al Jazeera, AP, CNN, an AMP page, a WordPress local paper, Rudaw, Substack, a SPIEGEL-style Tailwind page and
a 2000s table layout): header, navigation, cookie banner, share bars, ads and related links between
paragraphs, comment threads, newsletter boxes and footers around the article. Each layout is filled with
articles of the BBC corpus (read from ../shared at run time, never copied into the repository), so the true
body is known exactly: the corpus text after its title line.

The score is word-level F1 of the extracted body against the true body (bag of lower-cased words), averaged
over all pages. Run `python tests/support/ingest_eval.py [--compare]` for the table; tests/test_ingest_html.py
asserts the average.

The first line of a layout is a directive: how one paragraph is written (`para`, and `first` for the first),
and what the page puts between paragraphs (`between`, cycled every `every` paragraphs, or `group_open` /
`group_close` around groups of `every` paragraphs).
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc"
TOPICS = ("business", "entertainment", "politics", "sport", "tech")
PER_LAYOUT = 5
AUTHORS = ("Jane Whitfield", "Omar Haddad", "Sarah Lindqvist", "Tom Okafor", "Priya Raman")
# The site name each layout declares (og:site_name or its equivalent): what `source` must be.
SITES = {"bbc_2017": "BBC News", "guardian": "the Guardian", "reuters": "Reuters", "nytimes": "The New York Times",
         "aljazeera": "Al Jazeera", "wordpress_local": "Riverside Gazette", "rudaw": "Rudaw", "apnews": "AP NEWS",
         "cnn": "CNN", "amp": "The Daily Courier", "substack": "The Week in Markets", "spiegel_style": "DER SPIEGEL",
         "legacy_table": ""}
_LD_BLOCK = re.compile(r'(<script[^>]*application/ld\+json[^>]*>)(.*?)(</script>)', re.DOTALL | re.IGNORECASE)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


def f1(extracted: str, truth: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of the extracted words against the true words."""
    got, want = words(extracted), words(truth)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def bbc_article(path: Path) -> tuple[str, list[str]]:
    """(title, paragraphs) of a corpus file."""
    from newsarc.ingest.decode import decode_bytes

    text = decode_bytes(path.read_bytes(), origin=str(path))
    lines = text.split("\n")
    title = lines[0].strip()
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", "\n".join(lines[1:])) if p.strip()]
    return title, paragraphs


def articles_for(layout_index: int) -> list[Path]:
    chosen = []
    for n, topic in enumerate(TOPICS[:PER_LAYOUT]):
        files = sorted((BBC / topic).glob("*.txt"))
        chosen.append(files[(layout_index * 37 + n * 11 + 3) % len(files)])
    return chosen


def build_page(template: str, title: str, paragraphs: list[str], *, index: int, section: str) -> tuple[str, dict]:
    """The page for one article, and the metadata it declares."""
    directive_line, _, page = template.partition("\n")
    directive = json.loads(re.fullmatch(r"<!--eval (.*) -->", directive_line.strip()).group(1))
    day = 1 + index % 28
    meta = {
        "TITLE": title,
        "AUTHOR": AUTHORS[index % len(AUTHORS)],
        "DATE_ISO": f"2005-03-{day:02d}T09:30:00+00:00",
        "DATE_HUMAN": f"{day} March 2005",
        "DATE_NUMERIC": f"{day:02d}-03-2005",
        "URL": f"https://news.example.com/{section}/{index:04d}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}",
        "SECTION": section.capitalize(),
        "KEYWORD1": section.capitalize(),
        "KEYWORD2": "UK",
        "KEYWORDS": f"{section.capitalize()}, UK, News",
        "DESCRIPTION": f"{title}: the latest news and analysis.",
        "STANDFIRST": f"The latest on {title.lower().rstrip('.')}, with reaction and analysis",
    }
    blocks = []
    between = directive.get("between", [])
    every = int(directive.get("every", 100))
    groups = "group_open" in directive
    for n, text in enumerate(paragraphs):
        if groups and n % every == 0:
            blocks.append(directive["group_open"])
        form = directive.get("first", directive["para"]) if n == 0 else directive["para"]
        blocks.append(form.replace("{text}", html.escape(text, quote=False)))
        last = n == len(paragraphs) - 1
        if groups and ((n + 1) % every == 0 or last):
            blocks.append(directive["group_close"])
        elif between and (n + 1) % every == 0 and not last:
            blocks.append(between[(n // every) % len(between)])
    meta_body = "\n".join(blocks)

    def in_json(match: re.Match[str]) -> str:
        body = match.group(2)
        for key, value in meta.items():
            body = body.replace("{{" + key + "}}", json.dumps(value)[1:-1].replace("<", "\\u003c"))
        return match.group(1) + body + match.group(3)

    page = _LD_BLOCK.sub(in_json, page)
    for key, value in meta.items():
        page = page.replace("{{" + key + "}}", html.escape(value))
    page = page.replace("{{BODY}}", meta_body)
    return page, meta


def evaluation_pages() -> list[tuple[str, str, str, dict, str]]:
    """(layout, corpus file, page html, declared metadata, true body) for every page of the evaluation."""
    pages = []
    layouts = sorted(PAGES.glob("*.html"))
    for layout_index, layout in enumerate(layouts):
        template = layout.read_text(encoding="utf-8")
        for n, path in enumerate(articles_for(layout_index)):
            title, paragraphs = bbc_article(path)
            page, meta = build_page(template, title, paragraphs, index=layout_index * PER_LAYOUT + n,
                                    section=path.parent.name)
            pages.append((layout.stem, f"{path.parent.name}/{path.name}", page, meta, "\n\n".join(paragraphs)))
    return pages


def newsarc_extract(page: str) -> str:
    from newsarc.ingest.html import extract_page

    return extract_page(page.encode("utf-8"), origin="page")["body"]


def readability_extract(page: str) -> str:
    """readability (the port bundled with trafilatura) for comparison: its summary HTML as text."""
    from trafilatura import load_html
    from trafilatura.readability_lxml import Document

    from newsarc.ingest.html import fragment_to_text

    return fragment_to_text(Document(load_html(page)).summary())


def whole_page_text(page: str) -> str:
    from trafilatura import html2txt

    return html2txt(page) or ""


def score(extract: Any) -> tuple[float, dict[str, float], list[tuple[str, str, float, float, float]]]:
    """(mean F1, mean F1 per layout, rows) for one extractor over the evaluation pages."""
    rows = []
    for layout, name, page, _meta, truth in evaluation_pages():
        precision, recall, value = f1(extract(page), truth)
        rows.append((layout, name, precision, recall, value))
    per_layout: dict[str, list[float]] = {}
    for layout, _, _, _, value in rows:
        per_layout.setdefault(layout, []).append(value)
    means = {layout: sum(v) / len(v) for layout, v in per_layout.items()}
    return sum(r[4] for r in rows) / len(rows), means, rows


def main(argv: list[str]) -> None:
    extractors = {"newsarc (trafilatura)": newsarc_extract}
    if "--compare" in argv:
        extractors["readability (lxml port)"] = readability_extract
        extractors["whole page text"] = whole_page_text
    results = {name: score(fn) for name, fn in extractors.items()}
    layouts = sorted(next(iter(results.values()))[1])
    print(f"{'layout':18}" + "".join(f"{name[:24]:>26}" for name in results))
    for layout in layouts:
        print(f"{layout:18}" + "".join(f"{results[name][1][layout]:>26.3f}" for name in results))
    print(f"{'MEAN F1':18}" + "".join(f"{results[name][0]:>26.3f}" for name in results))
    for name, (_, _, rows) in results.items():
        precision = sum(r[2] for r in rows) / len(rows)
        recall = sum(r[3] for r in rows) / len(rows)
        print(f"{name}: {len(rows)} pages, mean precision {precision:.3f}, mean recall {recall:.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(sys.argv[1:])
