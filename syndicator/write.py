"""The write stage: feeds land whole or not at all.

Each file goes to a temporary file in the same directory, is fsynced, renamed
over the old one with os.replace (atomic on POSIX), and the directory is
fsynced so the rename survives a crash. A reader fetching during a publish
gets the whole old file or the whole new one. A file whose bytes did not
change is left alone, so its mtime (and HTTP Last-Modified) stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from syndicator.errors import OutputError

TEMP_PREFIX = "."  # temp files are dotfiles: the server never serves them
TEMP_MARK = ".tmp-"
# The HTTP validators of the files written, kept in the state directory (the
# output stays byte for byte what the articles make) so that `serve` answers a
# conditional request without reading or hashing a file it has not seen yet.
VALIDATORS_NAME = "validators.json"
# In the state directory while a render writes the output: still there at the next
# run, it says a writer died mid-write, and that run looks for its temp files.
WRITING_NAME = "writing"


def etag_of(data: bytes) -> str:
    """The strong ETag of a file's bytes (RFC 9110 §8.8.3), the one `serve` sends."""
    return f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'


def write_validators(path: Path, directory: Path, etags: Mapping[str, str]) -> None:
    """Record each file's ETag with what names its version on disk (device,
    inode, mtime_ns, size), after the files are in place. Files not in `etags`
    keep their entry: they were not rewritten, so their version is the same.
    A file whose version no longer matches its entry (edited by hand) is simply
    hashed by the server, as one it never heard of. `etags` are by path relative
    to `directory`, the output folder; the record goes to `path`."""
    try:
        known = json.loads(path.read_bytes()).get("files", {})
    except (OSError, ValueError, AttributeError):
        known = {}
    entries: dict[str, list[int | str]] = dict(known) if isinstance(known, dict) else {}
    for relative, etag in etags.items():
        try:
            info = os.stat(directory / relative)
        except OSError:
            entries.pop(relative, None)
            continue
        entries[relative] = [info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size, etag]
    data = json.dumps({"files": entries}, sort_keys=True, separators=(",", ":")).encode()
    write_if_changed(path, data)


@contextlib.contextmanager
def wrap_os_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from e


def write_if_changed(path: Path, data: bytes, *, sync: bool = True) -> bool:
    """True when the file was (re)written, False when it already held these bytes.

    `sync=False`: the caller syncs the folder (`sync_directory`) once it has
    renamed every file it writes there; until then the new file is whole but
    its rename may not survive a power cut.
    """
    with wrap_os_errors(path):
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}{TEMP_MARK}", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        if sync:
            sync_directory(path.parent)
    return True


@contextlib.contextmanager
def writing(state_directory: Path) -> Iterator[None]:
    """The output is being written: a process killed inside leaves the mark behind."""
    marker = state_directory / WRITING_NAME
    with wrap_os_errors(marker):
        state_directory.mkdir(parents=True, exist_ok=True)
        marker.touch()
    yield
    marker.unlink(missing_ok=True)


def remove_stale_temp_files(directory: Path, state_directory: Path) -> int:
    """Temp files left by a process killed mid-write; they were never renamed in.

    Looked for only when the last writer left its mark (`writing`): walking an
    output of a million archive files on every run would cost more than the run.
    """
    marker = state_directory / WRITING_NAME
    if not marker.exists():
        return 0
    removed = 0
    if directory.is_dir():
        for temp in directory.rglob(f"{TEMP_PREFIX}*{TEMP_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
                removed += 1
    marker.unlink(missing_ok=True)
    return removed


def sync_directory(directory: Path) -> None:
    """fsync a folder, so the renames into it survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
