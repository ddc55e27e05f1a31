"""Ids are minted once from the strongest identity key; an IRI the record carries is kept."""

from __future__ import annotations

import re
from datetime import date

import pytest

from syndicator.normalize.ids import identity_keys, mint_id

DAY = date(2024, 1, 17)
SITE = "https://news.example.org/"
# RFC 4151 §2.1: tag:<authority>,<date>:<specific>
TAG_URI = re.compile(r"^tag:news\.example\.org,2024-01-17:[0-9a-f]{20}$")


def test_identity_keys_strongest_first() -> None:
    assert identity_keys(source_id="42", url="https://e.org/a", ref="a.json: record 0") == (
        "id:42",
        "url:https://e.org/a",
        "ref:a.json: record 0",
    )


def test_identity_keys_skip_what_the_record_lacks() -> None:
    assert identity_keys(source_id=None, url=None, ref="a.txt") == ("ref:a.txt",)
    assert identity_keys(source_id="", url="https://e.org/a", ref="a.txt") == (
        "url:https://e.org/a",
        "ref:a.txt",
    )


def test_minted_id_is_a_tag_uri_of_the_site_host_and_day() -> None:
    assert TAG_URI.match(mint_id(site_url=SITE, day=DAY, key="url:https://e.org/a", source_id=None))


def test_minted_id_is_deterministic_and_depends_on_the_key() -> None:
    a = mint_id(site_url=SITE, day=DAY, key="id:1", source_id="1")
    assert a == mint_id(site_url=SITE, day=DAY, key="id:1", source_id="1")
    assert a != mint_id(site_url=SITE, day=DAY, key="id:2", source_id="2")


@pytest.mark.parametrize(
    "source_id",
    ["https://cms.example.org/posts/42", "urn:uuid:5f1c0e9a-7d4e-4c1b-9f54-0d3c2b1a0e99", "tag:e.org,2020:1"],
)
def test_an_iri_source_id_is_kept_as_the_id(source_id: str) -> None:
    assert mint_id(site_url=SITE, day=DAY, key=f"id:{source_id}", source_id=source_id) == source_id


@pytest.mark.parametrize("source_id", ["42", "https://e.org/a b", "post-7"])
def test_other_source_ids_become_tag_uris(source_id: str) -> None:
    assert TAG_URI.match(mint_id(site_url=SITE, day=DAY, key=f"id:{source_id}", source_id=source_id))


def test_site_without_host_still_gives_a_tag_uri() -> None:
    assert mint_id(site_url="", day=DAY, key="id:1", source_id=None).startswith("tag:localhost,")
