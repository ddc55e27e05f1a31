"""What an extractor pulls out of one record, before any cleaning.

Each record format (JSON from a CMS, raw scraped text, an HTML page) has its
own extractor that fills a Draft; one assembler (normalize.assemble) turns any
Draft into an Article. Keeping the two apart means every cleaning rule applies
to every format the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from syndicator.model import Author, Enclosure, Image, RelatedLink, Repair


@dataclass(frozen=True)
class Draft:
    source_id: str | None = None  # the record's own id: `id`, `guid`, `@id`
    title: str | None = None  # may still hold tags and entities
    url: str | None = None  # may be relative or carry tracking parameters
    content_html: str | None = None  # unsanitised HTML fragment
    summary: str | None = None  # may hold HTML
    authors: tuple[Author, ...] = ()
    published: datetime | str | None = None  # str: parsed by normalize.dates
    updated: datetime | str | None = None
    language: str | None = None  # as the record states it
    categories: tuple[str, ...] = ()  # labels as written (`MONDE`)
    tags: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()  # urls may be relative
    related_titles: tuple[str, ...] = ()  # "Read more: <title>" references
    image: Image | None = None
    status: str | None = None  # draft / private / scheduled / published
    inferred: tuple[tuple[str, str], ...] = ()  # (field, from what)
    enclosures: tuple[Enclosure, ...] = ()  # urls may be relative; type may be missing ("")
    repairs: tuple[Repair, ...] = ()  # optional fields the extractor had to drop
