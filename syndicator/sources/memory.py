"""What sources remember between runs, so that unchanged input costs nothing.

A directory source skips a file whose size and mtime (or, failing that, whose
content hash) are what the last run stored; a remote source sends back the
ETag and Last-Modified it was given. Reads come from the store; writes are only
collected here and committed in the same transaction as the run's plan, so a
run killed before that commit re-reads the file next time: nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from syndicator.run_end import FileLedger


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    fingerprint: str  # normalizer fingerprint: rules, taxonomy, schema, version


@dataclass(frozen=True)
class HttpValidators:
    etag: str | None
    last_modified: str | None


@dataclass
class SourceMemory:
    """Known state (read-only) plus this run's updates (to commit with the plan)."""

    fingerprint: str = ""
    files: Mapping[tuple[str, str], FileState] = field(default_factory=dict)
    http: Mapping[str, HttpValidators] = field(default_factory=dict)
    file_updates: dict[tuple[str, str], FileState] = field(default_factory=dict)
    http_updates: dict[str, HttpValidators] = field(default_factory=dict)
    unchanged_files: set[tuple[str, str]] = field(default_factory=set)  # (source, path) skipped
    seen_files: set[tuple[str, str]] = field(default_factory=set)  # every file present this run
    forgotten_files: set[tuple[str, str]] = field(default_factory=set)  # re-read next run

    def known_file(self, source: str, path: str) -> FileState | None:
        state = self.files.get((source, path))
        return state if state is not None and state.fingerprint == self.fingerprint else None

    def file_skipped(self, source: str, path: str, state: FileState | None = None) -> None:
        self.seen_files.add((source, path))
        self.unchanged_files.add((source, path))
        if state is not None:
            self.file_updates[(source, path)] = state  # same content, new mtime

    def file_read(self, source: str, path: str, state: FileState) -> None:
        self.seen_files.add((source, path))
        self.file_updates[(source, path)] = state

    def forget_file(self, source: str, path: str) -> None:
        """Read this file again next run: it holds an embargoed, held or rejected record."""
        self.file_updates.pop((source, path), None)
        self.forgotten_files.add((source, path))

    def ledger(self) -> FileLedger:
        """What happened to the files this run, as a value for the run-end plan."""
        return FileLedger(
            known=frozenset(self.files),
            seen=frozenset(self.seen_files),
            unchanged=frozenset(self.unchanged_files),
        )

    def validators(self, url: str) -> HttpValidators | None:
        return self.http.get(url)

    def remember_validators(self, url: str, validators: HttpValidators) -> None:
        self.http_updates[url] = validators
