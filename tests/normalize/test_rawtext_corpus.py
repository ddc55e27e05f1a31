"""Whole-page text dumps, read as `.txt` records: what a user gets from each.

The corpus (tests/normalize/rawcorpus.py) is the real pages of
tests/normalize/pages turned into whole-page text by four HTML-to-text tools,
plus the hand-written golden cases in twelve languages. Every dump must give
a published article; across the corpus the bodies must match the references
and the titles the pages' headlines. Run with -s to see the figures per tool
and per language.
"""

from __future__ import annotations

import pytest
from rawcorpus import Outcome, dumps, figures, report, run_syndicator

MEAN_F1_FLOOR = 0.85
TITLE_RIGHT_FLOOR = 0.90  # measured 0.906 when it was set
TOOLS = {"inscriptis", "html2text", "w3m", "lynx", "hand"}


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return run_syndicator(dumps())


def test_the_corpus_has_every_tool_and_twelve_languages(outcomes: list[Outcome]) -> None:
    assert {o.dump.tool for o in outcomes} == TOOLS
    languages = {o.dump.language for o in outcomes}
    assert {"en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "sv", "tr", "ja"} <= languages


def test_every_dump_gives_a_published_article(outcomes: list[Outcome]) -> None:
    assert [f"{o.dump.name}.{o.dump.tool}" for o in outcomes if not o.published] == []


def test_bodies_and_titles_are_above_the_floor(outcomes: list[Outcome]) -> None:
    print()
    print(report(outcomes))
    f = figures(outcomes)
    assert f.f1 >= MEAN_F1_FLOOR
    assert f.title_right >= TITLE_RIGHT_FLOOR


def test_each_tool_keeps_the_body_floor(outcomes: list[Outcome]) -> None:
    for tool in TOOLS:
        assert figures([o for o in outcomes if o.dump.tool == tool]).f1 >= MEAN_F1_FLOOR - 0.02, tool


def test_no_title_is_page_furniture(outcomes: list[Outcome]) -> None:
    furniture = {"skip to content", "skip to article", "sections", "close", "*", "menu", "home", "search"}
    assert [o.title for o in outcomes if o.title.casefold() in furniture] == []
