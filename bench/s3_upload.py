"""Upload volume and time to an S3-compatible server: a cold publish of N
generated records, a run with nothing new, a run with one new record.

    python bench/s3_upload.py --records 3000

Each run is a `syndicator publish --json` child process with `[output] url`
pointing at moto's standalone server (`python -m moto.server`, started here
on 127.0.0.1 at a free port and stopped afterwards); credentials come from
the standard AWS environment variables, as on a real site. The figures are
the run report's: objects and bytes uploaded, the upload stage's seconds,
the render stage's, and the child's wall time and peak RSS; beside them the
local folder's file count and size. Results go to bench/results/s3-upload.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import generate
import measure

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIDBENCH",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_server() -> Iterator[str]:
    with tempfile.NamedTemporaryFile(prefix="bench-moto-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(rb"Running on (http://127\.0\.0\.1:\d+)", Path(log.name).read_bytes())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(Path(log.name).read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        yield found[1].decode()
    finally:
        process.terminate()
        process.wait(timeout=30)
        Path(log.name).unlink(missing_ok=True)


def write_config(site: Path, source: Path, endpoint: str) -> Path:
    site.mkdir(parents=True)
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
url = "s3://bench/feeds"
endpoint_url = "{endpoint}"

[state]
directory = "{site / "state"}"

[normalize]
taxonomy = "{REPO / "config" / "taxonomy.toml"}"
""",
        encoding="utf-8",
    )
    return path


def publish(config: Path) -> dict[str, Any]:
    child = measure.run_child(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(config), "--json"],
        env={**os.environ, **CREDENTIALS},
    )
    if child.returncode not in (0, 4):
        raise RuntimeError(f"publish failed ({child.returncode}):\n{child.stderr[-3000:]}")
    report = json.loads(child.stdout)
    folder = config.parent / "feeds"
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {
        "wall_s": round(child.wall, 2),
        "peak_rss_mb": round(child.peak_rss_mb),
        "added": report["added"],
        "objects_uploaded": len(report["uploaded"]["objects"]),
        "bytes_uploaded": report["uploaded"]["bytes"],
        "objects_deleted": len(report["uploaded"]["deleted"]),
        "upload_s": round(report["timings"].get("upload", 0.0), 2),
        "render_s": round(report["timings"].get("render", 0.0), 2),
        "folder_files": len(files),
        "folder_bytes": sum(p.stat().st_size for p in files),
    }


def run(records: int, work: Path, endpoint: str) -> dict[str, Any]:
    dataset = work / f"data-{records}"
    if not dataset.exists():
        generate.generate(dataset, records)
    source, site = work / "src", work / "site"
    for path in (source, site):
        shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["cp", "-al", str(dataset), str(source)], check=True)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
    client.create_bucket(Bucket="bench")
    config = write_config(site, source, endpoint)
    results: dict[str, Any] = {"cold": publish(config), "no_change": publish(config)}
    rec = next(generate.new_records(5_000_000, 1))
    (source / "new-000.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    results["one_new"] = publish(config)
    listed = client.get_paginator("list_objects_v2").paginate(Bucket="bench", Prefix="feeds/")
    results["bucket_objects"] = sum(len(page.get("Contents", [])) for page in listed)
    for scenario in ("cold", "no_change", "one_new"):
        print(scenario, json.dumps(results[scenario]), file=sys.stderr, flush=True)
    return results


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def table(records: int, results: dict[str, Any]) -> str:
    lines = [
        f"Upload to an S3-compatible server (moto.server on 127.0.0.1), {records:,} generated records"
        f" (`python bench/s3_upload.py --records {records}`)",
        "",
        "| scenario | objects uploaded | bytes uploaded | upload stage | render stage | wall"
        " | peak RSS | folder |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scenario in ("cold", "no_change", "one_new"):
        r = results[scenario]
        lines.append(
            f"| {scenario.replace('_', ' ')} | {r['objects_uploaded']:,} | {r['bytes_uploaded']:,}"
            f" | {r['upload_s']:.2f} s | {r['render_s']:.2f} s | {r['wall_s']:.2f} s | {r['peak_rss_mb']} MB"
            f" | {r['folder_files']:,} files, {r['folder_bytes']:,} bytes |"
        )
    lines += [
        "",
        f"The bucket holds {results['bucket_objects']:,} objects afterwards, one per file of the folder.",
        "The no-change and one-new runs still list the bucket (one request per 1,000 objects) and"
        " read only the files the writer rewrote (digests of untouched files are kept).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--work", type=Path, default=BENCH / "results" / "tmp" / "s3-upload")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    with moto_server() as endpoint:
        results = run(args.records, args.work, endpoint)
    out = BENCH / "results"
    (out / "s3-upload.json").write_text(json.dumps({str(args.records): results}, indent=2) + "\n")
    text = table(args.records, results)
    (out / "s3-upload.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
