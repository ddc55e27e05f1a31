"""Article web pages to Drafts: metadata from real pages, then single behaviours on small pages."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from syndicator.model import Article, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.htmlpage import extract_html_article
from syndicator.normalize.rawtext import extract_text_article
from syndicator.normalize.sanitize import html_to_text

PAGES = Path(__file__).parent / "pages"
EXPECTED = sorted(PAGES.glob("*.expected.json"))


def page(name: str) -> str:
    return gzip.decompress((PAGES / f"{name}.html.gz").read_bytes()).decode("utf-8")


def article(html: str, ctx: NormalizeContext, origin: str = "page.html") -> Article:
    result = normalize(RawRecord("pages", origin, "", "html", html), ctx)
    assert isinstance(result, Article), result
    return result


def doc(head: str = "", body: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def ld(value: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the story says something long enough to be running text in an article body.</p>"
    for i in range(6)
)
PARAGRAPHES = "".join(
    f"<p>Le paragraphe {i} raconte une histoire assez longue pour être un vrai texte de presse.</p>"
    for i in range(6)
)


@pytest.mark.parametrize("expected_file", EXPECTED, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_real_page_metadata(expected_file: Path, ctx: NormalizeContext) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    got = article(page(expected_file.name.removesuffix(".expected.json")), ctx)
    if "title" in expected:
        assert got.title == expected["title"]
    if "published" in expected:
        assert got.published is not None and got.published.isoformat() == expected["published"]
    if "authors" in expected:
        assert [a.name for a in got.authors] == expected["authors"]
    assert got.language == expected["language"]
    if "categories" in expected:
        assert [c.label for c in got.categories] == expected["categories"]
    if "url" in expected:
        assert got.url == expected["url"]
    if "related_url_contains" in expected:
        assert any(expected["related_url_contains"] in r.url for r in got.related)


def test_json_ld_graph_with_id_references_gives_title_dates_author_section(ctx: NormalizeContext) -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://ex.org/#site", "name": "Ex"},
            {
                "@type": "Person",
                "@id": "https://ex.org/#jane",
                "name": "Jane Roe",
                "url": "https://ex.org/jane",
            },
            {
                "@type": ["NewsArticle", "ReportageNewsArticle"],
                "@id": "https://ex.org/a#article",
                "headline": "Floods reach the delta",
                "datePublished": "2024-01-17T09:30:00+01:00",
                "dateModified": "2024-01-17T12:00:00+01:00",
                "author": {"@id": "https://ex.org/#jane"},
                "articleSection": ["Monde"],
                "keywords": "floods, delta",
                "inLanguage": "fr-FR",
                "image": {"@type": "ImageObject", "url": "/img/flood.jpg", "width": 1200, "height": 800},
                "mainEntityOfPage": "https://ex.org/monde/floods",
            },
        ],
    }
    head = ld(graph) + '<meta property="og:title" content="Not this one"><title>Nor this | Ex</title>'
    draft = extract_html_article(doc(head, PARAGRAPHES), ctx=ctx)
    assert draft.title == "Floods reach the delta"
    assert draft.published == "2024-01-17T09:30:00+01:00"
    assert draft.updated == "2024-01-17T12:00:00+01:00"
    assert [(a.name, a.url) for a in draft.authors] == [("Jane Roe", "https://ex.org/jane")]
    assert draft.categories == ("Monde",)
    assert draft.tags == ("floods", "delta")
    assert draft.language == "fr-FR"
    assert draft.url == "https://ex.org/monde/floods"
    assert draft.image is not None and (draft.image.url, draft.image.width) == ("/img/flood.jpg", 1200)
    assert ("title", "JSON-LD") in draft.inferred
    assert ("published", "JSON-LD") in draft.inferred


def test_json_ld_list_and_full_iri_types_are_read(ctx: NormalizeContext) -> None:
    head = ld(
        [
            {"@type": "Organization", "name": "Ex"},
            {"@type": "http://schema.org/BlogPosting", "headline": "A post", "author": ["Ann Lee", "Bo Li"]},
        ]
    )
    draft = extract_html_article(doc(head, PARAGRAPHS), ctx=ctx)
    assert draft.title == "A post"
    assert [a.name for a in draft.authors] == ["Ann Lee", "Bo Li"]


def test_breadcrumb_middle_items_become_categories(ctx: NormalizeContext) -> None:
    crumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 3, "name": "Floods reach the delta"},
            {"@type": "ListItem", "position": 1, "name": "Accueil", "item": "https://ex.org/"},
            {"@type": "ListItem", "position": 2, "name": "Monde", "item": "https://ex.org/monde"},
        ],
    }
    head = ld(crumbs) + '<meta property="og:title" content="Floods reach the delta">'
    draft = extract_html_article(doc(head, PARAGRAPHS), ctx=ctx)
    assert draft.categories == ("Monde",)


def test_opengraph_and_article_meta_fill_in_without_json_ld(ctx: NormalizeContext) -> None:
    head = (
        '<meta property="og:title" content="Wahl in Berlin">'
        '<meta property="article:published_time" content="2024-11-21T07:15:00+01:00">'
        '<meta property="article:modified_time" content="2024-11-21T09:00:00+01:00">'
        '<meta property="article:section" content="Politik">'
        '<meta property="article:tag" content="Wahl"><meta property="article:tag" content="Berlin">'
        '<meta name="author" content="Erika Mustermann">'
        '<meta property="og:image" content="https://ex.de/a.jpg">'
        '<link rel="canonical" href="https://ex.de/politik/wahl?utm_source=x">'
        "<title>Wahl in Berlin - Ex</title>"
    )
    draft = extract_html_article(doc(head, PARAGRAPHS, lang="de"), ctx=ctx)
    assert draft.title == "Wahl in Berlin"
    assert draft.published == "2024-11-21T07:15:00+01:00"
    assert draft.updated == "2024-11-21T09:00:00+01:00"
    assert draft.categories == ("Politik",)
    assert draft.tags == ("Wahl", "Berlin")
    assert [a.name for a in draft.authors] == ["Erika Mustermann"]
    assert draft.image is not None and draft.image.url == "https://ex.de/a.jpg"
    assert draft.url == "https://ex.de/politik/wahl?utm_source=x"  # cleaned later, by assemble
    assert ("published", "article:published_time") in draft.inferred
    assert ("url", "<link rel=canonical>") in draft.inferred


def test_title_element_is_the_last_resort_and_its_site_suffix_goes(ctx: NormalizeContext) -> None:
    head = "<title>Le titre de l'article | Le Site</title>"
    got = article(doc(head, PARAGRAPHES, lang="fr"), ctx)
    assert got.title == "Le titre de l'article"  # a straight apostrophe is not broken: kept
    assert got.language == "fr"


def test_a_home_page_canonical_loses_to_the_article_address(ctx: NormalizeContext) -> None:
    head = '<link rel="canonical" href="https://ex.org/"><title>T</title>'
    draft = extract_html_article(doc(head, PARAGRAPHS), ctx=ctx, url="https://ex.org/2024/story")
    assert draft.url == "https://ex.org/2024/story"


FURNITURE = (
    '<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
    '<div class="cookie-banner"><p>We use cookies to improve your experience. Accept all</p></div>'
    "<main><article><h1>Floods reach the delta</h1>"
    '<div class="share-bar"><a href="#">Share on Facebook</a></div>'
    "<p>The river rose through the night and by morning the lower town was under water, officials said.</p>"
    "<h2>Evacuations</h2>"
    "<p>Hundreds of families left their homes before dawn, carrying what they could up the hill.</p>"
    "<ul><li>Schools are closed</li><li>The bridge is shut</li></ul>"
    "<blockquote><p>We have never seen the water this high in forty years of living here.</p></blockquote>"
    '<figure><img src="/img/flood.jpg" alt="The flooded square"><figcaption>The square</figcaption></figure>'
    "<p>ADVERTISEMENT</p>"
    '<p>Read more: <a href="/2024/01/10/rain-warning">Rain warning issued for the delta</a></p>'
    "<p>Rescue teams from three regions are expected to arrive later today to help with the work.</p>"
    "<h3>Related Articles</h3>"
    '<ul><li><a href="/2024/01/12/dams">Dams under strain after a wet winter</a></li>'
    '<li><a href="/2024/01/05/insurance">Insurers brace for a costly season</a></li></ul>'
    "</article></main>"
    '<footer><p>© Ex News. All rights reserved.</p><a href="/privacy">Privacy policy and terms</a></footer>'
)


def test_main_text_keeps_the_article_and_drops_the_page_around_it(ctx: NormalizeContext) -> None:
    got = article(doc("<title>Floods reach the delta</title>", FURNITURE), ctx, origin="https://ex.org/a")
    text = html_to_text(got.content_html)
    assert "The river rose through the night" in text
    assert "Rescue teams from three regions" in text
    assert "<h2>Evacuations</h2>" in got.content_html
    assert "<li>Schools are closed</li>" in got.content_html
    assert "<blockquote>" in got.content_html
    assert 'src="https://ex.org/img/flood.jpg"' in got.content_html
    for furniture in (
        "World",
        "cookies",
        "Share on Facebook",
        "ADVERTISEMENT",
        "Read more",
        "Related",
        "rights",
    ):
        assert furniture not in text
    assert "Floods reach the delta" not in text  # the title is not repeated in the body


def test_related_blocks_and_read_more_lines_become_related_links(ctx: NormalizeContext) -> None:
    got = article(doc("<title>Floods reach the delta</title>", FURNITURE), ctx, origin="https://ex.org/a")
    related = {r.url: r.title for r in got.related}
    assert related["https://ex.org/2024/01/10/rain-warning"] == "Rain warning issued for the delta"
    assert related["https://ex.org/2024/01/12/dams"] == "Dams under strain after a wet winter"
    assert "https://ex.org/2024/01/05/insurance" in related
    assert "https://ex.org/privacy" not in related


@pytest.mark.parametrize(
    ("heading", "lang"),
    [("À lire aussi", "fr"), ("Mehr zum Thema", "de"), ("Noticias relacionadas", "es"), ("Read more", "en")],
)
def test_related_headings_are_recognised_in_several_languages(
    heading: str, lang: str, ctx: NormalizeContext
) -> None:
    body = (
        f"<article>{PARAGRAPHS}</article>"
        f"<section><h2>{heading}</h2>"
        '<a href="/x/other-story">Another story about the same floods</a></section>'
    )
    draft = extract_html_article(doc("<title>T</title>", body, lang=lang), ctx=ctx, url="https://ex.org/a")
    assert [r.url for r in draft.related] == ["/x/other-story"]
    assert "Another story" not in (draft.content_html or "")


def test_json_ld_article_body_stands_in_when_the_page_has_no_readable_text(ctx: NormalizeContext) -> None:
    text = " ".join(["The whole story is only in the structured data of this page."] * 10)
    head = ld({"@type": "Article", "headline": "Scripted page", "articleBody": text})
    draft = extract_html_article(doc(head, '<div id="app"></div>'), ctx=ctx)
    assert draft.content_html is not None and "structured data" in draft.content_html
    assert ("content_html", "JSON-LD articleBody") in draft.inferred


def test_a_stated_language_the_text_contradicts_is_replaced(ctx: NormalizeContext) -> None:
    german = "".join(
        f"<p>Die Regierung hat am Dienstag beschlossen, dass die neuen Regeln für alle {n} Schulen "
        "im ganzen Land ab dem nächsten Jahr gelten werden, wie der Minister sagte.</p>"
        for n in ("ersten", "zweiten", "dritten", "vierten", "fünften", "sechsten")
    )
    draft = extract_html_article(doc("<title>Neue Regeln</title>", german, lang="en"), ctx=ctx)
    assert draft.language == "de"


def test_a_page_with_no_title_and_no_text_is_rejected(ctx: NormalizeContext) -> None:
    result = normalize(RawRecord("pages", "empty.html", "", "html", doc()), ctx)
    assert not isinstance(result, Article)
    assert "not an article page" in result.reason


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Rates held as inflation eases</title>"
        "<meta name='description' content='The central bank kept its rate at 4%.'>"
        "<link rel='canonical' href='https://gazette.example/news/rates'></head>",
        # saved while the page was still loading: cut inside its <head>
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Rates held as inflation eases</title><link rel='canonical' href='https://gazette.example/news/rates'>"
        "<meta name='description' content='The central bank kept its rate at 4%.'>",
    ],
)
def test_a_page_with_only_its_head_is_an_item_of_what_the_head_says(html: str, ctx: NormalizeContext) -> None:
    result = article(html, ctx)
    assert (result.title, str(result.url), result.summary) == (
        "Rates held as inflation eases",
        "https://gazette.example/news/rates",
        "The central bank kept its rate at 4%.",
    )


def test_broken_json_ld_is_skipped(ctx: NormalizeContext) -> None:
    broken = '{"@type": "NewsArticle", "headline": '
    head = f'<script type="application/ld+json">{broken}</script><title>Fallback</title>'
    assert extract_html_article(doc(head, PARAGRAPHS), ctx=ctx).title == "Fallback"


@pytest.mark.parametrize(
    "line",
    [
        "LIRE AUSSI Le barrage de la vallée renforcé avant l’hiver",
        "À lire aussi： Le barrage de la vallée renforcé avant l’hiver",
    ],
)
def test_a_reference_line_reads_the_same_in_a_web_page_as_in_a_text_record(
    line: str, ctx: NormalizeContext
) -> None:
    """One set of rules: the line the text extractor takes for a reference, the page extractor does too."""
    reference = "Le barrage de la vallée renforcé avant l’hiver"
    story = re.findall(r"<p>(.*?)</p>", PARAGRAPHES)
    text = "\n\n".join(["Le titre", *story[:3], line, *story[3:]])
    body = f"<article>{''.join(f'<p>{p}</p>' for p in [*story[:3], line, *story[3:]])}</article>"
    from_text = extract_text_article(text, ctx=ctx)
    from_page = extract_html_article(doc("<title>Le titre</title>", body, lang="fr"), ctx=ctx)
    assert from_text.related_titles == from_page.related_titles == (reference,)
    assert reference not in (from_page.content_html or "")


def test_a_saved_page_whose_only_stated_url_is_the_home_page_has_no_url_of_its_own(
    ctx: NormalizeContext,
) -> None:
    head = '<meta property="og:url" content="https://ex.org/"><title>T</title>'
    draft = extract_html_article(doc(head, PARAGRAPHS), ctx=ctx)
    assert draft.url is None  # each such page is then known by its file, as one without any
