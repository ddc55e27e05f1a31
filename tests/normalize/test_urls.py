"""Canonical URLs: one article, one URL, whatever tracking a link carried."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicator.normalize.urls import absolute_url, canonical_url, is_tracking_parameter

BASE = "https://news.example.org/monde/"


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("https://e.org/a?utm_source=x&utm_medium=y", "https://e.org/a"),
        ("https://e.org/a?id=3&fbclid=abc", "https://e.org/a?id=3"),
        ("https://e.org/a?b=1&utm_campaign=z&c=2", "https://e.org/a?b=1&c=2"),
        ("https://e.org/a?gclid=1&UTM_Source=2&mc_cid=3", "https://e.org/a"),
        ("HTTPS://News.Example.ORG/Article", "https://news.example.org/Article"),
        ("https://e.org:443/a", "https://e.org/a"),
        ("http://e.org:80/a", "http://e.org/a"),
        ("http://e.org:443/a", "http://e.org:443/a"),
        ("https://e.org", "https://e.org/"),
        ("https://e.org/a b", "https://e.org/a%20b"),
        ("  https://e.org/a  ", "https://e.org/a"),
        ("https://e.org/a?123", "https://e.org/a?123"),
        ("https://e.org/a#section", "https://e.org/a#section"),
    ],
)
def test_canonical_url(value: str, canonical: str) -> None:
    assert canonical_url(value, BASE) == canonical


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("/politique/x", "https://news.example.org/politique/x"),
        ("article-1", "https://news.example.org/monde/article-1"),
        ("../eco/y", "https://news.example.org/eco/y"),
        ("//cdn.example.org/z", "https://cdn.example.org/z"),
    ],
)
def test_relative_url_is_made_absolute_against_the_base(value: str, canonical: str) -> None:
    assert canonical_url(value, BASE) == canonical


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:a@example.org",
        "ftp://e.org/x",
        "https://",
        "https://e.org/a\nb",
        "http://e.org:abc/",
        "http://e.org:99999/",
        "http://[::1/",
    ],
)
def test_unusable_url_is_none(value: str) -> None:
    assert canonical_url(value, BASE) is None


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("HTTP://E.org:80/a b?x=1&utm_source=t", BASE)
    assert once == "http://e.org/a%20b?x=1"
    assert canonical_url(once, BASE) == once


@pytest.mark.parametrize("name", ["utm_source", "UTM_TERM", "fbclid", "gclid", "mtm_kwd", "_ga"])
def test_tracking_parameters(name: str) -> None:
    assert is_tracking_parameter(name)


@pytest.mark.parametrize("name", ["id", "page", "q", "utm", "ref"])
def test_ordinary_parameters_are_not_tracking(name: str) -> None:
    assert not is_tracking_parameter(name)


def test_absolute_url_keeps_the_query_as_written() -> None:
    assert (
        absolute_url("/img.jpg?utm_source=x&w=300", BASE)
        == "https://news.example.org/img.jpg?utm_source=x&w=300"
    )


def test_absolute_url_allows_mailto_but_not_javascript_or_data() -> None:
    assert absolute_url("mailto:desk@example.org", BASE) == "mailto:desk@example.org"
    assert absolute_url("javascript:alert(1)", BASE) is None
    assert absolute_url("data:image/png;base64,AAAA", BASE) is None
    assert absolute_url("", BASE) is None


@pytest.mark.parametrize("value", ["https://", "http:page"])
def test_scheme_without_host_is_not_the_base_url(value: str) -> None:
    assert canonical_url(value, BASE) is None
    assert absolute_url(value, BASE) is None


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("https://fr.wikipedia.org/wiki/Économie", "https://fr.wikipedia.org/wiki/%C3%89conomie"),
        ("https://e.org/?a=b|c", "https://e.org/?a=b%7Cc"),
        ("https://e.org/a<b>", "https://e.org/a%3Cb%3E"),
        ("https://e.org/a%20b?r=%C3%A9", "https://e.org/a%20b?r=%C3%A9"),
    ],
)
def test_characters_a_uri_may_not_hold_are_percent_encoded_once(value: str, canonical: str) -> None:
    assert canonical_url(value, BASE) == canonical
    assert canonical_url(canonical, BASE) == canonical


@given(st.text(max_size=40))
def test_canonical_url_of_any_path_is_idempotent(path: str) -> None:
    once = canonical_url("https://e.org/" + path, BASE)
    if once is not None:
        assert canonical_url(once, BASE) == once
        assert not any(ch.isspace() for ch in once)


def test_a_control_character_in_a_url_is_percent_encoded_as_a_browser_does() -> None:
    from syndicator.normalize.urls import absolute_url, canonical_url

    assert absolute_url("https://x.example/\x01y", "https://b.example/") == "https://x.example/%01y"
    assert absolute_url("java\tscript:alert(1)", "https://b.example/") is None  # tabs removed, as browsers do
    assert canonical_url("https://x.example/a\x7fb", "https://b.example/") == "https://x.example/a%7Fb"


_URLISH = st.lists(
    st.sampled_from(
        [
            *("http://", "https://", "HTTPS://", "e.org", "/", "a", "?", "#", ";", "[", "]", ":80", "@"),
            *("%20", "=", "&", "..", "é", "//", "x=1", " ", "\t", ".", "/.", "./", "~", "'", "%zz"),
        ]
    ),
    max_size=12,
).map("".join)
_BASES = [
    "https://news.example.org/monde/article",
    "http://e.org/",
    "",
    "https://[::1/",
    "ftp://f.org/a",
    "HTTPS://User@E.org:8080/a;p?q#f",
    "https://user@/x",
]


@pytest.mark.parametrize("base", _BASES)
@given(_URLISH)
def test_join_is_urljoin(base: str, value: str) -> None:
    """join skips urljoin's work only where urljoin would give the value back as written."""
    from urllib.parse import urljoin

    from syndicator.normalize.urls import join

    try:
        expected: str | type[ValueError] = urljoin(base, value)
    except ValueError:
        expected = ValueError
    try:
        got: str | type[ValueError] = join(base, value)
    except ValueError:
        got = ValueError
    assert got == expected


@pytest.mark.parametrize(
    "value",
    [
        "https://e.org/a",
        "https://e.org",
        "http://e.org/a?b=1#c",
        "https://e.org/a?",
        "https://e.org/a#",
        "https://e.org/a?#c",
        "https://e.org/a;p",
        "HTTPS://e.org/a",
        "https://[::1]/a",
        "https://e.org/a b",
        "https:///a",
        "/relative",
        "/a/./b",
        "/a/../b",
        "/a/b/.",
        "/.well-known/x",
        "/a;p/b",
        "/a?b?c#d#e",
        "/a#b?c",
        "/a?",
        "/a#",
        "/a?#",
        "//cdn.e.org/a",
        "/a b",
        "/a%2e%2e/b",
    ],
)
def test_join_is_urljoin_on_the_edges(value: str) -> None:
    from urllib.parse import urljoin

    from syndicator.normalize.urls import join

    for base in _BASES[:2]:
        assert join(base, value) == urljoin(base, value)


@pytest.mark.parametrize("base", _BASES)
@given(_URLISH)
def test_canonical_url_as_written_is_the_general_way(base: str, value: str) -> None:
    """A link canonical_url gives back as written is the link the general way gives."""
    from syndicator.normalize.urls import _canonical

    assert canonical_url(value, base) == _canonical(value.strip(), base)


@pytest.mark.parametrize(
    "value",
    [
        "https://e.org",
        "https://e.org/a/b-c_d.e~f",
        "http://e.org/a%zz",
        "https://e.org/a'(b)*+,;=:@!$&",
        "https://e.o-rg/",
    ],
)
def test_plain_links_take_the_short_way_to_the_same_url(value: str) -> None:
    from syndicator.normalize.urls import _canonical

    assert canonical_url(value, BASE) == _canonical(value, BASE) is not None
    assert canonical_url(value, "https://[::1/") is None  # a base urlsplit refuses makes no link


@pytest.mark.parametrize("base", _BASES)
@given(_URLISH)
def test_absolute_url_as_written_is_the_general_way(base: str, value: str) -> None:
    """A link absolute_url gives back as written is the link the general way gives."""
    from syndicator.normalize.urls import _absolute, encode_controls

    prepared = encode_controls(value.strip())
    assert absolute_url(value, base) == (_absolute(prepared, base) if prepared else None)


@pytest.mark.parametrize(
    "value",
    [
        "https://e.org",
        "https://e.org/a?b=1&c#d",
        "http://E.org/a%zz",
        "https://e.org/a'(b)*+,=:@!$&",
        "https://.",
        "https://e.org/a?",
        "https://e.org/a#",
        "https://e.org/a?#b",
        "https://e.org/a;b",
        "https://u@e.org/",
        "https://e.org:8080/",
        "https://:80/",
    ],
)
def test_images_and_links_take_the_short_way_to_the_same_url(value: str) -> None:
    from syndicator.normalize.urls import _absolute

    assert absolute_url(value, BASE) == _absolute(value, BASE)
    assert absolute_url(value, "https://[::1/") is None  # a base urlsplit refuses makes no link
