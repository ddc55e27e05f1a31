"""Atom 1.0 output: RFC 4287's schema, feedparser, and the links feedgen breaks."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from syndicator.model import Article, FeedDocument
from syndicator.render.atom import render_atom

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = Path(__file__).parents[1] / "schemas" / "atom.rng"


@pytest.fixture(scope="module")
def relax_ng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def feed_of(doc: FeedDocument) -> etree._Element:
    root = etree.fromstring(render_atom(doc))
    assert root.tag == f"{{{ATOM}}}feed"
    return root


def test_the_feed_is_valid_against_rfc_4287s_relax_ng_schema(
    relax_ng: etree.RelaxNG, document: FeedDocument, category_document: FeedDocument
) -> None:
    for doc in (document, category_document):
        tree = etree.ElementTree(feed_of(doc))
        assert relax_ng.validate(tree), relax_ng.error_log


def test_the_schema_rejects_an_entry_without_id(relax_ng: etree.RelaxNG, document: FeedDocument) -> None:
    root = feed_of(document)
    entry = root.find("a:entry", NS)
    assert entry is not None
    entry_id = entry.find("a:id", NS)
    assert entry_id is not None
    entry.remove(entry_id)
    assert not relax_ng.validate(etree.ElementTree(root))


def test_feedparser_reads_every_entry_back(document: FeedDocument) -> None:
    parsed = feedparser.parse(render_atom(document))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == len(document.articles)
    for entry, article in zip(parsed.entries, document.articles, strict=True):
        assert entry.id == article.id
        assert entry.title == article.title.replace("\x0b", "")
        assert entry.link == article.url
        assert article.published is not None
        published = calendar.timegm(article.published.utctimetuple())
        assert calendar.timegm(entry.published_parsed) == published
        modified = article.updated or article.published
        assert calendar.timegm(entry.updated_parsed) == calendar.timegm(modified.utctimetuple())


def test_related_links_keep_rel_related_and_do_not_become_alternates(
    document: FeedDocument, rich: Article
) -> None:
    entry = feedparser.parse(render_atom(document)).entries[0]
    by_rel: dict[str, list[tuple[str, str | None]]] = {}
    for link in entry.links:
        by_rel.setdefault(link.rel, []).append((link.href, link.get("title")))
    assert by_rel["alternate"] == [(rich.url, None)]
    assert by_rel["related"] == [(link.url, link.title) for link in rich.related]
    assert entry.link == rich.url


def test_entry_links_carry_their_type(document: FeedDocument, rich: Article) -> None:
    entry = feed_of(document).find("a:entry", NS)
    assert entry is not None
    links = [dict(link.attrib) for link in entry.findall("a:link", NS)]
    assert rich.image is not None
    assert links[0] == {"href": rich.url, "rel": "alternate", "type": "text/html"}
    assert {"href": rich.image.url, "rel": "enclosure", "type": "image/jpeg", "title": "Des soldats"} in links


def test_categories_show_their_label_as_term_and_keep_their_scheme(document: FeedDocument) -> None:
    entry = feedparser.parse(render_atom(document)).entries[0]
    scheme = "https://news.example.org/taxonomy"
    assert [(tag.term, tag.label, tag.scheme) for tag in entry.tags] == [
        ("Monde", None, scheme),
        ("Économie", None, scheme),
        ("Russie", None, None),
    ]


def test_authors_keep_uri_and_email(document: FeedDocument) -> None:
    entry = feedparser.parse(render_atom(document)).entries[0]
    assert entry.authors == [
        {"name": "Jean Dupont", "href": "https://news.example.org/jean"},
        {"name": "Marie Curie", "email": "marie@example.org"},
    ]


def test_the_feed_head_comes_from_the_document(document: FeedDocument) -> None:
    root = feed_of(document)
    assert root.findtext("a:id", namespaces=NS) == document.urls.of("atom.xml")
    assert root.findtext("a:title", namespaces=NS) == document.title
    assert root.findtext("a:subtitle", namespaces=NS) == document.description
    assert root.findtext("a:updated", namespaces=NS) == "2024-01-21T08:00:00+00:00"
    assert root.get(XML_LANG) == "fr"
    links = [(link.get("rel"), link.get("href"), link.get("type")) for link in root.findall("a:link", NS)]
    assert links == [
        ("self", document.urls.of("atom.xml"), "application/atom+xml"),
        ("alternate", document.urls.html, "text/html"),
        ("hub", "https://hub.example.org/", None),
    ]
    generator = root.find("a:generator", NS)
    assert generator is not None
    assert (generator.text, generator.get("version"), generator.get("uri")) == (
        "syndicator",
        "0.1.0",
        "https://syndicator.example.org/",
    )
    # RFC 4287 §4.1.1: entries without an author inherit the feed's.
    assert root.findtext("a:author/a:name", namespaces=NS) == document.title


def test_an_unchanged_entry_is_updated_when_published(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    entry = feed_of(new_document((new_article(3),))).find("a:entry", NS)
    assert entry is not None
    assert entry.findtext("a:published", namespaces=NS) == "2024-01-03T09:30:00+01:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2024-01-03T09:30:00+01:00"


def test_summary_is_text_and_content_is_html(document: FeedDocument, rich: Article) -> None:
    entry = feed_of(document).find("a:entry", NS)
    assert entry is not None
    summary = entry.find("a:summary", NS)
    content = entry.find("a:content", NS)
    assert summary is not None and content is not None
    assert (summary.get("type"), summary.text) == ("text", rich.summary)
    assert (content.get("type"), content.text) == ("html", rich.content_html)


def test_entries_in_another_language_say_so(document: FeedDocument) -> None:
    languages = {
        entry.findtext("a:id", namespaces=NS): entry.get(XML_LANG)
        for entry in feed_of(document).findall("a:entry", NS)
    }
    assert languages["tag:news.example.org,2024:20"] is None  # fr, like the feed
    assert languages["https://news.example.org/articles/5"] == "de"
    assert languages["tag:news.example.org,2024:12a"] == "en"


def test_entries_keep_the_planners_order(document: FeedDocument) -> None:
    ids = [entry.findtext("a:id", namespaces=NS) for entry in feed_of(document).findall("a:entry", NS)]
    assert ids == [article.id for article in document.articles]


def test_an_entry_with_only_a_title_repeats_it_as_summary(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    bare = new_article(1, summary="", content_html="")
    entry = feed_of(new_document((bare,))).find("a:entry", NS)
    assert entry is not None
    assert entry.findtext("a:summary", namespaces=NS) == "Article 1"
    assert entry.find("a:content", NS) is None
