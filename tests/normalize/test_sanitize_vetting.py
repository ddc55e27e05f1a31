"""What the sanitiser writes is what it checked, and nothing of the content is silently lost.

Markup inside `<svg><style>` is raw text to lxml and elements to an HTML5
parser such as nh3's; checking with one and writing with the other let
`javascript:` and `data:` srcset candidates and relative URLs through. The
structure written is now the structure checked. And libxml2's default limits
(elements nested 256 deep, text nodes of 10 MB) once dropped the rest of an
article without a word: the text is kept, and flattening is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.model import Article, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.sanitize import MAX_DEPTH, html_to_text, sanitize, sanitize_html
from syndicator.pipeline import publish_run

BASE = "https://news.example.org/monde/article"

# Each hides an <img> (or a link) where one parser sees text and another an element.
DIFFERENTIALS = (
    '<svg><style><img src="rel.jpg" srcset="javascript:alert(1) 1x, data:text/html,x 2x"></style></svg>',
    '<svg><style><img src="/x.jpg" srcset="data:image/svg+xml,<svg onload=alert(1)> 1x"></style></svg>',
    '<math><mtext><table><mglyph><style><img src="x.jpg" srcset="javascript:alert(1)">',
    '<math><style><a href="javascript:alert(1)">x</a><img src=rel.png></style></math>',
    '<svg><p><style><img src="rel.jpg" srcset="javascript:alert(1) 2x">',
    '<svg><desc><img src="vbscript:msgbox(1)" srcset="relative.jpg 1x"></desc></svg>',
    '<noscript><style></noscript><img src="rel.jpg" srcset="javascript:alert(1)"></style></noscript>',
    '<template><img src="rel.jpg" srcset="javascript:alert(1)"></template>',
    '<img srcset="https://ok.example/a.jpg 1x, javascript:alert(1) 2x, //cdn.example/b.jpg 3x">',
    '<picture><source srcset="data:image/png,AAAA 1x, rel.webp 2x"><img src="rel.jpg"></picture>',
    '<video src="javascript:alert(1)" poster="data:image/png,AAAA"></video>',
    '<blockquote cite="javascript:alert(1)"><p>q</p></blockquote>',
)
URL_ATTRIBUTES = ("href", "src", "poster", "cite")
FOREIGN = ("svg", "math", "style", "script", "template", "mglyph", "mtext", "desc")


def problems(html: str) -> list[str]:
    """Every URL that is not absolute http(s) (mailto for links), and every foreign element."""
    found: list[str] = []
    if not html.strip():
        return found
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in FOREIGN:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on"):
                found.append(f"{name}={value}")
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            absolute = value is None or value.startswith(("https://", "http://"))
            if not absolute and not (name == "href" and str(value).startswith("mailto:")):
                found.append(f"{name}={value}")
        srcset = element.get("srcset")
        if srcset is not None:
            for candidate in srcset.split(", "):
                if not candidate.startswith(("https://", "http://")):
                    found.append(f"srcset candidate {candidate}")
    return found


@pytest.mark.parametrize("dirty", DIFFERENTIALS)
def test_every_url_the_sanitiser_writes_is_absolute_http_and_no_foreign_content_is_left(dirty: str) -> None:
    html = sanitize_html(f"<p>Before.</p>{dirty}<p>After.</p>", base_url=BASE)
    assert problems(html) == []
    # An unclosed <svg> or <math> holds the rest of the fragment, as in a browser.
    assert html.startswith("<p>Before.</p>")
    assert sanitize_html(html, base_url=BASE) == html  # what it wrote, it keeps as it is


def test_safe_srcset_candidates_are_kept_resolved_and_the_others_dropped() -> None:
    html = sanitize_html(
        '<img srcset="https://ok.example/a.jpg 1x, javascript:alert(1) 2x, //cdn.example/b.jpg 3x, c.jpg 640w">',
        base_url=BASE,
    )
    assert html == (
        '<img srcset="https://ok.example/a.jpg 1x, https://cdn.example/b.jpg 3x, '
        'https://news.example.org/monde/c.jpg 640w">'
    )


def test_a_data_url_with_commas_is_one_srcset_candidate_not_several() -> None:
    html = sanitize_html('<img src="a.jpg" srcset="data:image/png,AAA,BBB 1x, b.jpg 2x">', base_url=BASE)
    assert html == (
        '<img src="https://news.example.org/monde/a.jpg" srcset="https://news.example.org/monde/b.jpg 2x">'
    )


def test_the_differentials_reach_no_feed_of_a_published_site(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records(
        "tricky.json",
        [
            record(n, content_html=f"<p>Story {n} begins.</p>{d}<p>Story {n} ends.</p>")
            for n, d in enumerate(DIFFERENTIALS)
        ],
    )
    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)
    assert report.added == len(DIFFERENTIALS)
    out = site / "out"
    bodies = [item["content_html"] for item in json.loads((out / "feed.json").read_text())["items"]]
    for name in ("rss.xml", "atom.xml"):
        bodies.extend(entry.content[0].value for entry in feedparser.parse((out / name).read_bytes()).entries)
    assert len(bodies) == 3 * len(DIFFERENTIALS)
    assert [p for body in bodies for p in problems(body)] == []
    assert all(" begins.</p>" in body for body in bodies)


# --- nothing lost to parser limits -------------------------------------------


def test_text_after_300_unclosed_font_tags_is_kept_without_a_warning() -> None:
    result = sanitize(
        "<p>Start.</p>" + "<font>" * 300 + "<p>The rest of the story.</p><p>End.</p>", base_url=BASE
    )
    assert result.html == "<p>Start.</p><p>The rest of the story.</p><p>End.</p>"
    assert result.warnings == ()  # <font> is not kept anyway: nothing was flattened


def test_allowed_elements_nested_300_deep_keep_their_text_and_the_flattening_is_reported() -> None:
    result = sanitize(
        "<p>Start.</p>" + "<blockquote>" * 300 + "Deep words." + "</blockquote>" * 300 + "<p>End.</p>",
        base_url=BASE,
    )
    assert "Deep words." in result.html and result.html.endswith("<p>End.</p>")
    assert result.html.count("<blockquote>") == MAX_DEPTH
    assert result.warnings == (
        (
            "/content_html",
            f"elements nested 300 deep; those deeper than {MAX_DEPTH} were unwrapped, their text kept",
        ),
    )


def test_a_text_node_over_10_mb_is_kept_whole_in_the_html_and_the_text() -> None:
    words = "word " * 2_200_000  # 11 MB in one text node
    html = sanitize_html(f"<p>{words}</p><p>The end.</p>", base_url=BASE)
    assert len(html) > 11_000_000 and html.endswith("<p>The end.</p>")
    text = html_to_text(html)
    assert len(text) > 10_999_000 and text.endswith("The end.")


def ctx() -> NormalizeContext:
    from zoneinfo import ZoneInfo

    from syndicator.normalize.rules import default_rules_path, load_rules

    return NormalizeContext(
        base_url="https://news.example.org/",
        language="en",
        timezone=ZoneInfo("UTC"),
        rules=load_rules(default_rules_path()),
    )


def page_with_deep_font(depth: int) -> str:
    words = " ".join(f"word{i}" for i in range(60))
    return (
        "<html><head><title>A deep page</title>"
        '<link rel="canonical" href="https://news.example.org/deep"></head><body><article>'
        f"<h1>A deep page</h1><p>The first paragraph: {words}.</p>"
        + "<font>" * depth
        + f"<p>The paragraph after the fonts: {words}.</p><p>The last one.</p></article></body></html>"
    )


def test_an_html_page_with_300_unclosed_font_tags_publishes_its_whole_text() -> None:
    raw = RawRecord("pages", "deep.html", "", "html", page_with_deep_font(300), ref="pages/deep.html")
    article = normalize(raw, ctx())
    assert isinstance(article, Article), article
    assert "The paragraph after the fonts" in article.content_html
    assert "The last one." in article.content_text


def test_a_json_record_nested_too_deep_publishes_with_a_warning_in_the_report(
    site: Path, add_records: Callable[..., Path]
) -> None:
    deep = "<p>Start.</p>" + "<b>" * 300 + "Deep words.</p>"
    add_records("deep.json", [record(1, content_html=deep)])
    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)
    assert report.added == 1
    assert [w.split(": ", 1)[1] for w in report.warnings] == [
        f"record 0: /content_html: elements nested 301 deep; those deeper than {MAX_DEPTH} were unwrapped, "
        "their text kept"
    ]
    item = json.loads((site / "out" / "feed.json").read_text())["items"][0]
    assert "Deep words." in item["content_html"]
