"""An edit of about 1,000 articles on a SQLite store of 10,000 and 100,000 articles:
is its cost proportional to the edit, not to the archive?

Each store is made as `store_scale.py --engine sqlite` makes it (2,000 generated
records published by syndicator, their rows replicated to the size), then
rendered whole once (`publish --full`, so the output is what run-by-run
publishing would have left), then one generated file of 1,000 records is
rewritten with a later revision of each record and published (timed: wall,
peak RSS, stage times, files written).

    python bench/edit_scale.py --sizes 10000,100000

Results go to bench/results/edit-scale.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import generate
import measure
from store_engines import BENCH, publish
from store_scale import replicate_sqlite, sample_site


def timed_publish(config: Path, *extra: str) -> dict[str, Any]:
    child = measure.run_child(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(config), "--json", *extra]
    )
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout)
    return {
        "wall_s": round(child.wall, 2),
        "peak_rss_mb": round(child.peak_rss_mb),
        "changed": report["changed"],
        "files_written": len(report["feeds_written"]),
        "timings": {k: round(v, 2) for k, v in report["timings"].items()},
    }


def run(sizes: list[int], work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for size in sizes:
        source, site, config = sample_site(work, f"edit-{size}", None)
        figures: dict[str, Any] = {"sample": publish(config)}
        figures["replicated"] = replicate_sqlite(site / "state" / "state.sqlite3", size)
        figures["full"] = timed_publish(config, "--full")
        figures["edited_records"] = generate.edited_file(source, 0, edit=1)
        figures["edit"] = timed_publish(config)
        results[str(size)] = figures
        print(size, json.dumps(figures), file=sys.stderr, flush=True)
        shutil.rmtree(site, ignore_errors=True)
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        "An edit of about 1,000 articles on a SQLite store of growing size (`python bench/edit_scale.py`)",
        "",
        "| articles in the store | records edited | edit: wall / peak RSS | changed | files written"
        " | normalize / store / render / write | render of every feed before |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in results.values():
        e, t = f["edit"], f["edit"]["timings"]
        stages = " / ".join(f"{t.get(k, 0.0):.1f} s" for k in ("normalize", "store", "render", "write"))
        lines.append(
            f"| {f['replicated']['articles']:,} | {f['edited_records']:,} | {e['wall_s']:.1f} s /"
            f" {e['peak_rss_mb']} MB | {e['changed']:,} | {e['files_written']:,} | {stages}"
            f" | {f['full']['wall_s']:.0f} s, {f['full']['files_written']:,} files |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp" / "edit-scale")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = run([int(s) for s in args.sizes.split(",")], args.work)
    out = BENCH / "results"
    (out / "edit-scale.json").write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    (out / "edit-scale.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
