"""`feeds.opml`: every feed of the site in one file a reader imports at once.

OPML 2.0 (http://opml.org/spec2.opml), "subscription lists": one outline per
feed with type="rss" (the spec's name for any feed outline), text, xmlUrl and
htmlUrl. One outline per feed, not per format: importing three formats of
the same feed would show every article three times.
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import UTC

from lxml import etree

from syndicator.model import FeedListing
from syndicator.render import FeedFormat
from syndicator.render.site._markup import clean


def render_opml(documents: Sequence[FeedListing], formats: Sequence[FeedFormat], *, site_title: str) -> bytes:
    ordered = sorted(documents, key=lambda doc: doc.key != "")
    fmt = _preferred(formats)
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = clean(f"{site_title} — feeds")
    # OPML 2.0 §head: dateModified is RFC 822; taken from the newest item,
    # never the clock, so an unchanged site gives unchanged bytes (and
    # email.utils writes day and month names from tables, not the locale).
    dated = [doc.updated for doc in ordered if doc.count]
    if dated:
        newest = max(dated).astimezone(UTC)
        etree.SubElement(head, "dateModified").text = email.utils.format_datetime(newest, usegmt=True)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    for doc in ordered:
        outline = etree.SubElement(body, "outline")
        # Attribute order is insertion order in lxml: fixed, so bytes are stable.
        outline.set("type", "rss")
        outline.set("text", clean(doc.title))
        outline.set("title", clean(doc.title))
        if fmt is not None:
            outline.set("xmlUrl", clean(fmt.url(doc.urls)))
        outline.set("htmlUrl", clean(doc.urls.html))
        if doc.description:
            outline.set("description", clean(doc.description))
        if doc.language:
            outline.set("language", clean(doc.language))
    etree.indent(opml, space="  ")
    return etree.tostring(opml, xml_declaration=True, encoding="utf-8") + b"\n"


def _preferred(formats: Sequence[FeedFormat]) -> FeedFormat | None:
    """The first configured XML format: more OPML importers read it than JSON Feed."""
    for fmt in formats:
        if fmt.is_xml:
            return fmt
    return formats[0] if formats else None
