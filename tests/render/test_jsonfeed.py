"""JSON Feed 1.1 output: its schema, feedparser-rs, and the extension object."""

from __future__ import annotations

import calendar
import html
import json
from pathlib import Path
from typing import Any

import feedparser_rs
import jsonschema
import pytest

from syndicator.model import Article, FeedDocument
from syndicator.render.jsonfeed import render_jsonfeed

SCHEMA = Path(__file__).parents[1] / "schemas" / "jsonfeed-1.1.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_text(detail: Any) -> str:
    """The plain text of a feedparser-rs text construct.

    feedparser-rs 0.7 reports JSON Feed titles as text/html and escapes them
    (`Größe &amp; Maß`), though JSON Feed 1.1 titles are plain text; the
    HTML it hands back still has to mean our text.
    """
    value: str = detail.value
    return html.unescape(value) if detail.type == "text/html" else value


def feed_of(doc: FeedDocument) -> Any:
    return json.loads(render_jsonfeed(doc))


def test_the_feed_is_valid_against_the_json_feed_schema(
    validator: jsonschema.Draft202012Validator,
    document: FeedDocument,
    category_document: FeedDocument,
) -> None:
    for doc in (document, category_document):
        errors = [error.message for error in validator.iter_errors(feed_of(doc))]
        assert errors == []


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        (lambda feed: feed["items"][0].pop("id"), "'id' is a required property"),
        (lambda feed: feed.update(version="1.1"), "was expected"),
        (lambda feed: feed["items"][1].update(date_published="17/01/2024"), "does not match"),
        (lambda feed: feed["items"][1].update(tilte="typo"), "does not match any of the regexes"),
    ],
)
def test_the_schema_rejects_a_bad_feed(
    validator: jsonschema.Draft202012Validator,
    document: FeedDocument,
    damage: Any,
    complaint: str,
) -> None:
    feed = feed_of(document)
    damage(feed)
    messages = [error.message for error in validator.iter_errors(feed)]
    assert any(complaint in message for message in messages), messages


def test_feedparser_rs_reads_every_item_back(document: FeedDocument) -> None:
    parsed = feedparser_rs.parse(render_jsonfeed(document))
    assert not parsed.bozo
    assert parsed.version == "json11"
    assert parsed.feed.title == document.title
    assert len(parsed.entries) == len(document.articles)
    for entry, article in zip(parsed.entries, document.articles, strict=True):
        assert entry.id == article.id
        assert as_text(entry.title_detail) == article.title.replace("\x0b", "")
        assert entry.link == article.url
        assert article.published is not None
        expected = calendar.timegm(article.published.utctimetuple())
        assert calendar.timegm(entry.published_parsed) == expected


def test_tags_are_category_labels_then_tags_each_once(document: FeedDocument) -> None:
    entry = feedparser_rs.parse(render_jsonfeed(document)).entries[0]
    assert [tag.term for tag in entry.tags] == ["Monde", "Économie", "Russie"]


def test_keys_come_in_a_fixed_readable_order(document: FeedDocument) -> None:
    feed = feed_of(document)
    assert list(feed) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "authors",
        "language",
        "hubs",
        "items",
    ]
    assert list(feed["items"][0])[:3] == ["id", "url", "title"]


def test_output_is_utf_8_without_escapes_and_ends_with_a_newline(
    document: FeedDocument,
) -> None:
    data = render_jsonfeed(document)
    assert "« sans détour »".encode() in data
    assert b"\\u00e9" not in data
    assert data.endswith(b"}\n")


def test_an_item_carries_dates_content_and_image(document: FeedDocument, rich: Article) -> None:
    item = feed_of(document)["items"][0]
    assert item["date_published"] == "2024-01-20T09:30:00+01:00"
    assert item["date_modified"] == "2024-01-21T08:00:00+00:00"
    assert item["content_html"] == rich.content_html
    assert item["content_text"] == (
        "Les soldats russes mobilisés protestent.\n\nPoutine mutinerie\n\nSuite de l’article."
    )
    assert item["summary"] == rich.summary
    assert item["image"] == "https://news.example.org/img/20.jpg"
    assert item["language"] == "fr"
    assert item["authors"] == [
        {"name": "Jean Dupont", "url": "https://news.example.org/jean"},
        {"name": "Marie Curie", "url": "mailto:marie@example.org"},
    ]


def test_related_links_and_category_schemes_live_in_the_extension(
    document: FeedDocument,
) -> None:
    extension = feed_of(document)["items"][0]["_syndicator"]
    scheme = "https://news.example.org/taxonomy"
    assert extension == {
        "about": "https://syndicator.example.org/",
        "related": [
            {"url": "https://news.example.org/articles/7", "title": "L’armée russe en crise"},
            {"url": "https://news.example.org/articles/8"},
        ],
        "categories": [
            {"term": "monde", "label": "Monde", "scheme": scheme},
            {"term": "economie", "label": "Économie", "scheme": scheme},
        ],
    }


def test_hubs_are_listed_as_websub(document: FeedDocument) -> None:
    assert feed_of(document)["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]


def test_items_keep_the_planners_order(document: FeedDocument) -> None:
    ids = [item["id"] for item in feed_of(document)["items"]]
    assert ids == [article.id for article in document.articles]
