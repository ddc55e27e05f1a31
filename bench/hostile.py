"""Bounds under hostile input: the figures behind total_timeout and the size limits.

    .venv/bin/python bench/hostile.py trickle   # 3 trickling/endless upstreams, total_timeout = 10
    .venv/bin/python bench/hostile.py items     # one upstream feed of 100,000 entries
    .venv/bin/python bench/hostile.py big       # a 50 MB .txt and a 50 MB .json record

Each publishes once in a subprocess (under /usr/bin/time -v for the peak
memory) against real servers on 127.0.0.1 and prints one line of figures.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "sources")]

from sitekit import record, write_config  # noqa: E402
from webkit import HostileWeb, LocalWeb, Reply  # noqa: E402


def rss(count: int) -> bytes:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>https://wire.example/{n}</guid><title>Wire story {n}</title>"
        f"<link>https://wire.example/{n}</link><description>Story {n}.</description>"
        f"<pubDate>{(start + timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n in range(count)
    )
    channel = f"<channel><title>Wire</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def publish(site: Path) -> tuple[float, str, subprocess.CompletedProcess[str]]:
    command = [
        sys.executable,
        "-m",
        "syndicator",
        "publish",
        "--config",
        str(site / "syndicator.toml"),
        "--json",
    ]
    if shutil.which("time") or Path("/usr/bin/time").exists():
        command = ["/usr/bin/time", "-v", *command]
    started = time.monotonic()
    done = subprocess.run(command, cwd=site, capture_output=True, text=True)
    wall = time.monotonic() - started
    peak = next(
        (line.split(":")[1].strip() for line in done.stderr.splitlines() if "Maximum resident" in line), "?"
    )
    return wall, peak, done


def main(which: str) -> None:
    site = Path(tempfile.mkdtemp(prefix=f"syndicator-{which}-"))
    if which == "trickle":
        hostile, web = HostileWeb(every=2.0), LocalWeb()
        good = web.fixture("/rss.xml", "rss.xml", "application/rss+xml")
        sources = "".join(
            f'[[sources]]\nname = "{path.strip("/")}"\nkind = "feed"\nurl = "{hostile.url(path)}"\n'
            "total_timeout = 10\n\n"
            for path in ("/trickle-headers", "/trickle-body", "/endless")
        )
        write_config(site, sources=sources + f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{good}"\n')
        wall, peak, done = publish(site)
        report = json.loads(done.stdout)
        print(f"trickle: {wall:.1f}s for 3 hostile sources at total_timeout = 10; added {report['added']};")
        print("  " + "\n  ".join(report["source_errors"]))
    elif which == "items":
        web = LocalWeb()
        url = web.serve("/rss.xml", Reply(body=rss(100_000), content_type="application/rss+xml"))
        write_config(
            site, sources=f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{url}"\nmax_bytes = 200000000\n'
        )
        wall, peak, done = publish(site)
        report = json.loads(done.stdout)
        read, added = report["records_read"], report["added"]
        print(f"100,000-entry feed: {wall:.1f}s, peak {peak} kB, read {read}, added {added}")
    elif which == "big":
        write_config(site)
        text = "A long dispatch.\n\n" + "The water rose again today. " * 1_900_000
        (site / "articles" / "big.txt").write_text(text, encoding="utf-8")
        body = "<p>" + "Again and again. " * 3_000_000 + "</p>"
        (site / "articles" / "big.json").write_text(
            json.dumps(record(1, content_html=body)), encoding="utf-8"
        )
        wall, peak, done = publish(site)
        size = (site / "out" / "feed.json").stat().st_size
        print(f"50 MB .txt + 50 MB .json: {wall:.1f}s, peak {peak} kB, feed.json {size} bytes")
    else:
        raise SystemExit("usage: bench/hostile.py trickle|items|big")
    shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
