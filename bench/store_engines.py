"""The same publish on SQLite and PostgreSQL, side by side: a cold publish of
N records into an empty store, a run with nothing new, a run with one new
record. Each is a `syndicator publish` child process (wall time, its own peak
RSS); PostgreSQL's own work happens in the server, so its memory is not in
the child's figure.

    python bench/store_engines.py --records 10000          # starts a throwaway PostgreSQL
    python bench/store_engines.py --records 10000 --url postgresql://user@host/db

Without --url, a cluster is made with the installed initdb/pg_ctl in a
temporary directory (as the postgres user when run as root), with the
server's default durability (fsync on, synchronous_commit on), listening on
127.0.0.1 at a free port, and removed afterwards. Results go to
bench/results/store-engines.{json,md} (store-engines-N.* for another N).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import generate
import measure
import psycopg

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    bin_dir = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))[-1])
    directory = Path(tempfile.mkdtemp(prefix="syndicator-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = directory / "data"
    initdb = [
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "--auth=trust",
        "--locale=C",
        "-E",
        "UTF8",
    ]
    subprocess.run([*prefix, *initdb], check=True, capture_output=True)
    pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data)]
    options = f"-h 127.0.0.1 -p {port} -k {directory}"
    subprocess.run([*pg_ctl, "-o", options, "-l", str(directory / "log"), "-w", "start"], check=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)


def write_config(site: Path, source: Path, url: str | None) -> Path:
    site.mkdir(parents=True)
    state = f'url = "{url}"' if url else ""
    path = site / "syndicator.toml"
    path.write_text(
        f"""[site]
title = "Bench"
description = "Benchmark site"
base_url = "https://news.example.org/"
feeds_url = "https://news.example.org/feeds/"
language = "fr"
timezone = "Europe/Paris"

[[sources]]
name = "bench"
kind = "directory"
path = "{source}"

[output]
directory = "{site / "feeds"}"
items = 50

[state]
directory = "{site / "state"}"
{state}

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
""",
        encoding="utf-8",
    )
    return path


def publish(config: Path) -> dict[str, Any]:
    child = measure.run_child(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(config), "--json"]
    )
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout)
    return {
        "wall_s": round(child.wall, 2),
        "peak_rss_mb": round(child.peak_rss_mb),
        "added": report["added"],
        "store_s": round(report["timings"].get("store", 0.0), 2),
        "render_s": round(report["timings"].get("render", 0.0), 2),
    }


def fresh_schema(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{name}"


def run(records: int, work: Path, server: str) -> dict[str, dict[str, Any]]:
    """Cold, no change and one new record on each engine, SQLite first."""
    dataset = work / f"data-{records}"
    if not dataset.exists():
        generate.generate(dataset, records)
    results: dict[str, dict[str, Any]] = {}
    for engine in ("sqlite", "postgresql"):
        source = work / f"src-{engine}"
        site = work / f"site-{engine}"
        for path in (source, site):
            shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["cp", "-al", str(dataset), str(source)], check=True)
        url = fresh_schema(server, f"bench_{records}") if engine == "postgresql" else None
        config = write_config(site, source, url)
        figures = {"cold": publish(config), "no_change": publish(config)}
        rec = next(generate.new_records(5_000_000, 1))
        (source / "new-000.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
        figures["one_new"] = publish(config)
        results[engine] = figures
        print(engine, json.dumps(figures), file=sys.stderr, flush=True)
    lite = {
        p.relative_to(work / "site-sqlite" / "feeds"): p.read_bytes()
        for p in (work / "site-sqlite" / "feeds").rglob("*")
        if p.is_file()
    }
    pg = {
        p.relative_to(work / "site-postgresql" / "feeds"): p.read_bytes()
        for p in (work / "site-postgresql" / "feeds").rglob("*")
        if p.is_file()
    }
    results["feeds_identical"] = {"value": lite == pg, "files": len(lite)}
    return results


def table(records: int, results: dict[str, dict[str, Any]]) -> str:
    lines = [
        f"Same publish, {records:,} generated records, SQLite vs PostgreSQL"
        f" (`python bench/store_engines.py --records {records}`)",
        "",
        "| scenario | SQLite wall | PostgreSQL wall | SQLite peak RSS | PostgreSQL peak RSS (client)"
        " | store stage SQLite / PostgreSQL |",
        "|---|---|---|---|---|---|",
    ]
    for scenario in ("cold", "no_change", "one_new"):
        a, b = results["sqlite"][scenario], results["postgresql"][scenario]
        lines.append(
            f"| {scenario.replace('_', ' ')} | {a['wall_s']:.2f} s | {b['wall_s']:.2f} s"
            f" | {a['peak_rss_mb']} MB | {b['peak_rss_mb']} MB"
            f" | {a['store_s']:.2f} s / {b['store_s']:.2f} s |"
        )
    lines += [
        "",
        "The feeds themselves are not compared here: undated generated records take the wall-clock"
        " time of their run. tests/test_store_engines.py compares them byte for byte at a fixed time.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--url", help="a PostgreSQL server to use (a schema bench_N is made in it)")
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp" / "store-engines")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.url:
        results = run(args.records, args.work, args.url)
    else:
        with throwaway_postgres() as url:
            results = run(args.records, args.work, url)
    out = BENCH / "results"
    name = "store-engines" if args.records == 10_000 else f"store-engines-{args.records}"
    (out / f"{name}.json").write_text(json.dumps({str(args.records): results}, indent=2) + "\n")
    text = table(args.records, results)
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
