"""Slugs: lowercase ASCII names for feed paths and fallback URLs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syndicator.slugs import slugify

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Économie", "economie"),
        ("MONDE", "monde"),
        ("Société & Culture", "societe-culture"),
        ("Straße", "strasse"),
        ("Ærø Œuvre", "aero-oeuvre"),
        ("  Vie   locale  ", "vie-locale"),
        ("C++ / C#", "c-c"),
        ("ﬁnance", "finance"),
        ("Covid-19", "covid-19"),
    ],
)
def test_slug_is_lowercase_ascii_with_hyphens(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("text", ["", "   ", "!!!", "日本語", "—"])
def test_text_without_ascii_letters_or_digits_gives_an_empty_slug(text: str) -> None:
    assert slugify(text) == ""


def test_long_slug_is_cut_at_a_hyphen_not_mid_word() -> None:
    assert slugify("alpha beta gamma", max_length=12) == "alpha-beta"


def test_cut_exactly_at_a_word_end_keeps_that_word() -> None:
    assert slugify("alpha beta gamma", max_length=10) == "alpha-beta"


def test_one_long_word_is_cut_at_the_limit() -> None:
    assert slugify("a" * 100, max_length=80) == "a" * 80


def test_default_limit_is_eighty_characters() -> None:
    slug = slugify("mot " * 40)
    assert len(slug) <= 80
    assert slug.startswith("mot-mot") and slug.endswith("mot")


@given(st.text(max_size=200), st.integers(min_value=1, max_value=100))
def test_any_text_gives_a_valid_slug_or_nothing(text: str, limit: int) -> None:
    slug = slugify(text, max_length=limit)
    assert slug == "" or SLUG.match(slug)
    assert len(slug) <= limit


@given(st.text(max_size=100))
def test_slugify_is_idempotent(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
