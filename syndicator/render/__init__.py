"""The feed formats: one registry, each renderer loaded on its first render.

`FORMATS` is the one registry of formats (see `_registry`); the configuration,
the writer, the pages and the server read it. Each built-in format's module
(feedgen, lxml) is imported only when a document is first rendered in it, so
a command that renders nothing (a run with nothing new, `serve`, `history`)
never loads them. A new format is its own module and one entry below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from syndicator.render._registry import FeedFormat, FormatRegistry, LazyRender

if TYPE_CHECKING:
    from syndicator.render.atom import render_atom
    from syndicator.render.jsonfeed import render_jsonfeed
    from syndicator.render.rss import render_rss

# In the order a site offers them when `output.formats` is not set.
FORMATS = FormatRegistry(
    (
        FeedFormat(
            name="rss",
            filename="rss.xml",
            media_type="application/rss+xml",
            label="RSS",
            render=LazyRender("syndicator.render.rss", "render_rss"),
            accepted_as=("application/xml", "text/xml"),
        ),
        FeedFormat(
            name="atom",
            filename="atom.xml",
            media_type="application/atom+xml",
            label="Atom",
            render=LazyRender("syndicator.render.atom", "render_atom"),
            accepted_as=("application/xml", "text/xml"),
        ),
        FeedFormat(
            name="json",
            filename="feed.json",
            media_type="application/feed+json",
            label="JSON Feed",
            render=LazyRender("syndicator.render.jsonfeed", "render_jsonfeed"),
            accepted_as=("application/json",),
        ),
    )
)


def __getattr__(name: str) -> Any:
    """`from syndicator.render import render_rss` still works, importing the module then."""
    for fmt in FORMATS.values():
        if isinstance(fmt.render, LazyRender) and fmt.render.function == name:
            return fmt.render.resolve()
    raise AttributeError(name)


__all__ = [
    "FORMATS",
    "FeedFormat",
    "FormatRegistry",
    "LazyRender",
    "render_atom",
    "render_jsonfeed",
    "render_rss",
]
