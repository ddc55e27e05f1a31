"""Content HTML: safe in every reader, and self-contained far from the page it came from."""

from __future__ import annotations

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicator.normalize.sanitize import html_to_text, sanitize_html

BASE = "https://news.example.org/monde/article"


def clean(fragment: str) -> str:
    return sanitize_html(fragment, base_url=BASE)


@pytest.mark.parametrize(
    ("dirty", "safe"),
    [
        ("<p>a</p><script>alert(1)</script>", "<p>a</p>"),
        ("<style>p{color:red}</style><p>a</p>", "<p>a</p>"),
        ('<iframe src="https://video.example/embed"></iframe><p>a</p>', "<p>a</p>"),
        ('<p onclick="steal()">a</p>', "<p>a</p>"),
        ('<img src="/x.jpg" onerror="alert(1)">', '<img src="https://news.example.org/x.jpg">'),
        ('<a href="javascript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="java&#x09;script:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="data:text/html,&lt;script&gt;x">a</a>', "<a>a</a>"),
        ('<img src="data:image/png;base64,AAAA">', "<img>"),
        ('<svg onload="alert(1)"><p>a</p></svg>', "<p>a</p>"),
        ("<form><input name=q></form>ok", "ok"),
        ('<p style="color:red" class="x" id="y">t</p>', "<p>t</p>"),
        ("<!-- secret --><p>a</p>", "<p>a</p>"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, safe: str) -> None:
    assert clean(dirty) == safe


def test_safe_markup_is_kept() -> None:
    html = (
        "<h2>Titre</h2><p><strong>Gras</strong> et <em>italique</em>, "
        '<a href="https://e.org/x">lien</a>.</p><blockquote>cit.</blockquote>'
        "<ul><li>un</li></ul><figure><figcaption>légende</figcaption></figure>"
    )
    assert clean(html) == html


@pytest.mark.parametrize(
    ("dirty", "safe"),
    [
        ('<a href="/politique/x">a</a>', '<a href="https://news.example.org/politique/x">a</a>'),
        ('<a href="suite">a</a>', '<a href="https://news.example.org/monde/suite">a</a>'),
        ('<a href="#notes">a</a>', '<a href="https://news.example.org/monde/article#notes">a</a>'),
        ('<img src="../img/a.jpg">', '<img src="https://news.example.org/img/a.jpg">'),
        ('<img src="//cdn.example.org/a.jpg">', '<img src="https://cdn.example.org/a.jpg">'),
        (
            '<video poster="/p.jpg" src="v.mp4"></video>',
            '<video poster="https://news.example.org/p.jpg"'
            ' src="https://news.example.org/monde/v.mp4"></video>',
        ),
        (
            '<blockquote cite="/source">q</blockquote>',
            '<blockquote cite="https://news.example.org/source">q</blockquote>',
        ),
        ('<a href="mailto:desk@example.org">m</a>', '<a href="mailto:desk@example.org">m</a>'),
    ],
)
def test_relative_links_are_made_absolute(dirty: str, safe: str) -> None:
    assert clean(dirty) == safe


def test_every_srcset_candidate_is_made_absolute() -> None:
    assert clean('<img srcset="/a.jpg 1x, b.jpg 2x">') == (
        '<img srcset="https://news.example.org/a.jpg 1x, https://news.example.org/monde/b.jpg 2x">'
    )


@pytest.mark.parametrize(
    ("lazy", "real"),
    [
        ('<img data-src="/l.jpg">', '<img src="https://news.example.org/l.jpg">'),
        (
            '<img src="data:image/gif;base64,R0lGOD" data-src="/l.jpg">',
            '<img src="https://news.example.org/l.jpg">',
        ),
        (
            '<img src="/spinner.gif" data-lazy-src="/l.jpg">',
            '<img src="https://news.example.org/l.jpg">',
        ),
        ('<img data-original="/l.jpg">', '<img src="https://news.example.org/l.jpg">'),
        (
            '<source data-srcset="/a.webp 1x">',
            '<source srcset="https://news.example.org/a.webp 1x">',
        ),
    ],
)
def test_lazy_loading_attributes_become_real_ones(lazy: str, real: str) -> None:
    assert clean(lazy) == real


def test_text_outside_any_element_is_kept_and_escaped_once() -> None:
    assert clean("plain &amp; text <b>bold</b>") == "plain &amp; text <b>bold</b>"


@pytest.mark.parametrize("empty", ["", "   \n  "])
def test_empty_fragment_gives_empty_html(empty: str) -> None:
    assert clean(empty) == ""


def test_whole_document_gives_its_body() -> None:
    assert clean("<html><head><title>x</title></head><body><p>doc</p></body></html>") == ("<p>doc</p>")


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcipjs:&;")), max_size=80))
def test_sanitizing_is_idempotent(fragment: str) -> None:
    once = clean(fragment)
    assert clean(once) == once


@given(st.text(max_size=60))
def test_no_script_or_event_handler_survives(text: str) -> None:
    out = clean(f"<p>{text}</p><script>{text}</script><img src=x onerror='{text}'>")
    root = lxml.html.fragment_fromstring(out or "<p></p>", create_parent="div")
    for element in root.iter():
        assert element.tag not in ("script", "style", "iframe")
        assert not [name for name in element.attrib if name.lower().startswith("on")]


def test_html_to_text_separates_blocks_with_blank_lines() -> None:
    html = "<p>One <b>two</b></p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "One two\n\nThree\nfour\n\na\n\nb"


def test_html_to_text_decodes_entities() -> None:
    assert html_to_text("<p>Tom &amp; Jerry &eacute;t&eacute;</p>") == "Tom & Jerry été"


def test_html_to_text_of_nothing_is_empty() -> None:
    assert html_to_text(" ") == ""


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        (
            '<h2>One <span style="x" on</h2><h2>Two</h2><h2>Three</h2><p>Body</p>',
            "<h2>One </h2><h2>Two</h2><h2>Three</h2><p>Body</p>",
        ),
        ("<p>a<h2>b</p>", "<p>a</p><h2>b</h2>"),
    ],
)
def test_a_block_left_inside_a_heading_or_paragraph_by_broken_markup_is_moved_after_it(
    broken: str, repaired: str
) -> None:
    assert sanitize_html(broken, base_url="https://news.example.org/") == repaired


def test_blocks_inside_list_items_stay_where_they_are() -> None:
    html = "<ul><li><p>deep</p><blockquote>quote</blockquote></li></ul>"
    assert sanitize_html(html, base_url="https://news.example.org/") == html
