"""One cold publish of a generated record set, by one tree of the code, watched from outside.

Prints the wall and processor seconds of the process tree, the stage timings of
the run report, and the publishing process's RSS sampled every second (its peak,
and a sample every 20 seconds, with the second the archive folder appeared:
the render's start). Two trees of the code run alternately on the same records
compare two versions on a shared machine; the clock the run sees is fixed, so
their outputs can be compared byte for byte (`diff -r SITE_A/feeds SITE_B/feeds`).

    .venv/bin/python bench/generate.py ... (or bench/run.py once) → /tmp/benchwork/data-10000
    .venv/bin/python bench/cold_sample.py --code . --records /tmp/benchwork/data-10000 --site /tmp/a1
    .venv/bin/python bench/cold_sample.py --code /tmp/old --records /tmp/benchwork/data-10000 --site /tmp/b1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from run import site_config

# The command line with the clock fixed: the same records give the same bytes on every run.
FIXED_CLOCK = """
import sys
from datetime import UTC, datetime
import syndicator.cli._shell as shell
import syndicator.cli.publish as publish
shell._now = publish._now = lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
sys.argv = ["syndicator", *sys.argv[1:]]
from syndicator.__main__ import run
run()
"""


def rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--code", type=Path, required=True, help="the tree of syndicator to run (PYTHONPATH)")
    parser.add_argument("--records", type=Path, required=True, help="a bench/generate.py directory")
    parser.add_argument("--site", type=Path, required=True, help="a scratch folder, emptied first")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    site: Path = args.site
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    config = site_config(site.resolve(), args.records.resolve())
    (site / "syndicator.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [args.python, "-c", FIXED_CLOCK, "publish", "--config", str(site / "syndicator.toml"), "--json"]
    start = time.perf_counter()
    before = os.times()
    with open(site / "report.json", "w", encoding="utf-8") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)
        samples: list[tuple[int, int]] = []
        render_from: float | None = None
        while child.poll() is None:
            second = time.perf_counter() - start
            if render_from is None and (site / "feeds" / "archive").exists():
                render_from = second
            samples.append((round(second), rss_mb(child.pid)))
            time.sleep(1)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    report = json.loads((site / "report.json").read_text(encoding="utf-8"))
    timings = " ".join(f"{k}={v:.1f}" for k, v in sorted(report["timings"].items()))
    peak = max(samples, key=lambda s: s[1], default=(0, 0))
    print(f"{args.code}: wall {wall:.1f} s, processor {cpu:.1f} s, exit {child.returncode}")
    print(f"  stages: {timings}")
    print(f"  publisher RSS peak {peak[1]} MB at {peak[0]} s; render from {render_from or 0:.0f} s")
    print(f"  RSS every 20 s: {samples[::20]}")


if __name__ == "__main__":
    main()
