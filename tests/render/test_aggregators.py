"""What aggregators and readers see in every format: corrections, category
names, languages, dates and plain text, read back by feedparser (Python) and
feedparser-rs (Rust). The W3C validator's rules appear as specifications."""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import feedparser_rs
from lxml import etree

from syndicator.model import Article, Author, Category, FeedDocument, Image
from syndicator.render import render_atom, render_jsonfeed, render_rss

ATOM_NS = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
EDITED = datetime(2024, 1, 21, 8, 0, tzinfo=UTC)


def readers(data: bytes) -> list[Any]:
    return [feedparser.parse(data), feedparser_rs.parse(data)]


def seconds(value: Any) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else calendar.timegm(value)


def test_an_edited_article_shows_its_correction_date_in_rss_atom_and_json_alike(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    edited = new_article(3, updated=EDITED)
    untouched = new_article(2)
    document = new_document((edited, untouched))

    # feedparser-rs 0.7 reads no item date in RSS besides pubDate, so the
    # RSS correction date is read back by feedparser only.
    for parsed in (*readers(render_atom(document)), feedparser.parse(render_rss(document))):
        first = parsed.entries[0]
        assert seconds(first.updated_parsed) == int(EDITED.timestamp())
        assert seconds(first.published_parsed) == int(edited.published.timestamp())
    items = json.loads(render_jsonfeed(document))["items"]
    assert datetime.fromisoformat(items[0]["date_modified"]) == EDITED
    item = etree.fromstring(render_rss(document)).findall("channel/item")
    assert item[0].findtext(f"{{{ATOM_NS}}}updated") == "2024-01-21T08:00:00+00:00"
    assert item[1].find(f"{{{ATOM_NS}}}updated") is None


def test_every_reader_shows_the_same_category_names_in_every_format(document: FeedDocument) -> None:
    expected = json.loads(render_jsonfeed(document))["items"][0]["tags"]
    assert expected == ["Monde", "Économie", "Russie"]
    for data in (render_rss(document), render_atom(document)):
        for parsed in readers(data):
            assert [tag.term for tag in parsed.entries[0].tags] == expected


def test_rss_dates_are_written_in_gmt_whatever_the_articles_offset(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    # W3C validator "ProblematicalRFC822Date": offsets like +0545 are flagged.
    kathmandu = timezone(timedelta(hours=5, minutes=45))
    article = new_article(4, published=datetime(2024, 3, 1, 12, 0, tzinfo=kathmandu))
    rss = etree.fromstring(render_rss(new_document((article,))))
    assert rss.findtext("channel/item/pubDate") == "Fri, 01 Mar 2024 06:15:00 GMT"
    assert rss.findtext("channel/lastBuildDate") == "Fri, 01 Mar 2024 06:15:00 GMT"
    for parsed in readers(render_rss(new_document((article,)))):
        assert seconds(parsed.entries[0].published_parsed) == int(article.published.timestamp())


def test_markup_like_text_in_a_category_is_spelled_with_hexadecimal_references(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    # W3C validator "CharacterData" (RSS profile): & and < in plain text as &#x26; and &#x3C;.
    odd = Category(term="tom-jerry", label="Tom & Jerry")
    article = new_article(5, categories=(odd,), tags=("x < y",))
    data = render_rss(new_document((article,), category=odd))
    assert b"<category>Tom &#x26; Jerry</category>" in data
    assert b"<category>x &#x3C; y</category>" in data
    assert b"&amp;" not in data and b"&lt; y" not in data
    for parsed in readers(data):
        assert [tag.term for tag in parsed.entries[0].tags] == ["Tom & Jerry", "x < y"]
        assert parsed.feed.tags[0].term == "Tom & Jerry"


def test_markup_like_text_in_any_item_is_spelled_however_deep_in_the_feed(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    # Only the last of several items holds & and < in its plain text: title, name, image alt.
    plain = [new_article(n) for n in range(1, 4)]
    odd = new_article(
        4,
        title="Fish & Chips < 5 €",
        authors=(Author(name="Smith & Sons"),),
        image=Image(url="https://news.example.org/img/4.jpg", alt="Salt & vinegar"),
    )
    data = render_rss(new_document((*plain, odd)))
    assert b"<title>Fish &#x26; Chips &#x3C; 5 \xe2\x82\xac</title>" in data
    assert b"<dc:creator>Smith &#x26; Sons</dc:creator>" in data
    assert b'<media:description type="plain">Salt &#x26; vinegar</media:description>' in data
    assert etree.fromstring(data).findtext("channel/item[4]/title") == "Fish & Chips < 5 €"


def test_an_item_without_body_has_its_summary_or_title_as_rss_description(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    bare = new_article(6, summary="", content_html="", content_text="")
    summarised = new_article(7, content_html="", content_text="")
    data = render_rss(new_document((summarised, bare)))
    items = etree.fromstring(data).findall("channel/item")
    assert [item.findtext("description") for item in items] == ["Summary of article 7.", "Article 6"]
    for parsed in readers(data):
        assert [entry.summary for entry in parsed.entries] == ["Summary of article 7.", "Article 6"]


def test_every_rss_item_says_its_language(document: FeedDocument) -> None:
    items = etree.fromstring(render_rss(document)).findall("channel/item")
    assert [item.findtext(f"{{{DC}}}language") for item in items] == ["fr", "en", "en", "de"]
    assert [item["language"] for item in json.loads(render_jsonfeed(document))["items"]] == [
        "fr",
        "en",
        "en",
        "de",
    ]
