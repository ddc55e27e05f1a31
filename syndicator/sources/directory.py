"""A folder of article records: *.json, *.jsonl, *.txt, *.html and WordPress *.xml exports.

Files are read in sorted order so a run is reproducible. A file that cannot
be read as what its name says (not JSON, empty, binary) becomes a Rejection
naming the file, and the files beside it are still read.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """The record files of the folder, sorted; `source` is the configured source's name."""
    if not options.path.is_dir():
        raise SourceError(source, str(options.path), "is not a directory")
    pattern = "**/*" if options.recursive else "*"
    return sorted(
        p
        for p in options.path.glob(pattern)
        if p.suffix.lower() in SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(options.path).parts)
        and (
            options.part is None
            or part_of(p.relative_to(options.path).as_posix(), options.part[1]) == options.part[0]
        )
    )


def read(
    source: SourceConfig, options: DirectoryOptions, context: ReadContext | None = None
) -> Iterator[RawRecord | Rejection | SourceNews]:
    """Every record of every file, except files unchanged since the last run;
    each file present is told (`FileSeen`) before its records."""
    memory = (context or ReadContext()).memory
    paths = list_files(source.name, options)
    for path in paths:
        relative = path.relative_to(options.path).as_posix()
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while listing; the next run sees it gone
        known = memory.known_file(source.name, relative)
        if known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            yield FileSeen(source.name, relative, None, unchanged=True)
            continue
        if stat.st_size > options.max_file_bytes:
            # Not remembered as read: once the limit is raised, the next run reads it.
            yield Rejection(
                source.name,
                display_path(path),
                "",
                "",
                f"file of {stat.st_size} bytes is over max_file_bytes = {options.max_file_bytes}:"
                " not read (raise max_file_bytes to read it)",
                ref=f"{source.name}/{relative}",
            )
            continue
        try:
            data = path.read_bytes()
        except OSError as e:
            yield Rejection(source.name, display_path(path), "", "", f"cannot read file: {e.strerror or e}")
            continue
        state = FileState(
            stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest(), memory.fingerprint
        )
        if known is not None and known.sha256 == state.sha256:
            yield FileSeen(source.name, relative, state, unchanged=True)  # touched, not changed
            continue
        yield FileSeen(source.name, relative, state, unchanged=False)
        yield from read_file(source.name, path, data=data, ref=f"{source.name}/{relative}")


def display_path(path: Path) -> str:
    """Relative to the working directory when below it: what a user typed."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_file(
    source: str, path: Path, *, data: bytes | None = None, ref: str = ""
) -> Iterator[RawRecord | Rejection]:
    origin = display_path(path)
    ref = ref or f"{source}/{path.name}"

    def reject(locator: str, reason: str, payload: Any = None) -> Rejection:
        return Rejection(source, origin, locator, "", reason, payload, ref=ref)

    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            yield reject("", f"cannot read file: {e.strerror or e}")
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
        from syndicator.normalize.encoding import decode_report  # ftfy: only for files not in UTF-8

        try:
            decoded = decode_report(data)
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
        yield from _read_jsonl(source, origin, text, reject, ref)
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


def _read_jsonl(
    source: str, origin: str, text: str, reject: Any, ref: str
) -> Iterator[RawRecord | Rejection]:
    # Split on LF only: str.splitlines() also splits on U+2028, U+0085 and
    # other characters that JSON allows unescaped inside strings (RFC 8259 §7).
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        locator = f"line {lineno}"
        try:
            item = _json.loads(line)
        except json.JSONDecodeError as e:
            yield reject(locator, f"not valid JSON: {e.msg} at column {e.colno}", line)
            continue
        if isinstance(item, dict):
            yield _record(source, origin, locator, item, f"{ref}#{lineno}", reject)
        else:
            yield reject(locator, f"a record must be a JSON object, not {_json_type(item)}", item)


def _record(
    source: str, origin: str, locator: str, item: dict[str, Any], ref: str, reject: Any
) -> RawRecord | Rejection:
    """One JSON object as a record; a poison one (nested past any article's shape) is refused alone.

    A WordPress REST post saved to a file (`wp-json/wp/v2/posts` answers) is read
    as the JSON API source reads the same answer over HTTP.
    """
    if _json.too_deep(item):
        refused: Rejection = reject(locator, _json.depth_reason())  # not kept: the payload is the poison
        return refused
    # The WordPress reading lives with the JSON API source (which fetches over
    # HTTP): imported when a file is read, not when the source is checked.
    from syndicator.sources.json_api import is_wordpress, wordpress_record

    payload = wordpress_record(item) if is_wordpress(item) else item
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
