"""Text and dates as every format writes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from syndicator.model import Article
from syndicator.render._values import (
    clean,
    html_to_text,
    modified,
    published,
    rfc822,
    rfc3339,
    title,
)


def test_clean_drops_characters_xml_cannot_carry() -> None:
    dirty = "a\x00b\x0bc\x1fd\ud800e\ufffef\uffffg"
    assert clean(dirty) == "abcdefg"


def test_clean_drops_c1_controls_that_readers_turn_into_punctuation() -> None:
    assert clean("l\x92avion\x85") == "lavion"


def test_clean_keeps_tabs_newlines_accents_quotes_and_emoji() -> None:
    text = "É\tà\n« “ok” »\r😀 ﬁ"
    assert clean(text) == text


def test_rfc822_uses_english_names_and_gmt() -> None:
    moment = datetime(2024, 1, 17, 9, 30, 5, tzinfo=timezone(timedelta(hours=1)))
    assert rfc822(moment) == "Wed, 17 Jan 2024 08:30:05 GMT"


def test_rfc822_moves_negative_and_odd_offsets_to_gmt_which_the_validator_accepts() -> None:
    # The W3C validator warns "ProblematicalRFC822Date" about offsets like +0545.
    kathmandu = datetime(2024, 7, 4, 23, 0, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    assert rfc822(kathmandu) == "Thu, 04 Jul 2024 17:15:00 GMT"
    moment = datetime(2024, 7, 4, 23, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30)))
    assert rfc822(moment) == "Fri, 05 Jul 2024 02:30:00 GMT"


def test_a_historical_offset_in_seconds_is_moved_to_utc() -> None:
    odd = timezone(timedelta(minutes=9, seconds=21))
    moment = datetime(1900, 1, 1, 0, 9, 21, tzinfo=odd)
    assert rfc3339(moment) == "1900-01-01T00:00:00+00:00"
    assert rfc822(moment) == "Mon, 01 Jan 1900 00:00:00 GMT"


def test_rfc3339_keeps_the_offset_and_fractions_of_a_second() -> None:
    moment = datetime(2024, 1, 17, 9, 30, 0, 250000, tzinfo=timezone(timedelta(hours=1)))
    assert rfc3339(moment) == "2024-01-17T09:30:00.250000+01:00"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        rfc3339(datetime(2024, 1, 17))


def test_an_article_without_published_date_is_refused(
    new_article: Callable[..., Article],
) -> None:
    with pytest.raises(ValueError, match="no published date"):
        published(new_article(1, published=None))


def test_modified_falls_back_to_published(new_article: Callable[..., Article]) -> None:
    article = new_article(1)
    assert modified(article) == article.published
    later = datetime(2025, 1, 1, tzinfo=UTC)
    assert modified(new_article(1, updated=later)) == later


def test_a_title_that_cleans_to_nothing_is_refused(
    new_article: Callable[..., Article],
) -> None:
    with pytest.raises(ValueError, match="empty title"):
        title(new_article(1, title=" \x0b "))


def test_html_to_text_keeps_paragraph_and_line_breaks() -> None:
    html = "<h2>Titre</h2><p>Un <em>mot</em>,\n  deux.</p><p>Ligne<br>suivante</p>"
    assert html_to_text(html) == "Titre\n\nUn mot, deux.\n\nLigne\nsuivante"


def test_html_to_text_of_nothing_is_empty() -> None:
    assert html_to_text("  ") == ""
