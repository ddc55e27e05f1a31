"""RSS 2.0 output, read back by feedparser and checked element by element."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime

import feedparser
import pytest
from lxml import etree

from syndicator.model import Article, Author, FeedDocument
from syndicator.render.rss import render_rss, update_schedule

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
}


def channel_of(doc: FeedDocument) -> etree._Element:
    root = etree.fromstring(render_rss(doc))
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    return channel


def epoch(moment: datetime) -> int:
    return calendar.timegm(moment.utctimetuple())


def test_feedparser_reads_every_item_back(document: FeedDocument) -> None:
    parsed = feedparser.parse(render_rss(document))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert len(parsed.entries) == len(document.articles)
    for entry, article in zip(parsed.entries, document.articles, strict=True):
        assert entry.id == article.id
        assert entry.link == article.url
        assert article.published is not None
        assert calendar.timegm(entry.published_parsed) == epoch(article.published)
        assert entry.summary == article.summary


def test_titles_arrive_cleaned_of_illegal_characters(document: FeedDocument, rich: Article) -> None:
    entry = feedparser.parse(render_rss(document)).entries[0]
    assert entry.title == rich.title.replace("\x0b", "")
    assert "“une rébellion des mobilisés”" in entry.title


def test_categories_carry_their_scheme_as_domain_and_tags_follow(
    document: FeedDocument,
) -> None:
    entry = feedparser.parse(render_rss(document)).entries[0]
    tags = [(tag.term, tag.scheme) for tag in entry.tags]
    scheme = "https://news.example.org/taxonomy"
    # The tag "Monde" repeats a category label and is written once.
    assert tags == [("Monde", scheme), ("Économie", scheme), ("Russie", None)]


def test_related_links_survive_as_atom_links(document: FeedDocument, rich: Article) -> None:
    entry = feedparser.parse(render_rss(document)).entries[0]
    related = [(link.href, link.get("title")) for link in entry.links if link.rel == "related"]
    assert related == [(link.url, link.title) for link in rich.related]
    assert entry.link == rich.url


def test_channel_has_the_required_elements_and_dates_from_the_document(
    document: FeedDocument,
) -> None:
    channel = channel_of(document)
    assert channel.findtext("title") == document.title
    assert channel.findtext("link") == document.urls.html
    assert channel.findtext("description") == document.description
    assert channel.findtext("language") == "fr"
    assert channel.findtext("generator") == "syndicator 0.1.0"
    # The newest item's date, never the clock.
    assert channel.findtext("lastBuildDate") == "Sun, 21 Jan 2024 08:00:00 GMT"
    assert channel.findtext("pubDate") == "Sun, 21 Jan 2024 08:00:00 GMT"
    assert len(channel.findall("lastBuildDate")) == 1


def test_channel_links_itself_and_its_hubs(document: FeedDocument) -> None:
    channel = channel_of(document)
    links = [
        (link.get("rel"), link.get("href"), link.get("type")) for link in channel.findall("atom:link", NS)
    ]
    assert links == [
        ("self", document.urls.of("rss.xml"), "application/rss+xml"),
        ("hub", "https://hub.example.org/", None),
    ]


def test_update_hints_follow_the_ttl_with_lowercase_names(document: FeedDocument) -> None:
    channel = channel_of(document)
    assert channel.findtext("ttl") == "30"
    assert channel.findtext("sy:updatePeriod", namespaces=NS) == "hourly"
    assert channel.findtext("sy:updateFrequency", namespaces=NS) == "2"
    assert channel.find("sy:UpdatePeriod", NS) is None
    assert channel.find("sy:UpdateFrequency", NS) is None


def test_a_feed_without_schedule_has_no_update_hints(category_document: FeedDocument) -> None:
    channel = channel_of(category_document)
    assert channel.find("ttl") is None
    assert channel.find("sy:updatePeriod", NS) is None


@pytest.mark.parametrize(
    ("ttl", "expected"),
    [
        (5, ("hourly", 12)),
        (7, ("hourly", 8)),
        (60, ("hourly", 1)),
        (90, ("daily", 16)),
        (1440, ("daily", 1)),
        (2880, ("weekly", 3)),
        (20000, ("weekly", 1)),
    ],
)
def test_update_schedule_never_promises_more_updates_than_the_ttl(
    ttl: int, expected: tuple[str, int]
) -> None:
    assert update_schedule(ttl) == expected


def test_every_item_has_title_link_guid_description_and_pub_date(
    document: FeedDocument,
) -> None:
    for item in channel_of(document).findall("item"):
        for name in ("title", "link", "guid", "description", "pubDate"):
            assert item.findtext(name), f"item lacks {name}"


def test_guid_is_a_permalink_only_when_the_id_is_the_url(document: FeedDocument) -> None:
    guids = {item.findtext("guid"): item.find("guid") for item in channel_of(document).findall("item")}
    permalink = guids["https://news.example.org/articles/5"]
    tagged = guids["tag:news.example.org,2024:20"]
    assert permalink is not None and permalink.get("isPermaLink") == "true"
    assert tagged is not None and tagged.get("isPermaLink") == "false"


def test_full_content_goes_to_content_encoded(document: FeedDocument, rich: Article) -> None:
    item = channel_of(document).findall("item")[0]
    assert item.findtext("description") == rich.summary
    assert item.findtext("content:encoded", namespaces=NS) == rich.content_html


def test_authors_without_a_single_email_become_dc_creators(document: FeedDocument) -> None:
    item = channel_of(document).findall("item")[0]
    creators = [element.text for element in item.findall("dc:creator", NS)]
    assert creators == ["Jean Dupont", "Marie Curie"]
    # The validator's DuplicateItemSemantics: never author and dc:creator together.
    assert item.find("author") is None


def test_a_single_author_with_email_uses_rss_author(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    article = new_article(1, authors=(Author(name="Marie Curie", email="marie@example.org"),))
    item = channel_of(new_document((article,))).findall("item")[0]
    assert item.findtext("author") == "marie@example.org (Marie Curie)"
    assert item.find("dc:creator", NS) is None


def test_the_image_is_media_content_without_an_enclosure(document: FeedDocument, rich: Article) -> None:
    item = channel_of(document).findall("item")[0]
    media = item.find("media:content", NS)
    assert rich.image is not None and media is not None
    assert dict(media.attrib) == {
        "url": rich.image.url,
        "medium": "image",
        "type": "image/jpeg",
        "width": "800",
        "height": "600",
    }
    assert media.findtext("media:description", namespaces=NS) == "Des soldats"
    # RSS 2.0 requires an enclosure's length, which is unknown.
    assert item.find("enclosure") is None


def test_items_keep_the_planners_order(document: FeedDocument) -> None:
    guids = [item.findtext("guid") for item in channel_of(document).findall("item")]
    assert guids == [article.id for article in document.articles]


def test_a_category_feed_names_its_category(category_document: FeedDocument) -> None:
    channel = channel_of(category_document)
    category = channel.find("category")
    assert category is not None
    assert category.text == "Monde"
    assert category.get("domain") == "https://news.example.org/taxonomy"
    image = channel.find("image")
    assert image is not None
    assert image.findtext("title") == category_document.title
    assert image.findtext("link") == category_document.urls.html


def test_dates_ignore_the_feedgen_clock_default(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    old = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    channel = channel_of(new_document((new_article(1, published=old),)))
    assert channel.findtext("lastBuildDate") == "Fri, 31 Dec 1999 23:59:59 GMT"
    assert channel.findall("item")[0].findtext("pubDate") == "Fri, 31 Dec 1999 23:59:59 GMT"
