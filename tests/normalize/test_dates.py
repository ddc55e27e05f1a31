"""Dates as articles and records write them, to aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from syndicator.normalize.dates import find_dates, parse_date
from syndicator.normalize.rules import Rules

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 17 janvier 2024 à 9h30", "2024-01-17T09:30:00+01:00"),
        ("June 2, 2024", "2024-06-02T00:00:00+02:00"),
        ("2 June 2024 at 3:45 pm", "2024-06-02T15:45:00+02:00"),
        ("21.11.2024, 07:15 Uhr", "2024-11-21T07:15:00+01:00"),
        ("21. November 2024", "2024-11-21T00:00:00+01:00"),
        ("3 de febrero de 2024", "2024-02-03T00:00:00+01:00"),
        ("21 de março de 2024 às 10h", "2024-03-21T10:00:00+01:00"),
        ("5 aprile 2024 alle 16:30", "2024-04-05T16:30:00+02:00"),
        ("3 februari 2024 om 14.05", "2024-02-03T14:05:00+01:00"),
        ("Mardi 5 mars 2024 - 18:05", "2024-03-05T18:05:00+01:00"),
        ("1er févr. 2024", "2024-02-01T00:00:00+01:00"),
        ("2024-01-17T09:30", "2024-01-17T09:30:00+01:00"),
        ("2024-01-17T09:30:00Z", "2024-01-17T09:30:00+00:00"),
        ("2024-01-17T09:30:00+05:30", "2024-01-17T09:30:00+05:30"),
        ("2024-01-17", "2024-01-17T00:00:00+01:00"),
        ("Sun, 02 Jun 2024 10:00:00 +0200", "2024-06-02T10:00:00+02:00"),
        ("Sun, 02 Jun 2024 10:00:00 GMT", "2024-06-02T10:00:00+00:00"),
        ("17/01/2024", "2024-01-17T00:00:00+01:00"),
        ("12/31/2024", "2024-12-31T00:00:00+01:00"),
        ("May 3, 2024 10:00 CET", "2024-05-03T10:00:00+01:00"),
        ("2024年3月12日 10:15", "2024-03-12T10:15:00+01:00"),
        ("公開日2024年3月12日", "2024-03-12T00:00:00+01:00"),
        ("2024년 3월 12일", "2024-03-12T00:00:00+01:00"),
    ],
)
def test_parse_date_reads_the_usual_forms(text: str, expected: str, rules: Rules) -> None:
    value = parse_date(text, tz=PARIS, rules=rules)
    assert value is not None and value.isoformat() == expected


def test_a_naive_date_gets_the_site_time_zone(rules: Rules) -> None:
    value = parse_date("2024-07-01T12:00", tz=ZoneInfo("America/New_York"), rules=rules)
    assert value is not None and value.utcoffset() == timedelta(hours=-4)


def test_an_ambiguous_numeric_date_follows_the_language_order(rules: Rules) -> None:
    assert parse_date("02/06/2024", tz=PARIS, rules=rules) == datetime(2024, 6, 2, tzinfo=PARIS)


@pytest.mark.parametrize(
    "text", ["", "nothing here", "31 février 2024", "2024-13-45", "la semaine dernière", "42"]
)
def test_parse_date_gives_none_when_there_is_no_real_date(text: str, rules: Rules) -> None:
    assert parse_date(text, tz=PARIS, rules=rules) is None


def test_find_dates_keeps_published_and_updated_apart(rules: Rules) -> None:
    published, updated = find_dates(
        "Publié le 17 janvier 2024 à 9h30, mis à jour le 18 janvier 2024 à 10h00", tz=PARIS, rules=rules
    )
    assert published == datetime(2024, 1, 17, 9, 30, tzinfo=PARIS)
    assert updated == datetime(2024, 1, 18, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("line", "published", "updated"),
    [
        (
            "Veröffentlicht am 21.11.2024, 07:15 Uhr | Aktualisiert: 22.11.2024",
            "2024-11-21T07:15",
            "2024-11-22T00:00",
        ),
        ("Stand: 21.11.2024, 07:15 Uhr", None, "2024-11-21T07:15"),
        ("Updated June 3, 2024", None, "2024-06-03T00:00"),
        ("Publicado el 3 de febrero de 2024", "2024-02-03T00:00", None),
        ("Pubblicato il 5 aprile 2024 - Aggiornato il 6 aprile 2024", "2024-04-05T00:00", "2024-04-06T00:00"),
        (
            "Gepubliceerd op 3 februari 2024 · Bijgewerkt 4 februari 2024",
            "2024-02-03T00:00",
            "2024-02-04T00:00",
        ),
        ("Atualizado em 22 de março de 2024", None, "2024-03-22T00:00"),
        ("By Jane Roe | June 2, 2024", "2024-06-02T00:00", None),
    ],
)
def test_find_dates_in_many_languages(
    line: str, published: str | None, updated: str | None, rules: Rules
) -> None:
    got = find_dates(line, tz=UTC, rules=rules)
    assert [d.strftime("%Y-%m-%dT%H:%M") if d else None for d in got] == [published, updated]


def test_a_date_phrase_inside_a_sentence_is_not_the_article_date(rules: Rules) -> None:
    assert find_dates("Le rapport publié le 3 mars 2023 montre une hausse", tz=PARIS, rules=rules) == (
        None,
        None,
    )


def test_a_date_mentioned_in_a_sentence_is_not_a_dateline(rules: Rules) -> None:
    line = "The war that started on February 24, 2022 has displaced millions of people"
    assert find_dates(line, tz=PARIS, rules=rules) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28T15:28:56+01:00"),  # Unix `date`
        ("Tue Jan 28 15:28:56 2020", "2020-01-28T15:28:56+00:00"),  # C asctime, the site's zone
        ("Tue, 28 Jan 2020 15:28:56 CET", "2020-01-28T15:28:56+01:00"),  # RFC 822 with a zone of rules.toml
        ("Sun, 02 Jun 2024 10:00:00 CEST", "2024-06-02T10:00:00+02:00"),
    ],
)
def test_time_zone_abbreviations_are_read_as_the_offsets_rules_give_them(
    text: str, expected: str, rules: Rules
) -> None:
    value = parse_date(text, tz=UTC, rules=rules)  # the site's zone is not the one written
    assert value is not None and value.isoformat() == expected


@pytest.mark.parametrize(
    "text",
    [
        "২০২৪-০১-১৭T০৯:৩০:০০+০১:০০",  # Bengali digits
        "٢٠٢٤-٠١-١٧T٠٩:٣٠:٠٠+٠١:٠٠",  # Arabic-Indic digits
        "۲۰۲۴-۰۱-۱۷T۰۹:۳۰:۰۰+۰۱:۰۰",  # Extended Arabic-Indic (Persian, Urdu)
        "१७/०१/२०२४ ०९:३०",  # Devanagari, day first
        "17 janvier ２０２４ à 9h30",  # fullwidth
    ],
)
def test_digits_of_other_scripts_are_read_as_digits(text: str, rules: Rules) -> None:
    value = parse_date(text, tz=ZoneInfo("Europe/Paris"), rules=rules, language="fr")
    assert value is not None and value.isoformat() == "2024-01-17T09:30:00+01:00"


@pytest.mark.parametrize(
    "line",
    [
        "Publié le 17 janvier 2024 à 9h30 Mis à jour le 18 janvier 2024 à 10h00",
        "Publié le 17/01/2024 à 09h30 Mis à jour le 18/01/2024 à 10h00",
        "Publié le 17 janvier 2024 à 9h30 - Mis à jour le 18 janvier 2024 à 10h00",
    ],
)
def test_published_and_updated_on_one_line_without_a_separator_are_both_kept(line: str, rules: Rules) -> None:
    published, updated = find_dates(line, tz=PARIS, rules=rules, language="fr")
    assert published == datetime(2024, 1, 17, 9, 30, tzinfo=PARIS)
    assert updated == datetime(2024, 1, 18, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00+9999",
        "2024-01-01 10:00 +2400",
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "9999-12-31T23:00:00-05:00",  # after year 9999 in UTC
    ],
)
def test_a_date_with_no_moment_in_utc_is_no_date(text: str, rules: Rules) -> None:
    assert parse_date(text, tz=PARIS, rules=rules) is None
    assert find_dates(f"Published: {text}", tz=PARIS, rules=rules) == (None, None)


@pytest.mark.parametrize(
    ("line", "published", "updated"),
    [
        ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28T15:28:56+01:00", None),
        ("Published: Tue Jan 28 15:28:56 CET 2020", "2020-01-28T15:28:56+01:00", None),
        ("Updated: Tue, 28 Jan 2020 16:00:00 CET", None, "2020-01-28T16:00:00+01:00"),
    ],
)
def test_a_dateline_written_by_a_machine_is_read_in_a_scraped_article(
    line: str, published: str | None, updated: str | None, rules: Rules
) -> None:
    got = find_dates(line, tz=UTC, rules=rules)
    assert [d.isoformat() if d else None for d in got] == [published, updated]
