"""Normalize alone, per record kind: milliseconds per JSON record, scraped text record and HTML page.

The records are read once (a directory of `bench/generate.py` records for JSON
and text, the saved article pages of tests/normalize/pages* for HTML), then
each record goes through what a normalize worker does with it
(`intake.normalize_one`: normalize, then the schema check), in one process,
`--repeats` times. Per kind: the median over the repeats of wall and processor
milliseconds per record (processor time is what to compare on a shared
machine). The first pass is a warm-up (models and rules loaded, caches filled)
and is not counted.

`--dump FILE` writes every result (article JSON, or the rejection) one a line,
so two versions of the code can be compared byte for byte:

    .venv/bin/python bench/normalize_kinds.py --records /tmp/records --dump /tmp/after.jsonl
    # the code before a change, from an extracted tree (see README.md)
    /tmp/base/py bench/normalize_kinds.py --records /tmp/records --dump /tmp/before.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicator.articles import article_to_json
from syndicator.config import load_config
from syndicator.intake import normalize_one, prepare
from syndicator.model import Article, RawRecord
from syndicator.sources.context import ReadContext, RunFetcher
from syndicator.validate import load_validator

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PAGE_FOLDERS = ("pages", "pages-newspaper", "pages-goose3")
NOW = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)  # fixed, so dumps of two runs compare


def config_text(records: Path, state: Path) -> str:
    return f"""[site]
title = "Bench"
description = "Benchmark site"
base_url = "https://news.example.org/"
feeds_url = "https://news.example.org/feeds/"
language = "fr"
timezone = "Europe/Paris"

[[sources]]
name = "bench"
kind = "directory"
path = "{records}"
max_file_bytes = 2000000000

[output]
directory = "{state / "feeds"}"

[state]
directory = "{state / "state"}"

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
"""


def read_records(records: Path, work: Path) -> tuple[Any, list[RawRecord]]:
    """The prepared run (context, sources) and every record of the directory, in source order."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / "syndicator.toml"
    path.write_text(config_text(records, work), encoding="utf-8")
    prepared = prepare(load_config(path), now=NOW)
    raws: list[RawRecord] = []
    with contextlib.closing(RunFetcher()) as fetchers:
        context = ReadContext(fetchers=fetchers)
        for source, kind, options in prepared.sources:
            for item in kind.read(source, options, context):
                if isinstance(item, RawRecord):
                    raws.append(item)
    return prepared, raws


def page_records() -> list[RawRecord]:
    """The saved article pages of the development corpus, as a `pages` source gives them."""
    out = []
    for folder in PAGE_FOLDERS:
        for path in sorted((REPO / "tests" / "normalize" / folder).glob("*.html.gz")):
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            name = f"{folder}/{path.name.removesuffix('.html.gz')}"
            out.append(RawRecord("pages", name, "", "html", html, source_kind="pages", ref=name))
    return out


def shown(result: object) -> str:
    if isinstance(result, Article):
        data = article_to_json(result) | {"warnings": [list(w) for w in result.warnings]}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)
    return json.dumps({"rejected": repr(result)}, ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=Path, required=True, help="a bench/generate.py directory")
    parser.add_argument("--limit", type=int, default=0, help="at most this many records of each kind")
    parser.add_argument("--kinds", default="json,text,html", help="comma-separated record kinds")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp" / "normalize-kinds")
    parser.add_argument("--dump", type=Path, help="write every result here, one a line")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    prepared, raws = read_records(args.records, args.work)
    raws += page_records()
    by_kind: dict[str, list[RawRecord]] = {}
    for raw in raws:
        by_kind.setdefault(raw.kind, []).append(raw)
    by_kind = {k: v for k, v in by_kind.items() if k in args.kinds.split(",")}
    if args.limit:
        by_kind = {k: v[: args.limit] for k, v in by_kind.items()}
    validator = load_validator(prepared.config.schema_path)
    context = prepared.context

    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for kind in sorted(by_kind):
                for raw in by_kind[kind]:
                    out.write(f"{raw.where}\t{shown(normalize_one(raw, context, validator))}\n")

    figures: dict[str, dict[str, float]] = {}
    for kind in sorted(by_kind):
        batch = by_kind[kind]
        for raw in batch:  # warm-up: models, rules, caches
            normalize_one(raw, context, validator)
        walls, cpus = [], []
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            for raw in batch:
                normalize_one(raw, context, validator)
            walls.append((time.perf_counter() - wall) * 1000 / len(batch))
            cpus.append((time.process_time() - cpu) * 1000 / len(batch))
        figures[kind] = {
            "records": len(batch),
            "wall_ms_per_record": statistics.median(walls),
            "cpu_ms_per_record": statistics.median(cpus),
            "cpu_ms_min": min(cpus),
            "cpu_ms_max": max(cpus),
        }
        print(
            f"{kind:5} {len(batch):6} records  wall {statistics.median(walls):7.2f} ms/record"
            f"  processor {statistics.median(cpus):7.2f} ms/record ({min(cpus):.2f}–{max(cpus):.2f})",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
