"""What a reader gets from a saved article page: one case per way real pages went wrong.

Each case is a small page built like the real one that failed: the body must be the
article's own text (without captions, credits, second copies or the headline again),
the authors the people who wrote it, the title the headline, the date the page's own day.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from syndicator.model import Article, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext

NEWSPAPER_PAGES = Path(__file__).parent / "pages-newspaper"

STORY = [
    "The council voted on Tuesday to reopen the old harbour bridge to cyclists after two years of repairs.",
    "Engineers said the deck had been strengthened and the railings raised to meet the new safety rules.",
    "Residents who had campaigned for the reopening gathered at the east end to watch the first riders cross.",
    "The mayor said the bridge would stay closed to cars, which will keep using the ring road for now.",
    "A second vote, on lighting for the footpath, is expected before the end of the year, officials said.",
]


LEAD = [
    f"Paragraph {n} of the opening tells readers what happened at the harbour and why it matters to the town."
    for n in ("one", "two", "three", "four", "five", "six")
]


def page(head: str, body: str, lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def paragraphs(lines: list[str] = STORY) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def read(html: str, ctx: NormalizeContext) -> Article:
    result = normalize(RawRecord("pages", "page.html", "", "html", html), ctx)
    assert isinstance(result, Article), result
    return result


def test_captions_credits_and_slideshow_counters_are_not_body_text(ctx: NormalizeContext) -> None:
    figure = (
        '<figure><img src="https://ex.org/bridge.jpg" alt="Cyclists on the bridge">'
        "<figcaption>Cyclists cross the bridge on its first morning. (Image credit: Getty Images)</figcaption>"
        "</figure>"
    )
    slide = '<div class="slideshow"><p>Image 1 of 5</p><p>The east end at dawn, photographed by a resident.</p></div>'
    body = f"<article><h1>Harbour bridge reopens</h1>{figure}{paragraphs(STORY[:3])}{slide}{paragraphs(STORY[3:])}<p>Image 2 of 5 The railings</p></article>"
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert "Image credit" not in got.content_text
    assert "Image 1 of 5" not in got.content_text and "Image 2 of 5" not in got.content_text
    assert "photographed by a resident" not in got.content_text
    assert all(line in got.content_text for line in STORY)
    assert 'alt="Cyclists on the bridge"' in got.content_html  # the picture itself stays


def test_view_counters_are_not_body_text_so_a_rescraped_page_is_not_an_edit(ctx: NormalizeContext) -> None:
    def scraped(meta: str, lang: str = "en") -> Article:
        body = f'<article><h1>Harbour bridge reopens</h1><p class="meta">{meta}</p>{paragraphs()}</article>'
        return read(page("<title>Harbour bridge reopens</title>", body, lang), ctx)

    monday = scraped("1,234 views")
    for meta in ("1,240 views", "Views: 1,302", "3 min read · 2.1K views", "12 345 vues"):
        assert scraped(meta).content_text == monday.content_text, meta
    assert all(line in monday.content_text for line in STORY)
    assert "views" not in monday.content_text


def test_a_second_copy_of_the_article_is_not_kept(ctx: NormalizeContext) -> None:
    body = f'<article><div class="mobile">{paragraphs()}</div><div class="desktop">{paragraphs()}</div></article>'
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert [got.content_text.count(line) for line in STORY] == [1] * len(STORY)


def test_repeated_short_lines_of_a_recipe_are_kept(ctx: NormalizeContext) -> None:
    plan = "<h2>Plan {n}</h2><p>Eat 60–90 minutes before your workout</p><p>Portion: 1 Green, 1 Red</p>"
    body = f"<article>{paragraphs()}{plan.format(n='A')}{plan.format(n='B')}</article>"
    got = read(page("<title>Meal prep</title>", body), ctx)
    assert got.content_text.count("Eat 60–90 minutes before your workout") == 2


def test_a_body_inside_a_paywall_container_is_the_article(ctx: NormalizeContext) -> None:
    body = f'<main><h1>Harbour bridge reopens</h1>{paragraphs(LEAD)}<div class="paywall">{paragraphs()}</div></main>'
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert all(line in got.content_text for line in STORY)


def test_the_rest_of_the_article_behind_a_read_more_button_is_kept(ctx: NormalizeContext) -> None:
    body = (
        f"<article>{paragraphs(LEAD)}<button>Read more</button>"
        f'<div id="read-more-content">{paragraphs()}</div></article>'
    )
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert all(line in got.content_text for line in STORY)


def test_the_headline_repeated_in_the_body_is_not_body_text(ctx: NormalizeContext) -> None:
    body = f'<article><p class="headline">Harbour bridge reopens to cyclists</p>{paragraphs()}</article>'
    got = read(page('<meta property="og:title" content="Harbour bridge reopens to cyclists">', body), ctx)
    assert got.title == "Harbour bridge reopens to cyclists"
    assert "Harbour bridge reopens" not in got.content_text


def test_an_article_readability_misses_is_found_by_a_second_opinion(ctx: NormalizeContext) -> None:
    # vogue.de: readability picks the list of teasers under the article, 21 words long.
    html = gzip.decompress((NEWSPAPER_PAGES / "vogue-de2.html.gz").read_bytes()).decode("utf-8")
    got = read(html, ctx)
    assert "Die Tradition des Weihnachtspullovers ist eine recht junge" in got.content_text
    assert "Feministischer Minimalismus" not in got.content_text


def test_a_byline_line_at_the_top_of_the_body_is_the_authors_not_the_text(ctx: NormalizeContext) -> None:
    body = f"<article><h1>Harbour bridge reopens</h1><p>By Jane Roe and John Doe</p>{paragraphs()}</article>"
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert "Jane Roe" not in got.content_text
    assert [a.name for a in got.authors] == ["Jane Roe", "John Doe"]


def test_authors_come_from_the_visible_byline_when_structured_data_names_none(ctx: NormalizeContext) -> None:
    body = f'<article><h1>Harbour bridge reopens</h1><div class="article-byline">By Jane Roe, Staff Writer | Tuesday</div>{paragraphs()}</article>'
    got = read(page("<title>Harbour bridge reopens</title>", body), ctx)
    assert [a.name for a in got.authors] == ["Jane Roe"]


def test_the_publisher_is_not_an_author(ctx: NormalizeContext) -> None:
    head = (
        '<meta property="og:site_name" content="STERN.de"><meta name="author" content="STERN.de">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Wer ist dabei",'
        ' "author": [{"@type": "Organization", "name": "Badische Zeitung"}],'
        ' "publisher": {"@type": "Organization", "name": "Badische Zeitung"}}</script>'
        "<title>Wer ist dabei - STERN.de</title>"
    )
    body = f'<article><p class="byline">Von Max Mustermann</p>{paragraphs()}</article>'
    got = read(page(head, body, lang="de"), ctx)
    assert [a.name for a in got.authors] == ["Max Mustermann"]


def test_a_surname_first_author_with_initials_is_one_person(ctx: NormalizeContext) -> None:
    head = '<meta name="author" content="Kooman, F.">'
    got = read(
        page(head + "<title>Harbour bridge reopens</title>", f"<article>{paragraphs()}</article>"), ctx
    )
    assert [a.name for a in got.authors] == ["Kooman, F."]


def test_author_names_are_decoded(ctx: NormalizeContext) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Puente reabierto",'
        ' "author": {"@type": "Person", "name": "Mar&iacute;a L&oacute;pez"}}</script>'
        "<title>Puente reabierto</title>"
    )
    got = read(page(head, f"<article>{paragraphs()}</article>", lang="es"), ctx)
    assert [a.name for a in got.authors] == ["María López"]


def test_a_place_in_the_structured_data_is_not_an_author(ctx: NormalizeContext) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour bridge reopens",'
        ' "author": [{"@type": "Place", "name": "Frankfurt"}, {"@type": "Person", "name": "Jane Roe"}]}</script>'
    )
    got = read(page(head, f"<article>{paragraphs()}</article>"), ctx)
    assert [a.name for a in got.authors] == ["Jane Roe"]


def test_the_site_name_goes_with_its_separator_however_it_is_spelled(ctx: NormalizeContext) -> None:
    head = '<meta property="og:site_name" content="Stern"><title>Wer ist dabei - STERN.de</title>'
    got = read(page(head, f"<article>{paragraphs()}</article>", lang="de"), ctx)
    assert got.title == "Wer ist dabei"


def test_a_json_ld_headline_the_page_does_not_show_is_not_the_title(ctx: NormalizeContext) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Sign up for our newsletter"}</script>'
        '<meta property="og:title" content="Harbour bridge reopens to cyclists">'
        "<title>Harbour bridge reopens to cyclists | The Harbour Times</title>"
    )
    got = read(
        page(head, f"<article><h1>Harbour bridge reopens to cyclists</h1>{paragraphs()}</article>"), ctx
    )
    assert got.title == "Harbour bridge reopens to cyclists"


def test_the_published_day_is_the_pages_own_not_utcs(ctx: NormalizeContext) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour bridge reopens",'
        ' "datePublished": "2024-03-01T23:30:00Z"}</script>'
        '<meta property="article:published_time" content="2024-03-02T00:30:00+01:00">'
    )
    got = read(page(head, f"<article>{paragraphs()}</article>"), ctx)
    assert got.published is not None and got.published.isoformat() == "2024-03-02T00:30:00+01:00"


def test_dates_stated_as_unix_time_or_in_the_date_commands_format_are_read(ctx: NormalizeContext) -> None:
    for stated, day in (("1676551869", "2023-02-16"), ("Sun Nov 23 16:00:00 EDT 2014", "2014-11-23")):
        head = f'<meta property="article:published_time" content="{stated}"><title>Harbour bridge reopens</title>'
        got = read(page(head, f"<article>{paragraphs()}</article>"), ctx)
        assert got.published is not None and got.published.date().isoformat() == day, stated


def test_a_date_shown_only_in_the_text_in_spanish_is_found(ctx: NormalizeContext) -> None:
    # Ultima Hora Mallorca: "jueves, 09 enero 2014 10:21" in a <time> without a datetime attribute.
    html = gzip.decompress((NEWSPAPER_PAGES / "spanish-article.html.gz").read_bytes()).decode("utf-8")
    got = read(html, ctx)
    assert got.published is not None and got.published.date().isoformat() == "2014-01-09"
