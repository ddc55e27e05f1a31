"""Property: whatever JSON sits in an optional field, the article is published.

A record with a title and a body makes an item (DESIGN.md "Nothing valid is
lost"); a wrong optional field is repaired or dropped with a warning naming
it. Checked for every alias of every optional field, with any JSON value.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicator.intake import normalize_one
from syndicator.model import Article, RawRecord
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.json_record import ALIASES
from syndicator.normalize.rules import default_rules_path, load_rules
from syndicator.validate import load_validator

# Fields a record cannot do without (title, body) or that say "do not publish" (status).
REQUIRED = {"title", "content_html", "status"}
OPTIONAL_KEYS = sorted(
    {alias for name, aliases in ALIASES.items() if name not in REQUIRED for alias in aliases}
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["png", "https://e.org/a b.jpg", "javascript:alert(1)", "2024-13-45", "x" * 6000, ""]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["url", "name", "type", "href", "rendered", "length", "x"]) | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@cache
def context() -> NormalizeContext:
    return NormalizeContext(
        base_url="https://news.example.org/",
        language="en",
        timezone=ZoneInfo("Europe/Paris"),
        rules=load_rules(default_rules_path()),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(OPTIONAL_KEYS), value=json_values)
def test_any_json_value_in_any_optional_field_never_costs_the_article(key: str, value: Any) -> None:
    payload = {"title": "A title", "content_html": "<p>A body.</p>", key: value}
    raw = RawRecord("cms", "export.json", "record 0", "json", payload, ref="cms/export.json#0")

    result = normalize_one(raw, context(), load_validator())

    assert isinstance(result, Article), result
    assert result.title == "A title" and "A body." in result.content_html
    for field, message in result.warnings:
        assert field.startswith("/") and message


def test_every_optional_field_is_tried() -> None:
    assert {"image", "authors", "published", "categories", "enclosures", "url", "summary"} <= {
        name for name, aliases in ALIASES.items() if set(aliases) & set(OPTIONAL_KEYS)
    }
