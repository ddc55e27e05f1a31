"""The normalize stage: RawRecord → Article, pure functions only.

Each payload kind has an extractor (a registry, so a new record format is one
entry) that fills a Draft; `assemble` does the cleaning every format shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from syndicator.errors import RecordError
from syndicator.model import Article, RawRecord, Rejection
from syndicator.normalize.assemble import assemble
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft
from syndicator.normalize.htmlpage import extract_html_article
from syndicator.normalize.json_record import extract_json_article
from syndicator.normalize.rawtext import extract_text_article

EXTRACTORS: Mapping[str, Callable[[RawRecord, NormalizeContext], Draft]] = {
    "json": extract_json_article,
    "text": lambda raw, ctx: extract_text_article(raw.payload, ctx=ctx, name=raw.origin),
    "html": lambda raw, ctx: extract_html_article(
        raw.payload, ctx=ctx, url=raw.origin if raw.origin.startswith(("http://", "https://")) else None
    ),
}

__all__ = ["EXTRACTORS", "NormalizeContext", "normalize"]


def normalize(raw: RawRecord, ctx: NormalizeContext) -> Article | Rejection:
    """Errors are values at the record boundary: a bad record becomes a Rejection."""
    extractor = EXTRACTORS.get(raw.kind)
    if extractor is None:
        return Rejection(raw.source, raw.origin, raw.locator, "", f"no reader for {raw.kind} records", None)
    try:
        return assemble(extractor(raw, ctx), raw, ctx)
    except RecordError as e:
        return Rejection(raw.source, raw.origin, raw.locator, e.field, e.message, raw.payload, ref=raw.ref)
