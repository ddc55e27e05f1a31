"""Which file a URL path names, and the bytes of that file.

Two jobs with one concern: never hand out a byte that is not a whole, current
file under the served directory.

*Resolving* a path refuses anything that could step outside the directory or
reach a file that is not meant to be public: dot segments, dotfiles (the
writer's ``.<name>.tmp-*`` temp files among them), backslashes, NUL and other
control characters, encoded slashes, and symlinks whose target lies outside.

*Loading* a file reads it through one ``open()``: the writer replaces feeds
with ``os.replace``, which swaps the directory entry, not the bytes of the
inode we hold open, so a reader gets the whole old file or the whole new one.
The bytes and their hash are cached by (device, inode, mtime, size), so a feed
polled by thousands of readers is hashed and compressed once per publish.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Final

# Percent-encodings that WSGI servers decode before the application sees the
# path, hiding them: an encoded slash or backslash turns one segment into two
# (the classic `..%2f..%2fetc/passwd`), an encoded NUL truncates C paths.
_FORBIDDEN_ENCODINGS: Final = ("%2f", "%5c", "%00")


@dataclass(frozen=True)
class Target:
    """A regular file under the root that a request may be answered with."""

    path: str  # its real filesystem path (symlinks resolved), inside the root
    url_path: str  # the path as requested, relative to the root, "/"-separated
    name: str  # the file name the content type is chosen from


@dataclass(frozen=True)
class Redirect:
    """A directory asked for without its trailing slash.

    Answered with a redirect so that relative links in its index.html resolve
    against the directory (RFC 3986 §5.2), as every static server does.
    """

    url_path: str  # relative to the root, ending in "/"


def resolve(root: str, path_info: str, request_uri: str | None) -> Target | Redirect | None:
    """The file a request path names under ``root`` (a real path), or None for 404.

    ``path_info`` is the WSGI ``PATH_INFO``: already percent-decoded, as
    latin-1 text (PEP 3333). ``request_uri`` is the undecoded request target
    when the server provides it, checked for encodings that decoding hides.
    """
    if request_uri is not None:
        raw_path = request_uri.split("?", 1)[0].split("#", 1)[0].lower()
        if any(code in raw_path for code in _FORBIDDEN_ENCODINGS):
            return None
    try:
        # PEP 3333: PATH_INFO carries the raw bytes as latin-1; URLs are UTF-8.
        decoded = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    if not decoded.startswith("/"):
        return None
    segments = decoded[1:].split("/")
    trailing_slash = segments[-1] == ""
    if trailing_slash:
        segments.pop()
    if not all(_is_public_segment(segment) for segment in segments):
        return None

    real = _contained(root, os.path.join(root, *segments))
    if real is None:
        return None
    try:
        info = os.stat(real)
    except (OSError, ValueError):
        return None
    url_path = "/".join(segments)
    if stat.S_ISREG(info.st_mode):
        if trailing_slash:
            return None
        return Target(path=real, url_path=url_path, name=segments[-1])
    if not stat.S_ISDIR(info.st_mode):
        return None
    # A directory is never listed; it answers with its index.html or not at all.
    index = _contained(root, os.path.join(real, "index.html"))
    if index is None or not os.path.isfile(index):
        return None
    if segments and not trailing_slash:
        return Redirect(url_path=url_path + "/")
    prefix = url_path + "/" if url_path else ""
    return Target(path=index, url_path=prefix + "index.html", name="index.html")


def _is_public_segment(segment: str) -> bool:
    """Whether one path segment may appear in a served URL.

    Empty segments (``//``) are refused because ``os.path.join`` would read
    ``//etc`` as absolute; ``.``-leading ones cover ``.``, ``..`` and dotfiles.
    """
    if not segment or segment.startswith("."):
        return False
    return not any(char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in segment)


def _contained(root: str, path: str) -> str | None:
    """The real path of ``path`` when it stays under ``root`` through no dotfile."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if real == root:
        return real
    if not real.startswith(root + os.sep):
        return None
    # A symlink inside the root may still point at a dotfile inside it.
    if any(part.startswith(".") for part in real[len(root) + 1 :].split(os.sep)):
        return None
    return real


@dataclass(frozen=True)
class LoadedFile:
    """The bytes of one version of a file, with what the headers need."""

    body: bytes
    etag: str  # strong validator, quoted (RFC 7232 §2.3): a hash of body
    mtime: int  # whole seconds: HTTP dates carry no fraction (RFC 7231 §7.1.1.1)
    gzipped: bytes | None = None  # filled in on the first gzip request


_Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class _Entry:
    key: _Key
    file: LoadedFile


class FileCache:
    """A bounded, thread-safe LRU of file bytes keyed by what identifies a version.

    The key is (device, inode, mtime_ns, size) from ``stat``: a writer that
    replaces a file produces a new inode, so the key changes with every
    publish and a stale entry can never be served for a new file.
    """

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_file_bytes: int = 16 * 1024 * 1024):
        self._max_bytes = max_bytes
        self._max_file_bytes = max_file_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def load(self, path: str) -> LoadedFile:
        """The current bytes of ``path``; raises OSError when it cannot be read."""
        key = _key(os.stat(path))
        with self._lock:
            entry = self._entries.get(path)
            if entry is not None and entry.key == key:
                self._entries.move_to_end(path)
                return entry.file
        # One open(), then read from that descriptor: a concurrent os.replace
        # cannot mix bytes of two versions into what we read.
        with open(path, "rb") as handle:
            key = _key(os.fstat(handle.fileno()))
            body = handle.read()
        loaded = LoadedFile(body=body, etag=_etag(body), mtime=key[2] // 1_000_000_000)
        if len(body) == key[3]:  # a file written in place while we read is not kept
            self._store(path, _Entry(key, loaded))
        return loaded

    def gzipped(self, path: str, loaded: LoadedFile) -> bytes:
        """The gzip encoding of ``loaded``: deterministic, so its ETag holds.

        ``mtime=0`` keeps the gzip header free of the clock (RFC 1952 §2.3.1),
        so the same bytes always compress to the same bytes.
        """
        if loaded.gzipped is not None:
            return loaded.gzipped
        compressed = gzip.compress(loaded.body, compresslevel=6, mtime=0)
        with self._lock:
            entry = self._entries.get(path)
            if entry is not None and entry.file is loaded:
                self._bytes += len(compressed)
                self._entries[path] = replace(entry, file=replace(loaded, gzipped=compressed))
                self._evict()
        return compressed

    def _store(self, path: str, entry: _Entry) -> None:
        if len(entry.file.body) > self._max_file_bytes:
            return
        with self._lock:
            old = self._entries.pop(path, None)
            if old is not None:
                self._bytes -= _size(old)
            self._entries[path] = entry
            self._bytes += _size(entry)
            self._evict()

    def _evict(self) -> None:
        while self._bytes > self._max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._bytes -= _size(old)


def _key(info: os.stat_result) -> _Key:
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _size(entry: _Entry) -> int:
    return len(entry.file.body) + len(entry.file.gzipped or b"")


def _etag(body: bytes) -> str:
    """A strong ETag: equal only for byte-identical bodies (RFC 7232 §2.3.3)."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip variant: a different representation, a different tag.

    RFC 7232 §2.3.3: a strong validator changes with the content coding.
    """
    return etag[:-1] + '-gz"'
