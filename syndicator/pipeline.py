"""One publish run: sources → normalize → validate → store → render → write.

`publish_run` is the single function the CLI and the daemon both call. It reads
top to bottom as the data flows; every stage below it is either pure or the
one owner of its I/O. Bad records become Rejections and the run goes on; only
infrastructure failures (configuration, store, disk) raise.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from syndicator.articles import rfc3339
from syndicator.config import Config
from syndicator.errors import SourceError, SyndicatorError
from syndicator.feeds import feed_document
from syndicator.lock import writer_lock
from syndicator.model import Article, Category, FeedDocument, RawRecord, Rejection
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext
from syndicator.notify import notify_hubs
from syndicator.plan import Action, Plan, article_keys, decide
from syndicator.render import RENDERERS
from syndicator.report import RunReport
from syndicator.rules import load_rules
from syndicator.sources import check_sources
from syndicator.store import Store
from syndicator.taxonomy import Taxonomy, load_taxonomy
from syndicator.validate import check_article, load_validator
from syndicator.write import remove_stale_temp_files, write_if_changed

logger = logging.getLogger(__name__)

STORE_NAME = "state.sqlite3"
Progress = Callable[[str, int], None]  # (stage, records done so far)


@dataclass
class _Timer:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class Intake:
    """Stages up to validate: pure except for reading the sources."""

    pairs: tuple[tuple[RawRecord, Article], ...]
    rejections: tuple[Rejection, ...]
    source_errors: tuple[str, ...]
    failed_sources: tuple[str, ...]  # names of the sources behind source_errors
    records_read: int


def normalize_context(config: Config, *, now: datetime) -> NormalizeContext:
    taxonomy = load_taxonomy(config.taxonomy_path) if config.taxonomy_path else Taxonomy()
    return NormalizeContext(
        base_url=config.site.base_url,
        language=config.site.language,
        timezone=config.site.timezone,
        rules=load_rules(config.rules_path),
        taxonomy=taxonomy,
        today=now.date(),
        site_name=config.site.title,
    )


class RunCancelled(SyndicatorError):
    """A shutdown asked the run to stop before it wrote anything."""


def read_and_normalize(
    config: Config,
    *,
    now: datetime,
    timer: _Timer | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Intake:
    """sources → normalize → validate, for `publish` and `validate` alike."""
    timer = timer or _Timer()
    sources = check_sources(config)
    ctx = normalize_context(config, now=now)
    validator = load_validator(config.schema_path)
    pairs: list[tuple[RawRecord, Article]] = []
    rejections: list[Rejection] = []
    source_errors: list[str] = []
    failed_sources: list[str] = []
    read = 0
    for source, kind, options in sources:
        records = kind.read(source, options)
        while True:
            with timer.stage("intake"):
                try:
                    item = next(records, None)
                except SourceError as e:
                    source_errors.append(f"{source.name}: {e.ref}: {e.message}")
                    failed_sources.append(source.name)
                    logger.warning("source=%s failed: %s: %s", source.name, e.ref, e.message)
                    break
            if item is None:
                break
            read += 1
            if cancel is not None and cancel.is_set():
                raise RunCancelled("publish cancelled before writing")
            if progress is not None and read % 100 == 0:
                progress("normalize", read)
            if isinstance(item, Rejection):
                rejections.append(item)
                continue
            with timer.stage("normalize"):
                result = normalize(item, ctx)
            if isinstance(result, Article):
                with timer.stage("validate"):
                    result = check_article(result, item, validator)
            if isinstance(result, Rejection):
                rejections.append(result)
            else:
                pairs.append((item, result))
    return Intake(tuple(pairs), tuple(rejections), tuple(source_errors), tuple(failed_sources), read)


def publish_run(
    config: Config,
    *,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> RunReport:
    timer = _Timer()
    started = time.perf_counter()
    intake = read_and_normalize(config, now=now, timer=timer, progress=progress, cancel=cancel)
    with writer_lock(config.state_directory):
        remove_stale_temp_files(config.output.directory)
        store_path = config.state_directory / STORE_NAME
        store = Store.in_memory_copy(store_path) if dry_run else Store(store_path)
        with store:
            run_id = store.begin_run(now)
            with timer.stage("store"):
                articles = [article for _, article in intake.pairs]
                known = store.known(k for a in articles for k in article_keys(a))
                plan = decide(articles, known, now=now)
                store.apply(plan, run_id=run_id, now=now)
                store.record_rejections(run_id, [(_where(r), str(r)) for r in intake.rejections])
            written, unchanged = render_and_write(config, store, timer=timer, dry_run=dry_run)
            rejection_report = None
            if intake.rejections and not dry_run:
                rejection_report = keep_rejections(config.state_directory, run_id, intake.rejections)
            timer.timings["total"] = time.perf_counter() - started
            report = _report(run_id, now, intake, plan, written, unchanged, timer, dry_run, rejection_report)
            store.finish_run(run_id, now=now, outcome=report.outcome, report=report.to_json())
    if config.hubs and not dry_run:
        with timer.stage("notify"):
            pings = notify_hubs(config.hubs, [config.site.feeds_url + f for f in written if _is_feed(f)])
        if pings:
            with Store(store_path) as store:
                store.record_pings(run_id, [(p.hub, p.topic, p.ok, str(p)) for p in pings])
            report = replace(
                report, pings=tuple(str(p) for p in pings), pings_failed=sum(not p.ok for p in pings)
            )
    logger.debug(
        "run=%d read=%d published=%d added=%d changed=%d rejected=%d written=%d unchanged=%d seconds=%.2f",
        run_id,
        report.records_read,
        report.published,
        report.added,
        report.changed,
        len(report.rejections),
        len(written),
        len(unchanged),
        report.duration,
    )
    return report


def render_and_write(
    config: Config, store: Store, *, timer: _Timer | None = None, dry_run: bool = False
) -> tuple[list[str], list[str]]:
    """Render every feed from what the store holds; write the files whose bytes changed.

    Feeds are always rendered from the store, never from this run's records alone,
    so a run killed after the store commit but before the files were written is
    completed by the next run.
    """
    timer = timer or _Timer()
    with timer.stage("render"):
        rendered = render_documents(config, feed_documents(config, store))
    written: list[str] = []
    unchanged: list[str] = []
    with timer.stage("write"):
        for relative, data in rendered:
            path = config.output.directory / relative
            if dry_run:
                changed = not path.exists() or path.read_bytes() != data
            else:
                changed = write_if_changed(path, data)
            (written if changed else unchanged).append(relative)
    return written, unchanged


def retract_run(config: Config, article_id: str, *, now: datetime) -> tuple[bool, list[str]]:
    """`syndicator retract ID`: hide one article from every feed, by hand."""
    with writer_lock(config.state_directory), Store(config.state_directory / STORE_NAME) as store:
        run_id = store.begin_run(now)
        retracted = store.retract(article_id, run_id=run_id)
        written, _ = render_and_write(config, store) if retracted else ([], [])
        store.finish_run(
            run_id, now=now, outcome="ok", report={"retracted": [article_id] if retracted else []}
        )
    return retracted, written


def feed_documents(config: Config, store: Store) -> list[FeedDocument]:
    items = config.output.items
    documents = [feed_document(config, store.newest(items).articles)]
    if config.output.category_feeds:
        for term, label, scheme in store.categories():
            category = Category(term=term, label=label, scheme=scheme)
            documents.append(feed_document(config, store.newest(items, category=term).articles, category))
    return documents


def render_documents(config: Config, documents: list[FeedDocument]) -> list[tuple[str, bytes]]:
    rendered = []
    for doc in documents:
        for fmt in config.output.formats:
            renderer = RENDERERS[fmt]
            relative = f"{doc.key}/{renderer.filename}" if doc.key else renderer.filename
            rendered.append((relative, renderer.render(doc)))
    return rendered


def keep_rejections(state_directory: Path, run_id: int, rejections: tuple[Rejection, ...]) -> str:
    """Nothing rejected is lost: every rejected record is kept with its reason."""
    path = state_directory / "rejected" / f"run-{run_id:06d}.json"
    body = [
        {
            "source": r.source,
            "origin": r.origin,
            "locator": r.locator,
            "field": r.field,
            "reason": r.reason,
            "record": r.payload,
        }
        for r in rejections
    ]
    data = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    write_if_changed(path, data.encode("utf-8"))
    return str(path)


def _is_feed(relative: str) -> bool:
    return relative.rsplit("/", 1)[-1] in {r.filename for r in RENDERERS.values()}


def _where(r: Rejection) -> str:
    return f"{r.origin}: {r.locator}" if r.locator else r.origin


def _report(
    run_id: int,
    now: datetime,
    intake: Intake,
    plan: Plan,
    written: list[str],
    unchanged: list[str],
    timer: _Timer,
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
