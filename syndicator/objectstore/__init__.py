"""Object storage: the output folder mirrored to an S3-compatible bucket.

    write (folder) | read the folder | list the bucket | plan (pure) | put, delete

The writer keeps rendering into the local folder, atomically and only what
changed; this second target makes the bucket hold the same bytes. The plan
(`_plan.plan_upload`) compares the folder's MD5 digests with the bucket's
ETags: nothing is kept in the store about uploads, so whatever a failed or
killed run left undone (or someone deleted from the bucket) is uploaded by
the next run, and a second host with a fresh folder uploads nothing that is
already there. The applier (`_s3.Bucket`) is the only code that speaks S3.

The whole phase runs under `upload_timeout`, enforced: the requests run in a
worker thread, and when the deadline passes the run ends with an
UploadError (the worker stops before its next request; its current one is
bounded by botocore's connect and read timeouts). A failed upload is a
failed run: the caller records it as failed and exits non-zero.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from syndicator.config import Config, ObjectStorage
from syndicator.errors import RunCancelled, UploadError
from syndicator.objectstore._plan import (
    CACHE_CONTROL,
    ENCODINGS,
    LocalFile,
    Put,
    UploadPlan,
    is_output_name,
    plan_upload,
)
from syndicator.objectstore._s3 import Bucket
from syndicator.write import TEMP_PREFIX, write_if_changed

DIGESTS_NAME = "upload-digests.json"  # in the state directory: this host's folder, digested
POLL_SECONDS = 0.1  # how often the waiting run looks at the deadline and the shutdown signal

_straggler: threading.Thread | None = None  # the worker of a run that ended before it did


@dataclass(frozen=True)
class Uploaded:
    """What the upload phase did."""

    put: tuple[str, ...]  # relative paths uploaded, in upload order
    deleted: tuple[str, ...]  # relative paths deleted
    bytes: int  # bytes uploaded
    unchanged: int  # files the bucket already held with the same bytes


def upload_output(
    config: Config, *, folder_complete: bool, cancel: threading.Event | None = None
) -> Uploaded:
    """Make `[output] url` hold what the output folder holds; raise UploadError if it cannot.

    `folder_complete` (every feed and the index are in the folder) allows
    deleting objects the folder no longer has.
    """
    settings = config.object_storage
    if settings is None:
        return Uploaded((), (), 0, 0)
    folder = config.output.directory
    bucket = Bucket(settings, config_path=str(config.path))
    digests = config.state_directory / DIGESTS_NAME
    local = read_folder(folder, skip=config.state_directory, known=load_digests(digests))
    keep_digests(digests, local)
    stop = threading.Event()
    done = threading.Event()
    failure: list[BaseException] = []
    progress: list[Put] = []  # appended by the worker only
    deleted: list[str] = []
    planned: list[UploadPlan] = []

    def work() -> None:
        try:
            plan = plan_upload(local, bucket.listing(), may_delete=folder_complete)
            planned.append(plan)
            for put in plan.puts:
                if stop.is_set():
                    return
                bucket.put(put, folder)
                progress.append(put)
            for relative in plan.deletes:
                if stop.is_set():
                    return
                bucket.delete(relative)
                deleted.append(relative)
        except BaseException as e:  # carried to the waiting run, which raises it
            failure.append(e)
        finally:
            done.set()

    deadline = time.monotonic() + settings.upload_timeout
    # A worker left behind by a run that passed its deadline (in the daemon)
    # may still be in its last request: it finishes before this run puts
    # anything, so an older body never lands over a newer one.
    global _straggler
    while _straggler is not None and _straggler.is_alive():
        if cancel is not None and cancel.is_set():
            raise RunCancelled("stopped before the upload; the next run uploads the folder")
        if time.monotonic() >= deadline:
            raise UploadError(f"{bucket.where}: the previous run's upload is still in its last request")
        _straggler.join(POLL_SECONDS)
    _straggler = None
    worker = threading.Thread(target=work, name="syndicator-upload", daemon=True)
    worker.start()
    while not done.wait(POLL_SECONDS):
        if cancel is not None and cancel.is_set():
            stop.set()
            _straggler = worker
            raise RunCancelled("stopped during the upload; the next run uploads the rest")
        if time.monotonic() >= deadline:
            stop.set()
            _straggler = worker
            raise UploadError(_late(settings, bucket.where, planned, len(progress)))
    if failure:
        raise failure[0]
    plan = planned[0]
    return Uploaded(
        put=tuple(p.relative for p in progress),
        deleted=tuple(deleted),
        bytes=sum(p.size for p in progress),
        unchanged=plan.unchanged,
    )


def _late(settings: ObjectStorage, where: str, planned: list[UploadPlan], done: int) -> str:
    stage = "listing the bucket" if not planned else f"{done} of {len(planned[0].puts)} objects uploaded"
    return (
        f"{where}: the upload did not finish within output.upload_timeout = {settings.upload_timeout:g} s"
        f" ({stage}); the next run uploads the rest"
    )


def read_folder(
    folder: Path, *, skip: Path | None = None, known: Mapping[str, Stamped] | None = None
) -> dict[str, LocalFile]:
    """Every file of the output folder (relative path → size and MD5), in sorted order.

    Dotfiles and dot-folders are left out (the writer's temporary files are
    dotfiles, and the server never serves them either), and so is the state
    directory when it lies inside the folder. A file whose size and mtime
    (nanoseconds) are those in `known` keeps its known digest unread: the
    writer never touches a file whose bytes did not change, so a run with
    one new article reads the few files it rewrote, not the whole archive.
    """
    found: dict[str, LocalFile] = {}
    if not folder.is_dir():
        return found
    skipped = skip.resolve() if skip is not None else None
    known = known or {}
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(TEMP_PREFIX) and (here / d).resolve() != skipped)
        for name in sorted(files):
            if name.startswith(TEMP_PREFIX):
                continue
            path = here / name
            relative = path.relative_to(folder).as_posix()
            try:
                stat = path.stat()
                stamp = known.get(relative)
                if stamp is not None and (stamp.size, stamp.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                    found[relative] = LocalFile(stamp.size, stamp.md5, stat.st_mtime_ns)
                    continue
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # removed while the folder was read: not part of this upload
            except OSError as e:
                raise UploadError(f"{path}: cannot read for upload: {e.strerror or e}") from e
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            found[relative] = LocalFile(len(data), md5, stat.st_mtime_ns)
    return found


@dataclass(frozen=True)
class Stamped:
    """A file's digest as last read, valid while its size and mtime stay."""

    size: int
    mtime_ns: int
    md5: str


def load_digests(path: Path) -> dict[str, Stamped]:
    """The digests kept by the last upload; none when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {rel: Stamped(int(v[0]), int(v[1]), str(v[2])) for rel, v in data.items()}
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        return {}  # a cache: reading every file again is always correct


def keep_digests(path: Path, local: Mapping[str, LocalFile]) -> None:
    body = {rel: [f.size, f.mtime_ns, f.md5] for rel, f in sorted(local.items())}
    write_if_changed(path, (json.dumps(body, separators=(",", ":")) + "\n").encode("utf-8"))


__all__ = [
    "CACHE_CONTROL",
    "ENCODINGS",
    "Stamped",
    "UploadPlan",
    "Uploaded",
    "is_output_name",
    "plan_upload",
    "read_folder",
    "upload_output",
]
