"""Size limits on what a source hands over: records and the strings inside them.

One record must not be able to cost the run its memory or its time: a 50 MB
text file or a 50 MB `content_html` would be parsed, sanitised, stored and
rendered into every feed it belongs to. Every source kind accepts these
options; a record over a limit is cut to it (at a character boundary, so
the text stays valid) and a warning names the source, the record, the field
and the limit, so nothing is cut silently and the user knows which option
to raise. The limits on how many records a source gives (`max_items`,
`max_pages`) and on file sizes (`max_file_bytes`) live with their kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from syndicator.config import SourceConfig
from syndicator.model import RawRecord

logger = logging.getLogger(__name__)

LIMIT_KEYS = ("max_record_bytes", "max_field_bytes")


@dataclass(frozen=True)
class RecordLimits:
    # A text or HTML record (a .txt or .html file, a fetched page), in UTF-8 bytes.
    record_bytes: int = 5_000_000
    # One string inside a JSON record (content_html, summary, a category...), in UTF-8 bytes.
    field_bytes: int = 1_000_000


def check_limits(source: SourceConfig) -> RecordLimits:
    """The source's record limits; a value that is not a whole number of 1 or more is a ConfigError."""
    defaults = RecordLimits()
    values = {}
    for key, default in (
        ("max_record_bytes", defaults.record_bytes),
        ("max_field_bytes", defaults.field_bytes),
    ):
        value = source.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise source.error(key, f"must be a whole number of bytes, 1 or more, not {value!r}")
        values[key] = value
    return RecordLimits(record_bytes=values["max_record_bytes"], field_bytes=values["max_field_bytes"])


def whole_number(source: SourceConfig, key: str, default: int) -> int:
    """A count option (`max_items`, `max_file_bytes`): a whole number of 1 or more."""
    value = source.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise source.error(key, f"must be a whole number of 1 or more, not {value!r}")
    return value


def within_limits(raw: RawRecord, limits: RecordLimits) -> RawRecord:
    """The record, with any payload or string over its limit cut to it and reported."""
    if isinstance(raw.payload, str):
        cut = _cut(raw.payload, limits.record_bytes)
        if cut is None:
            return raw
        _warn(raw, "", len(raw.payload.encode("utf-8")), "max_record_bytes", limits.record_bytes)
        return replace(raw, payload=cut)
    if isinstance(raw.payload, Mapping):
        if _fits(raw.payload, limits.field_bytes // 4):
            return raw  # the common case: no string near the limit, nothing built
        payload = _within(raw, raw.payload, "", limits.field_bytes)
        return raw if payload is raw.payload else replace(raw, payload=payload)
    return raw


def _fits(value: Any, chars: int) -> bool:
    """Whether every string in the value is at most `chars` characters (4 bytes each at most)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)  # exact types first: parsed JSON is dict, list and str
        if kind is str:
            if len(item) > chars:
                return False
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
    return True


def _within(raw: RawRecord, value: Any, pointer: str, limit: int) -> Any:
    """The value with long strings cut; the same object when nothing was (no copy)."""
    if isinstance(value, str):
        cut = _cut(value, limit)
        if cut is None:
            return value
        _warn(raw, pointer or "/", len(value.encode("utf-8")), "max_field_bytes", limit)
        return cut
    if isinstance(value, Mapping):
        changed = {}
        for key, item in value.items():
            new = _within(raw, item, f"{pointer}/{key}", limit)
            if new is not item:
                changed[key] = new
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        items = [_within(raw, item, f"{pointer}/{i}", limit) for i, item in enumerate(value)]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _cut(text: str, limit: int) -> str | None:
    """`text` cut to `limit` UTF-8 bytes at a character boundary, or None when it fits."""
    if len(text) * 4 <= limit:  # no character takes more than 4 bytes: fits, without encoding
        return None
    data = text.encode("utf-8")
    if len(data) <= limit:
        return None
    return data[:limit].decode("utf-8", errors="ignore")


def _warn(raw: RawRecord, field: str, size: int, key: str, limit: int) -> None:
    where = f"{raw.where}: {field}" if field else raw.where
    logger.warning(
        "source=%s %s: %d bytes, over %s = %d: cut to the limit (raise %s to keep it whole)",
        raw.source,
        where,
        size,
        key,
        limit,
        key,
    )
