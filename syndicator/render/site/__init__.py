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
    chosen = FORMATS.of(formats)
    # RFC 5005 archive pages are history, not subscriptions: no entry, no view.
    feeds = [
        d for d in documents if isinstance(d, FeedListing) or d.archive is None or not d.archive.is_archive
    ]
    listed = [d if isinstance(d, FeedListing) else d.listing() for d in feeds]
    pages: list[tuple[str, bytes]] = [
        (
            INDEX_NAME,
            render_index(
                listed,
                chosen,
                site_title=site_title,
                site_description=site_description,
                language=language,
                feeds_url=feeds_url,
            ),
        ),
        (OPML_NAME, render_opml(listed, chosen, site_title=site_title)),
    ]
    for doc in feeds:
        if isinstance(doc, FeedListing) or (views_for is not None and doc.key not in views_for):
            continue
        for fmt in chosen:
            pages.append(
                (feed_path(doc, fmt.view_filename), render_view(doc, fmt, chosen, site_title=site_title))
            )
    return pages


def discovery_snippet(documents: Sequence[FeedDocument], *, formats: Sequence[str]) -> str:
    """The ``<link rel="alternate">`` lines to paste into a site's ``<head>``, main feed first."""
    feeds = [doc.listing() for doc in documents if doc.archive is None or not doc.archive.is_archive]
    return "".join(tag + "\n" for tag in link_tags(feeds, FORMATS.of(formats)))


__all__ = ["INDEX_NAME", "OPML_NAME", "discovery_snippet", "render_site_pages"]
