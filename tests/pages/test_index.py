"""index.html lists every feed for people and carries the autodiscovery links for readers."""

from __future__ import annotations

from dataclasses import replace

from pagedocs import (
    ARABIC,
    CATEGORY,
    DOCUMENTS,
    EMPTY,
    FEEDS,
    FORMATS,
    HOSTILE,
    MAIN,
    parse_html,
    visible_text,
)

from syndicator.model import ArchiveLinks, FeedDocument
from syndicator.render.site import render_site_pages

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}


def site_pages(
    documents: tuple[FeedDocument, ...] = DOCUMENTS,
    formats: tuple[str, ...] = FORMATS,
    language: str = "fr",
) -> dict[str, bytes]:
    return dict(
        render_site_pages(
            documents,
            site_title=f"Site {HOSTILE}",
            site_description="News & <b>views</b>",
            language=language,
            feeds_url=FEEDS,
            formats=formats,
        )
    )


def test_the_index_carries_an_alternate_link_for_every_feed_and_format_main_first() -> None:
    head = parse_html(site_pages()["index.html"]).head
    links = [
        (link.get("type"), link.get("href"), link.get("title"))
        for link in head.iter("link")
        if link.get("rel") == "alternate" and link.get("type") in FEED_TYPES
    ]
    expected_hrefs = [
        doc.urls.of(name)
        for doc in (MAIN, CATEGORY, ARABIC, EMPTY)
        for name in ("rss.xml", "atom.xml", "feed.json")
    ]
    assert [href for _, href, _ in links] == expected_hrefs
    assert [kind for kind, _, _ in links[:3]] == [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
    ]
    assert links[0][2] == f"{MAIN.title} (RSS)"


def test_the_index_links_only_the_configured_formats_in_their_order() -> None:
    head = parse_html(site_pages(formats=("atom", "rss"))["index.html"]).head
    types = [link.get("type") for link in head.iter("link") if link.get("type") in FEED_TYPES]
    assert types == ["application/atom+xml", "application/rss+xml"] * len(DOCUMENTS)


def test_every_feed_is_listed_with_its_description_count_and_last_update() -> None:
    tree = parse_html(site_pages()["index.html"])
    entries = tree.find_class("feeds")[0].findall("li")
    assert len(entries) == len(DOCUMENTS)
    for entry, doc in zip(entries, (MAIN, CATEGORY, ARABIC, EMPTY), strict=True):
        text = " ".join(entry.text_content().split())
        assert doc.title in text
        assert doc.description in text
        count = len(doc.articles)
        assert f"{count} item{'s' if count != 1 else ''}" in text
        times = [t.get("datetime") for t in entry.iter("time")]
        assert times == ([doc.updated.isoformat()] if count else [])
        addresses = [i.get("value") for i in entry.iter("input")]
        assert addresses == [doc.urls.of("rss.xml"), doc.urls.of("atom.xml"), doc.urls.of("feed.json")]
        readable = [a.get("href") for a in entry.iter("a") if a.text == "readable view"]
        prefix = doc.key + "/" if doc.key else ""
        assert readable == [prefix + "rss.html", prefix + "atom.html", prefix + "feed.html"]


def test_the_index_links_the_opml_file_and_offers_its_own_address() -> None:
    tree = parse_html(site_pages()["index.html"])
    assert "feeds.opml" in [a.get("href") for a in tree.iter("a")]
    assert FEEDS in [i.get("value") for i in tree.iter("input")]


def test_nothing_from_the_documents_becomes_markup() -> None:
    data = site_pages()["index.html"]
    tree = parse_html(data)
    assert not list(tree.iter("script"))
    assert [b for b in tree.body.iter("b", "i")] == []
    assert HOSTILE in visible_text(tree)
    assert b"<script>" not in data


def test_the_page_has_the_site_language_and_direction() -> None:
    french = parse_html(site_pages()["index.html"])
    assert (french.get("lang"), french.get("dir")) == ("fr", "ltr")
    arabic = parse_html(site_pages(language="ar-EG")["index.html"])
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar-EG", "rtl")
    # A feed in another language than the site's says so on its own entry.
    entry = french.find_class("feeds")[0].findall("li")[2]
    assert (entry.get("lang"), entry.get("dir")) == ("ar", "rtl")


def test_the_index_is_phone_friendly_and_needs_no_script_or_external_resource() -> None:
    tree = parse_html(site_pages()["index.html"])
    viewport = [m.get("content") for m in tree.iter("meta") if m.get("name") == "viewport"]
    assert viewport == ["width=device-width, initial-scale=1"]
    assert not list(tree.iter("script"))
    assert not [s for s in tree.iter("link") if s.get("rel") == "stylesheet"]
    assert "@media (prefers-color-scheme:dark)" in tree.find(".//style").text


def test_the_same_documents_give_the_same_bytes() -> None:
    assert site_pages() == site_pages()
    changed = site_pages(documents=(replace(MAIN, title="Other"), CATEGORY))
    assert changed["index.html"] != site_pages()["index.html"]


def test_archive_pages_get_no_entry_and_no_view() -> None:
    archived = replace(MAIN, key="archive/1", archive=ArchiveLinks(MAIN.urls, None, None, is_archive=True))
    pages = site_pages(documents=(MAIN, archived))
    assert not [name for name in pages if name.startswith("archive/")]
    assert len(parse_html(pages["index.html"]).find_class("feeds")[0].findall("li")) == 1
