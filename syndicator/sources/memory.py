"""What sources remember between runs, so that unchanged input costs nothing.

A directory source skips a file whose size and mtime (or, failing that, whose
content hash) are what the last run stored; a remote source sends back the
ETag and Last-Modified it was given. A skipped file that held rejected records
has them told again from memory (`SourceMemory.rejected`), so every run still
reports them, without reading and normalizing the file again: only rejections
its bytes alone decide (`Rejection.lasting`) are remembered this way; a file
with any other (a read error, a size limit) is read again next run.

All of it travels as values. The store reads the memory once (`SourceMemory`);
sources read it and never change it. What they learn they tell in their
stream, between their records (`FileSeen`, `ValidatorsSeen`); intake folds
those into one `Learnt`, the run-end plan turns that into a `MemoryUpdate`,
and the store commits it in the same transaction as the run's end, so a run
killed before that commit re-reads the file next time: nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from syndicator.model import Rejection

Location = tuple[str, str]  # (source name, path of the file inside the source)


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    fingerprint: str  # normalizer fingerprint: rules, taxonomy, schema, version


def read_again(state: FileState) -> FileState:
    """A stamp no file has: the file is read next run, and is still a file the
    store knows, so that the next run notices when it is gone."""
    return FileState(size=-1, mtime_ns=-1, sha256="", fingerprint=state.fingerprint)


@dataclass(frozen=True)
class HttpValidators:
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class SourceMemory:
    """What the store knew before the run (read once, never changed)."""

    fingerprint: str = ""  # today's normalizer fingerprint: a file stamped otherwise is read again
    files: Mapping[Location, FileState] = field(default_factory=dict)  # store: source_files
    http: Mapping[str, HttpValidators] = field(default_factory=dict)  # store: http_cache, by public URL
    # store: file_rejections; the lasting rejections of remembered files, in the order they came
    rejected: Mapping[Location, tuple[Rejection, ...]] = field(default_factory=dict)

    def known_file(self, source: str, path: str, fingerprint: str | None = None) -> FileState | None:
        """The file's stamp, when it was read under `fingerprint` (default: today's normalizer one)."""
        state = self.files.get((source, path))
        wanted = self.fingerprint if fingerprint is None else fingerprint
        return state if state is not None and state.fingerprint == wanted else None

    def rejections_of(self, source: str, path: str) -> tuple[Rejection, ...]:
        """What a file skipped as unchanged gave as rejections when it was last read."""
        return self.rejected.get((source, path), ())

    def validators(self, url: str) -> HttpValidators | None:
        return self.http.get(url)

    def forgetting_everything(self) -> SourceMemory:
        """`publish --full`: every file read, every URL fetched without validators."""
        return SourceMemory(fingerprint=self.fingerprint)


@dataclass(frozen=True)
class FileSeen:
    """A directory source's file, present this run: read, or skipped as unchanged."""

    source: str
    path: str
    state: FileState | None  # what to remember of it; None: the stored stamp still holds
    unchanged: bool  # skipped: the store already holds what it says


@dataclass(frozen=True)
class ValidatorsSeen:
    """A remote document was read whole: its validators, for the next run's conditional GET."""

    url: str  # public form (no userinfo, no secret query value)
    validators: HttpValidators


SourceNews = FileSeen | ValidatorsSeen  # what a source tells between its records


@dataclass(frozen=True)
class Learnt:
    """Everything the sources told in one run, folded (`learn`)."""

    files: Mapping[Location, FileState] = field(default_factory=dict)  # stamps to store
    seen: frozenset[Location] = frozenset()  # every file present this run
    unchanged: frozenset[Location] = frozenset()  # of those, skipped as unchanged
    http: Mapping[str, HttpValidators] = field(default_factory=dict)


def learn(news: Iterable[SourceNews]) -> Learnt:
    """The fold of a run's news, later news of one file or URL replacing earlier."""
    files: dict[Location, FileState] = {}
    seen: set[Location] = set()
    unchanged: set[Location] = set()
    http: dict[str, HttpValidators] = {}
    for item in news:
        if isinstance(item, FileSeen):
            where = (item.source, item.path)
            seen.add(where)
            if item.unchanged:
                unchanged.add(where)
            if item.state is not None:
                files[where] = item.state
        else:
            http[item.url] = item.validators
    return Learnt(MappingProxyType(files), frozenset(seen), frozenset(unchanged), MappingProxyType(http))


@dataclass(frozen=True)
class MemoryUpdate:
    """What the store writes of the sources' memory at the end of a run (run_end decides it)."""

    files: Mapping[Location, FileState]  # stamps stored (inserted or replaced)
    forget: frozenset[Location]  # stamps deleted: the file is gone, or must be read again
    http: Mapping[str, HttpValidators]  # validators stored (inserted or replaced)
    # the lasting rejections of each remembered file read this run (replacing what it had; () none)
    rejected: Mapping[Location, tuple[Rejection, ...]] = field(default_factory=dict)
