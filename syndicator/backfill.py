"""A backfill: a big archive ingested in parts by several processes, published once.

Only the ingest journey of `pipeline` runs here; the output waits until every
part is stored (`store/_backfill.py`), so readers never see part of a backfill.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from syndicator.articles import rfc3339
from syndicator.config import Config, SourceConfig
from syndicator.intake import prepare
from syndicator.output import keep_rejections
from syndicator.pipeline import ingest
from syndicator.report import Progress, RunReport, Timer
from syndicator.store import open_store


def backfill_run(
    config: Config,
    folder: Path,
    *,
    name: str,
    part: int,
    parts: int,
    now: datetime,
    progress: Progress | None = None,
) -> RunReport:
    """One part of a backfill: the ingest journey alone, over the files of part
    `part` of `parts` of `folder`, stored as source `name`.

        ingest          sources | normalize | validate | plan | store

    No output: every publisher holds its output back until all parts are
    stored (`store/_backfill.py`), so readers never see part of a backfill.
    Parts run at once in as many processes, on any host that reaches the
    store, beside the daemon that publishes; none takes the publish lease.
    `name` should not be a configured source: the configured sources' runs
    would otherwise find the other parts' articles gone from their folder.
    """
    timer = Timer()
    started = time.perf_counter()
    source = SourceConfig(
        name=name,
        kind="directory",
        options={"path": str(folder), "part": f"{part}/{parts}"},
        site_url=config.site.base_url,
    )
    prepared = prepare(replace(config, sources=(source,)), now=now)
    with open_store(config.store_location) as store:
        store.open_backfill(name, parts)  # before anything is stored: the output waits from now
        run_id = store.begin_run(now, keep=config.history_runs)
        ingested = ingest(
            prepared,
            store,
            run_id=run_id,
            now=now,
            full=False,
            timer=timer,
            progress=progress,
            cancel=None,
            partial=True,
        )
        if not ingested.failed_sources:
            store.backfill_part_done(name, part)
        timer.timings["total"] = time.perf_counter() - started
        report = RunReport(
            run_id=run_id,
            started=rfc3339(now),
            **ingested.report_fields(),
            feeds_written=(),
            feeds_unchanged=(),
            timings=dict(timer.timings),
            articles_total=store.visible_count(),
            output_up_to_date=True,
            output_held=tuple(store.backfills_pending()),
        )
        store.finish_run(run_id, now=now, outcome=report.outcome, report=report.to_json())
    if ingested.rejections:
        keep_rejections(config, run_id, ingested.rejections)
    return report
