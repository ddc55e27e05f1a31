"""Whether a request for a feed is a person's browser, who gets the readable view.

A person who clicks a feed link sees raw XML or JSON, which puts most people
off; browsers no longer dress feeds up (Chromium is removing client-side
XSLT). So a browser's top-level navigation to a feed gets the feed's HTML
view, written next to it (``rss.xml`` → ``rss.html``), and everyone else gets
the feed bytes, untouched.

Two signals must agree, because a reader that gets HTML breaks a subscription:

- ``Sec-Fetch-Dest: document`` (W3C Fetch Metadata §2.1): sent by browsers
  for a top-level navigation, and by no feed reader: feedparser, newsboat
  (libcurl), Miniflux, SimplePie, rss-parser send no ``Sec-Fetch-*`` header,
  and a browser's own ``fetch()`` of a feed says ``empty``, not ``document``;
- an ``Accept`` header that ranks ``text/html`` strictly above every type the
  feed could be served as (RFC 9110 §12.5.1). Browsers send
  ``text/html,…,application/xml;q=0.9,*/*;q=0.8``; readers that fake a
  browser's User-Agent still rank the feed types first (SimplePie:
  ``text/html;q=0.7``), and ``*/*`` or no Accept at all is a tie, which
  keeps the feed.
"""

from __future__ import annotations

from typing import Final

from syndicator.render import FORMATS

HTML: Final = "text/html"
# Vary (RFC 9110 §12.5.5) on every feed response, both variants: a shared
# cache must never hand the HTML view to a reader or the feed to a browser.
VARY: Final = "Accept, Sec-Fetch-Dest, Accept-Encoding"


def view_name(feed_name: str) -> str:
    """The readable view's file name: the feed's stem + ``.html`` (``feed.json`` → ``feed.html``)."""
    return feed_name.rsplit(".", 1)[0] + ".html"


def wants_html(sec_fetch_dest: str | None, accept: str | None, feed_type: str) -> bool:
    """Whether a request for a feed of ``feed_type`` should get the HTML view."""
    if sec_fetch_dest is None or sec_fetch_dest.strip().lower() != "document":
        return False
    if not accept:
        return False
    ranges = parse_accept(accept)
    html_q = quality(ranges, HTML)
    feed_q = max(quality(ranges, kind) for kind in _served_as(feed_type))
    return html_q > feed_q


def _served_as(feed_type: str) -> tuple[str, ...]:
    """What a feed type may also be served and asked for as (the format's
    ``accepted_as``): a client asking for application/xml at q=1 is asking
    for the RSS or Atom file too."""
    fmt = FORMATS.for_media_type(feed_type)
    return (feed_type, *fmt.accepted_as) if fmt is not None else (feed_type,)


def parse_accept(value: str) -> tuple[tuple[str, float], ...]:
    """(media range, q) pairs of an Accept header, lowercased; unreadable members dropped.

    Parameters other than q (``application/signed-exchange;v=b3``) do not
    change which types a range matches for our purpose, so they are ignored.
    """
    ranges: list[tuple[str, float]] = []
    for member in value.split(","):
        media_range, *params = member.split(";")
        media_range = media_range.strip().lower()
        if media_range.count("/") != 1:
            continue
        q = 1.0
        for param in params:
            name, _, raw = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(raw.strip())
                except ValueError:
                    q = 0.0
                q = q if 0.0 <= q <= 1.0 else 0.0
        ranges.append((media_range, q))
    return tuple(ranges)


def quality(ranges: tuple[tuple[str, float], ...], media_type: str) -> float:
    """The q a parsed Accept gives one media type: the most specific matching range wins.

    RFC 9110 §12.5.1: ``type/subtype`` over ``type/*`` over ``*/*``; a type
    no range matches is not acceptable (q=0).
    """
    major = media_type.split("/", 1)[0]
    best_specificity = -1
    best_q = 0.0
    for media_range, q in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{major}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and q > best_q):
            best_specificity, best_q = specificity, q
    return best_q
