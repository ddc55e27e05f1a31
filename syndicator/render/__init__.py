"""The render stage: one FeedDocument in, one format's bytes out.

Each format lives in its own module, the only place its library is imported,
and ends in its `FeedFormat` descriptor; `FORMATS` is how the rest of
syndicator (configuration, writer, server, pages) finds them. A renderer is a
pure function: it reads nothing but the FeedDocument (no files, environment,
locale or clock), so the same document always renders to the same bytes.

A new format is a new module here and one entry in `FORMATS`. The pages
around the feeds (index, readable views, OPML) are rendered by `site`.
"""

from __future__ import annotations

from syndicator.render import atom, jsonfeed, rss
from syndicator.render._registry import FeedFormat, FormatRegistry
from syndicator.render.atom import render_atom
from syndicator.render.jsonfeed import render_jsonfeed
from syndicator.render.rss import render_rss

# In the order a site offers them when `output.formats` is not set.
FORMATS = FormatRegistry(
    (
        rss.FORMAT,
        atom.FORMAT,
        jsonfeed.FORMAT,
    )
)

__all__ = ["FORMATS", "FeedFormat", "FormatRegistry", "render_atom", "render_jsonfeed", "render_rss"]
