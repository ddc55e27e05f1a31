"""What the renderers work out once per article gives the bytes they wrote when
they worked it out in every format, whatever the text holds."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.model import Article, Enclosure, FeedDocument
from syndicator.plaintext import plain_text
from syndicator.render import render_atom, render_jsonfeed, render_rss
from syndicator.render.jsonfeed import _appears_in, _dumps
from syndicator.xmlchars import clean, is_clean

# The pattern `clean` applied to every value before it had a fast path.
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]")

# Characters on both sides of every boundary clean and plain_text care about.
AWKWARD = st.sampled_from(
    [
        *"aé€ \t\n\r<>&;#x/!?='\"\xa0\u2019\ue002",
        *("\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "\ud800", "\udfff"),
        *(
            "\ufdd0",
            "\ufdef",
            "\ufffe",
            "\uffff",
            "\U0001f600",
            "\U0010ffff",
            "&amp;",
            "&lt;",
            "&#38;",
            "<b>",
        ),
    ]
)
TEXT = st.lists(AWKWARD, max_size=40).map("".join) | st.text(max_size=40)


@given(TEXT)
def test_clean_drops_exactly_what_the_xml_character_pattern_matches(value: str) -> None:
    assert clean(value) == NOT_XML_CHAR.sub("", value)
    assert is_clean(value) == (NOT_XML_CHAR.search(value) is None)


@given(TEXT)
def test_plain_text_is_unchanged_by_a_second_pass(value: str) -> None:
    once = plain_text(value)
    assert plain_text(once) == once


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the fixtures are factories
@given(value=TEXT)
def test_json_feed_content_text_is_the_cleaned_text_whatever_it_holds(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument], value: str
) -> None:
    article = new_article(1, content_text=value)
    item = json.loads(render_jsonfeed(new_document((article,))))["items"][0]
    expected = clean(value).strip()
    if expected:
        assert item["content_text"] == expected


URL = st.lists(
    st.sampled_from(["https://x.org/", "a", "b.jpg", "&", ";", "amp", "#39", "?q=1"]), max_size=6
).map("".join)
BODY = st.lists(
    st.sampled_from(
        [
            *(
                "<p>",
                "</p>",
                "&amp;",
                "&lt;",
                "&gt;",
                "&quot;",
                "&#39;",
                "&#47;",
                "&nbsp;",
                "&et",
                "&amp",
                "amp;",
            ),
            *('<img src="', '">', "https://x.org/", "a", "b.jpg", "&", ";", "?q=1"),
        ]
    ),
    max_size=30,
).map("".join)


@given(URL, BODY)
def test_an_image_is_found_in_a_body_exactly_when_the_decoded_body_holds_it(url: str, body: str) -> None:
    assert _appears_in(url, body) == (url in html.unescape(body))


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(TEXT, JSON_VALUE, max_size=6))
def test_json_feed_bytes_are_the_stdlib_compact_json_of_the_same_object(value: dict[str, object]) -> None:
    try:
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: never reach a feed (clean drops them)
        return
    assert _dumps(value) == expected
    assert _dumps(value, newline=True) == expected + b"\n"


def test_an_attachment_larger_than_64_bits_is_written_as_the_stdlib_writes_it(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    huge = Enclosure(url="https://news.example.org/a.mp3", type="audio/mpeg", length=2**70)
    data = render_jsonfeed(new_document((new_article(1, enclosures=(huge,)),)))
    assert json.loads(data)["items"][0]["attachments"][0]["size_in_bytes"] == 2**70


def test_a_copy_with_another_body_renders_its_own_body_after_the_original(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    original = new_article(
        1, title="First title", content_html="<p>First body</p>", content_text="First body"
    )
    for render in (render_rss, render_atom, render_jsonfeed):
        render(new_document((original,)))
    edited = replace(
        original, title="Second title", content_html="<p>Second body</p>", content_text="Second body"
    )
    for render in (render_rss, render_atom, render_jsonfeed):
        data = render(new_document((edited,)))
        assert b"Second body" in data and b"Second title" in data
        assert b"First body" not in data and b"First title" not in data


def test_an_equal_article_dated_in_another_offset_is_written_with_its_own_offset(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    paris = new_article(1)
    assert paris.published is not None
    in_utc = replace(paris, published=paris.published.astimezone(timezone(timedelta(hours=-5))))
    assert in_utc == paris  # the same instant: equal articles, spelt otherwise
    first = render_atom(new_document((paris,)))
    second = render_atom(new_document((in_utc,)))
    assert first != second and b"-05:00" in second


def test_rendering_again_and_in_every_format_gives_the_same_bytes(
    articles: tuple[Article, ...], new_document: Callable[..., FeedDocument]
) -> None:
    fresh = {
        render: render(new_document(tuple(replace(a) for a in articles)))
        for render in (render_rss, render_atom, render_jsonfeed)
    }
    doc = new_document(articles)
    for _ in range(2):
        for render in (render_rss, render_atom, render_jsonfeed):
            assert render(doc) == fresh[render]
