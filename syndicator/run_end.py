"""Decide, then do, at the end of the ingest journey: which files are read again
next run, which stored articles are gone from their source, and which of those
are retracted. A pure function of values read once; the store applies it.

Gone means: the article's file disappeared, or its file was read again and no
longer holds it, in a source that was read completely this run. A file holding
a rejected record is protected (the record may be the article, only invalid for
now); a file skipped as unchanged still holds everything it held.

What the sources remember for the next run is decided here too
(`memory_update`): what they learnt, minus the files to read again, and
without the files gone from a source read completely (a file to be read again
keeps a stamp no file has); with the lasting rejections of each file read, told
again while it stays unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from syndicator.model import Rejection
from syndicator.sources.memory import Learnt, Location, MemoryUpdate, SourceMemory, read_again


@dataclass(frozen=True)
class FileLedger:
    """What the sources did with their files this run, as values."""

    known: frozenset[Location]  # files the store remembered before the run
    seen: frozenset[Location]  # files present this run, read or skipped
    unchanged: frozenset[Location]  # of those, skipped as unchanged

    @property
    def read(self) -> frozenset[Location]:
        return self.seen - self.unchanged


@dataclass(frozen=True)
class StoredPlace:
    """A stored article, visible or retracted by hand, and the file its record came from."""

    article_id: str
    source: str
    file: str
    retracted_by_hand: bool = False  # out of the feeds already: gone, it is only kept out after the undo


@dataclass(frozen=True)
class RunEnd:
    complete_sources: tuple[str, ...]  # read without failing: their missing files are forgotten
    reread: tuple[Location, ...]  # read again next run (rejected, embargoed records)
    gone: tuple[str, ...]  # ids no longer in their source
    retract: tuple[str, ...]  # of those, taken out of the feeds (output.removed = "retract")
    # ids retracted by hand and gone from their source: kept out after an undo too
    # (output.removed = "retract"); not counted, since the feeds do not change
    withheld: tuple[str, ...] = ()


def complete_sources(sources: Sequence[str], failed: Iterable[str]) -> tuple[str, ...]:
    failures = set(failed)
    return tuple(s for s in sources if s not in failures)


def sources_to_scan(complete: Sequence[str], ledger: FileLedger) -> tuple[str, ...]:
    """The sources where an article can be gone: one of their files was read again,
    or one they had is missing. A source whose files are all untouched is skipped
    without reading its articles."""
    read = ledger.read
    scan = []
    for source in complete:
        known = {f for f in ledger.known if f[0] == source}
        if known and known <= ledger.unchanged and not any(f[0] == source for f in read):
            continue
        scan.append(source)
    return tuple(scan)


def files_to_check(
    stored: Iterable[tuple[str, str | None]], ledger: FileLedger
) -> list[tuple[str, str | None]]:
    """Of the files the scanned sources' articles came from, those where one can be
    gone: files read again this run, and files not there any more (an article
    without a file, from a URL, is always looked at). Files skipped as unchanged
    hold what they held."""
    seen, read = ledger.seen, ledger.read
    return [f for f in stored if f[1] is None or f not in seen or f in read]


def decide_run_end(
    *,
    complete: Sequence[str],
    ledger: FileLedger,
    stored: Iterable[StoredPlace],
    present: frozenset[str],
    reread: Iterable[Location],
    protected: frozenset[str],
    removed: str,
) -> RunEnd:
    """`stored`: the visible (and retracted by hand) articles of `sources_to_scan`;
    `present`: ids some source still holds this run; `protected`: `<source>/<file>`
    refs holding a rejected record; `removed`: the `output.removed` setting, keep
    or retract."""
    gone: list[str] = []
    withheld: list[str] = []
    seen, read = ledger.seen, ledger.read
    for place in stored:
        if f"{place.source}/{place.file}" in protected or place.article_id in present:
            continue  # kept for now, or still in a source (perhaps in another file now)
        where = (place.source, place.file)
        if where not in seen or where in read:
            (withheld if place.retracted_by_hand else gone).append(place.article_id)
    gone_ids = tuple(sorted(gone))
    retracting = removed == "retract"
    return RunEnd(
        complete_sources=tuple(complete),
        reread=tuple(sorted(set(reread))),
        gone=gone_ids,
        retract=gone_ids if retracting else (),
        withheld=tuple(sorted(withheld)) if retracting else (),
    )


def file_ledger(known: SourceMemory, learnt: Learnt) -> FileLedger:
    """The ledger of a run: the files the store knew, and what the sources told of theirs."""
    return FileLedger(known=frozenset(known.files), seen=learnt.seen, unchanged=learnt.unchanged)


def files_to_reread(
    rejections: Iterable[Rejection], locate: Callable[[str], Location | None]
) -> frozenset[Location]:
    """The files read again next run for their rejections: those holding one that
    the bytes alone do not decide (a read error, a line over a size limit)."""
    found = (locate(r.ref) for r in rejections if r.ref and not r.lasting)
    return frozenset(where for where in found if where is not None)


def rejections_by_file(
    rejections: Iterable[Rejection], locate: Callable[[str], Location | None]
) -> Mapping[Location, tuple[Rejection, ...]]:
    """The lasting rejections of the run, by the file they came from, in the order they came."""
    grouped: dict[Location, list[Rejection]] = {}
    for rejection in rejections:
        where = locate(rejection.ref) if rejection.lasting and rejection.ref else None
        if where is not None:
            grouped.setdefault(where, []).append(rejection)
    return MappingProxyType({where: tuple(found) for where, found in grouped.items()})


def memory_update(
    known: SourceMemory,
    learnt: Learnt,
    end: RunEnd,
    rejected: Mapping[Location, tuple[Rejection, ...]] = MappingProxyType({}),
) -> MemoryUpdate:
    """What the store keeps of the sources' memory after this run.

    Every stamp and validator the sources learnt. The files to be read again
    (`end.reread`) keep a stamp no file matches (`read_again`): read next run,
    and still known, so that the next run notices if one is gone. The files of
    a source read completely that were not there this run are forgotten. A
    source that failed keeps the stamps of the files it did not reach. Each
    remembered file read this run keeps the lasting rejections it gave
    (`rejected`; none replaces what it had), which the next run tells again
    while the file is unchanged; a file to be read again keeps none.
    """
    reread = frozenset(end.reread)
    complete = frozenset(end.complete_sources)
    missing = frozenset(f for f in known.files if f[0] in complete and f not in learnt.seen)
    files = {where: read_again(state) if where in reread else state for where, state in learnt.files.items()}
    read = learnt.seen - learnt.unchanged
    kept = {
        where: () if where in reread else rejected.get(where, ()) for where in sorted(read) if where in files
    }
    return MemoryUpdate(
        files=MappingProxyType(files),
        forget=(reread - files.keys()) | missing,
        http=learnt.http,
        rejected=MappingProxyType(kept),
    )
