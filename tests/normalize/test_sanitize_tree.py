"""The sanitizer's shortcuts give what the long way gives, byte for byte.

The plain text of an article is read from the tree the sanitizer vetted,
never from a second parse:
`sanitize(..., with_text=True)` reads the text of the body from the lxml tree
it has just written out; an article's `content_text` (and the summary and
language drawn from it) must be exactly what html_to_text reads from the
written HTML, as it was when the body was parsed a second time. The two are
compared on every page of the development corpus (whole pages as fragments:
the worst markup there is; and the bodies extracted from them), on every
payload of the XSS kit, and on tag soup.

The vetting walks only the nodes it may have to change (comments, elements
with attributes or off the allow-list): the HTML must be what walking every
element gives, on the same inputs.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from page_corpus import pages
from xsskit import PAYLOADS

from syndicator.normalize import sanitize as sanitizer
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.htmlpage import extract_html_article
from syndicator.normalize.sanitize import sanitize
from syndicator.plaintext import html_to_text

BASE = "https://news.example.org/monde/article"
PAGES = pages()


def every_element(root: etree._Element) -> list[etree._Element]:
    return list(root.iterdescendants())


def assert_same_text(fragment: str) -> None:
    """The text read from the tree is html_to_text of the HTML written from it,
    and the HTML is the same when the vetting walks every element."""
    once = sanitize(fragment, base_url=BASE, typeset=True, with_text=True)
    assert once.text == html_to_text(once.html)
    plain = sanitize(fragment, base_url=BASE, with_text=True)
    assert plain.text == html_to_text(plain.html)
    shortcut, sanitizer._TO_VET = sanitizer._TO_VET, every_element  # type: ignore[assignment]
    try:
        walked = sanitize(fragment, base_url=BASE, typeset=True, with_text=True)
        assert (walked.html, walked.warnings, walked.text) == (once.html, once.warnings, once.text)
    finally:
        sanitizer._TO_VET = shortcut


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_a_whole_page_read_as_a_body_gives_the_same_text(page: object) -> None:
    assert_same_text(page.html)  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", [p for p in PAGES if p.key.startswith("pages/")], ids=lambda p: p.key)
def test_the_body_extracted_from_each_corpus_page_gives_the_same_text(
    page: object, ctx: NormalizeContext
) -> None:
    draft = extract_html_article(page.html, ctx=ctx, url=None)  # type: ignore[attr-defined]
    assert draft.content_html
    assert_same_text(draft.content_html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_xss_payload_gives_the_same_text(payload: str) -> None:
    assert_same_text(payload)
    assert_same_text(f"<p>Budget {payload} vote</p><p>suite</p>")
    assert_same_text(f"<ul><li>{payload}<li>b</ul>{payload}<pre> x\n\n y </pre>")


@pytest.mark.parametrize(
    "fragment",
    [
        "",
        "   ",
        "<p></p>",
        "texte seul",
        "\ue000<p>a\ue001b</p>",  # the marks' own characters, in the text
        "<p>a&#8;b</p><p>c&#1;</p>",  # references to control characters
        "<p>a<br>b<br/>c</p>\n\n\n\n<p>d</p>",
        "<h2>Titre <ul><li>x</li></ul> fin</h2><p>a<table><tr><td>b</td></tr></table>c</p>",
        "<video><source src=a.mp4>repli</video><picture><source srcset=a.jpg><img src=b.jpg></picture>",
        "<pre>  a\n  b</pre><p>  c  \xa0 d </p>",
        "<b>" * 300 + "profond" + "</b>" * 300,
        "<div><div><p>a</p></div>b</div><section>c</section>",
    ],
)
def test_edge_cases_give_the_same_text(fragment: str) -> None:
    assert_same_text(fragment)


_SOUP = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<h2>",
            "</h2>",
            "<ul>",
            "<li>",
            "</ul>",
            "<br>",
            "<pre>",
            "</pre>",
            "<table><tr><td>",
            "</td></tr></table>",
            "<blockquote>",
            "</blockquote>",
            '<a href="/x">',
            "</a>",
            "<img src=/i.jpg>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "<svg>",
            "<em>",
            "</em>",
            "mot",
            " ",
            "\n",
            "\xa0",
            "&amp;",
            "&lt;b&gt;",
            "l'été",
            '"cité"',
            "\ue000",
            "\x01",
        ]
    ),
    max_size=40,
).map("".join)


@given(_SOUP)
def test_tag_soup_gives_the_same_text(fragment: str) -> None:
    assert_same_text(fragment)


@pytest.mark.parametrize(
    "fragment",
    [
        "hello <b>x</b> there",
        "Intro.<p>Para</p>",
        "&amp; y",
        "\ufeffx",
        "\ufeff\ufeff<p>a</p>",
        "  <p>a</p> tail",
        "<p>a</p><p>b</p>",
    ],
)
def test_the_sanitizer_reads_a_fragment_as_lxml_html_does(fragment: str) -> None:
    """Its own parse (plain elements) gives the nodes lxml.html.fragment_fromstring gives:
    text at the very start stays text, a leading U+FEFF included."""
    import lxml.html

    def nodes(root: etree._Element) -> tuple[str | None, list[bytes]]:
        return root.text, [etree.tostring(child, method="html") for child in root]

    parsed = sanitizer._parse(fragment)
    assert parsed is not None
    assert nodes(parsed) == nodes(lxml.html.fragment_fromstring(fragment, create_parent="div"))
