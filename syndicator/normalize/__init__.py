"""The normalize stage: RawRecord → Article, pure functions only.

Each payload kind has an extractor (a registry, so a new record format is one
entry) that fills a Draft; `assemble` does the cleaning every format shares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping

from syndicator.errors import RecordError
from syndicator.model import Article, RawRecord, Rejection
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft


# Each extractor imports its module on first use: a run that reads only JSON
# records never loads the HTML page extractor (lxml.html, readability), and a
# run that reads nothing loads none.
def _json(raw: RawRecord, ctx: NormalizeContext) -> Draft:
    from syndicator.normalize.json_record import extract_json_article

    return extract_json_article(raw, ctx)


def _text(raw: RawRecord, ctx: NormalizeContext) -> Draft:
    from syndicator.normalize.rawtext import extract_text_article

    return extract_text_article(raw.payload, ctx=ctx, name=raw.origin)


def _html(raw: RawRecord, ctx: NormalizeContext) -> Draft:
    from syndicator.normalize.htmlpage import extract_html_article

    url = raw.origin if raw.origin.startswith(("http://", "https://")) else None
    return extract_html_article(raw.payload, ctx=ctx, url=url)


EXTRACTORS: MutableMapping[str, Callable[[RawRecord, NormalizeContext], Draft]] = {
    "json": _json,
    "text": _text,
    "html": _html,
}

__all__ = ["EXTRACTORS", "NormalizeContext", "normalize", "unexpected"]

logger = logging.getLogger(__name__)


def normalize(raw: RawRecord, ctx: NormalizeContext) -> Article | Rejection:
    """Errors are values at the record boundary: a bad record becomes a Rejection."""
    extractor = EXTRACTORS.get(raw.kind)
    if extractor is None:
        return Rejection(
            raw.source, raw.origin, raw.locator, "", f"no reader for {raw.kind} records", None, lasting=True
        )
    from syndicator.normalize.assemble import assemble

    try:
        return assemble(extractor(raw, ctx), raw, ctx)
    except RecordError as e:
        return Rejection(
            raw.source, raw.origin, raw.locator, e.field, e.message, raw.payload, ref=raw.ref, lasting=True
        )
    except Exception as e:  # one record's failure is that record's rejection, never the run's
        return unexpected(raw, "could not be normalized", e)


def unexpected(raw: RawRecord, what: str, error: BaseException) -> Rejection:
    """A defect met on one record's data: the record is rejected with the error named,
    and the traceback goes to the debug log for a bug report."""
    logger.debug("%s: %s", raw.where, what, exc_info=error)
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    reason = f"{what}: {type(error).__name__}" + (f": {detail}" if detail else "")
    return Rejection(raw.source, raw.origin, raw.locator, "", reason, raw.payload, ref=raw.ref)
