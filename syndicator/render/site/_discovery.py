"""Feed autodiscovery: the `<link rel="alternate">` tags a reader looks for.

A reader given a page URL looks in its `<head>` for `link` elements with
rel="alternate" and a feed media type (RSS Board, "RSS Autodiscovery";
HTML §4.6.7.1 "alternate"; JSON Feed 1.1 §"Discovery" names
application/feed+json). Many readers take the first one they find, so the
main feed comes first, in the configured format order.
"""

from __future__ import annotations

from collections.abc import Sequence

from syndicator.model import FeedListing
from syndicator.render import FeedFormat
from syndicator.render.site._markup import attr


def link_tags(documents: Sequence[FeedListing], formats: Sequence[FeedFormat]) -> list[str]:
    """One tag per feed and format, main feed first; absolute hrefs.

    Absolute, because the snippet is pasted into pages that live elsewhere
    on the site, and because a few readers do not resolve relative hrefs.
    """
    ordered = sorted(documents, key=lambda doc: doc.key != "")
    return [
        f'<link rel="alternate" type="{attr(fmt.media_type)}" '
        f'title="{attr(_title(doc, fmt, len(formats)))}" href="{attr(fmt.url(doc.urls))}">'
        for doc in ordered
        for fmt in formats
    ]


def _title(doc: FeedListing, fmt: FeedFormat, format_count: int) -> str:
    # Readers list the titles for the user to choose from; with several
    # formats of the same feed, the format is what tells them apart.
    return f"{doc.title} ({fmt.label})" if format_count > 1 else doc.title
