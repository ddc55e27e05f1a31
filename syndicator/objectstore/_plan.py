"""What to put and what to delete (pure): the output folder against the bucket's listing.

The folder the writer keeps is the truth; the bucket mirrors it. An object is
put when the folder has a file the bucket lacks or whose MD5 differs from the
object's ETag (the ETag of a single PUT without SSE-KMS is the MD5 of its
bytes, so an unchanged file is never uploaded again, whoever uploaded it,
and a failed run is retried by the next one without any bookkeeping). An
object is deleted only when it bears a name syndicator writes and the folder
no longer holds it, and only when the folder is whole (`may_delete`): a
fresh or partial folder never empties a bucket.

Order is what keeps a reader from meeting a link to a missing object: the
full archive pages first (readers reach them from a feed's prev-archive
link, so every page is up before the feed that links the newest), then the
feeds, then the pages (views, OPML) that link the feeds, the index last.
Deletes come after every put, index side first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from syndicator.render import FORMATS
from syndicator.render.site import INDEX_NAME, OPML_NAME
from syndicator.server import media_type

# Cache-Control per kind of object. A full archive page is history (RFC 5005
# §4: its URI and content stay); the newest archive page still gains its
# next-archive link when the next page fills, so it is cached like a feed.
CACHE_CONTROL: Mapping[str, str] = {
    "archive": "public, max-age=31536000, immutable",
    "newest-archive": "public, max-age=300",
    "feed": "public, max-age=300",
    "page": "public, max-age=300",
}
# Pre-compressed variants: the suffix names the Content-Encoding, the rest of
# the name the Content-Type (RFC 9110 §8.4).
ENCODINGS: Mapping[str, str] = {".gz": "gzip", ".br": "br"}
# Upload order by kind: what is linked goes before what links it.
ORDER: Mapping[str, int] = {"archive": 0, "newest-archive": 0, "feed": 1, "page": 2, "opml": 3, "index": 4}

_ARCHIVE = re.compile(r"^(?P<folder>(?:.*/)?archive)/(?P<page>\d+)/[^/]+$")


def _feed_names() -> frozenset[str]:
    """The file names of the feeds, as the format registry has them now."""
    return FORMATS.filenames()


def _page_names() -> frozenset[str]:
    return frozenset({INDEX_NAME, OPML_NAME} | {fmt.view_filename for fmt in FORMATS.values()})


@dataclass(frozen=True)
class LocalFile:
    """One file of the output folder, as read for this plan."""

    size: int
    md5: str  # hex digest of its bytes: what the bucket's ETag is compared with
    mtime_ns: int = 0  # when it was last written: a kept digest holds while size and mtime do


@dataclass(frozen=True)
class Put:
    """One object to upload whole, with a single PUT, and the headers readers get."""

    relative: str  # path in the output folder, and the key under the prefix
    size: int
    md5: str
    content_type: str
    cache_control: str
    content_encoding: str | None


@dataclass(frozen=True)
class UploadPlan:
    puts: tuple[Put, ...]  # in upload order
    deletes: tuple[str, ...]  # relative paths, in delete order
    unchanged: int  # files already in the bucket with these bytes


def plan_upload(local: Mapping[str, LocalFile], remote: Mapping[str, str], *, may_delete: bool) -> UploadPlan:
    """The puts and deletes that make the bucket hold what the folder holds.

    `local` maps each file's relative path to its digest; `remote` maps each
    object's relative path (its key minus the prefix) to its ETag.
    """
    newest_pages = _newest_archive_pages(local)
    changed = [rel for rel in local if remote.get(rel, "").strip('"').lower() != local[rel].md5]
    kinds = {rel: _kind(rel, newest_pages) for rel in changed}
    puts = tuple(
        Put(
            relative=rel,
            size=local[rel].size,
            md5=local[rel].md5,
            content_type=_content_type(rel),
            cache_control=CACHE_CONTROL["page" if kinds[rel] in ("opml", "index") else kinds[rel]],
            content_encoding=_encoding(rel),
        )
        for rel in sorted(changed, key=lambda rel: _upload_order(rel, kinds[rel]))
    )
    gone = [rel for rel in remote if rel not in local and is_output_name(rel)] if may_delete else []
    deletes = tuple(sorted(gone, key=lambda rel: _upload_order(rel, _kind(rel, frozenset())), reverse=True))
    return UploadPlan(puts=puts, deletes=deletes, unchanged=len(local) - len(changed))


def is_output_name(relative: str) -> bool:
    """A name syndicator writes (a feed, a view, the index, the OPML, or their
    pre-compressed variants): only such objects are ever deleted."""
    name = relative.rsplit("/", 1)[-1]
    for suffix in ENCODINGS:
        name = name.removesuffix(suffix)
    return name in _feed_names() or name in _page_names()


def _plain_name(relative: str) -> str:
    name = relative.rsplit("/", 1)[-1]
    for suffix in ENCODINGS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _encoding(relative: str) -> str | None:
    for suffix, encoding in ENCODINGS.items():
        if relative.endswith(suffix):
            return encoding
    return None


def _content_type(relative: str) -> str:
    """The media type the server would send for the same file (one rule for both outputs)."""
    return media_type(_plain_name(relative)).content_type


def _newest_archive_pages(local: Mapping[str, LocalFile]) -> frozenset[str]:
    """The files of the highest-numbered archive page of each archive folder."""
    highest: dict[str, int] = {}
    for rel in local:
        match = _ARCHIVE.match(rel)
        if match:
            folder, page = match["folder"], int(match["page"])
            highest[folder] = max(highest.get(folder, 0), page)
    return frozenset(
        rel
        for rel in local
        if (match := _ARCHIVE.match(rel)) and int(match["page"]) == highest[match["folder"]]
    )


def _kind(relative: str, newest_pages: frozenset[str]) -> str:
    if _ARCHIVE.match(relative):
        return "newest-archive" if relative in newest_pages else "archive"
    name = _plain_name(relative)
    if relative in (INDEX_NAME, *(INDEX_NAME + s for s in ENCODINGS)):
        return "index"
    if name == OPML_NAME:
        return "opml"
    return "feed" if name in _feed_names() else "page"


def _upload_order(relative: str, kind: str) -> tuple[int, str, int, str]:
    """Kind first; archive pages by folder, newest first (each page's objects together)."""
    match = _ARCHIVE.match(relative)
    if match:
        return (ORDER[kind], match["folder"], -int(match["page"]), relative)
    return (ORDER[kind], "", 0, relative)
