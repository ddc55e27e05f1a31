"""The normalize stage: RawRecord → Article, pure functions only.

Each payload kind has an extractor (a registry, so a new record format is one
entry) that fills a Draft; `assemble` does the cleaning every format shares.
"""

from __future__ import annotations

import logging
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

__all__ = ["EXTRACTORS", "NormalizeContext", "normalize", "unexpected"]

logger = logging.getLogger(__name__)


def normalize(raw: RawRecord, ctx: NormalizeContext) -> Article | Rejection:
    """Errors are values at the record boundary: a bad record becomes a Rejection."""
    extractor = EXTRACTORS.get(raw.kind)
    if extractor is None:
        return Rejection(raw.source, raw.origin, raw.locator, "", f"no reader for {raw.kind} records", None)
    try:
        return assemble(extractor(raw, ctx), raw, ctx)
    except RecordError as e:
        return Rejection(raw.source, raw.origin, raw.locator, e.field, e.message, raw.payload, ref=raw.ref)
    except Exception as e:  # one record's failure is that record's rejection, never the run's
        return unexpected(raw, "could not be normalized", e)


def unexpected(raw: RawRecord, what: str, error: BaseException) -> Rejection:
    """A defect met on one record's data: the record is rejected with the error named,
    and the traceback goes to the debug log for a bug report."""
    logger.debug("%s: %s", raw.where, what, exc_info=error)
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    reason = f"{what}: {type(error).__name__}" + (f": {detail}" if detail else "")
    return Rejection(raw.source, raw.origin, raw.locator, "", reason, raw.payload, ref=raw.ref)
