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
Validators, bytes and gzip are cached by (device, inode, mtime, size), so a
feed polled by thousands of readers is hashed and compressed once per
publish, a 304 costs a ``stat``, and a file too large to hold in memory is
streamed from disk (see ``FileCache``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import BinaryIO, Final

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


_Key = tuple[int, int, int, int]


@dataclass(frozen=True)
class Version:
    """The validators of one version of a file: all a 304 needs."""

    key: _Key  # (device, inode, mtime_ns, size) from stat: names the version
    etag: str  # strong validator, quoted (RFC 7232 §2.3): a hash of the bytes
    mtime: int  # whole seconds: HTTP dates carry no fraction (RFC 7231 §7.1.1.1)

    @property
    def size(self) -> int:
        return self.key[3]


@dataclass(frozen=True)
class Body:
    """The bytes answering a 200: in memory, or an open file streamed from disk.

    ``version`` is the version these bytes are, found from the open file, so
    the ETag sent always belongs to the bytes sent even when a publish
    replaced the file after its validators were looked up.
    """

    version: Version
    length: int  # bytes sent (the compressed length for gzip)
    data: bytes | None = None
    stream: BinaryIO | None = None  # the caller closes it (WSGI close())


_CHUNK: Final = 1024 * 1024
_GZIP_LEVEL: Final = 6
# The gzip header of wbits=31 carries mtime 0 and no file name (RFC 1952
# §2.3.1), so the same bytes always compress to the same bytes and the gzip
# ETag holds across processes.
_GZIP_WBITS: Final = 31


@dataclass(frozen=True)
class _Cached:
    version: Version
    gzip_file: str | None = None  # the spilled gzip of a large file


@dataclass(frozen=True)
class _Held:
    key: _Key  # the version these bytes are
    body: bytes
    gzipped: bytes | None = None


class FileCache:
    """Validators, bytes and gzip encodings of the served files, bounded in memory.

    Everything is keyed by what identifies a version, (device, inode,
    mtime_ns, size) from ``stat``: the writer replaces a file by renaming a
    new inode over it, so the key changes with every publish and a stale
    entry can never answer for a new file.

    - Validators (ETag, Last-Modified) of up to ``max_versions`` files are
      kept apart from the bytes, so a conditional request answered 304 costs
      one ``stat`` and no read and no hash, whatever the size of the file.
    - Files up to ``max_file_bytes`` keep their bytes and gzip in an LRU of
      ``max_bytes``.
    - Larger files are never held in memory: they are hashed and sent in
      chunks from the open file, and their gzip encoding is written once per
      version to a private spill directory and streamed from there, so six
      readers of a 200 MB feed cost one compression and a few MB of memory.
    """

    def __init__(
        self,
        max_bytes: int = 64 * 1024 * 1024,
        max_file_bytes: int = 16 * 1024 * 1024,
        max_versions: int = 65_536,
    ) -> None:
        self._max_bytes = max_bytes
        self._max_file_bytes = max_file_bytes
        self._max_versions = max_versions
        self._versions: OrderedDict[str, _Cached] = OrderedDict()
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._gzip_lock = threading.Lock()  # one compression of a large file at a time
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        self.reads = 0  # files opened to read their bytes (the tests and benchmark count them)
        self.hashes = 0  # files hashed to find their ETag (the tests and benchmark count them)
        self._root: str | None = None
        self._record = ""
        self._manifest: tuple[_Key, dict[str, _Key | None], dict[str, str]] | None = None

    def written_validators(self, root: str, record: str) -> None:
        """Take ETags from the writer's record (`record`, syndicator.write.VALIDATORS_NAME
        in the state directory) of what it wrote under `root`, read again whenever
        that file changes, so the first conditional request for a new version
        costs no read and no hash."""
        self._root = root
        self._record = record

    def version(self, path: str) -> Version:
        """The validators of the current version of ``path``; raises OSError.

        One ``stat`` when this version was seen before; otherwise the file is
        read once (in chunks) to hash it.
        """
        key = _key(os.stat(path))
        cached = self._cached(path, key)
        if cached is not None:
            return cached.version
        etag = self._written_etag(path, key)
        if etag is not None:
            version = Version(key=key, etag=etag, mtime=key[2] // 1_000_000_000)
            with self._lock:
                self._remember(path, _Cached(version))
            return version
        with self._open(path) as handle:
            version, _ = self._read(path, handle)
        return version

    def body(self, path: str, *, gzipped: bool) -> Body:
        """The bytes of the current version of ``path``, plain or gzip; raises OSError."""
        key = _key(os.stat(path))
        cached = self._cached(path, key)
        held = self._holding(path, key)
        if cached is not None and held is not None:
            data = self._gzip_small(path, held) if gzipped else held.body
            return Body(cached.version, len(data), data=data)
        handle = self._open(path)
        try:
            key = _key(os.fstat(handle.fileno()))  # the version actually open
            cached = self._cached(path, key)
            if cached is None or key[3] <= self._max_file_bytes:
                version, body = self._read(path, handle)
            else:
                version, body = cached.version, None
            if body is not None:
                handle.close()
                held = self._holding(path, key) or _Held(key, body)
                data = self._gzip_small(path, held) if gzipped else body
                return Body(version, len(data), data=data)
            if not gzipped:
                handle.seek(0)
                return Body(version, version.size, stream=handle)
            spilled = self._gzip_large(path, version, handle)
            handle.close()
            stream = open(spilled, "rb")  # noqa: SIM115 - closed by the WSGI server
            return Body(version, os.fstat(stream.fileno()).st_size, stream=stream)
        except BaseException:
            handle.close()
            raise

    def _written_etag(self, path: str, key: _Key) -> str | None:
        """The ETag the writer recorded for this very version of `path`, if any."""
        if self._root is None:
            return None
        manifest = self._record
        try:
            manifest_key = _key(os.stat(manifest))
        except OSError:
            return None
        with self._lock:
            current = self._manifest
        if current is None or current[0] != manifest_key:
            try:
                with open(manifest, "rb") as handle:
                    files = json.loads(handle.read()).get("files", {})
                keys: dict[str, _Key | None] = {}
                etags: dict[str, str] = {}
                for relative, entry in files.items():
                    full = os.path.join(self._root, *relative.split("/"))
                    dev, ino, mtime_ns, size, etag = entry
                    keys[full] = (int(dev), int(ino), int(mtime_ns), int(size))
                    etags[full] = str(etag)
            except (OSError, ValueError, TypeError, AttributeError):
                keys, etags = {}, {}
            current = (manifest_key, keys, etags)
            with self._lock:
                self._manifest = current
        _, keys, etags = current
        return etags.get(path) if keys.get(path) == key else None

    def _open(self, path: str) -> BinaryIO:
        # One open(), then everything from that descriptor: a concurrent
        # os.replace cannot mix bytes of two versions into what we send.
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller
        self.reads += 1
        return handle

    def _read(self, path: str, handle: BinaryIO) -> tuple[Version, bytes | None]:
        """Hash (and, for a small file, keep) the version open in ``handle``."""
        key = _key(os.fstat(handle.fileno()))
        handle.seek(0)
        digest = hashlib.blake2b(digest_size=16)
        self.hashes += 1
        body: bytes | None = None
        if key[3] <= self._max_file_bytes:
            body = handle.read()
            digest.update(body)
            length = len(body)
        else:
            length = 0
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                length += len(chunk)
        version = Version(key=key, etag=f'"{digest.hexdigest()}"', mtime=key[2] // 1_000_000_000)
        if length == key[3]:  # a file written in place while we read is not kept
            with self._lock:
                self._remember(path, _Cached(version))
                if body is not None:
                    self._hold(path, _Held(key, body))
        return version, body

    def _gzip_small(self, path: str, held: _Held) -> bytes:
        if held.gzipped is not None:
            return held.gzipped
        compressed = zlib.compress(held.body, _GZIP_LEVEL, wbits=_GZIP_WBITS)
        with self._lock:
            if self._held.get(path) == held:
                self._hold(path, replace(held, gzipped=compressed))
        return compressed

    def _gzip_large(self, path: str, version: Version, handle: BinaryIO) -> str:
        """The spill file holding the gzip of the large version open in ``handle``."""
        with self._gzip_lock:
            current = self._cached(path, version.key)
            if current is not None and current.gzip_file is not None:
                return current.gzip_file
            if self._spill is None:
                self._spill = tempfile.TemporaryDirectory(prefix="syndicator-gzip-")
            name = hashlib.blake2b(f"{path}\0{version.etag}".encode(), digest_size=16).hexdigest()
            spilled = os.path.join(self._spill.name, name + ".gz")
            compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
            handle.seek(0)
            with open(spilled + ".tmp", "wb") as out:
                while chunk := handle.read(_CHUNK):
                    out.write(compressor.compress(chunk))
                out.write(compressor.flush())
            os.replace(spilled + ".tmp", spilled)
            with self._lock:
                self._remember(path, _Cached(version, gzip_file=spilled))
            return spilled

    def _cached(self, path: str, key: _Key) -> _Cached | None:
        with self._lock:
            cached = self._versions.get(path)
            if cached is None or cached.version.key != key:
                return None
            self._versions.move_to_end(path)
            return cached

    def _holding(self, path: str, key: _Key) -> _Held | None:
        with self._lock:
            held = self._held.get(path)
            if held is None or held.key != key:
                return None
            self._held.move_to_end(path)
            return held

    def _remember(self, path: str, cached: _Cached) -> None:
        """Under the lock: keep the validators; a replaced version's spill file goes."""
        old = self._versions.pop(path, None)
        if old is not None and old.gzip_file not in (None, cached.gzip_file):
            _unlink(old.gzip_file)  # readers still streaming it keep their open file
        self._versions[path] = cached
        while len(self._versions) > self._max_versions:
            _, gone = self._versions.popitem(last=False)
            _unlink(gone.gzip_file)

    def _hold(self, path: str, held: _Held) -> None:
        """Under the lock: keep small bytes, least recently used out first."""
        old = self._held.pop(path, None)
        if old is not None:
            self._bytes -= _size(old)
        self._held[path] = held
        self._bytes += _size(held)
        while self._bytes > self._max_bytes and self._held:
            _, gone = self._held.popitem(last=False)
            self._bytes -= _size(gone)


def _unlink(path: str | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _key(info: os.stat_result) -> _Key:
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _size(held: _Held) -> int:
    return len(held.body) + len(held.gzipped or b"")


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip variant: a different representation, a different tag.

    RFC 7232 §2.3.3: a strong validator changes with the content coding.
    """
    return etag[:-1] + '-gz"'
