"""FeedDocuments for the page renderers: main, category, Arabic and empty feeds.

Titles, descriptions and URLs carry markup, quotes and ampersands, so that
anything not escaped shows up as an element or a broken attribute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lxml import html

from syndicator.model import Article, Author, Category, FeedDocument, FeedUrls, RelatedLink, SourceRef

PARIS = timezone(timedelta(hours=1))
FEEDS = "https://news.example/feeds/"
HOSTILE = 'Tom & Jerry <script>alert("x")</script> “quoted”'

MONDE = Category(term="monde", label="Monde & <i>co</i>")
ARABE = Category(term="arabe", label="العربية")


def article(number: int, *, language: str = "fr", category: Category = MONDE, **changes: object) -> Article:
    values: dict[str, object] = {
        "id": f"tag:news.example,2024:{number}",
        "url": f"https://news.example/a/{number}?x=1&y=<2>",
        "title": f"Article {number}: {HOSTILE}",
        "summary": f"Résumé {number} — <p>not a tag</p> & more.",
        "content_html": f"<p>Body {number}</p>",
        "authors": (Author(name="Jeanne d’Arc"),),
        "published": datetime(2024, 2, number, 10, 0, tzinfo=PARIS),
        "updated": None,
        "language": language,
        "categories": (category,),
        "tags": (),
        "related": (RelatedLink(url=f"https://news.example/r/{number}", title=f"Related {number}"),),
        "image": None,
        "source": SourceRef(kind="directory", ref=f"articles/{number}.json"),
    }
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def document(
    key: str, articles: tuple[Article, ...], *, language: str = "fr", **changes: object
) -> FeedDocument:
    base = FEEDS + (key + "/" if key else "")
    values: dict[str, object] = {
        "key": key,
        "title": f"Feed {key or 'main'} {HOSTILE}",
        "description": f"About {key or 'main'} & <b>things</b>",
        "language": language,
        "urls": FeedUrls(directory=base, html="https://news.example/"),
        "updated": max(
            (a.published for a in articles if a.published), default=datetime(1970, 1, 1, tzinfo=UTC)
        ),
        "articles": articles,
        "generator": "syndicator",
        "generator_version": "0.1.0",
        "generator_uri": "https://syndicator.example/",
    }
    values.update(changes)
    return FeedDocument(**values)  # type: ignore[arg-type]


MAIN = document("", tuple(article(n) for n in (3, 2, 1)))
CATEGORY = document("categories/monde", tuple(article(n) for n in (3, 1)), category=MONDE)
ARABIC = document(
    "categories/arabe",
    (article(4, language="ar", category=ARABE, title="عنوان المقال"),),
    language="ar",
    category=ARABE,
)
EMPTY = document("categories/empty", ())
DOCUMENTS = (CATEGORY, MAIN, ARABIC, EMPTY)  # main not first on purpose
FORMATS = ("rss", "atom", "json")


def parse_html(data: bytes) -> html.HtmlElement:
    """The page as a browser's parser sees it (lxml's HTML parser, from bytes)."""
    return html.document_fromstring(data)


def visible_text(tree: html.HtmlElement) -> str:
    """Text a reader of the page sees: the body's, without the style element."""
    body = tree.body
    return " ".join(" ".join(body.itertext()).split())
