"""A feed format is one descriptor; the formats are one registry.

Everything that names a format reads it here: the configuration
(`output.formats`, its default and its "did you mean"), the writer (which
file each format is written to), the server (the Content-Type of a feed file
and which types a client may ask a feed for), the pages (labels, links,
autodiscovery types, the readable view next to each feed). So adding a
format is its own module, ending in a `FeedFormat`, and one entry in
`syndicator.render.FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from syndicator.model import FeedDocument, FeedUrls


@dataclass(frozen=True)
class LazyRender:
    """A render function named by module and name, its module imported on the
    first call: the registry can be read (by the configuration, the server)
    without loading feedgen or lxml."""

    module: str
    function: str

    def resolve(self) -> Callable[[FeedDocument], bytes]:
        render: Callable[[FeedDocument], bytes] = getattr(importlib.import_module(self.module), self.function)
        return render

    def __call__(self, doc: FeedDocument) -> bytes:
        return self.resolve()(doc)


@dataclass(frozen=True)
class FeedFormat:
    """One output format, whole: what it is called, where it goes, how it is made."""

    name: str  # the key in output.formats ("rss")
    filename: str  # the feed file in each feed's folder ("rss.xml"); its stem names the view
    media_type: str  # Content-Type (the server adds charset=utf-8) and autodiscovery type
    label: str  # what a person reads on the pages ("RSS")
    render: Callable[[FeedDocument], bytes]  # pure: the same document gives the same bytes
    # Media types a client may name when it asks for this feed (RFC 9110 §12.5.1):
    # a browser asking for application/xml at q=0.9 is asking for an RSS file too.
    accepted_as: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return self.filename.rsplit(".", 1)[0]

    @property
    def suffix(self) -> str:
        return self.filename.rsplit(".", 1)[-1]

    @property
    def view_filename(self) -> str:
        """The readable HTML view written next to the feed: `rss.xml` → `rss.html`."""
        return self.stem + ".html"

    @property
    def is_xml(self) -> bool:
        return self.media_type.endswith(("/xml", "+xml"))

    def url(self, urls: FeedUrls) -> str:
        """The public URL of a feed in this format."""
        return urls.of(self.filename)

    def names(self, file_name: str) -> bool:
        """Whether a published file is a feed of this format: `rss.xml`, and
        archive-style names that keep the stem as first word (`rss-2.xml`,
        `atom.2024-05.xml`, `feed_3.json`)."""
        stem, dot, suffix = file_name.lower().rpartition(".")
        first_word = stem.replace("-", ".").replace("_", ".").split(".", 1)[0]
        return bool(dot) and suffix == self.suffix and first_word == self.stem


class FormatRegistry(Mapping[str, FeedFormat]):
    """The formats by name, in the order they are offered (the default order).

    Two formats never share a name or a file name: the writer would put both
    in one file. `register` is how a format that is not built in is added
    (an extension, a test); it refuses a clash rather than replacing.
    """

    def __init__(self, formats: Iterable[FeedFormat]) -> None:
        self._formats: dict[str, FeedFormat] = {}
        for fmt in formats:
            self.register(fmt)

    def register(self, fmt: FeedFormat) -> None:
        clash = next(
            (f for f in self._formats.values() if f.name == fmt.name or f.filename == fmt.filename), None
        )
        if clash is not None:
            raise ValueError(
                f"format {fmt.name!r} ({fmt.filename}) clashes with {clash.name!r} ({clash.filename})"
            )
        self._formats[fmt.name] = fmt

    def unregister(self, name: str) -> None:
        del self._formats[name]

    def __getitem__(self, name: str) -> FeedFormat:
        return self._formats[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)

    def of(self, names: Iterable[str]) -> tuple[FeedFormat, ...]:
        """The formats named, in the order named (a configuration's `output.formats`)."""
        return tuple(self._formats[name] for name in names)

    def for_file(self, file_name: str) -> FeedFormat | None:
        """The format a published file is a feed of, or None for any other file."""
        return next((f for f in self._formats.values() if f.names(file_name)), None)

    def for_media_type(self, media_type: str) -> FeedFormat | None:
        return next((f for f in self._formats.values() if f.media_type == media_type), None)

    def filenames(self) -> frozenset[str]:
        return frozenset(f.filename for f in self._formats.values())


__all__ = ["FeedFormat", "FormatRegistry", "LazyRender"]
