"""feedgen's defects, one test each, that fails if its workaround in
render/_feedgen_ext.py (or the renderer hook it names) goes away.

The other defects the adapter lists have their test beside the field they
spoil: python-feedgen#135 (entry links lose rel and type) in
test_atom.py::test_related_links_keep_rel_related_and_do_not_become_alternates
and ::test_entry_links_carry_their_type; RSS items dropping related links in
test_rss.py::test_related_links_survive_as_atom_links; the clock default in
test_rss.py::test_dates_ignore_the_feedgen_clock_default; sy:UpdatePeriod in
test_rss.py::test_update_hints_follow_the_ttl_with_lowercase_names;
XML-illegal characters in test_rss.py::test_titles_arrive_cleaned_of_illegal_characters;
the channel link in test_rss.py::test_channel_has_the_required_elements_and_dates_from_the_document;
prepended entries in test_rss.py::test_items_keep_the_planners_order; quadratic
categories in test_many_categories.py.
"""

from __future__ import annotations

import locale
from collections.abc import Callable
from typing import Any

import pytest
from hangguard import finishes_within

from syndicator.model import Article, Author, FeedDocument
from syndicator.render import FORMATS


def test_rendering_never_switches_the_process_wide_locale(
    document: FeedDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedgen formats RSS dates under locale.setlocale(LC_ALL, "C") and back,
    which races every other thread of a daemon (its scheduler, its server)."""
    switches: list[tuple[int, Any]] = []
    real = locale.setlocale

    def watched(category: int, value: Any = None) -> str:
        if value is not None:
            switches.append((category, value))
        return real(category, value)

    monkeypatch.setattr(locale, "setlocale", watched)
    for fmt in FORMATS.values():
        fmt.render(document)

    assert switches == []


def test_an_item_with_ten_thousand_authors_renders_in_every_format(
    new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    """FeedEntry.author rebuilds its whole list on every call, as category does."""
    many = tuple(Author(name=f"Writer {i}") for i in range(10_000))
    doc = new_document((new_article(1, authors=many),))

    def render_all() -> None:
        for fmt in FORMATS.values():
            assert fmt.render(doc).count(b"Writer 9999") >= 1, fmt.name

    # A hang guard, not a speed target: authors added one by one took minutes.
    assert finishes_within(60, render_all)
