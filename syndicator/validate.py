"""The validate stage: the article schema (defaults/article.schema.json) is the contract.

A normalizer bug must never reach readers as a broken item, so every Article
is checked against the schema after normalization. Nothing valid is lost: a
wrong optional field is repaired where the intent is clear (`png` →
`image/png`, a URL with spaces percent-encoded, an over-long title cut at a
word) and dropped otherwise, each time with a Repair the run reports. Only an
error in a field the article cannot do without (its id, URL, title, body)
makes a Rejection naming the JSON pointer of the first offending field.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jsonschema_rs

from syndicator.articles import article_from_json, article_to_json
from syndicator.defaults import SCHEMA_PATH
from syndicator.errors import ConfigError
from syndicator.model import Article, RawRecord, Rejection, Repair
from syndicator.normalize.urls import iri_to_uri

if TYPE_CHECKING:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker


@dataclass(frozen=True)
class ArticleValidator:
    """The schema, twice: jsonschema-rs answers "valid?" in microseconds for the
    common case; jsonschema, the reference implementation, explains a failure
    (and has the last word, so the fast check may only be stricter)."""

    fast: Any  # jsonschema_rs validator, with formats checked
    schema: dict[str, Any]  # what tells an optional field (dropped when wrong) from a required one

    @cached_property
    def exact(self) -> Draft202012Validator:
        """Built on the first record that fails the fast check: a run whose records
        are all valid (or that reads none) never imports jsonschema."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema, format_checker=_format_checker())

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
        # jsonschema-rs checks the schema against its metaschema as it builds the validator.
        fast = jsonschema_rs.validator_for(schema, validate_formats=True)
    except (OSError, ValueError) as e:
        raise ConfigError(path, "", f"unusable article schema: {e}") from e
    return ArticleValidator(fast, schema)


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
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("uri", raises=ValueError)(_is_uri)
    return checker


MAX_PASSES = 8  # a repair can only remove or shorten, so this bounds the loop on any input


def check_article(article: Article, raw: RawRecord, validator: ArticleValidator) -> Article | Rejection:
    """The article as the schema accepts it, repaired where it can be, or a Rejection."""
    data = article_to_json(article)
    repairs: list[Repair] = []
    for _ in range(MAX_PASSES):
        errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
        if not errors:
            break
        drops: list[list[str | int]] = []
        fixed = False
        repaired: list[list[str | int]] = []
        for error in errors:
            path = list(error.absolute_path)
            if path in repaired:
                continue  # one value failing two keywords (format and pattern) is repaired once
            value = _repaired_value(path, error)
            if value is not None and value != error.instance:
                _set(data, path, value)
                repaired.append(path)
                repairs.append(Repair(_pointer(path), _reason(error), f"repaired to {_shown(value)}"))
                fixed = True
                continue
            drop = _droppable(validator.schema, path)
            if drop is None:
                return _rejection(raw, error)
            if not any(drop[: len(d)] == d for d in drops):
                drops = [d for d in drops if d[: len(drop)] != drop] + [drop]
                repairs.append(Repair(_pointer(drop), _reason(error), "dropped"))
        # Highest index first, so dropping one item does not move another.
        for drop in sorted(drops, key=_drop_order, reverse=True):
            _delete(data, drop)
            fixed = True
        if not fixed:
            break
    errors = list(validator.iter_errors(data))
    if errors:
        return _rejection(raw, errors[0])
    if not repairs:
        return article
    return _with_json(
        article, data, article.warnings + tuple((r.field, f"{r.problem}; {r.action}") for r in repairs)
    )


def _rejection(raw: RawRecord, error: jsonschema.ValidationError) -> Rejection:
    pointer = _pointer(list(error.absolute_path))
    return Rejection(
        raw.source, raw.origin, raw.locator, pointer, _reason(error), raw.payload, ref=raw.ref, lasting=True
    )


_JSON_FIELDS = (
    "id", "url", "title", "summary", "content_html", "content_text", "authors", "published",
    "updated", "language", "categories", "tags", "related", "image", "enclosures",
)  # fmt: skip


def _with_json(article: Article, data: dict[str, Any], warnings: tuple[tuple[str, str], ...]) -> Article:
    """The article holding the repaired JSON fields; what JSON does not carry is kept."""
    fixed = article_from_json(data, source_id=article.source_id)
    return replace(article, warnings=warnings, **{name: getattr(fixed, name) for name in _JSON_FIELDS})


def _droppable(schema: dict[str, Any], path: list[str | int]) -> list[str | int] | None:
    """The smallest part of the article holding the error that may go: an
    optional key or an array item; None when the error is in a required field."""
    node: dict[str, Any] = schema
    best: list[str | int] | None = None
    for depth, part in enumerate(path):
        node = _resolve(schema, node)
        if isinstance(part, int):
            best = path[: depth + 1]  # an item of a list can always go
            node = node.get("items", {})
        else:
            if part not in node.get("required", ()):
                best = path[: depth + 1]
            node = node.get("properties", {}).get(part, {})
    return best


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        return dict(target)
    return node


def _drop_order(path: list[str | int]) -> tuple[Any, ...]:
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)


def _set(data: Any, path: list[str | int], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _delete(data: Any, path: list[str | int]) -> None:
    for part in path[:-1]:
        data = data[part]
    del data[path[-1]]


def _pointer(path: list[Any]) -> str:
    return "".join(f"/{_escape(part)}" for part in path)


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


# Repairs where the intent is clear, by the field's last name and the schema
# keyword that failed: data, so a new repair is one line.
Repairer = Callable[[Any], Any]


_IMAGE_TYPE = re.compile(r"^image/[a-z0-9.+-]+$")


def _mime_of(value: Any) -> Any:
    """`png` → `image/png`, `JPG` → `image/jpeg`, `image/PNG` → `image/png`."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if "/" in text:
        text = text.replace(" ", "")
        return text if _IMAGE_TYPE.match(text) else None
    guessed, _ = mimetypes.guess_type(f"x.{text}")
    return guessed if guessed and guessed.startswith("image/") else None


def _encoded_url(value: Any) -> Any:
    """Spaces and non-ASCII letters percent-encoded: only a link that then works is a repair."""
    if not isinstance(value, str):
        return None
    encoded = iri_to_uri(value)
    return encoded if encoded and _HTTP_URL.match(encoded) and _is_uri_safe(encoded) else None


_HTTP_URL = re.compile(r"^https?://[^\s/]+\S*$")


def _is_uri_safe(value: str) -> bool:
    try:
        return _is_uri(value)
    except ValueError:
        return False


def _cut(limit: int) -> Repairer:
    def cut(value: Any) -> Any:
        from syndicator.normalize.assemble import cut_at_word

        return cut_at_word(value, limit - 1) if isinstance(value, str) else None

    return cut


def _plain_title(value: Any) -> Any:
    from syndicator.normalize.assemble import clean_title

    return clean_title(value) or None if isinstance(value, str) else None


REPAIRS: dict[tuple[str, str], Repairer] = {
    ("type", "pattern"): _mime_of,  # image type
    ("url", "format"): _encoded_url,
    ("url", "pattern"): _encoded_url,
    ("title", "maxLength"): _cut(1000),
    ("title", "pattern"): _plain_title,
    ("summary", "maxLength"): _cut(5000),
    ("name", "maxLength"): _cut(200),
}


def _repaired_value(path: list[str | int], error: jsonschema.ValidationError) -> Any:
    if not path or not isinstance(path[-1], str):
        return None
    repairer = REPAIRS.get((path[-1], str(error.validator)))
    if repairer is None or (path[-1] == "type" and path[0] != "image"):
        return None
    return repairer(error.instance)


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
