"""The pages that help people subscribe: pure renderers, FeedDocuments (or, for the
index and the OPML, FeedListings) in, bytes out.

- ``index.html``: every feed with its description, item count and last update,
  and the autodiscovery links a reader looks for (``_index``, ``_discovery``);
- one readable HTML view per feed and format, next to the feed it shows
  (``rss.xml`` → ``rss.html``, ``atom.xml`` → ``atom.html``, ``feed.json`` →
  ``feed.html``), which the server also sends to browsers (``_view``);
- ``feeds.opml``: the OPML 2.0 subscription list (``_opml``);
- the ``<head>`` snippet a publisher pastes into their own site.

Like the feed renderers, these read nothing but their arguments (no clock,
no locale, no files): the same documents always give the same bytes, so the
writer leaves unchanged pages untouched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from syndicator.model import FeedDocument, FeedListing
from syndicator.render import FORMATS
from syndicator.render.site._discovery import link_tags
from syndicator.render.site._index import OPML_NAME, render_index
from syndicator.render.site._markup import feed_path
from syndicator.render.site._opml import render_opml
from syndicator.render.site._view import render_view

INDEX_NAME = "index.html"


def render_site_pages(
    documents: Sequence[FeedDocument | FeedListing],
    *,
    site_title: str,
    site_description: str,
    language: str,
    feeds_url: str,
    formats: Sequence[str],
    views_for: Collection[str] | None = None,
) -> list[tuple[str, bytes]]:
    """Every page as (path relative to the output directory, bytes), in a fixed order.

    ``feeds_url`` is the public URL of the output directory, the address of
    the index that the index offers to copy (readers discover every feed
    from it); the documents carry their own absolute feed URLs. With
    ``views_for`` (document keys), only those feeds' views are rendered: the
    others did not change; the index and the OPML always are. A feed given as
    a FeedListing (one this run did not render) is listed and gets no view.
    """
    # RFC 5005 archive pages are history, not subscriptions: no entry, no view.
    feeds = [
        d for d in documents if isinstance(d, FeedListing) or d.archive is None or not d.archive.is_archive
    ]
    pages = render_list_pages(
        [d if isinstance(d, FeedListing) else d.listing() for d in feeds],
        site_title=site_title,
        site_description=site_description,
        language=language,
        feeds_url=feeds_url,
        formats=formats,
    )
    for doc in feeds:
        if isinstance(doc, FeedListing) or (views_for is not None and doc.key not in views_for):
            continue
        pages += render_views(doc, site_title=site_title, formats=formats)
    return pages


def render_list_pages(
    listings: Sequence[FeedListing],
    *,
    site_title: str,
    site_description: str,
    language: str,
    feeds_url: str,
    formats: Sequence[str],
) -> list[tuple[str, bytes]]:
    """The index and the OPML, from every feed's listing (no feed's articles)."""
    chosen = FORMATS.of(formats)
    index = render_index(
        listings,
        chosen,
        site_title=site_title,
        site_description=site_description,
        language=language,
        feeds_url=feeds_url,
    )
    return [(INDEX_NAME, index), (OPML_NAME, render_opml(listings, chosen, site_title=site_title))]


def render_views(doc: FeedDocument, *, site_title: str, formats: Sequence[str]) -> list[tuple[str, bytes]]:
    """The readable views of one feed, one per format, next to its feed files."""
    chosen = FORMATS.of(formats)
    return [
        (feed_path(doc, fmt.view_filename), render_view(doc, fmt, chosen, site_title=site_title))
        for fmt in chosen
    ]


def discovery_snippet(documents: Sequence[FeedDocument], *, formats: Sequence[str]) -> str:
    """The ``<link rel="alternate">`` lines to paste into a site's ``<head>``, main feed first."""
    feeds = [doc.listing() for doc in documents if doc.archive is None or not doc.archive.is_archive]
    return "".join(tag + "\n" for tag in link_tags(feeds, FORMATS.of(formats)))


__all__ = [
    "INDEX_NAME",
    "OPML_NAME",
    "discovery_snippet",
    "render_list_pages",
    "render_site_pages",
    "render_views",
]
