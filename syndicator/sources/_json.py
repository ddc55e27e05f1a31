"""JSON as sources receive it, read so that no document can abort a run.

`json.loads` raises RecursionError on a document nested some thousand levels
deep and ValueError on an integer of more than 4,300 digits (CVE-2020-10735),
neither of them a JSONDecodeError, so a single such file or answer used to end
the whole run. Here both end as a JSONDecodeError that the caller already turns
into a rejected file or a failed source, and a record nested deeper than
MAX_RECORD_DEPTH is refused on its own (`too_deep`), before anything later
(pickling to a worker, keeping the rejection) walks it recursively.
"""

from __future__ import annotations

import json
from typing import Any

# Where a document wrapping its records keeps them: {"items": [...]} (JSON Feed),
# {"data": [...]} (JSON:API, Strapi), {"posts": [...]} (Ghost), ...
ITEM_KEYS = ("items", "data", "posts", "results", "articles", "entries", "records", "hits", "docs")
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
# A record's own body: an object holding one is an article, whatever list it also holds.
_BODY_KEYS = ("content_html", "content", "body", "html", "text", "content_text", "article_body")

MAX_RECORD_DEPTH = 100  # containers inside one record; a WordPress `_embed` post needs about 8
MAX_INTEGER_DIGITS = 4000  # below Python's int/str conversion limit (4,300 digits)


def loads(text: str | bytes, *, strict: bool = True) -> Any:
    """json.loads, but every failure is a JSONDecodeError and long integers stay digits.

    An integer too long for Python to convert is kept as its digit string: no
    article field is a number that long, and the record around it stays readable.
    """
    try:
        return json.loads(text, parse_int=_integer, strict=strict)
    except RecursionError as e:
        raise json.JSONDecodeError("nested too deeply to read", "", 0) from e


def too_deep(value: Any, limit: int = MAX_RECORD_DEPTH, *, text: str | None = None) -> bool:
    """Whether value holds containers nested more than `limit` levels (iterative: no recursion).

    `text`: the JSON the value was read from. Each level opens with a "{" or a "[",
    so text holding no more than `limit` of them cannot nest deeper, and the value
    is not walked (a record of a JSONL file: its line is at hand).
    """
    if text is not None and text.count("{") + text.count("[") <= limit:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


def depth_reason(limit: int = MAX_RECORD_DEPTH) -> str:
    return f"nested deeper than {limit} levels"


def _integer(digits: str) -> int | str:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INTEGER_DIGITS else digits


def wrapped_records(value: dict[str, Any]) -> list[Any] | None:
    """The records an object wraps, or None when it is a record itself.

    A JSON Feed saved to a file is its items, titled as it is; another object is
    a wrapper when it holds a list of objects under one of ITEM_KEYS and no body
    of its own (a record may carry a list, such as a chart's data, beside its text).
    """
    version = value.get("version")
    if (
        isinstance(version, str)
        and version.startswith(JSON_FEED_VERSION)
        and isinstance(value.get("items"), list)
    ):
        return list(value["items"])
    if any(value.get(key) for key in _BODY_KEYS):
        return None
    for key in ITEM_KEYS:
        found = value.get(key)
        if isinstance(found, list) and found and all(isinstance(item, dict) for item in found):
            return list(found)
    return None
