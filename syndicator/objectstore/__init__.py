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
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from syndicator.config import Config, ObjectStorage
from syndicator.errors import UploadError
from syndicator.intake import RunCancelled
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
from syndicator.write import TEMP_PREFIX

POLL_SECONDS = 0.1  # how often the waiting run looks at the deadline and the shutdown signal


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
    local = read_folder(folder, skip=config.state_directory)
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

    worker = threading.Thread(target=work, name="syndicator-upload", daemon=True)
    worker.start()
    deadline = time.monotonic() + settings.upload_timeout
    while not done.wait(POLL_SECONDS):
        if cancel is not None and cancel.is_set():
            stop.set()
            raise RunCancelled("stopped during the upload; the next run uploads the rest")
        if time.monotonic() >= deadline:
            stop.set()
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


def read_folder(folder: Path, *, skip: Path | None = None) -> dict[str, LocalFile]:
    """Every file of the output folder (relative path → size and MD5), in sorted order.

    Dotfiles and dot-folders are left out (the writer's temporary files are
    dotfiles, and the server never serves them either), and so is the state
    directory when it lies inside the folder.
    """
    found: dict[str, LocalFile] = {}
    if not folder.is_dir():
        return found
    skipped = skip.resolve() if skip is not None else None
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(TEMP_PREFIX) and (here / d).resolve() != skipped)
        for name in sorted(files):
            if name.startswith(TEMP_PREFIX):
                continue
            path = here / name
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue  # removed while the folder was read: not part of this upload
            except OSError as e:
                raise UploadError(f"{path}: cannot read for upload: {e.strerror or e}") from e
            relative = path.relative_to(folder).as_posix()
            found[relative] = LocalFile(len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())
    return found


__all__ = [
    "CACHE_CONTROL",
    "ENCODINGS",
    "UploadPlan",
    "Uploaded",
    "is_output_name",
    "plan_upload",
    "read_folder",
    "upload_output",
]
