"""Incremental publishes on a big store: nothing new, one new article, 1,000 edited.

    python bench/incremental.py --records 10000,100000 [--repeats 3] [--python PY]

For each size a store is built once by a cold publish of the generated records
(cached under `--work` with its output and state, keyed by size and the code's
version), then each scenario runs on a fresh copy of that site, in a new
process, imports included:

- no change: publish again with nothing new;
- one new: one record newer than all the others, in a new file;
- edit 1,000: one file of 1,000 records rewritten with a later revision of each.

The site has every kind of feed on (main with archives, categories, languages,
tags, authors), so the figures show what a change costs in the feeds that hold
it and not in the others. Prints JSON: wall seconds (median, min, max), the
stages of the run report and the number of files written per scenario.
`--code DIR` runs another copy of syndicator (e.g. an older commit's, from
`git archive COMMIT syndicator | tar -x -C DIR`) with the same harness: the
children start in DIR, so `python -m syndicator` imports DIR/syndicator.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import measure  # noqa: E402

REPO = BENCH.parent


def config_text(site: Path, source: Path) -> str:
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
path = "{source}"

[output]
directory = "{site / "feeds"}"
formats = ["rss", "atom", "json"]
items = 50
category_feeds = true
language_feeds = true
tag_feeds = true
author_feeds = true

[state]
directory = "{site / "state"}"

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
"""


def publish(python: str, config: Path, env: dict[str, str]) -> dict[str, Any]:
    child = measure.run_child(
        [python, "-m", "syndicator", "publish", "--config", str(config), "--json"], env=env
    )
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout)
    return {
        "wall_s": child.wall,
        "peak_rss_mb": child.peak_rss_mb,
        "written": len(report["feeds_written"]),
        "timings": report["timings"],
    }


def base_site(work: Path, n: int, python: str, env: dict[str, str], tag: str) -> Path:
    """The cold-published site of n records, built once per size and code tag."""
    data = work / f"data-{n}"
    stamp = data / ".stamp"
    want = f"{generate.SEED} {n}"
    if not (stamp.exists() and stamp.read_text() == want):
        print(f"generating {n} records", file=sys.stderr, flush=True)
        generate.generate(data, n)
        stamp.write_text(want)
    base = work / f"base-{tag}-{n}"
    if not (base / ".done").exists():
        if base.exists():
            shutil.rmtree(base)
        base.mkdir(parents=True)
        subprocess.run(["cp", "-al", str(data), str(base / "src")], check=True)
        (base / "syndicator.toml").write_text(config_text(base, base / "src"), encoding="utf-8")
        print(f"cold publish of {n} records ({tag})", file=sys.stderr, flush=True)
        figures = publish(python, base / "syndicator.toml", env)
        (base / ".done").write_text(json.dumps(figures))
    return base


def fresh_copy(base: Path, into: Path) -> Path:
    """A copy of the built site the scenario may change (sources hard-linked, edits replace files)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(base / "src"), str(into / "src")], check=True)
    for part in ("state", "feeds"):
        subprocess.run(["cp", "-a", "--reflink=auto", str(base / part), str(into / part)], check=True)
    (into / "syndicator.toml").write_text(config_text(into, into / "src"), encoding="utf-8")
    return into / "syndicator.toml"


def scenario(name: str, site: Path, k: int, n: int) -> None:
    source = site / "src"
    if name == "one_new":
        rec = next(generate.new_records(5_000_000 + k, 1))
        (source / f"new-{k:03d}.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n")
    elif name == "edit_1000":
        # A file in the middle of the archive, so the edit is not in the newest feed only.
        target = source / f"records-{(n // generate.PER_FILE) // 2:05d}.jsonl"
        target.unlink()  # hard-linked to the cache: replace, never write through
        generate.edited_file(source, (n // generate.PER_FILE) // 2, edit=k + 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp")
    parser.add_argument("--tag", default="head", help="names the cached base store (one per code version)")
    parser.add_argument("--scenarios", default="no_change,one_new,edit_1000")
    parser.add_argument(
        "--code",
        type=Path,
        help="run the syndicator/ package in this directory (e.g. `git archive` of an older commit)",
    )
    args = parser.parse_args()
    global CWD
    CWD = args.code.resolve() if args.code else None
    env = dict(os.environ)
    results: dict[str, Any] = {}
    for n in (int(x) for x in args.records.split(",")):
        base = base_site(args.work, n, args.python, env, args.tag)
        out: dict[str, Any] = {"cold": json.loads((base / ".done").read_text())}
        for name in args.scenarios.split(","):
            runs = []
            for k in range(args.repeats):
                runner = "code" if CWD else "head"  # two invocations may share one base
                config = fresh_copy(base, args.work / f"run-{args.tag}-{runner}-{n}")
                # A no-change run right after the cold one: the output is current.
                scenario(name, config.parent, k, n)
                runs.append(publish(args.python, config, env))
            walls = [r["wall_s"] for r in runs]
            out[name] = {
                "wall_s": {"median": statistics.median(walls), "min": min(walls), "max": max(walls)},
                "written": runs[-1]["written"],
                "timings": runs[-1]["timings"],
            }
            print(f"{n} {name}: {statistics.median(walls):.2f} s", file=sys.stderr, flush=True)
        results[str(n)] = out
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
