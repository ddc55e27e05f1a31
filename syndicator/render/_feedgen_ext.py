"""feedgen 1.0.0, with its known defects kept from readers.

feedgen builds the skeleton of the RSS and Atom documents. Where it gets a
field wrong, rss.py and atom.py write that field themselves through the hooks
of this module, which ride on feedgen's extension API (feedgen/ext/base.py):
a feed hook runs once the channel or feed head is built (before the entries
are appended), an entry hook once an item or entry is complete.

Defects handled, and where:
- Atom entry links lose rel, type and title (python-feedgen#135: the loop in
  FeedEntry.atom_entry rebinds `link` to the new element and then reads the
  attributes from it), so a related link reads as a second alternate:
  atom.py replaces the links in its entry hook.
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
- add_entry prepends by default: `add_entry` here appends, keeping the
  planner's newest-first order.
- FeedEntry.category and FeedEntry.author rebuild their whole RSS list on
  every call, so adding n categories one by one costs n² (and an entry is
  rendered into each of its category feeds: n³ for one record); 1,000
  categories took minutes. `add_categories` and `add_authors` hand feedgen
  the whole list in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

__all__ = [
    "FeedEntry",
    "FeedGenerator",
    "Hook",
    "add_authors",
    "add_categories",
    "add_entry",
    "atom_bytes",
    "new_feed",
    "rss_bytes",
]

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


class _EntryHook(BaseEntryExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.rss: Hook | None = None
        self.atom: Hook | None = None

    def extend_rss(self, item: etree._Element) -> etree._Element:
        if self.rss is not None:
            self.rss(item)
        return item

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.atom is not None:
            self.atom(entry)
        return entry


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
    generator.register_extension(_NAME, _FeedHook, _EntryHook)
    hook: _FeedHook = getattr(generator, _NAME)
    hook.namespaces = dict(namespaces or {})
    hook.rss = rss
    hook.atom = atom
    return generator


def add_entry(
    generator: FeedGenerator,
    *,
    rss: Hook | None = None,
    atom: Hook | None = None,
) -> FeedEntry:
    """Append an entry (feedgen prepends unless told) with its hooks set."""
    entry = generator.add_entry(order="append")
    hook: _EntryHook = getattr(entry, _NAME)
    hook.rss = rss
    hook.atom = atom
    return entry


def add_categories(entry: FeedEntry, categories: Sequence[Mapping[str, str]]) -> None:
    """All of an entry's categories (term, label?, scheme?) in one call: linear, not quadratic."""
    if categories:
        entry.category([dict(category) for category in categories])


def add_authors(entry: FeedEntry, authors: Sequence[Mapping[str, str]]) -> None:
    """All of an entry's authors (name, uri?, email?) in one call: linear, not quadratic."""
    if authors:
        entry.author([dict(author) for author in authors])


def rss_bytes(generator: FeedGenerator) -> bytes:
    """The RSS document: UTF-8 with an XML declaration, indented."""
    data: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def atom_bytes(generator: FeedGenerator) -> bytes:
    """The Atom document: UTF-8 with an XML declaration, indented."""
    data: bytes = generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data
