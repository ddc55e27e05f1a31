"""`index.html`: every feed of the site on one page, findable by readers.

People paste the site's feeds address into a reader, which finds the feeds
through the autodiscovery links in the head; people open it in a browser and
find each feed with its description, item count and last update, its
addresses to copy, and its readable view.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from syndicator.model import FeedListing
from syndicator.render import FeedFormat
from syndicator.render.site._discovery import link_tags
from syndicator.render.site._markup import attr, feed_path, lang_attrs, page, text, time_element

OPML_NAME = "feeds.opml"


def render_index(
    documents: Sequence[FeedListing],
    formats: Sequence[FeedFormat],
    *,
    site_title: str,
    site_description: str,
    language: str,
    feeds_url: str,
) -> bytes:
    ordered = sorted(documents, key=lambda doc: doc.key != "")
    head = "".join(tag + "\n" for tag in link_tags(ordered, formats))
    if site_description:
        head += f'<meta name="description" content="{attr(site_description)}">\n'
    head += f'<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="{OPML_NAME}">\n'
    feeds = "".join(_feed(doc, formats, language) for doc in ordered)
    body = (
        "<header>\n"
        f"<h1>{text(site_title)} — feeds</h1>\n"
        + (f'<p class="lead">{text(site_description)}</p>\n' if site_description else "")
        + "</header>\n"
        '<section class="about" lang="en" dir="ltr">\n'
        "<h2>Follow this site in a feed reader</h2>\n"
        "<p>A feed brings every new article to the feed reader of your choice, "
        "with no account and no e-mail address. Paste the address of this page, "
        "or of one feed below, into your reader and it finds the feeds:</p>\n"
        f'<p><input readonly value="{attr(feeds_url)}" aria-label="Address of this page"></p>\n'
        f'<p>To subscribe to all of them at once, import <a href="{OPML_NAME}" download>'
        f"{OPML_NAME}</a> (OPML) into your reader.</p>\n"
        "</section>\n"
        "<main>\n"
        f'<h2 lang="en" dir="ltr">{len(ordered)} feed{"s" if len(ordered) != 1 else ""}</h2>\n'
        f'<ul class="feeds">\n{feeds}</ul>\n'
        "</main>\n"
    )
    return page(language=language, title=f"{site_title} — feeds", head_extra=head, body=body)


def _href(doc: FeedListing, filename: str) -> str:
    """A link to a file of `doc`: its path, percent-encoded (`categories/%E6%97%A5%E6%9C%AC/…`)."""
    return quote(feed_path(doc, filename))


def _feed(doc: FeedListing, formats: Sequence[FeedFormat], site_language: str) -> str:
    count = doc.count
    lang = f" {lang_attrs(doc.language)}" if doc.language != site_language else ""
    updated = f" · updated {time_element(doc.updated)}" if count else ""
    view = _href(doc, formats[0].view_filename) if formats else ""
    title = f'<a href="{attr(view)}">{text(doc.title)}</a>' if view else text(doc.title)
    addresses = "".join(
        f"<li><label>{text(fmt.label)}"
        f' <input readonly value="{attr(fmt.url(doc.urls))}" aria-label="{attr(fmt.label)} address">'
        f"</label>"
        f'<span class="meta"><a href="{attr(_href(doc, fmt.filename))}" type="{attr(fmt.media_type)}">'
        f'{text(fmt.filename)}</a> · <a href="{attr(_href(doc, fmt.view_filename))}">readable view</a>'
        "</span></li>\n"
        for fmt in formats
    )
    return (
        f"<li{lang}>\n"
        f"<h3>{title}</h3>\n"
        f'<p class="summary">{text(doc.description)}</p>\n'
        f'<p class="meta" lang="en" dir="ltr">{count} item{"s" if count != 1 else ""}{updated}</p>\n'
        f'<ul class="subscribe">\n{addresses}</ul>\n'
        "</li>\n"
    )
