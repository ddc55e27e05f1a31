"""syndicator, trafilatura and readability-lxml side by side on the development corpus of article pages.

Every extractor reads the same saved pages (tests/normalize/page_corpus.py: the
scrapinghub pages, codelucas/newspaper's and goose3's test pages), in one run:
- body F1 against the reference bodies (tests/textscore.py: the measure of
  tests/normalize/test_body_f1.py), per language and for English / the rest;
- metadata against what the pages state (expected.json): titles exactly right,
  authors right (the same names, in any order and case), published day right
  (the day in the page's own offset), language right (every page with a known
  language);
- time per page, parsing included.

Run from the repository root, with trafilatura installed in the virtualenv
(`.venv/bin/pip install trafilatura`; it is not a dependency of syndicator):

    .venv/bin/python bench/extractors.py            # the table
    .venv/bin/python bench/extractors.py --pages    # and every page's F1

syndicator reads the pages as a site whose own language is French and whose zone
is Europe/Paris, as the tests do, so a page that states nothing gets no help.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from zoneinfo import ZoneInfo

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "normalize"), str(ROOT / "tests")]

from page_corpus import Page, language_group, pages  # noqa: E402
from textscore import score  # noqa: E402

from syndicator.model import Article, RawRecord  # noqa: E402
from syndicator.normalize import normalize  # noqa: E402
from syndicator.normalize.context import NormalizeContext  # noqa: E402
from syndicator.normalize.rules import default_rules_path, load_rules  # noqa: E402


@dataclass(frozen=True)
class Result:
    body: str
    title: str | None
    authors: tuple[str, ...] | None  # None: the extractor does not say
    day: str | None
    language: str | None
    seconds: float


def run_syndicator(ctx: NormalizeContext) -> Callable[[str], Result]:
    def extract(html: str) -> Result:
        start = time.perf_counter()
        got = normalize(RawRecord("pages", "page.html", "", "html", html), ctx)
        seconds = time.perf_counter() - start
        if not isinstance(got, Article):
            return Result("", None, (), None, None, seconds)
        return Result(
            got.content_text,
            got.title,
            tuple(a.name for a in got.authors),
            got.published.date().isoformat() if got.published else None,
            got.language,
            seconds,
        )

    return extract


def run_trafilatura(html: str) -> Result:
    import trafilatura

    start = time.perf_counter()
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    seconds = time.perf_counter() - start
    if doc is None:
        return Result("", None, (), None, None, seconds)
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Result(doc.text or "", doc.title, authors, doc.date, doc.language, seconds)


def run_readability(html: str) -> Result:
    from readability import Document

    start = time.perf_counter()
    try:
        doc = Document(html)
        summary = doc.summary(html_partial=True)
        title = doc.short_title()
        body = lxml.html.fragment_fromstring(summary, create_parent="div").text_content() if summary else ""
    except Exception:
        body, title = "", None
    return Result(body, title, None, None, None, time.perf_counter() - start)


def same_authors(got: tuple[str, ...], want: list[str]) -> bool:
    return sorted(_quotes(" ".join(a.split())).casefold() for a in got) == sorted(
        _quotes(" ".join(a.split())).casefold() for a in want
    )


def same_title(got: str | None, want: str) -> bool:
    """Exactly the same words and punctuation; straight and curly quotes are one typographic choice."""
    return got is not None and _quotes(" ".join(got.split())) == _quotes(" ".join(want.split()))


def _quotes(text: str) -> str:
    return text.translate(str.maketrans("‘’‚‛“”„‟", "''''" + '""""'))


def same_language(got: str | None, want: str) -> bool:
    return bool(got) and (got or "").split("-")[0].split("_")[0].lower() == want.split("-")[0].lower()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", action="store_true", help="print every page's body F1")
    parser.add_argument(
        "--only", default="", help="comma-separated extractors (syndicator,trafilatura,readability)"
    )
    args = parser.parse_args()
    ctx = NormalizeContext(
        base_url="https://news.example.org/",
        language="fr",
        timezone=ZoneInfo("Europe/Paris"),
        rules=load_rules(default_rules_path()),
    )
    extractors: dict[str, Callable[[str], Result]] = {
        "syndicator": run_syndicator(ctx),
        "trafilatura": run_trafilatura,
        "readability-lxml": run_readability,
    }
    if args.only:
        wanted = {w.strip() for w in args.only.split(",")}
        extractors = {k: v for k, v in extractors.items() if k.split("-")[0] in wanted}
    corpus = pages()
    table: dict[str, dict[str, str]] = {}
    per_page: dict[str, dict[str, float]] = defaultdict(dict)
    for name, extract in extractors.items():
        f1_by_lang: dict[str, list[float]] = defaultdict(list)
        titles, authors, days, languages, times = [], [], [], [], []
        for page in corpus:
            got = extract(page.html)
            times.append(got.seconds)
            if page.reference is not None:
                f1 = score(got.body, page.reference).f1
                per_page[page.key][name] = f1
                f1_by_lang[page.language or "?"].append(f1)
                f1_by_lang["group:" + language_group(page.language)].append(f1)
            _metadata(page, got, titles, authors, days, languages)
        row = {
            f"F1 {lang.removeprefix('group:')}": f"{mean(v):.3f} ({len(v)})"
            for lang, v in sorted(f1_by_lang.items())
        }
        row["titles exact"] = _rate(titles)
        row["authors right"] = _rate(authors) if got.authors is not None else "—"
        row["published day"] = _rate(days) if got.day is not None or any(days) else "—"
        row["language"] = _rate(languages) if any(languages) else "—"
        row["ms / page"] = f"{1000 * mean(times):.1f}"
        table[name] = row
    if args.pages:
        for key, figures in sorted(per_page.items()):
            print(f"{key:60} " + " ".join(f"{n[:5]}={f:.3f}" for n, f in figures.items()))
    _print_table(table, len(corpus))


def _metadata(
    page: Page, got: Result, titles: list[bool], authors: list[bool], days: list[bool], languages: list[bool]
) -> None:
    expected = page.expected or {}
    if "title" in expected:
        titles.append(same_title(got.title, expected["title"]))
    if "authors" in expected and got.authors is not None:
        authors.append(same_authors(got.authors, expected["authors"]))
    if page.published_day:
        days.append(got.day == page.published_day)
    if page.language:
        languages.append(same_language(got.language, page.language))


def _rate(flags: list[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.0f} % ({sum(flags)}/{len(flags)})" if flags else "—"


def _print_table(table: dict[str, dict[str, str]], n: int) -> None:
    columns = list(dict.fromkeys(c for row in table.values() for c in row))
    groups = [c for c in columns if c in ("F1 en", "F1 other")]
    ordered = (
        groups
        + [c for c in columns if c.startswith("F1 ") and c not in groups]
        + [c for c in columns if not c.startswith("F1 ")]
    )
    print(f"{n} pages")
    print("| measure | " + " | ".join(table) + " |")
    print("|---|" + "---|" * len(table))
    for column in ordered:
        print(f"| {column} | " + " | ".join(row.get(column, "—") for row in table.values()) + " |")


if __name__ == "__main__":
    main()
