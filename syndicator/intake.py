"""sources → normalize → validate: records in, Articles or Rejections out.

Shared by `publish` and `validate`. Reading the sources is the only I/O; a
source that fails as a whole is reported by name and the others go on.

`iter_normalized` is a stream of events (an article with its record, a
rejection, a source that failed, what a source learnt, the end) and fills
nothing: whoever reads it folds the events it wants (`IntakeFold` gives the
run's `IntakeTally`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from syndicator.articles import content_hash
from syndicator.config import Config, SourceConfig
from syndicator.errors import RunCancelled, SourceError
from syndicator.fingerprint import NOT_NORMALIZING, config_fingerprint
from syndicator.model import Article, RawRecord, Rejection
from syndicator.normalize import normalize, unexpected
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.ids import KEYS_VERSION
from syndicator.normalize.rules import load_rules
from syndicator.normalize.taxonomy import Taxonomy, load_taxonomy
from syndicator.redact import public_url, scrub_text
from syndicator.report import Progress, Timer
from syndicator.sources import SourceKind, check_sources
from syndicator.sources.context import ReadContext, RunFetcher
from syndicator.sources.limits import check_limits, within_limits
from syndicator.sources.memory import (
    FileSeen,
    Learnt,
    Location,
    SourceMemory,
    SourceNews,
    ValidatorsSeen,
    learn,
)
from syndicator.validate import ArticleValidator, check_article, load_validator
from syndicator.workers import Workers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    pairs: tuple[tuple[RawRecord, Article], ...]
    rejections: tuple[Rejection, ...]
    source_errors: tuple[str, ...]
    failed_sources: tuple[str, ...]  # names of the sources behind source_errors
    records_read: int


@dataclass(frozen=True)
class Prepared:
    """Everything checked before a run touches the store or the output."""

    config: Config
    sources: tuple[tuple[SourceConfig, SourceKind, Any], ...]
    context: NormalizeContext
    fingerprint: str  # changes when anything that shapes normalized output changes
    now: datetime


def prepare(config: Config, *, now: datetime) -> Prepared:
    """Configuration errors surface here, before anything is written."""
    sources = check_sources(config)
    taxonomy = load_taxonomy(config.taxonomy_path) if config.taxonomy_path else Taxonomy()
    context = NormalizeContext(
        base_url=config.site.base_url,
        language=config.site.language or UNDETERMINED_LANGUAGE,
        timezone=config.site.timezone,
        rules=load_rules(config.rules_path),
        taxonomy=taxonomy,
        today=now.date(),
        site_name=config.site.title,
        typography=config.typography,
    )
    load_validator(config.schema_path)
    return Prepared(config, tuple(sources), context, normalizer_fingerprint(config), now)


def normalizer_fingerprint(config: Config) -> str:
    """A file is re-read when what normalized it changes (the rules, taxonomy and
    schema files, the site's settings, the identity-key scheme), not only when it does."""
    return config_fingerprint(config, leave_out=NOT_NORMALIZING, salt=f"keys {KEYS_VERSION}")


@dataclass(frozen=True)
class SourceFailed:
    """A source that failed as a whole: the others go on."""

    name: str  # the configured source's name
    line: str  # "<name>: <ref>: <message>", without credentials


@dataclass(frozen=True)
class IntakeDone:
    """The last event: every source was read."""

    processes: int  # processes that normalized: 1, or the workers of a pool


# A valid article with the record it came from and its content hash
# (articles.content_hash), worked out where it was normalized: in a worker, not
# in the process that plans and stores.
Normalized = tuple[RawRecord, Article, str]
IntakeEvent = Normalized | Rejection | SourceFailed | SourceNews | IntakeDone


@dataclass(frozen=True)
class IntakeTally:
    """What reading the sources found besides valid articles: the fold of the events."""

    rejections: tuple[Rejection, ...] = ()
    source_errors: tuple[str, ...] = ()
    failed_sources: tuple[str, ...] = ()  # names of the sources behind source_errors
    records_read: int = 0  # every record taken from a source: an article or a rejection
    # (record ref, "<file>: <record>: <field>: <message>"): published, with a repair or a drop
    warnings: tuple[tuple[str, str], ...] = ()
    processes: int = 1  # processes that normalized: 1, or the workers of a pool
    learnt: Learnt = field(default_factory=Learnt)  # what the sources told, for their memory


class IntakeFold:
    """The reader's running fold of intake events; `tally()` is its value.

    `still_holds` answers while the stream runs: the planner asks whether a
    stored article's file still holds it, unread (plan.decide's `still_held`).
    """

    def __init__(self) -> None:
        self._rejections: list[Rejection] = []
        self._failures: list[SourceFailed] = []
        self._warnings: list[tuple[str, str]] = []
        self._news: list[SourceNews] = []
        self._articles = 0
        self._processes = 1
        self.unchanged: set[Location] = set()
        self._failed: set[str] = set()

    def still_holds(self, where: tuple[str | None, str | None]) -> bool:
        """Whether a file read no further this run holds what it held: it was skipped
        as unchanged, or its source could not be read (its files may well be there)."""
        source, path = where
        return (source, path) in self.unchanged or (source is not None and source in self._failed)

    def add(self, event: IntakeEvent) -> None:
        if isinstance(event, tuple):
            raw, article, _ = event
            self._articles += 1
            self._warnings.extend(
                (raw.ref or raw.origin, f"{raw.where}: {pointer}: {message}")
                for pointer, message in article.warnings
            )
        elif isinstance(event, Rejection):
            self._rejections.append(event)
        elif isinstance(event, SourceFailed):
            self._failures.append(event)
            self._failed.add(event.name)
        elif isinstance(event, IntakeDone):
            self._processes = event.processes
        else:
            self._news.append(event)
            if isinstance(event, FileSeen) and event.unchanged:
                self.unchanged.add((event.source, event.path))

    def tally(self) -> IntakeTally:
        return IntakeTally(
            rejections=tuple(self._rejections),
            source_errors=tuple(f.line for f in self._failures),
            failed_sources=tuple(f.name for f in self._failures),
            # Every record read ends as one article or one rejection; a rejection
            # told again from an unchanged file's memory was not read.
            records_read=self._articles + sum(not r.retold for r in self._rejections),
            warnings=tuple(self._warnings),
            processes=self._processes,
            learnt=learn(self._news),
        )


def iter_normalized(
    prepared: Prepared,
    *,
    memory: SourceMemory | None = None,
    timer: Timer | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: Workers | None = None,
) -> Iterator[IntakeEvent]:
    """Every valid (record, article) in source order, and every other event as it happens.

    A generator, so a run holds one chunk of records at a time, not the
    archive. What a source learns is passed on the moment the source tells
    it, ahead of the articles still being normalized. `workers`: the run's
    worker processes (by default the normalizer forks its own when the run is
    big enough). One HTTP session
    serves every source of the run and is closed with the stream.
    """
    timer = timer or Timer()
    memory = memory if memory is not None else SourceMemory(fingerprint=prepared.fingerprint)
    read = 0

    def sort(done: Iterator[Result]) -> Iterator[IntakeEvent]:
        for raw, result, digest in done:
            if isinstance(result, Rejection):
                yield result
            elif raw is not None:
                for pointer, message in result.warnings:
                    logger.warning("source=%s %s: %s: %s", raw.source, raw.where, pointer, message)
                yield raw, result, digest

    with Normalizer(prepared, timer, workers) as normalizer, contextlib.closing(RunFetcher()) as fetchers:
        context = ReadContext(memory, fetchers)
        for source, kind, options in prepared.sources:
            if cancel is not None and cancel.is_set():
                raise RunCancelled("stopped between two sources; the next run reads them")
            records = _guarded(kind.read, source, options, context)
            limits = check_limits(source)
            while True:
                # Timed by hand, not with timer.stage: a folder of 100,000 unchanged
                # files is 100,000 items, and a context manager each cost a tenth of a second.
                start = time.perf_counter()
                failed: SourceFailed | None = None
                try:
                    item = next(records, None)
                except SourceError as e:
                    failed = _source_failed(source.name, e.ref, e.message)
                except Exception as e:  # one source's failure is that source's, never the run's
                    logger.debug("source=%s failed", source.name, exc_info=e)
                    failed = _source_failed(source.name, _where(source), _describe(e))
                timer.add("intake", time.perf_counter() - start)
                if failed is not None:
                    yield failed
                    break
                if item is None:
                    break
                if isinstance(item, (FileSeen, ValidatorsSeen)):
                    yield item
                    continue
                item = public_refs(item)
                if isinstance(item, RawRecord):
                    try:
                        item = within_limits(item, limits)
                    except Exception as e:  # one record's failure is that record's rejection
                        item = unexpected(item, "could not be read", e)
                read += 1
                if cancel is not None and cancel.is_set():
                    raise RunCancelled("stopped between two records; the next run reads them again")
                if progress is not None and read % 100 == 0:
                    progress("normalize", read)
                yield from sort(normalizer.add(item))
        yield from sort(normalizer.finish())
        yield IntakeDone(normalizer.workers.running)


def public_refs(item: RawRecord | Rejection) -> RawRecord | Rejection:
    """The record's origin and ref as shown and stored: no userinfo, no secret query value.

    Everything after this point (reports, `rejected/`, history, the store)
    sees only these; the request URLs with their credentials stay in the source.
    """
    origin, ref = public_url(item.origin), public_url(item.ref)
    if isinstance(item, Rejection):
        reason = scrub_text(item.reason)
        if (origin, ref, reason) != (item.origin, item.ref, item.reason):
            return replace(item, origin=origin, ref=ref, reason=reason)
        return item
    if origin == item.origin and ref == item.ref:
        return item
    return replace(item, origin=origin, ref=ref)


def _guarded(
    read: Callable[..., Iterator[RawRecord | Rejection | SourceNews]], *args: Any
) -> Iterator[RawRecord | Rejection | SourceNews]:
    """The source's records, with a failure before its first record raised where records are taken."""
    yield from read(*args)


def _source_failed(name: str, ref: str, message: str) -> SourceFailed:
    """A source that failed as a whole, reported without credentials."""
    ref, message = public_url(ref), scrub_text(message)
    # debug only: the run report carries it to the user (and the daemon's log) once
    logger.debug("reading source=%s stopped: %s: %s", name, ref, message)
    return SourceFailed(name, f"{name}: {ref}: {message}")


def _where(source: SourceConfig) -> str:
    """What a source reads, as its configuration names it (a folder or a URL)."""
    value = source.options.get("path") or source.options.get("url")
    return str(value) if value else source.name


def _describe(error: BaseException) -> str:
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    return f"could not be read: {type(error).__name__}" + (f": {detail}" if detail else "")


def read_and_normalize(
    prepared: Prepared,
    *,
    memory: SourceMemory | None = None,
    timer: Timer | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Intake:
    """All of it at once, for `validate`, which shows every record."""
    fold = IntakeFold()
    pairs: list[tuple[RawRecord, Article]] = []
    for event in iter_normalized(prepared, memory=memory, timer=timer, progress=progress, cancel=cancel):
        fold.add(event)
        if isinstance(event, tuple):
            pairs.append((event[0], event[1]))
    tally = fold.tally()
    return Intake(
        tuple(pairs), tally.rejections, tally.source_errors, tally.failed_sources, tally.records_read
    )


Result = tuple[RawRecord | None, Article | Rejection, str]  # the content hash of an Article, else ""
# The results of a batch, their content hashes, the seconds per kind of record
Done = tuple[list[Article | Rejection], list[str], dict[str, float]]
UNDETERMINED_LANGUAGE = "und"  # BCP 47 for "not known": a site with no language, a text too short to tell
BATCH = 250  # records sent to a worker at a time
PARALLEL_AFTER = 1000  # records: below this a process pool costs more than it saves
_WORKER: tuple[NormalizeContext, ArticleValidator] | None = None


def _set_worker(context: NormalizeContext, validator: ArticleValidator) -> None:
    """In a forked worker: what each batch is normalized with (inherited, not pickled)."""
    global _WORKER
    _WORKER = (context, validator)


def _normalize_batch(batch: list[RawRecord]) -> Done:
    assert _WORKER is not None, "worker not started"
    context, validator = _WORKER
    return normalize_timed(batch, context, validator)


def normalize_timed(batch: list[RawRecord], context: NormalizeContext, validator: ArticleValidator) -> Done:
    """normalize_one of each record, each article's content hash ("" for a rejection), and the
    seconds each kind of record took (summed over workers) ("normalize_json", "normalize_text",
    "normalize_html"): where normalizing costs, by input.

    The hash is worked out here, in the worker, so that the process reading the
    sources and writing the store does not serialise each article once more
    for it (plan.decide takes it as given)."""
    done: list[Article | Rejection] = []
    digests: list[str] = []
    spent: dict[str, float] = {}
    for raw in batch:
        start = time.perf_counter()  # the process clock is a system call; this one is not
        result = normalize_one(raw, context, validator)
        done.append(result)
        digests.append(content_hash(result) if isinstance(result, Article) else "")
        key = f"normalize_{raw.kind}"
        spent[key] = spent.get(key, 0.0) + time.perf_counter() - start
    return done, digests, spent


def normalize_one(
    raw: RawRecord, context: NormalizeContext, validator: ArticleValidator
) -> Article | Rejection:
    """Total: whatever one record holds, it ends as an Article or as its own Rejection."""
    result = normalize(raw, context)
    if not isinstance(result, Article):
        return result
    try:
        return check_article(result, raw, validator)
    except Exception as e:  # a record that breaks the validator is that record's rejection
        return unexpected(raw, "could not be validated", e)


class Normalizer:
    """normalize + validate every record, results in input order.

    Both are pure, so once a run has more than PARALLEL_AFTER records they go
    to the run's worker processes (`workers.Workers`) in batches; the order of
    the results, and so every later decision, stays the same.
    """

    def __init__(self, prepared: Prepared, timer: Timer, workers: Workers | None = None) -> None:
        self.prepared = prepared
        self.timer = timer
        self.validator = load_validator(prepared.config.schema_path)
        # Without the run's workers (validate), the normalizer has its own, closed with it.
        self.own = workers is None
        self.workers = workers or Workers(prepared.config.normalize_workers or (os.cpu_count() or 1))
        self.batch: list[RawRecord | Rejection] = []
        self.pending: deque[tuple[list[RawRecord | Rejection], Future[Done] | None]] = deque()
        self.seen = 0

    def __enter__(self) -> Normalizer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.own:
            self.workers.close()

    def add(self, item: RawRecord | Rejection) -> Iterator[Result]:
        self.batch.append(item)
        self.seen += 1
        if len(self.batch) >= BATCH:
            yield from self._dispatch()

    def finish(self) -> Iterator[Result]:
        if self.batch:
            yield from self._dispatch()
        while self.pending:
            yield from self._take()

    def _dispatch(self) -> Iterator[Result]:
        batch, self.batch = self.batch, []
        raws = [r for r in batch if isinstance(r, RawRecord)]
        pool = None
        if self.seen >= PARALLEL_AFTER:
            pool = self.workers.executor(partial(_set_worker, self.prepared.context, self.validator))
        future = None if pool is None else self.workers.submit("normalize", pool, _normalize_batch, raws)
        self.pending.append((batch, future))
        while self.pending and (
            self.pending[0][1] is None
            or self.pending[0][1].done()
            or len(self.pending) > 2 * self.workers.count
        ):
            yield from self._take()

    def _take(self) -> Iterator[Result]:
        batch, future = self.pending.popleft()
        done: Done | None = None
        if future is not None:
            with self.timer.stage("normalize"):
                try:
                    done = future.result()
                except BrokenProcessPool as e:
                    # A worker died (out of memory, killed): this batch and the
                    # rest are done here; the run goes on.
                    self.workers.failed(e, "normalize")
                except Exception as e:  # e.g. a batch that cannot be pickled
                    # normalize_one never raises, so this is the transport: the batch
                    # is done again here, where each record's failure stays its own.
                    logger.warning("normalize worker could not take a batch (%s); done in this process", e)
        if done is None:
            with self.timer.stage("normalize"):
                raws = [r for r in batch if isinstance(r, RawRecord)]
                done = normalize_timed(raws, self.prepared.context, self.validator)
        articles, digests, spent = done
        for key, seconds in spent.items():
            self.timer.add(key, seconds)
        results = zip(articles, digests, strict=True)
        for item in batch:
            if isinstance(item, Rejection):
                yield None, item, ""
            else:
                yield item, *next(results)
