"""One publish run: sources → normalize → validate → store → render → write → notify.

`publish_run` is the single function the CLI and the daemon both call, and it
reads top to bottom as the data flows. Bad records become Rejections and the
run goes on; only infrastructure failures (configuration, store, disk) raise.
The clock is read by the caller and passed in as `now`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime

from syndicator.articles import rfc3339
from syndicator.config import Config
from syndicator.intake import Intake, Progress, Timer, prepare, read_and_normalize
from syndicator.lock import writer_lock
from syndicator.notify import notify_hubs
from syndicator.output import is_feed, keep_rejections, output_fingerprint, output_present, render_and_write
from syndicator.plan import Action, Plan, article_keys, decide
from syndicator.related import resolve_related, wanted_titles
from syndicator.report import RunReport
from syndicator.store import Store, source_location
from syndicator.write import remove_stale_temp_files

logger = logging.getLogger(__name__)

STORE_NAME = "state.sqlite3"


def publish_run(
    config: Config,
    *,
    now: datetime,
    dry_run: bool = False,
    full: bool = False,
    wait_seconds: float = 30.0,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> RunReport:
    """Publish once. `full` re-reads every source file, changed or not."""
    timer = Timer()
    started = time.perf_counter()
    prepared = prepare(config, now=now)
    store_path = config.state_directory / STORE_NAME
    with writer_lock(config.state_directory, wait_seconds=wait_seconds):
        remove_stale_temp_files(config.output.directory)
        with Store.in_memory_copy(store_path) if dry_run else Store(store_path) as store:
            memory = store.source_memory(prepared.fingerprint)
            if full:
                memory.files, memory.http = {}, {}  # re-read every file, fetch without validators
            intake = read_and_normalize(
                prepared, memory=memory, timer=timer, progress=progress, cancel=cancel
            )
            run_id = store.begin_run(now)
            with timer.stage("store"):
                articles = [article for _, article in intake.pairs]
                articles = resolve_related(articles, store.urls_by_title(wanted_titles(articles)))
                plan = decide(articles, store.known(k for a in articles for k in article_keys(a)), now=now)
                complete = [s.name for s in config.sources if s.name not in intake.failed_sources]
                for ref in _reread_next_time(plan, intake, now):
                    source, path = source_location(ref)
                    if source is not None and path is not None:
                        memory.forget_file(source, path)
                gone = store.gone_from_sources(
                    memory, complete, present=_present(plan), protected=_refs(intake)
                )
                store.apply(
                    plan,
                    run_id=run_id,
                    now=now,
                    memory=memory,
                    complete_sources=complete,
                    retract=gone if config.output.removed == "retract" else (),
                )
                store.record_rejections(run_id, [(r.ref or r.origin, str(r)) for r in intake.rejections])
            fingerprint = output_fingerprint(config)
            skip_render = not full and store.render_up_to_date(fingerprint) and output_present(config)
            written, unchanged = (
                ([], []) if skip_render else render_and_write(config, store, timer=timer, dry_run=dry_run)
            )
            if not skip_render and not dry_run:
                store.mark_rendered(fingerprint)
            rejection_report = None
            if intake.rejections and not dry_run:
                rejection_report = keep_rejections(config.state_directory, run_id, intake.rejections)
            timer.timings["total"] = time.perf_counter() - started
            report = _report(run_id, now, intake, plan, written, unchanged, timer, dry_run, rejection_report)
            report = replace(
                report,
                files_skipped=len(memory.unchanged_files),
                output_up_to_date=skip_render,
                articles_total=store.visible_count(),
                removed_from_source=len(gone),
                retracted=report.retracted + (len(gone) if config.output.removed == "retract" else 0),
            )
            store.finish_run(run_id, now=now, outcome=report.outcome, report=report.to_json())
    if config.hubs and not dry_run:
        with timer.stage("notify"):
            topics = [config.site.feeds_url + f for f in written if is_feed(f)]
            pings = notify_hubs(config.hubs, topics, timeout=config.hub_timeout)
        if pings:
            with Store(store_path) as store:
                store.record_pings(run_id, [(p.hub, p.topic, p.ok, str(p)) for p in pings])
            report = replace(
                report, pings=tuple(str(p) for p in pings), pings_failed=sum(not p.ok for p in pings)
            )
    return report


def retract_run(
    config: Config, article_id: str, *, now: datetime, undo: bool = False
) -> tuple[bool, list[str]]:
    """`syndicator retract ID`: hide one article from every feed, by hand (or bring it back)."""
    with writer_lock(config.state_directory), Store(config.state_directory / STORE_NAME) as store:
        run_id = store.begin_run(now)
        retracted = store.retract(article_id, run_id=run_id, undo=undo)
        written, _ = render_and_write(config, store) if retracted else ([], [])
        if retracted:
            store.mark_rendered(output_fingerprint(config))
        store.finish_run(
            run_id, now=now, outcome="ok", report={"retracted": [article_id] if retracted else []}
        )
    return retracted, written


def _present(plan: Plan) -> set[str]:
    """Ids of stored articles this run's records still carry."""
    return {d.article.id for d in plan.decisions if d.action is not Action.DUPLICATE}


def _reread_next_time(plan: Plan, intake: Intake, now: datetime) -> set[str]:
    """Files not to skip next run: one holding an embargoed record, whose time will come.

    A file with a rejected record is skipped like any other until it changes:
    the rejection was reported and kept (<state>/rejected/), and re-reading
    every such file on every run would make one bad record cost a full parse.
    """
    return {
        d.article.source.ref
        for d in plan.of(Action.HELD)
        if d.article.published is not None and d.article.published > now
    }


def _refs(intake: Intake) -> set[str]:
    """Source files with a rejected record: their missing articles may only be invalid, not gone."""
    return {r.ref.split("#", 1)[0] for r in intake.rejections if r.ref}


def _report(
    run_id: int,
    now: datetime,
    intake: Intake,
    plan: Plan,
    written: list[str],
    unchanged: list[str],
    timer: Timer,
    dry_run: bool,
    rejection_report: str | None,
) -> RunReport:
    return RunReport(
        run_id=run_id,
        started=rfc3339(now),
        records_read=intake.records_read,
        added=len(plan.of(Action.ADDED)),
        changed=len(plan.of(Action.CHANGED)),
        unchanged=len(plan.of(Action.UNCHANGED)),
        retracted=len(plan.of(Action.RETRACTED)),
        held=len(plan.of(Action.HELD)),
        rejections=intake.rejections,
        duplicates=tuple(f"{d.article.source.ref}: {d.detail}" for d in plan.of(Action.DUPLICATE)),
        source_errors=intake.source_errors,
        failed_sources=intake.failed_sources,
        feeds_written=tuple(written),
        feeds_unchanged=tuple(unchanged),
        timings=dict(timer.timings),
        dry_run=dry_run,
        rejection_report=rejection_report,
    )
