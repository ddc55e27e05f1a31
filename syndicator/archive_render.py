"""Archive pages rendered in the run's worker processes, each item once per format.

A big render is mostly archive pages (RFC 5005): the main archive's, 2,000 of
them per 100,000 articles, and each category's, which hold the same articles
again. A page is read and rendered in a worker (`render_page`), a few pages
ahead of the writes, which stay in the publishing process and in document
order. Archive pages keep no fragments between runs (memory follows the
subscription feeds, not the archive), but within a run an item need not be
rendered twice: a worker tells where each item lies in the files it rendered
(`ItemPlaces`), and once those files are written, `ArchiveItems` reads the
items back from them for a later page holding the same articles (a category
page after the main archive pages). The worker uses an item only for the very
article version and feed context it was rendered from, so the files are the
bytes a render of each page from nothing gives.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from syndicator.config import Config
from syndicator.output_documents import StoredPage
from syndicator.render import FORMATS
from syndicator.render.fragments import Fragments, Span, assemble, assemble_items, context_of
from syndicator.workers import Workers, inherited
from syndicator.write import etag_of

RenderedPage = list[tuple[str, bytes, str | None]]  # (path relative to the output, bytes, ETag if known)
PARALLEL_PAGES = 20  # archive pages to render: below this, forking workers costs more than it saves
AHEAD = 2  # archive pages in flight per worker: each stays busy, and little is held

# An item fragment given to a worker: (format, context, article id, digest, bytes).
Relayed = tuple[str, str, str, str, bytes]


@dataclass(frozen=True)
class ItemPlaces:
    """Where each item of one rendered archive file lies in its bytes, and the
    feed context (`fragments.context_of`) its items were rendered for."""

    relative: str  # the file, relative to the output directory
    format: str
    context: str
    content: str  # the content mode of its feed ("full", "excerpt", "title")
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class PageResult:
    """What a worker sends back for one archive page."""

    files: RenderedPage
    places: tuple[ItemPlaces, ...]
    reused: int  # items taken from `Relayed` fragments instead of rendered
    seconds: float


PageJob = Future[PageResult]  # an archive page rendering in a worker


def render_page(page: StoredPage, relayed: tuple[Relayed, ...] = ()) -> PageResult:
    """An archive page read and rendered in every format, with each file's ETag and
    where its items lie: what a worker process does. The bytes are a render of
    the page from nothing; `relayed` items are used where they are current."""
    start = time.perf_counter()
    config = inherited()
    if not isinstance(config, Config):
        raise TypeError("a worker without the run's configuration")
    cache = Fragments(None)
    for fmt_name, context, article_id, digest, data in relayed:
        cache.seed(fmt_name, context, article_id, digest, data)
    doc = page.document(config)
    files: RenderedPage = []
    places: list[ItemPlaces] = []
    for fmt in FORMATS.of(config.output.formats):
        relative = f"{doc.key}/{fmt.filename}"
        data, spans = assemble_items(fmt, doc, cache, persist=False)
        files.append((relative, data, etag_of(data)))
        if spans:
            places.append(ItemPlaces(relative, fmt.name, context_of(fmt.name, doc), page.content, spans))
    return PageResult(files, tuple(places), cache.reused, time.perf_counter() - start)


class ArchiveItems:
    """The items of the archive files written this run, found again in those files.

    Per article, one bytes value: per format the file and byte range of its item,
    then its digest (about 200 bytes an article with its id, so 100,000 articles
    hold 20 MB here rather than their items' 2 GB). At most `limit` articles are
    remembered, the latest learnt, so memory does not grow with the archive: an
    item forgotten is rendered again, never wrong.
    """

    _NOWHERE = 0xFFFFFFFF
    LIMIT = 150_000

    def __init__(self, directory: Path, formats: tuple[str, ...], limit: int = LIMIT) -> None:
        self.directory = directory
        self.formats = formats
        self.limit = limit
        # (relative path, format, context, content mode, the file's stamp as written)
        self._files: list[tuple[str, str, str, str, tuple[int, int, int, int]]] = []
        self._where: dict[str, bytes] = {}  # article id → packed places, then the digest
        self._packing = struct.Struct("<" + "III" * len(formats))

    def _known(self, article_id: str) -> tuple[str, tuple[int, ...]] | None:
        value = self._where.get(article_id)
        if value is None:
            return None
        return value[self._packing.size :].decode("utf-8"), self._packing.unpack_from(value)

    def learn(self, places: Iterable[ItemPlaces]) -> None:
        """Remember the items of files now written (never of files still to write)."""
        found: dict[str, tuple[str, list[int]]] = {}
        for place in places:
            if place.format not in self.formats:
                continue
            try:
                stamp = _stamp(os.stat(self.directory / place.relative))
            except OSError:
                continue
            column = 3 * self.formats.index(place.format)
            number = len(self._files)
            self._files.append((place.relative, place.format, place.context, place.content, stamp))
            for article_id, digest, start, end in place.spans:
                if end > self._NOWHERE:
                    continue  # past what the packing holds: that item is rendered again
                if article_id not in found:
                    old = self._known(article_id)
                    kept = list(old[1]) if old is not None and old[0] == digest else None
                    found[article_id] = (digest, kept or [self._NOWHERE, 0, 0] * len(self.formats))
                found[article_id][1][column : column + 3] = [number, start, end]
        for article_id, (digest, packed) in found.items():
            self._where.pop(article_id, None)  # learnt again: the latest, the last to be forgotten
            self._where[article_id] = self._packing.pack(*packed) + digest.encode("utf-8")
        while len(self._where) > self.limit:
            del self._where[next(iter(self._where))]

    def for_page(self, page: StoredPage) -> tuple[Relayed, ...]:
        """The known items of a page's articles, read from the files they were written to
        (an item that cannot be read is left out: the worker renders it). Items of a feed
        in another content mode (a category's excerpts beside the main archive's full
        text) are other items, and are not read at all."""
        wanted: list[tuple[int, int, int, str, str]] = []
        for article_id, _ in page.rows.rows:
            known = self._known(article_id)
            if known is None:
                continue
            digest, values = known
            for column in range(0, len(values), 3):
                number, start, end = values[column : column + 3]
                if number != self._NOWHERE:
                    wanted.append((number, start, end, article_id, digest))
        relayed: list[Relayed] = []
        for number, spans in groupby(sorted(wanted), key=itemgetter(0)):
            relative, fmt_name, context, content, stamp = self._files[number]
            if content != page.content:
                continue
            try:
                descriptor = os.open(self.directory / relative, os.O_RDONLY)
            except OSError:
                continue
            try:
                if _stamp(os.fstat(descriptor)) != stamp:
                    continue  # replaced since it was written (by a sync or a deploy into the folder)
                for _, start, end, article_id, digest in spans:
                    data = os.pread(descriptor, end - start, start)
                    if len(data) == end - start:
                        relayed.append((fmt_name, context, article_id, digest, data))
            except OSError:
                continue
            finally:
                os.close(descriptor)
        return tuple(relayed)


def _stamp(status: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file written this run from one put in its place since."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class PageRenderer:
    """Archive pages, read and rendered in the run's worker processes when there are
    enough of them (a cold run's bulk), else in this process. Either way a page's
    files are the same bytes."""

    def __init__(self, workers: Workers | None, count: int, config: Config, *, dry_run: bool) -> None:
        self.workers = workers
        self.config = config
        self.pool: ProcessPoolExecutor | None = None
        if workers is not None and (workers.pool is not None or count >= PARALLEL_PAGES):
            # The pool normalize forked, else one forked now.
            self.pool = workers.executor()
        self.window = AHEAD * workers.count if workers is not None and self.pool is not None else 1
        self.seconds = 0.0  # spent rendering archive pages, summed over the processes
        self.reused = 0  # items of archive pages taken from pages written before them
        # A dry run writes nothing to read items back from.
        self.items = None if dry_run else ArchiveItems(config.output.directory, tuple(config.output.formats))

    def submit(self, page: StoredPage) -> PageJob | None:
        """The page's render in a worker; None when this process renders it (`here`)."""
        if self.pool is None or self.workers is None:
            return None
        relayed = self.items.for_page(page) if self.items is not None else ()
        future = self.workers.submit("render", self.pool, render_page, page, relayed)
        if future is None:
            self.pool = None
        return future

    def here(self, page: StoredPage, fragments: Fragments | None) -> RenderedPage:
        start = time.perf_counter()
        doc = page.document(self.config)
        rendered: RenderedPage = []
        for fmt in FORMATS.of(self.config.output.formats):
            data = fmt.render(doc) if fragments is None else assemble(fmt, doc, fragments, persist=False)
            rendered.append((f"{doc.key}/{fmt.filename}", data, None))
        self.seconds += time.perf_counter() - start
        return rendered

    def result(self, future: PageJob, page: StoredPage) -> tuple[RenderedPage, tuple[ItemPlaces, ...]]:
        """The page's files, and where their items lie (for `written`)."""
        try:
            done = future.result()
        except BrokenProcessPool as e:  # a worker died: this page and the rest are rendered here
            if self.workers is not None:
                self.workers.failed(e, "render")
            self.pool = None
            return self.here(page, None), ()
        except Exception:  # the transport (a page that cannot be pickled): the render is done here
            return self.here(page, None), ()
        self.seconds += done.seconds
        self.reused += done.reused
        return done.files, done.places

    def written(self, places: tuple[ItemPlaces, ...]) -> None:
        """A page's files are written: its items may be read from them from now on."""
        if self.items is not None and places:
            self.items.learn(places)
