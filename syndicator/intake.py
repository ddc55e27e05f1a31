"""sources → normalize → validate: records in, Articles or Rejections out.

Shared by `publish` and `validate`. Reading the sources is the only I/O; a
source that fails as a whole is reported by name and the others go on.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syndicator import __version__
from syndicator.config import Config, SourceConfig
from syndicator.errors import SourceError, SyndicatorError
from syndicator.model import Article, RawRecord, Rejection
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext
from syndicator.rules import load_rules
from syndicator.sources import SourceKind, check_sources
from syndicator.sources.memory import SourceMemory
from syndicator.taxonomy import Taxonomy, load_taxonomy
from syndicator.validate import check_article, load_validator

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]  # (stage, records done so far)


class RunCancelled(SyndicatorError):
    """A shutdown asked the run to stop before it wrote anything."""


@dataclass
class Timer:
    """Seconds per stage, for the run report (a monotonic clock, not `now`)."""

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


def prepare(config: Config, *, now: datetime) -> Prepared:
    """Configuration errors surface here, before anything is written."""
    sources = check_sources(config)
    taxonomy = load_taxonomy(config.taxonomy_path) if config.taxonomy_path else Taxonomy()
    context = NormalizeContext(
        base_url=config.site.base_url,
        language=config.site.language,
        timezone=config.site.timezone,
        rules=load_rules(config.rules_path),
        taxonomy=taxonomy,
        today=now.date(),
        site_name=config.site.title,
    )
    load_validator(config.schema_path)
    return Prepared(config, tuple(sources), context, normalizer_fingerprint(config))


def normalizer_fingerprint(config: Config) -> str:
    """A file is re-read when the rules that normalized it change, not only when it does."""
    digest = hashlib.sha256(__version__.encode())
    for path in (config.rules_path, config.taxonomy_path, config.schema_path):
        digest.update(path.read_bytes() if path is not None and path.exists() else b"-")
    site = config.site
    digest.update(f"{site.base_url}|{site.language}|{site.timezone}|{site.title}".encode())
    return digest.hexdigest()[:16]


def read_and_normalize(
    prepared: Prepared,
    *,
    memory: SourceMemory | None = None,
    timer: Timer | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Intake:
    timer = timer or Timer()
    memory = memory if memory is not None else SourceMemory(fingerprint=prepared.fingerprint)
    validator = load_validator(prepared.config.schema_path)
    pairs: list[tuple[RawRecord, Article]] = []
    rejections: list[Rejection] = []
    source_errors: list[str] = []
    failed_sources: list[str] = []
    read = 0
    for source, kind, options in prepared.sources:
        records = kind.read(source, options, memory)
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
                result = normalize(item, prepared.context)
            if isinstance(result, Article):
                with timer.stage("validate"):
                    result = check_article(result, item, validator)
            if isinstance(result, Rejection):
                rejections.append(result)
            else:
                pairs.append((item, result))
    return Intake(tuple(pairs), tuple(rejections), tuple(source_errors), tuple(failed_sources), read)
