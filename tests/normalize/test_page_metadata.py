"""Title, authors, published day and language of the corpus pages that state them.

Each expected.json beside a page of the development corpus says what the page
itself states (its headline, the people in its byline, the day it shows, its
language); every page with a reference body also has a known language. Rates are
printed and held to floors just under the figures measured when they were set.
Titles compare exactly, except that straight and curly quotes are one typographic
choice; authors compare as the same names in any order and case.
"""

from __future__ import annotations

import pytest
from page_corpus import Page, pages

from syndicator.model import Article, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext

FLOORS = {"title": 0.95, "authors": 0.82, "published day": 0.93, "language": 0.99}
_QUOTES = str.maketrans("‘’‚‛“”„‟", "''''" + '""""')


def _same(a: str, b: str) -> bool:
    return (
        " ".join(a.split()).translate(_QUOTES).casefold() == " ".join(b.split()).translate(_QUOTES).casefold()
    )


@pytest.fixture(scope="module")
def checks(ctx: NormalizeContext) -> dict[str, list[tuple[str, bool, str]]]:
    out: dict[str, list[tuple[str, bool, str]]] = {field: [] for field in FLOORS}
    for page in pages():
        if page.expected is None and page.language is None:
            continue
        got = normalize(RawRecord("pages", page.key, "", "html", page.html), ctx)
        _check(page, got if isinstance(got, Article) else None, out)
    return out


def _check(page: Page, got: Article | None, out: dict[str, list[tuple[str, bool, str]]]) -> None:
    expected = page.expected or {}
    if "title" in expected:
        title = got.title if got else ""
        out["title"].append((page.key, _same(title, expected["title"]), title))
    if "authors" in expected:
        names = [a.name for a in got.authors] if got else []
        same = sorted(n.casefold() for n in names) == sorted(n.casefold() for n in expected["authors"])
        same = same or (
            len(names) == len(expected["authors"])
            and all(map(_same, sorted(names), sorted(expected["authors"])))
        )
        out["authors"].append((page.key, same, ", ".join(names)))
    if page.published_day:
        day = got.published.date().isoformat() if got and got.published else ""
        out["published day"].append((page.key, day == page.published_day, day))
    if page.language:
        language = (got.language if got else "").split("-")[0].lower()
        out["language"].append((page.key, language == page.language.split("-")[0], language))


def test_the_metadata_corpus_covers_every_field(checks: dict[str, list[tuple[str, bool, str]]]) -> None:
    assert len(checks["title"]) >= 60
    assert len(checks["authors"]) >= 30
    assert len(checks["published day"]) >= 35
    assert len(checks["language"]) >= 200


@pytest.mark.parametrize("field", list(FLOORS))
def test_metadata_rate_is_above_the_floor(checks: dict[str, list[tuple[str, bool, str]]], field: str) -> None:
    results = checks[field]
    for key, right, got in results:
        if not right:
            print(f"{field}: {key}: got {got!r}")
    rate = sum(right for _, right, _ in results) / len(results)
    print(f"{field}: {rate:.1%} right over {len(results)} pages")
    assert rate >= FLOORS[field]
