"""feedgen 1.0.0, with its known defects kept from readers.

feedgen builds the channel of the RSS document and the head of the Atom
document. Where it gets a field wrong, rss.py and atom.py write that field
themselves through the hook of this module, which rides on feedgen's
extension API (feedgen/ext/base.py) and runs once the channel or feed head is
built, before feedgen appends its entries: it has none to append.

The items and entries are built by rss.py and atom.py on the channel and
feed elements, element for element as FeedEntry.rss_entry and atom_entry
write them from the same values. A FeedEntry per item (its extension
registration, its format checks, the other format's bookkeeping) cost more
than the item's own elements, which kept a whole-feed render at twice what
writing the same elements with lxml costs. Building them directly also ends
the entry-level defects feedgen had: Atom entry links losing rel, type and
title (python-feedgen#135: the loop in FeedEntry.atom_entry rebinds `link`
to the new element and then reads the attributes from it), entries
prepended unless told, and FeedEntry.category / FeedEntry.author rebuilding
their whole RSS list on every call (n categories one by one cost n²; an
entry is rendered into each of its category feeds: n³ for one record).

Defects handled, and where:
- RSS items drop related links: rss.py writes atom:link rel="related".
- `updated` / `lastBuildDate` default to datetime.now(): `new_feed` replaces
  the default, through the public setter, with a date that is false, which
  feedgen never writes; the renderers always set dates from the FeedDocument.
- Dates in RSS go through formatRFC2822, which switches the process-wide
  locale (locale.setlocale(LC_ALL, "C")) and back, racing every other thread:
  rss.py never hands feedgen an RSS date and writes them itself.
- The syndication extension writes sy:UpdatePeriod / sy:UpdateFrequency
  (capitalised; the module defines sy:updatePeriod): rss.py writes its own.
- XML-illegal characters make lxml raise while feedgen sets text: every value
  goes through _values.clean first.
- RSS channel <link> is the *last* feed link added, whatever its rel: the
  renderers add the alternate link last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

__all__ = ["FeedGenerator", "Hook", "atom_bytes", "new_feed", "rss_bytes"]

Hook = Callable[[etree._Element], None]


class _NotWritten(datetime):
    """A date that is false: feedgen writes lastBuildDate only when it is true."""

    def __bool__(self) -> bool:
        return False


_NOT_WRITTEN = _NotWritten(1970, 1, 1, tzinfo=UTC)

_NAME = "syndicator"  # the attribute feedgen gives the extension instance


class _FeedHook(BaseExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.namespaces: dict[str, str] = {}
        self.rss: Hook | None = None
        self.atom: Hook | None = None

    def extend_ns(self) -> dict[str, str]:
        return dict(self.namespaces)

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        if self.rss is not None:
            self.rss(feed)
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.atom is not None:
            self.atom(feed)
        return feed


def new_feed(
    *,
    namespaces: Mapping[str, str] | None = None,
    rss: Hook | None = None,
    atom: Hook | None = None,
) -> FeedGenerator:
    """A FeedGenerator with our hooks registered and no clock default.

    `namespaces` are declared on the root element, so the prefixes the hooks
    use are written once there rather than on every element.
    """
    generator = FeedGenerator()
    # FeedGenerator.__init__ sets lastBuildDate to datetime.now() and writes it
    # (through the locale switch) whenever the stored date is true; the public
    # setter takes this false one instead. It also stands for atom:updated,
    # which feedgen refuses to write while false: the Atom renderer must set it.
    generator.lastBuildDate(_NOT_WRITTEN)
    generator.register_extension(_NAME, _FeedHook)
    hook: _FeedHook = getattr(generator, _NAME)
    hook.namespaces = dict(namespaces or {})
    hook.rss = rss
    hook.atom = atom
    return generator


def rss_bytes(generator: FeedGenerator) -> bytes:
    """The RSS document: UTF-8 with an XML declaration, indented."""
    data: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def atom_bytes(generator: FeedGenerator) -> bytes:
    """The Atom document: UTF-8 with an XML declaration, indented."""
    data: bytes = generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data
