"""Incremental publishes on a big store: nothing new, one new article, 1,000 edited.

    python bench/incremental.py --records 10000,100000 [--repeats 3] [--python PY]

For each size a store is built once by a cold publish of the generated records
(cached under `--work`, with a snapshot of its output and state), then each
scenario runs on the site restored from that snapshot at the same paths, in a
new process, imports included:

- no change: publish again with nothing new;
- one new: one record newer than all the others, in a new file;
- edit 1,000: one file of 1,000 records rewritten with a later revision of each.

The site has every kind of feed on (main with archives, categories, languages,
tags, authors), so the figures show what a change costs in the feeds that hold
it and not in the others. Prints JSON: wall seconds (median, min, max), the
stages of the run report and the number of files written per scenario.
`--compare DIR` runs every scenario with another copy of syndicator too (an
older commit's, from `git archive COMMIT syndicator | tar -x -C DIR`),
alternating with this one, so both are measured under the same load.
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


def publish(python: str, config: Path, env: dict[str, str], cwd: Path | None) -> dict[str, Any]:
    argv = [python, "-m", "syndicator", "publish", "--config", str(config), "--json"]
    child = measure.run_child(argv, env=env, cwd=cwd)
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout)
    return {
        "wall_s": child.wall,
        "peak_rss_mb": child.peak_rss_mb,
        "written": len(report["feeds_written"]),
        "timings": report["timings"],
    }


def base_site(work: Path, n: int, python: str, env: dict[str, str]) -> Path:
    """The cold-published site of n records, built once per size, with a snapshot
    of its state and output that every scenario starts from, at the same paths
    (what a site remembers names its own folders)."""
    data = work / f"data-{n}"
    stamp = data / ".stamp"
    want = f"{generate.SEED} {n}"
    if not (stamp.exists() and stamp.read_text() == want):
        print(f"generating {n} records", file=sys.stderr, flush=True)
        generate.generate(data, n)
        stamp.write_text(want)
    site = work / f"stores-site-{n}"
    snap = work / f"stores-snap-{n}"
    if not (snap / ".done").exists():
        for folder in (site, snap):
            if folder.exists():
                shutil.rmtree(folder)
        site.mkdir(parents=True)
        subprocess.run(["cp", "-al", str(data), str(site / "src")], check=True)
        (site / "syndicator.toml").write_text(config_text(site, site / "src"), encoding="utf-8")
        print(f"cold publish of {n} records", file=sys.stderr, flush=True)
        figures = publish(python, site / "syndicator.toml", env, None)
        snap.mkdir()
        for part in ("state", "feeds"):
            subprocess.run(["cp", "-a", str(site / part), str(snap / part)], check=True)
        (snap / ".done").write_text(json.dumps(figures))
    return site


def restore(site: Path, n: int, work: Path) -> None:
    """The site as the cold publish left it: state, output and source files."""
    snap = work / f"stores-snap-{n}"
    for part in ("state", "feeds"):
        shutil.rmtree(site / part, ignore_errors=True)
        subprocess.run(["cp", "-a", str(snap / part), str(site / part)], check=True)
    for extra in site.glob("src/new-*.jsonl"):
        extra.unlink()
    data = work / f"data-{n}"
    for edited in (site / "src").glob("records-*.jsonl"):
        original = data / edited.name
        if edited.stat().st_ino != original.stat().st_ino:
            edited.unlink()
            os.link(original, edited)


def scenario(name: str, site: Path, k: int, n: int) -> None:
    source = site / "src"
    if name == "one_new":
        rec = next(generate.new_records(5_000_000 + k, 1))
        (source / f"new-{k:03d}.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n")
    elif name == "edit_1000":
        # A file in the middle of the archive, so the edit is not in the newest feed only.
        # edited_file replaces the file by a rename: the hard-linked original is untouched.
        generate.edited_file(source, (n // generate.PER_FILE) // 2, edit=k + 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp")
    parser.add_argument("--scenarios", default="no_change,one_new,edit_1000")
    parser.add_argument(
        "--compare",
        type=Path,
        help="also run each scenario with the syndicator/ package in this directory (e.g. an older"
        " commit's, from `git archive COMMIT syndicator | tar -x -C DIR`), alternating with this one",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    codes: dict[str, Path | None] = {"head": None}
    if args.compare:
        # The children start in that directory, so `python -m syndicator` imports its package.
        codes["compare"] = args.compare.resolve()
    results: dict[str, Any] = {}
    for n in (int(x) for x in args.records.split(",")):
        site = base_site(args.work, n, args.python, env)
        out: dict[str, Any] = {"cold": json.loads((args.work / f"stores-snap-{n}" / ".done").read_text())}
        for name in args.scenarios.split(","):
            runs: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
            for k in range(args.repeats):
                for code, cwd in codes.items():
                    restore(site, n, args.work)
                    scenario(name, site, k, n)
                    runs[code].append(publish(args.python, site / "syndicator.toml", env, cwd))
            restore(site, n, args.work)
            for code, done in runs.items():
                walls = [r["wall_s"] for r in done]
                out.setdefault(code, {})[name] = {
                    "wall_s": {"median": statistics.median(walls), "min": min(walls), "max": max(walls)},
                    "written": done[-1]["written"],
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in done),
                    "timings": done[-1]["timings"],
                }
                print(f"{n} {name} {code}: {statistics.median(walls):.2f} s", file=sys.stderr, flush=True)
        results[str(n)] = out
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
