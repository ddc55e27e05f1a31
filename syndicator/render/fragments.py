"""Feeds assembled from item fragments: each item is rendered once per format.

A feed document is a head (the channel or feed elements), its items in order,
and a tail. What an item looks like in a format depends on the article and on
a few values of its feed (the `context`: Atom's feed language and site URL,
JSON Feed's extension URL), never on the other items. So an item's bytes,
once rendered, are kept under (format, context, article id) with a digest of
the article, and a feed holding it again (the main feed, its category, its
tags, its author, its language; the next run's feeds) reuses them.

A feed is assembled as head + fragments + tail, where every missing fragment
and the head come from one render of the feed with only the missing items,
split at its item boundaries. The renderers' output is pretty-printed XML
whose items sit at a fixed depth (RSS `    <item>`, Atom `  <entry>`) and whose
text never holds a raw `<`, so the split is exact; JSON items are the
elements of the `items` array, the feed object's last key. The result is the
whole render's bytes, byte for byte (tests/render/test_fragments.py holds
every format to that on the samples and on generated documents).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from syndicator.model import Article, FeedDocument
from syndicator.render._registry import FeedFormat

# Where the items of a pretty-printed document start and end, per format.
# (an Atom entry may carry xml:lang: the start tag's name is followed by ">" or " ").
_XML_ITEMS = {"rss": (b"\n    <item", b"</item>\n"), "atom": (b"\n  <entry", b"</entry>\n")}
_XML_TAILS = {"rss": b"  </channel>\n</rss>\n", "atom": b"</feed>\n"}

FRAGMENTS_NAME = "fragments.sqlite3"
# Fragment bytes held in memory before they go to the file, in the run's open
# transaction: a render of every feed of a big site (100 category feeds, or
# 1,000 tag feeds, of 50 items in three formats) would otherwise hold them all.
MEMORY_BYTES = 32 * 1024 * 1024


def context_of(fmt: str, doc: FeedDocument) -> str:
    """The values of a feed an item of this format is rendered with."""
    if fmt == "atom":
        return f"{doc.language}\x00{doc.urls.html}"
    if fmt == "json":
        return doc.generator_uri
    return ""


def digest_of(article: Article) -> str:
    """Names one version of an article as the renderers see it (content mode applied).

    An article read from the store carries the hash of its stored JSON (and its
    feed's content mode) as `version`; any other is walked field by field
    (strings hashed as their bytes: a JSON or repr rendering of a 6 KB body
    cost as much as rendering the item).
    """
    if article.version:
        return article.version
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, article)
    return digest.hexdigest()


def _feed(digest: Any, value: object) -> None:
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        digest.update(b"s%d:" % len(data))
        digest.update(data)
    elif value is None:
        digest.update(b"n")
    elif isinstance(value, tuple | list):
        digest.update(b"t%d:" % len(value))
        for item in value:
            _feed(digest, item)
    elif is_dataclass(value) and not isinstance(value, type):
        digest.update(b"d" + type(value).__name__.encode())
        for field in fields(value):
            _feed(digest, getattr(value, field.name))
    else:  # datetimes (with their offset), numbers, booleans
        digest.update(b"r" + repr(value).encode("utf-8", "surrogatepass"))


Key = tuple[str, str, str]  # (format, context, article id)
Span = tuple[str, str, int, int]  # (article id, digest, start, end): where an item lies in a document's bytes


class Fragments:
    """Item fragments by (format, context, article id), each with its article's digest.

    Held in memory for the run; with a `path`, also kept in a small SQLite file
    of the state directory between runs (a cache: deleting it costs one
    render of each item, never a wrong byte, since a fragment is used only for
    the very digest it was rendered from).
    """

    def __init__(self, path: Path | None = None) -> None:
        self._memory: dict[Key, tuple[str, bytes]] = {}
        self._pending: dict[Key, tuple[str, bytes]] = {}
        self._held = 0  # bytes of the fragments in `_memory`
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, isolation_level=None)
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS fragments (format TEXT NOT NULL, context TEXT NOT NULL,"
                    " id TEXT NOT NULL, digest TEXT NOT NULL, data BLOB NOT NULL,"
                    " PRIMARY KEY (format, context, id))"
                )
            except sqlite3.Error:
                self._db = None  # a cache that cannot open is a cache that is empty
        self.rendered = 0  # items rendered (the tests and the benchmark count them)
        self.reused = 0

    def lookup(self, fmt: str, context: str, articles: Iterable[Article]) -> dict[str, tuple[str, bytes]]:
        """The known fragments of these articles (any digest), by article id."""
        wanted = [a.id for a in articles]
        found = {
            key[2]: value
            for key in ((fmt, context, i) for i in wanted)
            if (value := self._memory.get(key)) is not None
        }
        missing = [i for i in wanted if i not in found]
        if self._db is not None and missing:
            try:
                for start in range(0, len(missing), 500):
                    part = missing[start : start + 500]
                    marks = ",".join("?" * len(part))
                    rows = self._db.execute(
                        "SELECT id, digest, data FROM fragments WHERE format = ? AND context = ?"
                        f" AND id IN ({marks})",
                        (fmt, context, *part),
                    ).fetchall()
                    for aid, digest, data in rows:
                        found[aid] = (digest, bytes(data))
                        self._hold((fmt, context, aid), found[aid])
            except sqlite3.Error:
                pass
        return found

    def _hold(self, key: Key, value: tuple[str, bytes]) -> None:
        """Keep a fragment in memory for the feeds still to come; past MEMORY_BYTES,
        what is held goes to the file (the run's transaction) and memory starts again."""
        self._memory[key] = value
        self._held += len(value[1])
        if self._held > MEMORY_BYTES and self._db is not None and self._write_pending():
            self._memory.clear()
            self._held = 0

    def _write_pending(self) -> bool:
        """The fragments rendered so far, into the run's transaction (opened here,
        committed by `save`, dropped by `close`: a cancelled run keeps none)."""
        assert self._db is not None
        rows = [(*key, digest, data) for key, (digest, data) in self._pending.items()]
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO fragments (format, context, id, digest, data) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (format, context, id) DO UPDATE SET digest = excluded.digest,"
                " data = excluded.data",
                rows,
            )
        except sqlite3.Error:
            return False  # kept in memory, and saved (or not) at the end
        self._pending.clear()
        return True

    def keep(
        self, fmt: str, context: str, article_id: str, digest: str, data: bytes, *, persist: bool
    ) -> None:
        """Keep a fragment for the feeds still to come and, with `persist`, for the next run.
        Without it (an archive page's items) nothing is kept: memory follows the
        subscription feeds, not the archive."""
        if persist:
            self._pending[(fmt, context, article_id)] = (digest, data)
            self._hold((fmt, context, article_id), (digest, data))

    def seed(self, fmt: str, context: str, article_id: str, digest: str, data: bytes) -> None:
        """Make a fragment rendered elsewhere known (an archive page's item, read back
        from the page written this run); used only while `digest` is the article's."""
        self._memory[(fmt, context, article_id)] = (digest, data)

    def save(self) -> None:
        """Write the fragments rendered for subscription feeds this run, in one transaction."""
        if self._db is None or not (self._pending or self._db.in_transaction):
            return
        try:
            if self._write_pending():
                self._db.execute("COMMIT")
            elif self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            # A cache that cannot be written costs the next run a render of these items.
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        self._pending.clear()

    def close(self) -> None:
        """Without `save`, what this run wrote is dropped with its transaction."""
        if self._db is not None:
            self._db.close()
            self._db = None


@contextmanager
def fragments_in(state_directory: Path | None) -> Iterator[Fragments]:
    """The fragment cache of a site's state directory (in memory only with None), saved on success."""
    with closing(Fragments(None if state_directory is None else state_directory / FRAGMENTS_NAME)) as cache:
        yield cache
        cache.save()


def split_xml(fmt: str, data: bytes, count: int) -> tuple[bytes, list[bytes], bytes] | None:
    """(head, one fragment per item, tail) of a pretty-printed RSS or Atom document;
    None when the document does not hold `count` items at the expected places."""
    start, end = _XML_ITEMS[fmt]
    tail = _XML_TAILS[fmt]
    if not data.endswith(tail):
        return None
    stop_all = len(data) - len(tail)
    first = data.find(start)
    position = first + 1 if 0 <= first < stop_all else stop_all  # the head keeps its last newline
    head = data[:position]
    items: list[bytes] = []
    while position < stop_all:
        after = position + len(start) - 1
        if not data.startswith(start[1:], position) or data[after : after + 1] not in (b">", b" "):
            return None
        stop = data.find(end, position)
        if stop < 0 or stop + len(end) > stop_all:
            return None
        items.append(data[position : stop + len(end)])
        position = stop + len(end)
    return (head, items, tail) if len(items) == count else None


def assemble(fmt: FeedFormat, doc: FeedDocument, cache: Fragments, *, persist: bool) -> bytes:
    """The bytes `fmt.render(doc)` gives, from cached fragments where they are current."""
    return assemble_items(fmt, doc, cache, persist=persist)[0]


def assemble_items(
    fmt: FeedFormat, doc: FeedDocument, cache: Fragments, *, persist: bool
) -> tuple[bytes, tuple[Span, ...]]:
    """`assemble`'s bytes, and where each item's fragment lies in them (none when
    the document was rendered whole), so that another document holding the
    same items can be given them.

    A format this module does not know how to split (one added to the
    registry) is rendered whole: correct, only not incremental.
    """
    if fmt.name != "json" and fmt.name not in _XML_ITEMS:
        return fmt.render(doc), ()
    renderer = fmt
    name = fmt.name
    context = context_of(name, doc)
    digests = [digest_of(a) for a in doc.articles]
    known = cache.lookup(name, context, doc.articles)
    fragments: list[bytes | None] = [
        data if (hit := known.get(a.id)) is not None and hit[0] == digest and (data := hit[1]) else None
        for a, digest in zip(doc.articles, digests, strict=True)
    ]
    missing = [i for i, f in enumerate(fragments) if f is None]
    if name == "json":
        return _assemble_json(doc, cache, context, digests, fragments, missing, persist=persist)
    partial = replace(doc, articles=tuple(doc.articles[i] for i in missing))
    split = split_xml(name, renderer.render(partial), len(missing))
    if split is None:  # not the shape this module knows: the whole render, as it is
        return renderer.render(doc), ()
    head, rendered, tail = split
    for i, data in zip(missing, rendered, strict=True):
        fragments[i] = data
        cache.keep(name, context, doc.articles[i].id, digests[i], data, persist=persist)
    cache.rendered += len(missing)
    cache.reused += len(doc.articles) - len(missing)
    items = [f for f in fragments if f is not None]
    return head + b"".join(items) + tail, _spans(doc, digests, items, len(head), 0)


def _spans(
    doc: FeedDocument, digests: list[str], items: list[bytes], start: int, gap: int
) -> tuple[Span, ...]:
    """Where each item lies when they are written one after the other from `start`, `gap` bytes apart."""
    spans = []
    for article, digest, data in zip(doc.articles, digests, items, strict=True):
        spans.append((article.id, digest, start, start + len(data)))
        start += len(data) + gap
    return tuple(spans)


def _assemble_json(
    doc: FeedDocument,
    cache: Fragments,
    context: str,
    digests: list[str],
    fragments: list[bytes | None],
    missing: list[int],
    *,
    persist: bool,
) -> tuple[bytes, tuple[Span, ...]]:
    from syndicator.render.jsonfeed import item_bytes, render_jsonfeed

    for i in missing:
        data = item_bytes(doc.articles[i], doc.generator_uri)
        fragments[i] = data
        cache.keep("json", context, doc.articles[i].id, digests[i], data, persist=persist)
    cache.rendered += len(missing)
    cache.reused += len(doc.articles) - len(missing)
    empty = render_jsonfeed(replace(doc, articles=()))
    suffix = b'"items":[]}\n'
    if not empty.endswith(suffix):
        return render_jsonfeed(doc), ()
    head = empty[: -len(suffix)] + b'"items":['
    items = [f for f in fragments if f is not None]
    return head + b",".join(items) + b"]}\n", _spans(doc, digests, items, len(head), 1)
