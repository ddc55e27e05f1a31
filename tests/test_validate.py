"""The article schema is the contract: a bad article is a Rejection naming the JSON pointer."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator

from syndicator.errors import ConfigError
from syndicator.model import Article, Author, Category, Image, RawRecord, Rejection, RelatedLink, SourceRef
from syndicator.validate import SCHEMA_PATH, check_article, load_validator

PARIS = ZoneInfo("Europe/Paris")
RAW = RawRecord("cms", "export.json", "record 4", "json", {"title": "as read"})


def make_article(**changes: Any) -> Article:
    article = Article(
        id="tag:news.example.org,2024-01-17:abc",
        url="https://news.example.org/monde/a",
        title="Un titre",
        summary="Un résumé.",
        content_html="<p>Un texte.</p>",
        authors=(Author("Jean Dupont", "https://e.org/jd", "jd@example.org"),),
        published=datetime(2024, 1, 17, 9, 30, tzinfo=PARIS),
        updated=datetime(2024, 1, 18, 10, 0, tzinfo=PARIS),
        language="fr",
        categories=(Category("monde", "Monde", "https://e.org/s/"),),
        tags=("climat",),
        related=(RelatedLink("https://e.org/r", "Lire aussi"),),
        image=Image("https://e.org/i.jpg", "Un chat", "image/jpeg", 800, 600),
        source=SourceRef("directory", "export.json: record 4"),
    )
    return replace(article, **changes)


def check(**changes: Any) -> Article | Rejection:
    return check_article(make_article(**changes), RAW, load_validator())


def rejection(**changes: Any) -> Rejection:
    result = check(**changes)
    assert isinstance(result, Rejection), result
    assert (result.source, result.origin, result.locator) == ("cms", "export.json", "record 4")
    assert result.payload == {"title": "as read"}
    return result


def test_schema_is_a_valid_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_good_article_passes_unchanged() -> None:
    article = make_article()
    assert check_article(article, RAW, load_validator()) is article


def test_minimal_article_passes() -> None:
    minimal = make_article(
        summary="",
        content_html="",
        authors=(),
        published=None,
        updated=None,
        categories=(),
        tags=(),
        related=(),
        image=None,
    )
    assert check_article(minimal, RAW, load_validator()) is minimal


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"url": "not a url"}, "/url"),
        ({"url": "ftp://e.org/a"}, "/url"),
        ({"url": "https://e.org:port/"}, "/url"),
        ({"language": "French"}, "/language"),
        ({"language": "FR"}, "/language"),
        ({"language": ""}, "/language"),
        ({"title": ""}, "/title"),
    ],
)
def test_bad_required_field_is_rejected_with_its_json_pointer(changes: dict[str, Any], pointer: str) -> None:
    assert rejection(**changes).field == pointer


@pytest.mark.parametrize(
    ("changes", "pointer", "action"),
    [
        ({"authors": (Author("Ada", url="javascript:alert(1)"),)}, "/authors/0/url", "dropped"),
        ({"authors": (Author("Ada"), Author(""))}, "/authors/1", "dropped"),  # name missing
        ({"authors": (Author("Ada", email="not-an-email"),)}, "/authors/0/email", "dropped"),
        ({"categories": (Category("Monde", "Monde"),)}, "/categories/0", "dropped"),
        ({"related": (RelatedLink("/relative"),)}, "/related/0", "dropped"),
        ({"image": Image("https://e.org/i.jpg", type="text/html")}, "/image/type", "dropped"),
        ({"image": Image("https://e.org/i.jpg", width=0)}, "/image/width", "dropped"),
        ({"tags": ("",)}, "/tags/0", "dropped"),
        ({"published": datetime(2024, 1, 17, 9, 30), "updated": None}, "/published", "dropped"),
        ({"summary": "x " * 2501}, "/summary", "repaired"),
        ({"title": "a <b>bold</b> title"}, "/title", "repaired to 'a bold title'"),
        ({"url": "https://e.org/a b"}, "/url", "repaired to 'https://e.org/a%20b'"),
        ({"image": Image("https://e.org/i.png", type="png")}, "/image/type", "repaired to 'image/png'"),
    ],
)
def test_bad_optional_field_costs_only_that_field(changes: dict[str, Any], pointer: str, action: str) -> None:
    result = check(**changes)
    assert isinstance(result, Article), result
    assert [field for field, _ in result.warnings] == [pointer]
    assert f"; {action}" in result.warnings[0][1]
    assert result.title and result.content_html == "<p>Un texte.</p>"


def test_plain_string_upstream_id_is_valid() -> None:
    assert isinstance(check(id="t3_glvkc5"), Article)


@pytest.mark.parametrize(
    "when",
    [datetime(2024, 1, 17, 9, 30, tzinfo=PARIS), datetime(2024, 1, 17, 9, 30, tzinfo=ZoneInfo("UTC"))],
)
def test_aware_dates_pass(when: datetime) -> None:
    assert isinstance(check(published=when, updated=when), Article)


def test_reason_shows_the_value() -> None:
    reason = rejection(url="not a url").reason
    assert "'not a url'" in reason
    assert str(rejection(language="French")).startswith("export.json: record 4: /language: 'French'")


def test_long_value_is_shortened_in_the_reason() -> None:
    reason = rejection(language="x" * 500).reason
    assert len(reason) < 200
    assert "..." in reason


def test_first_offending_field_in_document_order_is_named() -> None:
    assert rejection(url="bad", language="bad!").field == "/language"  # sorted by pointer


def test_unreadable_schema_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "schema.json"
    bad.write_text('{"type": 3}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_validator(bad)
    assert info.value.path == str(bad)
    with pytest.raises(ConfigError):
        load_validator(tmp_path / "absent.json")


def test_a_title_with_angle_brackets_that_are_not_markup_is_valid() -> None:
    assert not isinstance(check(title="Why 3 < 5 > 2 matters"), Rejection)


def test_an_edited_schema_file_is_used_from_the_next_load_on(tmp_path: Path) -> None:
    schema = tmp_path / "article.schema.json"
    data = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema.write_text(json.dumps(data), encoding="utf-8")
    before = load_validator(schema)
    data["properties"]["title"]["maxLength"] = 3
    schema.write_text(json.dumps(data), encoding="utf-8")

    after = load_validator(schema)

    assert after is not before  # a daemon validates with the schema as it is now
    assert after.exact.schema["properties"]["title"]["maxLength"] == 3
