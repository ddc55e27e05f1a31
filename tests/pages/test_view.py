"""The readable view of a feed: what it is, how to subscribe, then its items, all escaped."""

from __future__ import annotations

from dataclasses import replace

from pagedocs import (
    ARABIC,
    CATEGORY,
    DOCUMENTS,
    FEEDS,
    FORMATS,
    HOSTILE,
    MAIN,
    article,
    parse_html,
    visible_text,
)

from syndicator.render.site import render_site_pages


def pages(formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    return dict(
        render_site_pages(
            DOCUMENTS,
            site_title="Site",
            site_description="",
            language="fr",
            feeds_url=FEEDS,
            formats=formats,
        )
    )


def test_there_is_one_view_next_to_every_feed_file() -> None:
    names = set(pages())
    for doc in DOCUMENTS:
        prefix = doc.key + "/" if doc.key else ""
        assert {prefix + "rss.html", prefix + "atom.html", prefix + "feed.html"} <= names
    assert len(names) == 2 + 3 * len(DOCUMENTS)
    assert set(pages(formats=("json",))) == {"index.html", "feeds.opml"} | {
        (d.key + "/" if d.key else "") + "feed.html" for d in DOCUMENTS
    }


def test_the_view_names_the_feed_and_explains_how_to_subscribe_with_copyable_addresses() -> None:
    tree = parse_html(pages()["atom.html"])
    assert tree.findtext(".//h1") == MAIN.title
    assert tree.findtext(".//title") == f"{MAIN.title} (Atom feed)"
    about = " ".join(tree.find_class("about")[0].text_content().split())
    assert "This is a web feed" in about
    assert "feed reader" in about
    inputs = [i for i in tree.iter("input")]
    assert all(i.get("readonly") is not None for i in inputs)
    # The format the person arrived from comes first.
    assert [i.get("value") for i in inputs] == [
        MAIN.urls.of("atom.xml"),
        MAIN.urls.of("rss.xml"),
        MAIN.urls.of("feed.json"),
    ]


def test_every_item_is_shown_with_its_title_link_date_categories_and_related_links() -> None:
    tree = parse_html(pages()["categories/monde/rss.html"])
    items = tree.find_class("items")[0].findall("li")
    assert len(items) == len(CATEGORY.articles)
    for item, shown in zip(items, CATEGORY.articles, strict=True):
        heading = item.find(".//h3/a")
        assert heading.text_content() == shown.title
        assert heading.get("href") == shown.url
        assert shown.published is not None
        assert item.find(".//time").get("datetime") == shown.published.isoformat()
        assert "2024-02-0" in item.find(".//time").text and "UTC+01:00" in item.find(".//time").text
        assert [li.text for li in item.find_class("tags")[0]] == [c.label for c in shown.categories]
        assert [a.get("href") for a in item.find_class("links")[0].iter("a")] == [
            r.url for r in shown.related
        ]
        assert shown.summary in item.text_content()


def test_nothing_from_the_feed_becomes_markup_and_there_is_no_script() -> None:
    for name, data in pages().items():
        if name.endswith(".html"):
            tree = parse_html(data)
            assert not list(tree.iter("script")), name
            assert not list(tree.body.iter("b", "i")), name
            assert not [p for p in tree.body.iter("p") if p.text == "not a tag"], name
    text = visible_text(parse_html(pages()["rss.html"]))
    assert HOSTILE in text
    assert "<p>not a tag</p>" in text


def test_the_view_takes_the_feed_s_language_and_direction() -> None:
    arabic = parse_html(pages()["categories/arabe/feed.html"])
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    # The explanations are English and say so, so they read left to right.
    about = arabic.find_class("about")[0]
    assert (about.get("lang"), about.get("dir")) == ("en", "ltr")
    french = parse_html(pages()["rss.html"])
    assert (french.get("lang"), french.get("dir")) == ("fr", "ltr")


def test_an_item_in_another_language_is_marked_as_such() -> None:
    doc = replace(MAIN, articles=(article(9, language="he"), article(8)))
    data = dict(
        render_site_pages(
            (doc,), site_title="S", site_description="", language="fr", feeds_url=FEEDS, formats=("rss",)
        )
    )["rss.html"]
    articles = list(parse_html(data).iter("article"))
    assert (articles[0].get("lang"), articles[0].get("dir")) == ("he", "rtl")
    assert articles[1].get("lang") is None


def test_an_empty_feed_says_it_has_no_articles_yet() -> None:
    tree = parse_html(pages()["categories/empty/rss.html"])
    assert "No articles yet." in visible_text(tree)
    assert not tree.find_class("items")


def test_a_category_view_links_back_to_the_index() -> None:
    tree = parse_html(pages()["categories/monde/rss.html"])
    assert tree.find_class("nav")[0].find("a").get("href") == "../../index.html"
    assert parse_html(pages()["rss.html"]).find_class("nav")[0].find("a").get("href") == "index.html"


def test_the_view_advertises_its_own_feed_for_discovery() -> None:
    tree = parse_html(pages()["categories/arabe/atom.html"])
    links = [(e.get("type"), e.get("href")) for e in tree.head.iter("link") if e.get("rel") == "alternate"]
    assert links == [("application/atom+xml", ARABIC.urls.of("atom.xml"))]


def test_views_are_deterministic() -> None:
    first, second = pages(), pages()
    assert first == second
