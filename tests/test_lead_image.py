"""The item's picture: the record's own, or the first real picture of its
body, with its size, where each format's readers look for it (RSS
media:content and media:thumbnail, Atom's enclosure link, JSON Feed's image
and banner_image), read back by feedparser."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import feedparser_rs
import pytest
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.model import Article, FeedDocument, FeedUrls, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.rules import default_rules_path, load_rules, rules_from_mapping
from syndicator.normalize.taxonomy import load_taxonomy
from syndicator.pipeline import publish_run
from syndicator.render import render_atom, render_jsonfeed, render_rss

CONFIG = Path(__file__).resolve().parents[1] / "config"
BASE = "https://news.example.org/"
PHOTO = "https://cdn.example.org/2024/03/harbour-at-dawn.jpg"


@cache
def context() -> NormalizeContext:
    return NormalizeContext(
        base_url=BASE,
        language="en",
        timezone=ZoneInfo("Europe/Paris"),
        rules=load_rules(default_rules_path()),
        taxonomy=load_taxonomy(CONFIG / "taxonomy.toml"),
        today=date(2024, 3, 1),
        site_name="Harbour News",
    )


def article(body: str, **fields: Any) -> Article:
    payload = {
        "title": "Fishing boats return to the harbour",
        "url": "https://news.example.org/2024/03/boats",
        "published": "2024-03-01T08:00:00+01:00",
        "content_html": body,
        **fields,
    }
    result = normalize(RawRecord("cms", "export.json", "record 0", "json", payload), context())
    assert isinstance(result, Article), result
    return result


def document(item: Article) -> FeedDocument:
    return FeedDocument(
        key="",
        title="Harbour News",
        description="News from the harbour.",
        language="en",
        urls=FeedUrls(directory=BASE, html=BASE),
        updated=item.published,
        articles=(replace(item, id="tag:news.example.org,2024:1"),),
        generator="syndicator",
        generator_version="0.1.0",
        generator_uri="https://syndicator.example.org/",
    )


AVATAR = '<img src="https://news.example.org/avatars/jane.jpg" width="64" height="64" alt="Jane">'
PIXEL = '<img src="https://pixel.wp.com/g.gif?blog=1" width="1" height="1">'
ICON = '<img src="https://news.example.org/static/icons/share-twitter.png" alt="Share">'
LOGO_SVG = '<img src="https://news.example.org/brand/mark.svg" alt="">'
TRACKER = '<img src="https://feeds.feedburner.com/~r/harbour/~4/abc">'


def test_a_record_without_image_gets_the_first_picture_of_its_body_with_its_size_in_every_format() -> None:
    body = (
        f"<p>{AVATAR} By Jane Roe {PIXEL}</p><p>{ICON}{LOGO_SVG}{TRACKER}</p>"
        f'<figure><img src="{PHOTO}" width="1200" height="800" alt="Boats at dawn"></figure>'
        '<p>The fleet came back.</p><img src="https://cdn.example.org/second.jpg" width="1000" height="900">'
    )
    item = article(body)

    assert item.image is not None
    assert (item.image.url, item.image.width, item.image.height) == (PHOTO, 1200, 800)
    assert ("image", "the first image of the body that is not an icon, pixel or avatar") in item.inferred

    rss = feedparser.parse(render_rss(document(item))).entries[0]
    assert rss.media_thumbnail == [{"url": PHOTO, "width": "1200", "height": "800"}]
    rust = feedparser_rs.parse(render_rss(document(item))).entries[0]
    assert [(t.url, t.width, t.height) for t in rust.media_thumbnail] == [(PHOTO, "1200", "800")]
    assert [(c.url, c.type) for c in rust.media_content] == [(PHOTO, "image/jpeg")]
    assert rss.media_content[0]["url"] == PHOTO
    assert (rss.media_content[0]["width"], rss.media_content[0]["height"]) == ("1200", "800")
    assert rss.media_content[0]["type"] == "image/jpeg"

    atom = feedparser.parse(render_atom(document(item))).entries[0]
    assert [link.href for link in atom.links if link.rel == "enclosure"] == [PHOTO]

    json_item = json.loads(render_jsonfeed(document(item)))["items"][0]
    assert json_item["image"] == PHOTO
    # The picture is in the body already: no banner repeating it.
    assert "banner_image" not in json_item


def test_a_body_of_only_icons_pixels_and_avatars_promotes_nothing() -> None:
    item = article(f"<p>{AVATAR}{PIXEL}{ICON}{LOGO_SVG}{TRACKER} The fleet came back.</p>")
    assert item.image is None
    rss = feedparser.parse(render_rss(document(item))).entries[0]
    assert "media_thumbnail" not in rss and "media_content" not in rss


def test_the_records_own_image_wins_and_takes_its_size_from_the_same_picture_in_the_body() -> None:
    body = f'<p><img src="https://cdn.example.org/other.jpg" width="900" height="900"><img src="{PHOTO}" width="1600" height="900"></p>'
    item = article(body, image=PHOTO)
    assert item.image is not None
    assert (item.image.url, item.image.width, item.image.height) == (PHOTO, 1600, 900)


def test_an_image_not_in_the_body_is_the_json_feed_banner_and_the_records_size_is_carried() -> None:
    item = article("<p>The fleet came back.</p>", image={"url": PHOTO, "width": 1400, "height": 788})
    json_item = json.loads(render_jsonfeed(document(item)))["items"][0]
    assert json_item["image"] == json_item["banner_image"] == PHOTO
    assert item.image is not None and item.image.type == "image/jpeg"  # told by the file name
    rss = feedparser.parse(render_rss(document(item))).entries[0]
    assert rss.media_thumbnail == [{"url": PHOTO, "width": "1400", "height": "788"}]


def test_an_image_of_unknown_size_has_a_thumbnail_without_one() -> None:
    item = article(f'<p><img src="{PHOTO}" alt="Boats"></p>')
    rss = feedparser.parse(render_rss(document(item))).entries[0]
    assert rss.media_thumbnail == [{"url": PHOTO}]


def page(head: str) -> Article:
    html = (
        f"<html lang=en><head><title>Fishing boats return</title>{head}</head><body><article>"
        "<h1>Fishing boats return to the harbour</h1>"
        + "<p>The fleet came back at dawn after a week at sea, with a catch the harbour master called the best in years.</p>"
        * 4
        + "</article></body></html>"
    )
    result = normalize(
        RawRecord("pages", "https://news.example.org/2024/03/boats", "", "html", html), context()
    )
    assert isinstance(result, Article), result
    return result


@pytest.mark.parametrize(
    "head",
    [
        f'<meta property="og:image" content="{PHOTO}"><meta property="og:image:width" content="1200">'
        '<meta property="og:image:height" content="630">',
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"Fishing boats return to the harbour","image":{{"@type":"ImageObject","url":"{PHOTO}",'
        '"width":1200,"height":630}}</script>',
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"Fishing boats return to the harbour","image":"{PHOTO}"}}</script>'
        f'<meta property="og:image" content="{PHOTO}"><meta property="og:image:width" content="1200">'
        '<meta property="og:image:height" content="630">',
    ],
    ids=["open-graph", "json-ld-image-object", "json-ld-url-sized-by-open-graph"],
)
def test_a_saved_page_says_the_size_of_its_image(head: str) -> None:
    item = page(head)
    assert item.image is not None
    assert (item.image.url, item.image.width, item.image.height) == (PHOTO, 1200, 630)
    rss = feedparser.parse(render_rss(document(item))).entries[0]
    assert rss.media_thumbnail == [{"url": PHOTO, "width": "1200", "height": "630"}]


def test_the_furniture_rules_are_data_a_site_can_change() -> None:
    rules = rules_from_mapping({"lead_image": {"min_side": 50, "skip_words": ["mugshot"]}}, "site.toml")
    assert rules.lead_image.min_side == 50
    assert rules.lead_image.skip_words == ("mugshot",)
    from syndicator.errors import ConfigError

    with pytest.raises(ConfigError, match=r"lead_image\.min_side"):
        rules_from_mapping({"lead_image": {"min_side": 0}}, "site.toml")


def test_an_upgrade_that_promotes_a_body_image_does_not_tell_readers_the_article_was_corrected(
    site: Path, add_records: Callable[..., Path]
) -> None:
    # An article stored before body images were promoted: no image, and a
    # content hash of the version before.
    body = f'<p>The fleet came back.</p><img src="{PHOTO}" width="1200" height="800">'
    source = add_records("a.json", [record(1, content_html=body)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    db = sqlite3.connect(site / "state" / "state.sqlite3")
    data = json.loads(db.execute("SELECT data FROM articles").fetchone()[0])
    del data["image"]
    db.execute(
        "UPDATE articles SET data = ?, content_hash = 'v1:' || hex(randomblob(32))", (json.dumps(data),)
    )
    db.commit()
    db.close()
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # read again

    publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(days=1))

    entry = feedparser.parse((site / "out" / "rss.xml").read_bytes()).entries[0]
    assert entry.media_thumbnail[0]["url"] == PHOTO
    assert "updated" not in entry  # no atom:updated: nothing was corrected
