"""A folder of article records: *.json, *.jsonl, *.txt, *.html and WordPress *.xml exports.

Files are read in sorted order so a run is reproducible. A file that cannot
be read as what its name says (not JSON, empty, binary) becomes a Rejection
naming the file, and the files beside it are still read.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import hashlib
import itertools
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from syndicator.config import SourceConfig
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.sources import _json
from syndicator.sources.context import ReadContext
from syndicator.sources.limits import LIMIT_KEYS, whole_number
from syndicator.sources.memory import FileSeen, FileState, SourceNews

logger = logging.getLogger(__name__)

SUFFIXES = (".json", ".jsonl", ".txt", ".html", ".htm", ".xml")
_KEYS = ("path", "recursive", "max_file_bytes", "part", *LIMIT_KEYS)
MAX_FILE_BYTES = 200_000_000  # a whole export in one .json or .jsonl file still fits


@dataclass(frozen=True)
class DirectoryOptions:
    path: Path
    recursive: bool = True
    # A larger file is not read (it is held in memory whole): a rejection names it and the limit.
    # A UTF-8 .jsonl file is read a line at a time, so the limit bounds one of its lines.
    max_file_bytes: int = MAX_FILE_BYTES
    # `part = "K/N"`: only the files of part K of N (a backfill spread over N
    # processes); a file's part is a hash of its path in the folder, so every
    # process that lists the folder agrees on it. None: every file.
    part: tuple[int, int] | None = None


def part_of(relative: str, parts: int) -> int:
    """Which of `parts` parts (1…parts) the file at this folder-relative path is in."""
    return zlib.crc32(relative.encode("utf-8")) % parts + 1


def parse_part(text: object) -> tuple[int, int]:
    """ "K/N" with 1 <= K <= N."""
    k, _, n = str(text).partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ValueError(f"{text!r} is not a part such as '2/4' (part 2 of 4)")
    return int(k), int(n)


def _part_option(source: SourceConfig) -> tuple[int, int]:
    try:
        return parse_part(source.options["part"])
    except ValueError as e:
        raise source.error("part", str(e)) from e


def check(source: SourceConfig) -> DirectoryOptions:
    for key in source.options:
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(_KEYS)}"
            raise source.error(key, f"unknown key for a directory source ({hint})")
    path = source.options.get("path")
    if not isinstance(path, (str, Path)):
        raise source.error("path", 'a directory source needs path = "<folder>"')
    recursive = source.options.get("recursive", True)
    if not isinstance(recursive, bool):
        raise source.error("recursive", "must be true or false")
    max_file_bytes = whole_number(source, "max_file_bytes", MAX_FILE_BYTES)
    part = _part_option(source) if "part" in source.options else None
    return DirectoryOptions(path=Path(path), recursive=recursive, max_file_bytes=max_file_bytes, part=part)


def list_files(source: str, options: DirectoryOptions) -> list[Path]:
    """The record files of the folder, sorted; `source` is the configured source's name.

    Names beginning with a dot (and folders so named, with all they hold) are
    left out; `recursive` goes down into subfolders, but not through a link to
    one. One directory listing per folder, the file types read from it: a
    folder of 100,000 records is listed without a `stat` per file.
    """
    return [Path(full) for _, full in _listing(source, options)]


def _listing(source: str, options: DirectoryOptions) -> list[tuple[str, str]]:
    """list_files as (path inside the folder, with "/", full path) pairs, in the same order.

    Kept as text: a path object per file, its sorting and relative_to cost more
    than the rest of a no-change run over a folder of 100,000 files (2.8 s)."""
    if not options.path.is_dir():
        raise SourceError(source, str(options.path), "is not a directory")
    found: list[tuple[str, str]] = []
    folders = [(str(options.path), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if options.recursive and entry.is_dir() and not entry.is_symlink():
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                    elif os.path.splitext(entry.name)[1].lower() in SUFFIXES and entry.is_file():
                        found.append((prefix + entry.name, entry.path))
        except OSError as e:
            # The folder itself unlisted is the source's failure: read as empty, it
            # would make every article it gave look gone. A subfolder is skipped.
            if not prefix:
                raise SourceError(source, str(options.path), f"cannot be listed: {e.strerror or e}") from e
    if options.part is not None:
        count, index = options.part[1], options.part[0]
        found = [f for f in found if part_of(f[0], count) == index]
    # The order of the paths themselves: part by part (a/b before a-b/c).
    return sorted(found, key=lambda f: f[0].split("/"))


def read(
    source: SourceConfig, options: DirectoryOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    """Every record of every file, except files unchanged since the last run;
    each file present is told (`FileSeen`) before its records. An unchanged
    file's lasting rejections are told again, from memory, as it gave them."""
    memory = (context or ReadContext()).memory
    fingerprint = stamp_fingerprint(memory.fingerprint, source)
    for relative, full in _listing(source.name, options):
        try:
            stat = os.stat(full)
        except OSError:
            continue  # removed while listing; the next run sees it gone
        known = memory.known_file(source.name, relative, fingerprint)
        told = memory.rejections_of(source.name, relative) if known is not None else ()
        # A file that held rejected records is judged by its bytes, not its stamp
        # alone: a fix of the same size whose time was kept (cp -p, rsync -t, an
        # unpacked archive) is read, and the record it fixed published.
        stamp = (stat.st_size, stat.st_mtime_ns)
        if known is not None and not told and (known.size, known.mtime_ns) == stamp:
            yield FileSeen(source.name, relative, None, unchanged=True)
            continue
        path = Path(full)
        ref = f"{source.name}/{relative}"
        if path.suffix.lower() == ".jsonl":
            scan = _scan(path)
            if isinstance(scan, OSError):
                yield Rejection(
                    source.name, display_path(path), "", "", f"cannot read file: {scan.strerror or scan}"
                )
                continue
            if scan.utf8:
                # Streamed a line at a time: the file's size costs no memory, so
                # max_file_bytes bounds one line instead of the whole file.
                state = FileState(stat.st_size, stat.st_mtime_ns, scan.sha256, fingerprint)
                if known is not None and known.sha256 == state.sha256:
                    yield FileSeen(source.name, relative, state, unchanged=True)  # touched, not changed
                    yield from _told_again(told, path)
                    continue
                yield FileSeen(source.name, relative, state, unchanged=False)
                yield from read_file(source.name, path, ref=ref, scan=scan, line_bytes=options.max_file_bytes)
                continue
            # Not UTF-8: read whole, as other files are, to find its encoding.
        if stat.st_size > options.max_file_bytes:
            # Not remembered as read: once the limit is raised, the next run reads it.
            yield Rejection(
                source.name,
                display_path(path),
                "",
                "",
                f"file of {stat.st_size} bytes is over max_file_bytes = {options.max_file_bytes}:"
                " not read (raise max_file_bytes to read it)",
                ref=ref,
            )
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Rejection(source.name, display_path(path), "", "", f"cannot read file: {e.strerror or e}")
            continue
        state = FileState(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest(), fingerprint)
        if known is not None and known.sha256 == state.sha256:
            yield FileSeen(source.name, relative, state, unchanged=True)  # touched, not changed
            yield from _told_again(told, path)
            continue
        yield FileSeen(source.name, relative, state, unchanged=False)
        yield from read_file(source.name, path, data=data, ref=ref)


# A source's settings that change what the records of its files become: a file
# read under other values is read again (raising max_record_bytes must publish
# what the lower limit cut, and remembered rejections must not outlive the limit).
_SHAPING_KEYS = ("max_file_bytes", *LIMIT_KEYS)


def stamp_fingerprint(fingerprint: str, source: SourceConfig) -> str:
    """The fingerprint a file of this source is stamped with: the normalizer's
    (rules, taxonomy, schema, version) and the source's own record-shaping settings."""
    shaping = json.dumps({key: source.options.get(key) for key in _SHAPING_KEYS}, sort_keys=True, default=str)
    return hashlib.sha256(f"{fingerprint}|{shaping}".encode()).hexdigest()[:32]


def _told_again(rejections: Iterable[Rejection], path: Path) -> Iterator[Rejection]:
    """A file's remembered rejections, naming the file as this run finds it
    (the folder may have moved, or the run started elsewhere), marked as told
    again: the run reports them without having read their records."""
    origin = display_path(path)
    for rejection in rejections:
        yield replace(rejection, origin=origin, retold=True)


STREAM_BYTES = 1 << 20  # bytes read at a time while a JSONL file is hashed


@dataclass(frozen=True)
class Scan:
    """One pass over a JSONL file before its records are read: what decides how to read it."""

    sha256: str  # of the bytes as stored: a touched but unchanged file is not read again
    utf8: bool  # valid UTF-8 throughout: streamed; otherwise read whole to find its encoding
    nonblank: bool  # holds something besides whitespace: an empty file is one rejection


def _scan(path: Path) -> Scan | OSError:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, nonblank = True, False
    try:
        with path.open("rb") as f:
            while block := f.read(STREAM_BYTES):
                digest.update(block)
                nonblank = nonblank or bool(block.strip())
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
    except OSError as e:
        return e
    return Scan(digest.hexdigest(), utf8, nonblank)


def display_path(path: Path) -> str:
    """Relative to the working directory when below it: what a user typed."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_file(
    source: str,
    path: Path,
    *,
    data: bytes | None = None,
    ref: str = "",
    scan: Scan | None = None,
    line_bytes: int = MAX_FILE_BYTES,
) -> Iterator[RawRecord | Rejection]:
    """The records of one file. A UTF-8 `.jsonl` file given without `data` is
    streamed a line at a time (`scan`: the caller's pass over it, else one is made
    here); any other file, and a JSONL file in another encoding, is held whole."""
    origin = display_path(path)
    ref = ref or f"{source}/{path.name}"

    def reject(locator: str, reason: str, payload: Any = None, *, lasting: bool = True) -> Rejection:
        # Lasting unless reading failed: the bytes themselves are at fault.
        return Rejection(source, origin, locator, "", reason, payload, ref=ref, lasting=lasting)

    if data is None and path.suffix.lower() == ".jsonl":
        scanned = scan or _scan(path)
        if isinstance(scanned, OSError):
            yield reject("", f"cannot read file: {scanned.strerror or scanned}", lasting=False)
            return
        if scanned.utf8:
            if not scanned.nonblank:
                yield reject("", "empty file")
                return
            try:
                with path.open("rb") as f:
                    yield from _read_jsonl(source, origin, _lines(f, line_bytes, reject), reject, ref)
            except OSError as e:
                yield reject("", f"cannot read file: {e.strerror or e}", lasting=False)
            return
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            yield reject("", f"cannot read file: {e.strerror or e}", lasting=False)
            return
    if not data.strip():
        yield reject("", "empty file")
        return
    suffix = path.suffix.lower()
    if suffix == ".xml":
        yield from _read_wxr(source, origin, data, reject, ref)
        return
    text = None
    if suffix in (".json", ".jsonl"):
        # JSON is parsed from the bytes as written (RFC 8259: a raw control
        # character is an error, not something to repair); text repair applies
        # to the field values later, in normalize, and costs nothing here.
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode("utf-8-sig")
    if text is None:
        from syndicator.normalize.encoding import declared_charset, decode_report  # ftfy: only here

        page = suffix in (".html", ".htm", ".xhtml")
        try:
            decoded = decode_report(
                data,
                declared=declared_charset(data) if page else None,
                repair=suffix not in (".json", ".jsonl"),  # JSON's values are repaired one by one later
            )
        except ValueError as e:
            yield reject("", str(e))
            return
        text = decoded.text
        if decoded.removed_controls:
            logger.warning(
                "%s: %d stray control characters (NUL, vertical tab...) removed",
                origin,
                decoded.removed_controls,
            )
    if suffix == ".json":
        yield from _read_json(source, origin, text, reject, ref)
    elif suffix == ".jsonl":
        # Split on LF only: str.splitlines() also splits on U+2028, U+0085 and
        # other characters that JSON allows unescaped inside strings (RFC 8259 §7).
        yield from _read_jsonl(source, origin, enumerate(text.split("\n"), start=1), reject, ref)
    else:
        kind = "text" if suffix == ".txt" else "html"
        yield RawRecord(source=source, origin=origin, locator="", kind=kind, payload=text, ref=ref)


def _read_json(source: str, origin: str, text: str, reject: Any, ref: str) -> Iterator[RawRecord | Rejection]:
    try:
        value = _json.loads(text)
    except json.JSONDecodeError as e:
        yield reject("", f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}", text)
        return
    if isinstance(value, dict) and isinstance(value.get("items"), list) and "title" not in value:
        value = value["items"]  # a wrapper object such as {"items": [...]}
    elif isinstance(value, dict) and (wrapped := _json.wrapped_records(value)) is not None:
        value = wrapped  # a saved JSON Feed, {"posts": [...]}, {"data": [...]}
    if isinstance(value, dict):
        yield _record(source, origin, "", value, ref, reject)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            locator = f"record {i}"
            if isinstance(item, dict):
                yield _record(source, origin, locator, item, f"{ref}#{i}", reject)
            else:
                yield reject(locator, f"a record must be a JSON object, not {_json_type(item)}", item)
    else:
        yield reject("", f"expected a JSON object or a list of objects, not {_json_type(value)}", value)


def _lines(
    f: BinaryIO, limit: int, reject: Callable[..., Rejection]
) -> Iterator[tuple[int, str | Rejection]]:
    """(number, text) of each line of a UTF-8 file read a line at a time, split on LF only
    (as `text.split("\\n")`: a JSON string may hold U+2028 unescaped, RFC 8259 §7);
    a line over `limit` bytes is skipped unheld and stands as its rejection."""
    for lineno in itertools.count(1):
        line = f.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while (more := f.readline(STREAM_BYTES)) and not more.endswith(b"\n"):
                size += len(more)
            size += len(more.rstrip(b"\n"))
            yield (
                lineno,
                reject(
                    f"line {lineno}",
                    f"line of {size} bytes is over max_file_bytes = {limit}: not read",
                    lasting=False,  # the source's setting, not the bytes: read again next run
                ),
            )
            continue
        if lineno == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        yield lineno, line.removesuffix(b"\n").decode("utf-8")


def _read_jsonl(
    source: str, origin: str, lines: Iterable[tuple[int, str | Rejection]], reject: Any, ref: str
) -> Iterator[RawRecord | Rejection]:
    for lineno, line in lines:
        if isinstance(line, Rejection):
            yield line
            continue
        if not line.strip():
            continue
        locator = f"line {lineno}"
        try:
            item = _json.loads(line)
        except json.JSONDecodeError as e:
            yield reject(locator, f"not valid JSON: {e.msg} at column {e.colno}", line)
            continue
        if isinstance(item, dict):
            yield _record(source, origin, locator, item, f"{ref}#{lineno}", reject, line)
        else:
            yield reject(locator, f"a record must be a JSON object, not {_json_type(item)}", item)


def _record(
    source: str,
    origin: str,
    locator: str,
    item: dict[str, Any],
    ref: str,
    reject: Any,
    text: str | None = None,
) -> RawRecord | Rejection:
    """One JSON object as a record; a poison one (nested past any article's shape) is refused alone.

    A WordPress REST post saved to a file (`wp-json/wp/v2/posts` answers) is read
    as the JSON API source reads the same answer over HTTP.
    """
    if _json.too_deep(item, text=text):  # `text`: the line it was read from, when it is one
        refused: Rejection = reject(locator, _json.depth_reason())  # not kept: the payload is the poison
        return refused
    from syndicator.sources.wordpress import is_wordpress, wordpress_record  # when a file is read

    try:
        payload = wordpress_record(item) if is_wordpress(item) else item
    except Exception as e:  # a shape no reader foresaw: this record's rejection, not the file's
        failed: Rejection = reject(locator, f"could not be read: {type(e).__name__}: {e}", item)
        return failed
    return RawRecord(source, origin, locator, "json", payload, ref=ref)


def _read_wxr(
    source: str, origin: str, data: bytes, reject: Any, ref: str
) -> Iterator[RawRecord | Rejection]:
    """A WordPress export: one record per post or page. Other XML files are not article files."""
    from syndicator.sources.wxr import is_wxr, read_wxr

    if not is_wxr(data):
        logger.debug("%s: an XML file that is not a WordPress export; not read", origin)
        return
    try:
        items = list(read_wxr(data))
    except ValueError as e:
        yield reject("", str(e))
        return
    for item in items:
        number = item.locator.split()[-1]
        yield RawRecord(source, origin, item.locator, "json", item.payload, ref=f"{ref}#{number}")


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
