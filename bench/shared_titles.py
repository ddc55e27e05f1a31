"""A list file whose records share one title: what planning costs when a title names
thousands of articles.

One JSON file of N records titled "Editorial", with neither id nor URL (their text
tells them apart), is published three times: cold; again with `--full` (every record
read and matched again); and after one record is inserted at the top and another
edited (the insert is a new article, the edit is ambiguous beside it). Wall seconds of
each `publish_run`, in this process, on a SQLite store in a temporary folder.

    .venv/bin/python bench/shared_titles.py [--records 6000]
    # the code before a change, from an extracted tree
    PYTHONPATH=/tmp/base .venv/bin/python /tmp/base/bench/shared_titles.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from syndicator.config import load_config
from syndicator.pipeline import publish_run

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
CONFIG = """
[site]
title = "Bench"
description = "Records sharing a title."
base_url = "https://news.example.org/"

[[sources]]
name = "opinion"
kind = "directory"
path = "opinion"

[output]
directory = "out"

[state]
directory = "state"
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "opinion").mkdir()
        (site / "syndicator.toml").write_text(CONFIG, encoding="utf-8")
        records = [
            {"title": "Editorial", "content_html": f"<p>Editorial number {n}: the council must act.</p>"}
            for n in range(args.records)
        ]

        def publish(hours: int, *, full: bool = False) -> float:
            (site / "opinion" / "editorials.json").write_text(json.dumps(records), encoding="utf-8")
            start = time.perf_counter()
            publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=hours), full=full)
            return time.perf_counter() - start

        cold = publish(0)
        full = publish(1, full=True)
        records[10] = {"title": "Editorial", "content_html": "<p>Edited.</p>"}
        records.insert(0, {"title": "Editorial", "content_html": "<p>A new one.</p>"})
        edited = publish(2)
    times = f"cold {cold:.1f} s, --full {full:.1f} s, insert+edit {edited:.1f} s"
    print(f"{args.records} records sharing a title: {times}")


if __name__ == "__main__":
    sys.exit(main())
