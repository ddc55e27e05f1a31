"""The render stage: one FeedDocument in, one format's bytes out.

Each format lives in its own module, the only place its library is imported;
this registry is how the rest of syndicator finds them. A renderer is a pure
function: it reads nothing but the FeedDocument (no files, environment,
locale or clock), so the same document always renders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from syndicator.model import FeedDocument
from syndicator.render import atom, jsonfeed, rss
from syndicator.render.atom import render_atom
from syndicator.render.jsonfeed import render_jsonfeed
from syndicator.render.rss import render_rss


@dataclass(frozen=True)
class Renderer:
    format: str  # "rss" | "atom" | "json": the key in RENDERERS and in the config
    filename: str  # the file name in each feed's directory
    media_type: str  # the Content-Type the server sends (plus charset=utf-8)
    render: Callable[[FeedDocument], bytes]


RENDERERS: Mapping[str, Renderer] = MappingProxyType(
    {
        "rss": Renderer("rss", "rss.xml", rss.MEDIA_TYPE, render_rss),
        "atom": Renderer("atom", "atom.xml", atom.MEDIA_TYPE, render_atom),
        "json": Renderer("json", "feed.json", jsonfeed.MEDIA_TYPE, render_jsonfeed),
    }
)

__all__ = ["RENDERERS", "Renderer", "render_atom", "render_jsonfeed", "render_rss"]
