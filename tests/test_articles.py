"""An Article as JSON, and the content hash that decides whether `updated` moves."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syndicator.articles import (
    HASH_VERSION,
    article_from_json,
    article_text,
    article_to_json,
    content_hash,
    rfc3339,
)
from syndicator.model import Article, Author, Category, Image, RelatedLink, SourceRef

PARIS = ZoneInfo("Europe/Paris")


def make_article(**changes: Any) -> Article:
    article = Article(
        id="tag:news.example.org,2024-01-17:abc",
        url="https://news.example.org/monde/a",
        title="Un titre",
        summary="Un résumé.",
        content_html="<p>Un texte.</p>",
        authors=(Author("Jean Dupont", "https://e.org/jd", "jd@example.org"), Author("Ada")),
        published=datetime(2024, 1, 17, 9, 30, tzinfo=PARIS),
        updated=datetime(2024, 1, 18, 10, 0, tzinfo=PARIS),
        language="fr",
        categories=(Category("monde", "Monde", "https://e.org/s/"), Category("eco", "Éco")),
        tags=("climat", "COP28"),
        related=(RelatedLink("https://e.org/r", "Lire aussi"), RelatedLink("https://e.org/s")),
        image=Image("https://e.org/i.jpg", "Un chat", "image/jpeg", 800, 600),
        source=SourceRef("directory", "export.json: record 0"),
    )
    return replace(article, **changes)


def test_json_form_holds_every_field_with_rfc3339_dates() -> None:
    data = article_to_json(make_article())
    assert data["published"] == "2024-01-17T09:30:00+01:00"
    assert data["updated"] == "2024-01-18T10:00:00+01:00"
    assert data["authors"] == [
        {"name": "Jean Dupont", "url": "https://e.org/jd", "email": "jd@example.org"},
        {"name": "Ada"},
    ]
    assert data["categories"] == [
        {"term": "monde", "label": "Monde", "scheme": "https://e.org/s/"},
        {"term": "eco", "label": "Éco"},
    ]
    assert data["image"] == {
        "url": "https://e.org/i.jpg",
        "alt": "Un chat",
        "type": "image/jpeg",
        "width": 800,
        "height": 600,
    }
    assert data["source"] == {"kind": "directory", "ref": "export.json: record 0"}


def test_absent_dates_and_image_are_left_out() -> None:
    data = article_to_json(make_article(published=None, updated=None, image=None))
    assert "published" not in data and "updated" not in data and "image" not in data


def test_json_form_survives_a_json_round_trip() -> None:
    article = make_article(source_id="42")
    data = json.loads(json.dumps(article_to_json(article)))
    assert article_from_json(data, source_id="42") == article


def test_the_stored_form_reads_back_as_the_same_article_as_rows_of_the_older_form_do() -> None:
    article = make_article(title='Élection « présidentielle » 🗳️ \\ "quoted"', source_id="42")
    text = article_text(article)

    assert article_from_json(json.loads(text), source_id="42") == article
    assert json.loads(text) == article_to_json(article)  # plain JSON, any reader takes it
    older = json.dumps(article_to_json(article), ensure_ascii=False)  # how earlier versions stored it
    assert article_from_json(json.loads(older), source_id="42") == article


def test_rfc3339_has_seconds_and_an_offset() -> None:
    assert rfc3339(datetime(2024, 7, 1, 8, 5, 3, 999, tzinfo=PARIS)) == "2024-07-01T08:05:03+02:00"


def test_hash_is_versioned() -> None:
    assert content_hash(make_article()).startswith(f"v{HASH_VERSION}:")


@pytest.mark.parametrize(
    "change",
    [
        {"id": "tag:other,2020-01-01:x"},
        {"published": datetime(2020, 1, 1, tzinfo=PARIS)},
        {"updated": None},
        {"source": SourceRef("directory", "moved.json: line 9")},
        {"source_id": "99"},
        {"status": "draft"},
    ],
)
def test_identity_dates_and_position_do_not_change_the_hash(change: dict[str, Any]) -> None:
    assert content_hash(make_article(**change)) == content_hash(make_article())


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Un autre titre"},
        {"url": "https://news.example.org/monde/b"},
        {"summary": "Autre."},
        {"content_html": "<p>Un texte corrigé.</p>"},
        {"authors": ()},
        {"language": "en"},
        {"categories": ()},
        {"tags": ("climat",)},
        {"related": ()},
        {"image": None},
    ],
)
def test_content_changes_change_the_hash(change: dict[str, Any]) -> None:
    assert content_hash(make_article(**change)) != content_hash(make_article())


def test_hash_does_not_depend_on_the_time_zone_of_equal_instants() -> None:
    # published is excluded; the same article read in another zone is not an edit.
    utc = make_article(published=datetime(2024, 1, 17, 8, 30, tzinfo=ZoneInfo("UTC")))
    assert content_hash(utc) == content_hash(make_article())


def _stdlib_hash(article: Article) -> str:
    """The hash as every stored article was hashed: the standard library's JSON, UTF-8."""
    data = {
        k: v
        for k, v in article_to_json(article).items()
        if k not in {"id", "published", "updated", "source", "source_id", "status", "content_text"}
    }
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"v{HASH_VERSION}:{hashlib.sha256(blob.encode('utf-8')).hexdigest()}"


def test_a_stored_hash_stays_the_hash_of_the_same_article() -> None:
    # The value stores hold for this article: a different one would make every
    # stored article look edited, and move its `updated` date.
    assert content_hash(make_article()) == (
        "v2:d2280caf952d99e2f01974933dc039c720b0564df796295977ea4f25f4ebf027"
    )


@pytest.mark.parametrize(
    "text",
    [
        'quotes " and \\ backslash',
        "tab\tnewline\nreturn\r",
        "\u2028 line and \u2029 paragraph separators, \x7f",
        "non-BMP 🦉 and \U0001d11e, accents éàü, CJK 漢字",
        "</script><!-- & <b>",
        "\u00a0\u202f no-break spaces",
    ],
)
def test_the_hash_is_of_the_standard_librarys_json_whatever_the_text(text: str) -> None:
    article = make_article(title=text, summary=text, content_html=f"<p>{text}</p>", tags=(text, "b"))
    assert content_hash(article) == _stdlib_hash(article)


def test_an_integer_too_big_for_64_bits_is_hashed_as_before() -> None:
    from syndicator.model import Enclosure

    article = make_article(enclosures=(Enclosure("https://e.org/a.mp3", "audio/mpeg", 2**70),))
    assert content_hash(article) == _stdlib_hash(article)
