"""The request headers the server honours, parsed leniently."""

from __future__ import annotations

import pytest

from syndicator.server._http import accepts_gzip, http_date, parse_entity_tags, parse_http_date


def test_http_date_is_an_imf_fixdate_in_gmt() -> None:
    assert http_date(1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 GMT"


@pytest.mark.parametrize(
    "value",
    [
        "Tue, 14 Nov 2023 22:13:20 GMT",  # IMF-fixdate
        "Tuesday, 14-Nov-23 22:13:20 GMT",  # obsolete RFC 850
        "Tue Nov 14 22:13:20 2023",  # obsolete asctime, no zone: GMT
    ],
)
def test_every_http_date_form_is_read(value: str) -> None:
    assert parse_http_date(value) == 1_700_000_000


@pytest.mark.parametrize("value", ["", "yesterday", "Tue, 99 Nov 2023 25:61:00 GMT", "0"])
def test_a_date_that_is_not_one_is_ignored(value: str) -> None:
    assert parse_http_date(value) is None


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ('"abc"', ("abc",)),
        ('W/"abc"', ("abc",)),
        ('"a", W/"b",  "c-gz"', ("a", "b", "c-gz")),
        ("*", ("*",)),
        ('""', ("",)),
    ],
)
def test_entity_tag_lists_are_read_with_weak_comparison(value: str, tags: tuple[str, ...]) -> None:
    assert parse_entity_tags(value) == tags


@pytest.mark.parametrize("value", ["abc", '"abc', '"a" "b"', '"a";', ""])
def test_a_malformed_entity_tag_list_is_ignored(value: str) -> None:
    assert parse_entity_tags(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate;q=1.0, GZip;q=0.001", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *;q=1", False),
        ("*;q=0", False),
        ("br;q=1, identity", False),
        ("gzip;q=2", False),
        ("gzip;q=", False),
    ],
)
def test_gzip_is_acceptable_per_q_values(value: str | None, expected: bool) -> None:
    assert accepts_gzip(value) is expected
