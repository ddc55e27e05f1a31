"""One publish run: two journeys joined by the store.

    ingest          sources | normalize | validate | plan | store
    publish output  store | plan (stale documents) | render | write | notify

`publish_run` is the single function the CLI and the daemon both call; it
runs `ingest`, then `publish_output`, under the publish lease (the lock file
on SQLite, a fenced lease in a PostgreSQL store), and reports.
Bad records become Rejections and the run goes on; only infrastructure
failures (configuration, store, disk) raise. The clock is read by the caller
and passed in as `now`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from syndicator.articles import rfc3339
from syndicator.config import STORE_NAME as STORE_NAME  # tests and tools name the file from here
from syndicator.config import Config
from syndicator.errors import UploadError
from syndicator.intake import IntakeFold, Prepared, iter_normalized, prepare
from syndicator.lock import LeaseGuard, PublishLease, held_lease
from syndicator.matching import chunk_cut, file_of, ids_to_check, loose_file
from syndicator.model import Article, Rejection
from syndicator.output import (
    is_feed,
    keep_rejections,
    observe_output,
    output_fingerprint,
    output_present,
    render_and_write,
)
from syndicator.output_plan import plan_output
from syndicator.plan import Action, Plan, decide, in_another_file, lookup_keys
from syndicator.related import resolve_related, wanted_titles
from syndicator.report import Progress, RunReport, Timer
from syndicator.run_end import (
    RunEnd,
    complete_sources,
    decide_run_end,
    file_ledger,
    files_to_check,
    files_to_reread,
    memory_update,
    rejections_by_file,
    sources_to_scan,
)
from syndicator.store import Store, open_store, source_location
from syndicator.workers import Workers, run_workers
from syndicator.write import remove_stale_temp_files

if TYPE_CHECKING:
    from syndicator.notify import Ping
    from syndicator.objectstore import Uploaded

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Totals:
    """What the chunks of one run decided, added up: `totals.plus(plan, now)` per chunk."""

    counts: Mapping[Action, int] = field(default_factory=dict)
    duplicates: tuple[str, ...] = ()
    # ids of stored articles the sources still hold, one set per chunk (joined once, at the end)
    present_by_chunk: tuple[frozenset[str], ...] = ()
    reread: frozenset[str] = frozenset()  # refs of files to read again next run
    undated: int = 0  # new articles dated by this run so far
    unpublished: frozenset[str] = frozenset()  # refs of records read but not in the feeds

    @property
    def present(self) -> frozenset[str]:
        return frozenset().union(*self.present_by_chunk)

    def plus(self, plan: Plan, now: datetime) -> Totals:
        counts = Counter(self.counts)
        counts.update(d.reported for d in plan.decisions)
        duplicates = tuple(
            f"{d.article.source.ref}: {d.detail}" for d in plan.decisions if d.action is Action.DUPLICATE
        )
        present = frozenset(d.article.id for d in plan.decisions if d.action is not Action.DUPLICATE)
        # Read again: an embargoed record's file (its time will come), and that of a copy
        # another file won (should the winner leave, the copy takes over the article).
        reread = {
            d.article.source.ref
            for d in plan.decisions
            if (d.action is Action.HELD and d.article.published is not None and d.article.published > now)
            or in_another_file(d)
        }
        unpublished = {
            d.article.source.ref
            for d in plan.decisions
            if d.reported in (Action.HELD, Action.DUPLICATE, Action.RETRACTED)
        }
        return Totals(
            counts=MappingProxyType(dict(counts)),
            duplicates=self.duplicates + duplicates,
            present_by_chunk=(*self.present_by_chunk, present),
            reread=self.reread | reread,
            undated=self.undated + plan.undated,
            unpublished=self.unpublished | unpublished,
        )


@dataclass(frozen=True)
class Ingested:
    """What the ingest journey did: the store holds the rest."""

    records_read: int
    counts: Mapping[Action, int]
    duplicates: tuple[str, ...]
    rejections: tuple[Rejection, ...]
    warnings: tuple[tuple[str, str], ...]  # (record ref, line)
    source_errors: tuple[str, ...]
    failed_sources: tuple[str, ...]
    end: RunEnd
    files_skipped: int
    processes: int
    nothing_read: bool  # no configured source could be read at all

    def report_fields(self) -> dict[str, Any]:
        """The run report's fields this journey fills, the same for a publish and a backfill."""
        return {
            "records_read": self.records_read,
            "added": self.counts.get(Action.ADDED, 0),
            "changed": self.counts.get(Action.CHANGED, 0),
            "unchanged": self.counts.get(Action.UNCHANGED, 0),
            "retracted": self.counts.get(Action.RETRACTED, 0) + len(self.end.retract),
            "held": self.counts.get(Action.HELD, 0),
            "rejections": self.rejections,
            "duplicates": self.duplicates,
            "source_errors": self.source_errors,
            "failed_sources": self.failed_sources,
            "files_skipped": self.files_skipped,
            "removed_from_source": len(self.end.gone),
            "processes": self.processes,
            "warnings": tuple(line for _, line in self.warnings),
        }


@dataclass(frozen=True)
class Published:
    """What the publish-output journey did."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: bool  # nothing was rendered: the output was up to date, or nothing could be read
    pings: tuple[Ping, ...]
    uploaded: Uploaded | None = None  # `[output] url`: what the bucket was sent
    held: tuple[str, ...] = ()  # backfills with parts still to store: the output waits for them


def publish_run(
    config: Config,
    *,
    now: datetime,
    dry_run: bool = False,
    full: bool = False,
    wait_seconds: float = 30.0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    backed_off: tuple[str, ...] = (),
    lease: PublishLease | None = None,
) -> RunReport:
    """Publish once: the two journeys, joined by the store, under the writer lock.

        ingest          sources | normalize | validate | plan | store
        publish output  store | plan (stale documents) | render | write | notify

    `full` re-reads every source file, changed or not. `cancel` (the daemon's
    shutdown) cuts the run short at the next safe point: between two records,
    between two written files, or in the pings; `backed_off` names the sources
    the daemon left out of this run because they keep failing, so the report
    does not call the run ok. `lease`: the daemon's, already held (it leads);
    without it the run takes one for itself, waiting up to `wait_seconds`.
    """
    timer = Timer()
    started = time.perf_counter()
    prepared = prepare(config, now=now)
    with publish_lease(config, lease, wait_seconds=wait_seconds, cancel=cancel) as held:
        cancel = LeaseGuard(cancel, held)
        remove_stale_temp_files(config.output.directory, config.state_directory)
        with (
            open_store(config.store_location, dry_run=dry_run, fence=held.fence) as store,
            run_workers(config.normalize_workers, config) as workers,
        ):
            run_id = store.begin_run(now, keep=config.history_runs)
            ingested = ingest(
                prepared,
                store,
                run_id=run_id,
                now=now,
                full=full,
                timer=timer,
                progress=progress,
                cancel=cancel,
                workers=workers,
            )
            try:
                published = publish_output(
                    config,
                    store,
                    run_id=run_id,
                    now=now,
                    nothing_read=ingested.nothing_read,
                    full=full,
                    dry_run=dry_run,
                    timer=timer,
                    progress=progress,
                    cancel=cancel,
                    workers=workers,
                )
            except UploadError as e:
                # Half-published is never recorded as published: a failed run; the next uploads again.
                store.finish_run(run_id, now=now, outcome="failed", report={"error": str(e)})
                raise
            rejection_report = None if dry_run else keep_rejections(config, run_id, ingested.rejections)
            timer.timings["total"] = time.perf_counter() - started
            report = RunReport(
                run_id=run_id,
                started=rfc3339(now),
                **(ingested.report_fields() | {"processes": max(ingested.processes, workers.running)}),
                feeds_written=published.written,
                feeds_unchanged=published.unchanged,
                timings=dict(timer.timings),
                dry_run=dry_run,
                rejection_report=rejection_report,
                articles_total=store.visible_count(),
                output_up_to_date=published.skipped,
                pings=tuple(str(p) for p in published.pings),
                pings_failed=sum(not p.ok for p in published.pings),
                backed_off=backed_off,
                objects_uploaded=published.uploaded.put if published.uploaded else (),
                objects_deleted=published.uploaded.deleted if published.uploaded else (),
                upload_bytes=published.uploaded.bytes if published.uploaded else 0,
                output_held=published.held,
            )
            store.finish_run(run_id, now=now, outcome=report.outcome, report=report.to_json())
    return report


def ingest(
    prepared: Prepared,
    store: Store,
    *,
    run_id: int,
    now: datetime,
    full: bool,
    timer: Timer,
    progress: Progress | None,
    cancel: threading.Event | None,
    partial: bool = False,
    workers: Workers | None = None,
) -> Ingested:
    """sources | normalize | validate | plan | store.

    Records stream through normalize and validate and are planned and stored a
    chunk at a time; what the sources learnt (files read, validators) and the
    removals are committed last, in one transaction, so a run killed half-way
    reads the same files again and finds the articles it already stored.
    `partial`: the sources are read in part (a backfill's part): no source is
    complete, so nothing is found gone from one.
    """
    config = prepared.config
    memory = store.source_memory(prepared.fingerprint)
    if full:
        memory = memory.forgetting_everything()  # re-read every file, fetch without validators
    fold = IntakeFold()
    totals = Totals()
    claimed: dict[str, str] = {}
    names = [s.name for s in config.sources]

    def plan_and_store(chunk: list[tuple[Article, str]], totals: Totals) -> Totals:
        with timer.stage("store"):
            read = [article for article, _ in chunk]
            articles = resolve_related(read, store.urls_by_title(wanted_titles(read)))
            known = store.identities(lookup_keys(articles))
            plan = decide(
                articles,
                known,
                # the worker's hash, for each article that a related link did not change
                hashes=[d if a is r else None for a, r, (_, d) in zip(articles, read, chunk, strict=True)],
                now=now,
                claimed=claimed,
                undated_before=totals.undated,
                still_held=lambda ref: fold.still_holds(source_location(ref, names)),
                ids_in_use=store.ids_in_use(ids_to_check(articles, site_url=config.site.base_url, now=now)),
                site_url=config.site.base_url,
            )
            store.apply(plan, run_id=run_id, now=now)
            totals = totals.plus(plan, now)
        if progress is not None:
            progress("store", sum(totals.counts.values()))
        return totals

    chunk: list[tuple[Article, str]] = []
    loose, start = None, 0  # the file of the last list record without an id; where the last file begins
    events = iter_normalized(
        prepared, memory=memory, timer=timer, progress=progress, cancel=cancel, workers=workers
    )
    for event in events:
        fold.add(event)
        if isinstance(event, tuple):
            if chunk and file_of(event[1].source.ref) != file_of(chunk[-1][0].source.ref):
                start = len(chunk)
            if cut := chunk_cut(len(chunk), event[1], chunk[-1][0] if chunk else None, loose, start):
                totals, chunk, start = plan_and_store(chunk[:cut], totals), chunk[cut:], 0
            chunk.append((event[1], event[2]))
            loose = loose_file(event[1]) or loose
    if chunk:
        totals = plan_and_store(chunk, totals)
    tally = fold.tally()
    with timer.stage("store"):
        complete = [] if partial else complete_sources(names, tally.failed_sources)
        ledger = file_ledger(memory, tally.learnt)

        def locate(ref: str) -> tuple[str, str] | None:
            source, path = source_location(ref, names)
            return (source, path) if source is not None and path is not None else None

        # Read again: the files of `totals.reread`, and a file holding a rejection its bytes
        # alone do not decide; other rejections are told again from the file's memory.
        reread = [w for w in map(locate, totals.reread) if w is not None]
        end = decide_run_end(
            complete=complete,
            ledger=ledger,
            stored=store.stored_places(
                files_to_check(store.stored_files(sources_to_scan(complete, ledger)), ledger),
                hand_retracted=config.output.removed == "retract",
            ),
            present=totals.present,
            reread=[*reread, *files_to_reread(tally.rejections, locate)],
            protected=frozenset(r.ref.split("#", 1)[0] for r in tally.rejections if r.ref),
            removed=config.output.removed,
        )
        update = memory_update(memory, tally.learnt, end, rejections_by_file(tally.rejections, locate))
        store.apply_run_end(run_id=run_id, now=now, memory=update, retract=end.retract, withheld=end.withheld)
        store.record_rejections(run_id, [(r.ref or r.origin, str(r)) for r in tally.rejections])
        # Repairs are told of what is published (an embargoed record's, once it is).
        warnings = tuple(w for w in tally.warnings if w[0] not in totals.unpublished)
        store.record_warnings(run_id, warnings)
    return Ingested(
        records_read=tally.records_read,
        counts=totals.counts,
        duplicates=totals.duplicates,
        rejections=tally.rejections,
        warnings=warnings,
        source_errors=tally.source_errors,
        failed_sources=tally.failed_sources,
        end=end,
        files_skipped=len(tally.learnt.unchanged),
        processes=tally.processes,
        # No source read: the store holds what the feeds already say; writing would at best
        # change nothing, and on a first run would put empty feeds where none were.
        nothing_read=bool(config.sources) and not complete,
    )


def publish_output(
    config: Config,
    store: Store,
    *,
    run_id: int,
    now: datetime,
    nothing_read: bool,
    full: bool,
    dry_run: bool,
    timer: Timer,
    progress: Progress | None,
    cancel: threading.Event | None,
    workers: Workers | None = None,
) -> Published:
    """store | plan (stale documents) | render | write | upload | notify.

    With `[output] url`, the folder is uploaded after every render (and
    after a skipped one: what an earlier run failed to upload goes now);
    an UploadError ends the journey before the store calls the output
    rendered and before any hub hears of a feed readers cannot fetch yet.
    """
    held = tuple(store.backfills_pending())
    if held:
        logger.warning("output held until every part of a backfill is stored: %s", "; ".join(held))
    plan = plan_output(observe_output(config, store, nothing_read=nothing_read, full=full, held=bool(held)))
    written, unchanged = (
        render_and_write(
            config,
            store,
            plan,
            timer=timer,
            dry_run=dry_run,
            progress=progress,
            cancel=cancel,
            workers=workers,
        )
        if plan.render
        else ([], [])
    )
    uploaded = None
    if config.object_storage is not None and not dry_run:
        from syndicator.objectstore import upload_output  # object storage only where configured

        with timer.stage("upload"):
            uploaded = upload_output(config, folder_complete=output_present(config, store), cancel=cancel)
    if plan.render and not dry_run:
        store.mark_rendered(output_fingerprint(config))
    # WebSub after the files are live, inside the lock: outcome and pings kept go into the history.
    pings: list[Ping] = []
    if config.hubs and not dry_run:
        from syndicator.notify import notify_hubs  # http.client: only a site with hubs
        from syndicator.redact import public_url

        with timer.stage("notify"):
            hubs = {public_url(hub): hub for hub in config.hubs}  # the store never sees credentials
            # With object storage, a feed is live once uploaded (this run, or
            # by this run after an earlier one failed to upload it).
            live = uploaded.put if uploaded is not None else written
            changed = [config.site.feeds_url + f for f in live if is_feed(f)]
            pairs = [(hub, topic) for hub in config.hubs for topic in changed]
            pending = [(hubs[hub], topic) for hub, topic in store.pending_pings(list(hubs))]
            pairs += [p for p in pending if p not in pairs]
            pings = notify_hubs(pairs, timeout=config.hub_timeout, cancel=cancel)
        if pings:
            store.record_pings(
                run_id,
                [(public_url(p.hub), p.topic, p.ok, str(p)) for p in pings],
                now=now,
                hubs=list(hubs),
            )
    return Published(
        tuple(written), tuple(unchanged), not plan.render, tuple(pings), uploaded=uploaded, held=held
    )


@contextmanager
def publish_lease(
    config: Config,
    lease: PublishLease | None,
    *,
    wait_seconds: float = 30.0,
    cancel: threading.Event | None = None,
) -> Iterator[PublishLease]:
    """The lease a run publishes under: the one given (the daemon leads), or one
    taken for this run. Losing it mid-run sets `cancel`, so the run stops at its
    next safe point; the store writes nothing more either way (its fence)."""
    if lease is not None:
        yield lease
        return
    lost = cancel if cancel is not None else threading.Event()
    with held_lease(
        config.state_url,
        config.state_directory,
        seconds=config.lease_seconds,
        wait_seconds=wait_seconds,
        on_lost=lost.set,
    ) as held:
        yield held


@dataclass(frozen=True)
class Retraction:
    """What `retract_run` did."""

    done: bool  # retracted by hand; with undo, that retraction taken back
    written: list[str]  # the output files written again
    still_out: bool = False  # undone, but its source does not publish it: still out of the feeds


def retract_run(config: Config, article_id: str, *, now: datetime, undo: bool = False) -> Retraction:
    """`syndicator retract ID`: hide one article from every feed, by hand (or bring it back)."""
    with publish_lease(config, None) as held, open_store(config.store_location, fence=held.fence) as store:
        run_id = store.begin_run(now, keep=config.history_runs)
        retracted = store.retract(article_id, run_id=run_id, undo=undo)
        still_out = retracted and undo and store.retracted_by_source(article_id)
        plan = plan_output(observe_output(config, store))
        written, _ = render_and_write(config, store, plan) if retracted and plan.render else ([], [])
        if retracted and config.object_storage is not None:
            from syndicator.objectstore import upload_output

            try:
                upload_output(config, folder_complete=output_present(config, store))
            except UploadError as e:
                store.finish_run(run_id, now=now, outcome="failed", report={"error": str(e)})
                raise
        if retracted:
            store.mark_rendered(output_fingerprint(config))
        store.finish_run(
            run_id, now=now, outcome="ok", report={"retracted": [article_id] if retracted else []}
        )
    return Retraction(retracted, written, still_out)
