"""FeedDocuments that exercise what renderers get wrong.

Accents and curly quotes, an XML-illegal control character in a title, two
authors, categories with a scheme, related links, an image, and two articles
with the same date (the planner's total order puts them by id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from syndicator.model import (
    Article,
    Author,
    Category,
    FeedDocument,
    FeedUrls,
    Image,
    RelatedLink,
    SourceRef,
)

PARIS = timezone(timedelta(hours=1))
BASE = "https://news.example.org"
SCHEME = "https://news.example.org/taxonomy"

MONDE = Category(term="monde", label="Monde", scheme=SCHEME)
ECONOMIE = Category(term="economie", label="Économie", scheme=SCHEME)
TECH = Category(term="tech", label="Tech")


def make_article(number: int, **changes: object) -> Article:
    """An ordinary article; tests change only the fields they are about."""
    article = Article(
        id=f"tag:news.example.org,2024:{number}",
        url=f"{BASE}/articles/{number}",
        title=f"Article {number}",
        summary=f"Summary of article {number}.",
        content_html=f"<p>Body of article {number}.</p>",
        authors=(Author(name="Jane Roe"),),
        published=datetime(2024, 1, number, 9, 30, tzinfo=PARIS),
        updated=None,
        language="en",
        categories=(TECH,),
        tags=(),
        related=(),
        image=None,
        source=SourceRef(kind="directory", ref=f"articles/{number}.json"),
    )
    return replace(article, **changes)  # type: ignore[arg-type]


def make_document(articles: tuple[Article, ...], **changes: object) -> FeedDocument:
    document = FeedDocument(
        key="",
        title="Le Monde en bref",
        description="L’actualité, « sans détour ».",
        language="fr",
        urls=FeedUrls(directory=f"{BASE}/feeds/", html=f"{BASE}/"),
        updated=max(a.updated or a.published for a in articles if a.published),
        articles=articles,
        generator="syndicator",
        generator_version="0.1.0",
        generator_uri="https://syndicator.example.org/",
        hubs=("https://hub.example.org/",),
        ttl_minutes=30,
    )
    return replace(document, **changes)  # type: ignore[arg-type]


# The seed-like article: French, accents, curly quotes, a vertical tab
# (illegal in XML 1.0) in its title, two authors, two categories with a
# scheme, tags overlapping a category label, related links and an image.
RICH = make_article(
    20,
    title="Poutine face à la mutinerie\x0b : “une rébellion des mobilisés”",
    summary="Les soldats russes l’ont dit : « assez ».",
    content_html=(
        "<p>Les soldats russes <em>mobilisés</em> protestent.</p>"
        "<h2>Poutine mutinerie</h2><p>Suite de l’article.</p>"
    ),
    authors=(
        Author(name="Jean Dupont", url="https://news.example.org/jean"),
        Author(name="Marie Curie", email="marie@example.org"),
    ),
    published=datetime(2024, 1, 20, 9, 30, tzinfo=PARIS),
    updated=datetime(2024, 1, 21, 8, 0, tzinfo=UTC),
    language="fr",
    categories=(MONDE, ECONOMIE),
    tags=("Russie", "Monde"),
    related=(
        RelatedLink(url=f"{BASE}/articles/7", title="L’armée russe en crise"),
        RelatedLink(url=f"{BASE}/articles/8"),
    ),
    image=Image(url=f"{BASE}/img/20.jpg", alt="Des soldats", type="image/jpeg", width=800, height=600),
)
# Two articles with the same date: the planner orders them by id.
TWIN_A = make_article(12, id="tag:news.example.org,2024:12a", url=f"{BASE}/articles/12a")
TWIN_B = make_article(12, id="tag:news.example.org,2024:12b", url=f"{BASE}/articles/12b")
# An article whose id is its URL: RSS guid isPermaLink="true".
PERMALINK = make_article(5, id=f"{BASE}/articles/5", language="de", title="Größe & Maß")


@pytest.fixture
def rich() -> Article:
    """The seed-like article, first in `document`."""
    return RICH


@pytest.fixture
def articles() -> tuple[Article, ...]:
    return (RICH, TWIN_B, TWIN_A, PERMALINK)


@pytest.fixture
def new_article() -> Callable[..., Article]:
    """make_article, for tests that need an article of their own."""
    return make_article


@pytest.fixture
def new_document() -> Callable[..., FeedDocument]:
    """make_document, for tests that need a document of their own."""
    return make_document


@pytest.fixture
def document(articles: tuple[Article, ...]) -> FeedDocument:
    return make_document(articles)


@pytest.fixture
def category_document() -> FeedDocument:
    return make_document(
        (RICH,),
        key="categories/monde",
        title="Le Monde en bref : Monde",
        urls=FeedUrls(directory=f"{BASE}/feeds/categories/monde/", html=f"{BASE}/monde/"),
        category=MONDE,
        hubs=(),
        ttl_minutes=None,
        icon=f"{BASE}/icon.png",
    )
