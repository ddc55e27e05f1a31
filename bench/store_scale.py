"""A run with one new article on a PostgreSQL store of 10,000, 100,000 and
1,000,000 articles: is its cost flat in the size of the archive?

A million articles cannot be published cold in benchmark time (normalizing
is the cost: see store-engines.md), and need not be: the rows of a big store
are what syndicator itself writes. So each store is made in two steps:

1. `syndicator publish` of SAMPLE generated records into an empty schema
   (the store's own code writes the articles, their identity keys and
   categories, and renders the feeds);
2. those rows replicated server-side (one INSERT … SELECT per copy, a bulk
   insert that never leaves the server) to N articles, each copy with its own
   ids (`<id>~<copy>`) and archive slots, and the same dates, categories and
   bodies. The copies stand for an archive published by earlier runs: they
   belong to a source that is no longer configured, so no run reads or
   removes them, and they are not marked for rendering.

Then, each as a `syndicator publish` child process (wall time, its own peak
RSS, the run report's stage timings): a run with nothing new, and a run with
one new article (newer than all). The store's size is PostgreSQL's own count
of the schema's tables and indexes.

    python bench/store_scale.py                        # 10k, 100k, 1M; a throwaway cluster
    python bench/store_scale.py --sizes 10000,100000 --url postgresql://user@host/db
    python bench/store_scale.py --engine sqlite --sizes 10000,100000   # the same on SQLite

Results go to bench/results/store-scale.{json,md} (store-scale-sqlite.* for SQLite).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import generate
import psycopg
from store_engines import BENCH, fresh_schema, publish, throwaway_postgres, write_config

SAMPLE = 2000  # records published by syndicator itself, then replicated

REPLICATE = [
    """INSERT INTO articles (id, url, source_ref, content_hash, first_seen, published, published_utc,
        updated, retracted, data, source_name, source_file, archive_seq)
    SELECT id || '~' || %(copy)s, url, source_ref, content_hash, first_seen, published, published_utc,
        updated, retracted,
        replace(data, '"id": ' || to_json(id)::text, '"id": ' || to_json(id || '~' || %(copy)s)::text),
        'archive', source_file, archive_seq + %(copy)s::bigint * %(stride)s::bigint
    FROM articles WHERE source_name = 'bench' AND archive_seq < %(stride)s""",
    """INSERT INTO identity_keys (key, article_id)
    SELECT k.key || '~' || %(copy)s, k.article_id || '~' || %(copy)s
    FROM identity_keys k JOIN articles a ON a.id = k.article_id
    WHERE a.source_name = 'bench' AND a.archive_seq < %(stride)s""",
    """INSERT INTO article_categories (article_id, term, label, scheme)
    SELECT c.article_id || '~' || %(copy)s, c.term, c.label, c.scheme
    FROM article_categories c JOIN articles a ON a.id = c.article_id
    WHERE a.source_name = 'bench' AND a.archive_seq < %(stride)s""",
    """INSERT INTO article_names (article_id, kind, slug, name)
    SELECT n.article_id || '~' || %(copy)s, n.kind, n.slug, n.name
    FROM article_names n JOIN articles a ON a.id = n.article_id
    WHERE a.source_name = 'bench' AND a.archive_seq < %(stride)s""",
    # Each copy takes the next block of places in each category, as the sample's width.
    """INSERT INTO category_archive (term, place, article_id)
    SELECT p.term, p.place + %(copy)s::bigint * w.width, p.article_id || '~' || %(copy)s
    FROM category_archive p JOIN articles a ON a.id = p.article_id
    JOIN (SELECT q.term, max(q.place) + 1 AS width FROM category_archive q
          JOIN articles b ON b.id = q.article_id WHERE b.source_name = 'bench' GROUP BY q.term) w
      ON w.term = p.term
    WHERE a.source_name = 'bench' AND a.archive_seq < %(stride)s""",
]


def sqlite_statement(statement: str) -> str:
    """A replication statement as SQLite reads it: named parameters, its JSON quoting."""
    for pg, lite in (
        ("::bigint", ""),
        ("%(stride)s", ":stride"),
        ("%(copy)s", ":copy"),
        ("to_json(id || '~' || :copy)::text", "json_quote(id || '~' || :copy)"),
        ("to_json(id)::text", "json_quote(id)"),
    ):
        statement = statement.replace(pg, lite)
    return statement


def replicate_sqlite(path: Path, total: int) -> dict[str, Any]:
    """`replicate` on a SQLite store file."""
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    sample, stride = db.execute("SELECT count(*), max(archive_seq) + 1 FROM articles").fetchone()
    for copy in range(1, max(0, (total - sample) // stride) + 1):
        db.execute("BEGIN")
        for statement in REPLICATE:
            db.execute(sqlite_statement(statement), {"copy": copy, "stride": stride})
        db.execute("COMMIT")
    db.execute("ANALYZE")
    count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    return {"articles": int(count), "seconds": round(time.perf_counter() - started, 1)}


def sample_site(work: Path, name: str, url: str | None) -> tuple[Path, Path, Path]:
    """(source, site, config): a fresh hard-linked copy of the SAMPLE generated records
    and a site publishing them to the store at `url` (None: SQLite in its state folder)."""
    dataset = work / f"data-{SAMPLE}"
    if not dataset.exists():
        generate.generate(dataset, SAMPLE)
    source, site = work / f"{name}-src", work / f"{name}-site"
    for path in (source, site):
        shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["cp", "-al", str(dataset), str(source)], check=True)
    return source, site, write_config(site, source, url)


def one_new_record(source: Path) -> None:
    """A record newer than every generated one, in a file of its own."""
    rec = next(generate.new_records(5_000_000, 1))
    (source / "new-000.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")


def run_sqlite(sizes: list[int], work: Path) -> dict[str, Any]:
    """`run` with the default SQLite store in the site's state folder."""
    results: dict[str, Any] = {}
    for size in sizes:
        source, site, config = sample_site(work, f"lite-{size}", None)
        figures: dict[str, Any] = {"sample": publish(config)}
        store = site / "state" / "state.sqlite3"
        figures["replicated"] = replicate_sqlite(store, size)
        figures["store_mb"] = round(
            sum(p.stat().st_size for p in store.parent.glob("state.sqlite3*")) / 2**20
        )
        figures["no_change"] = publish(config)
        one_new_record(source)
        figures["one_new"] = publish(config)
        results[str(size)] = figures
        print(size, json.dumps(figures), file=sys.stderr, flush=True)
        shutil.rmtree(site, ignore_errors=True)
    return results


SIZE_SQL = """SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'"""


def replicate(url: str, total: int) -> dict[str, Any]:
    """Copies of the published sample until the store holds `total` articles."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*), max(archive_seq) + 1 FROM articles").fetchone()
        assert row is not None
        sample, stride = int(row[0]), int(row[1])
        copies = max(0, (total - sample) // stride)
        for copy in range(1, copies + 1):
            with conn.transaction():
                for statement in REPLICATE:
                    conn.execute(statement, {"copy": copy, "stride": stride})
        conn.execute("VACUUM ANALYZE")
        count = conn.execute("SELECT count(*) FROM articles").fetchone()
    return {"articles": int(count[0]) if count else 0, "seconds": round(time.perf_counter() - started, 1)}


def store_bytes(url: str, schema: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(SIZE_SQL, (schema,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def run(sizes: list[int], work: Path, server: str, *, keep: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for size in sizes:
        schema = f"scale_{size}"
        url = fresh_schema(server, schema)
        source, _, config = sample_site(work, str(size), url)
        figures: dict[str, Any] = {"sample": publish(config)}
        figures["replicated"] = replicate(url, size)
        figures["store_mb"] = round(store_bytes(server, schema) / 2**20)
        figures["no_change"] = publish(config)
        one_new_record(source)
        figures["one_new"] = publish(config)
        results[str(size)] = figures
        print(size, json.dumps(figures), file=sys.stderr, flush=True)
        if keep:  # left for profiling: `--keep` with `--url`
            continue
        with psycopg.connect(server, autocommit=True) as conn:  # the disk back for the next size
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    return results


def table(results: dict[str, Any], engine: str = "postgresql") -> str:
    name, option = ("SQLite", " --engine sqlite") if engine == "sqlite" else ("PostgreSQL", "")
    lines = [
        f"One new article on a {name} store of growing size (`python bench/store_scale.py{option}`)",
        "",
        "| articles in the store | store size | no change: wall / peak RSS | one new: wall / peak RSS"
        " | one new: store / render stage | bulk fill |",
        "|---|---|---|---|---|---|",
    ]
    for f in results.values():
        a, b = f["no_change"], f["one_new"]
        lines.append(
            f"| {f['replicated']['articles']:,} | {f['store_mb']:,} MB"
            f" | {a['wall_s']:.2f} s / {a['peak_rss_mb']} MB | {b['wall_s']:.2f} s / {b['peak_rss_mb']} MB"
            f" | {b['store_s']:.2f} s / {b['render_s']:.2f} s | {f['replicated']['seconds']:.0f} s |"
        )
    lines += [
        "",
        f"Each store: {SAMPLE:,} generated records published by syndicator, then its rows replicated"
        " server-side to the size shown (see the docstring of bench/store_scale.py).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--url", help="a PostgreSQL server to use (a schema scale_N is made in it)")
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp" / "store-scale")
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--keep", action="store_true", help="keep each store (schema scale_N) and its site")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    if args.engine == "sqlite":
        results = run_sqlite(sizes, args.work)
    elif args.url:
        results = run(sizes, args.work, args.url, keep=args.keep)
    else:
        with throwaway_postgres() as url:
            results = run(sizes, args.work, url)
    out = BENCH / "results"
    name = "store-scale-sqlite" if args.engine == "sqlite" else "store-scale"
    (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(results, args.engine)
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
