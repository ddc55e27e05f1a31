"""The validate stage: the article schema (defaults/article.schema.json) is the contract.

A normalizer bug must never reach readers as a broken item, so every Article
is checked against the schema after normalization; a failure becomes a
Rejection naming the JSON pointer of the first offending field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

from syndicator.articles import article_to_json
from syndicator.defaults import SCHEMA_PATH
from syndicator.errors import ConfigError
from syndicator.model import Article, RawRecord, Rejection


@dataclass(frozen=True)
class ArticleValidator:
    """The schema, twice: jsonschema-rs answers "valid?" in microseconds for the
    common case; jsonschema, the reference implementation, explains a failure
    (and has the last word, so the fast check may only be stricter)."""

    fast: Any  # jsonschema_rs validator, with formats checked
    exact: Draft202012Validator

    def iter_errors(self, data: dict[str, Any]) -> list[jsonschema.ValidationError]:
        if self.fast.is_valid(data):
            return []
        return list(self.exact.iter_errors(data))


def load_validator(path: Path = SCHEMA_PATH) -> ArticleValidator:
    """The validator of the schema file as it is now: a daemon that runs for weeks
    validates with the edited schema from the next run on, not the one it started with."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(str(path), "", f"unusable article schema: {e}") from e
    return _validator_of(str(path), text)


@lru_cache(maxsize=4)
def _validator_of(path: str, text: str) -> ArticleValidator:
    try:
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        fast = jsonschema_rs.validator_for(schema, validate_formats=True)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        raise ConfigError(path, "", f"unusable article schema: {e}") from e
    return ArticleValidator(fast, Draft202012Validator(schema, format_checker=_format_checker()))


# jsonschema checks "date-time" and "uri" only when optional packages are
# installed, and otherwise lets any string pass; these checks always run.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)  # RFC 3339 §5.6 date-time
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")  # RFC 3986 §3 / RFC 3987


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats constrain strings only
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # raises on day 31 of June
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _URI.match(value):
        return False
    _ = urlsplit(value).port  # raises on a port that is not a number
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("uri", raises=ValueError)(_is_uri)
    return checker


def check_article(article: Article, raw: RawRecord, validator: ArticleValidator) -> Article | Rejection:
    data = article_to_json(article)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return article
    first = errors[0]
    pointer = "".join(f"/{_escape(part)}" for part in first.absolute_path)
    return Rejection(raw.source, raw.origin, raw.locator, pointer, _reason(first), raw.payload, ref=raw.ref)


def _escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _reason(error: jsonschema.ValidationError) -> str:
    value = error.instance
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    if error.validator == "pattern":
        return f"{shown} does not have the expected form"
    if error.validator == "format":
        return f"{shown} is not a valid {error.validator_value}"
    return f"fails the article schema: {error.message[:160]}"
