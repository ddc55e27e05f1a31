"""The validate stage: config/article.schema.json is the contract.

A normalizer bug must never reach readers as a broken item, so every Article
is checked against the schema after normalization; a failure becomes a
Rejection naming the JSON pointer of the first offending field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

from syndicator.articles import article_to_json
from syndicator.errors import ConfigError
from syndicator.model import Article, RawRecord, Rejection

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "config" / "article.schema.json"


@lru_cache(maxsize=4)
def load_validator(path: Path = SCHEMA_PATH) -> Draft202012Validator:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        raise ConfigError(str(path), "", f"unusable article schema: {e}") from e
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_article(article: Article, raw: RawRecord, validator: Draft202012Validator) -> Article | Rejection:
    data = article_to_json(article)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return article
    first = errors[0]
    pointer = "".join(f"/{_escape(part)}" for part in first.absolute_path)
    return Rejection(raw.source, raw.origin, raw.locator, pointer, _reason(first), raw.payload)


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
