"""total_timeout is a deadline: a server that trickles or never ends is cut off there.

The hostile server sends a byte well within every read timeout, so only an
enforced total deadline ends these fetches; each wait is checked against
the configured deadline plus a generous margin.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitekit import write_config
from webkit import HostileWeb, LocalWeb

from syndicator.config import SourceConfig
from syndicator.sources.http import Fetcher, FetchError, check_http

TOTAL = 2.0
MARGIN = 6.0  # generous: the point is "bounded", not "fast"


@pytest.mark.parametrize("path", ["/trickle-headers", "/trickle-body", "/endless"])
def test_a_trickling_or_endless_server_is_cut_off_at_total_timeout(hostile: HostileWeb, path: str) -> None:
    cut_off_in_time(hostile.url(path))


@pytest.mark.parametrize("path", ["/trickle-headers", "/trickle-body", "/endless"])
def test_a_trickling_server_over_tls_is_cut_off_too(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))
    server = HostileWeb(tls=certificate)
    try:
        cut_off_in_time(server.url(path))
    finally:
        server.close()


def cut_off_in_time(url: str) -> None:
    source = SourceConfig("wire", "feed", {"url": url, "timeout": [2, 5], "total_timeout": TOTAL})
    options = check_http(source, ("url",), "feed")
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options, accept="*/*")
    assert time.monotonic() - started < TOTAL + MARGIN
    assert e.value.reason == "response not complete within total_timeout = 2s"


def test_retries_never_outlast_total_timeout(web: LocalWeb) -> None:
    from webkit import Reply

    url = web.serve("/busy", Reply(503, b"", headers={"Retry-After": "3"}))
    source = SourceConfig("wire", "feed", {"url": url, "total_timeout": 2, "retries": 5, "delay": 0})
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, check_http(source, ("url",), "feed"), accept="*/*")
    assert e.value.reason == ("HTTP 503 Service Unavailable; no time left to retry within total_timeout = 2s")
    assert len(web.hits("/busy")) == 1


def test_publish_ends_within_its_deadlines_and_the_good_source_publishes(
    hostile: HostileWeb, web: LocalWeb, tmp_path: Path
) -> None:
    good = web.fixture("/rss.xml", "rss.xml", "application/rss+xml")
    slow = {"headers": "/trickle-headers", "body": "/trickle-body", "endless": "/endless"}
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nkind = "feed"\nurl = "{hostile.url(path)}"\n'
        f"delay = 0\ntimeout = [2, 5]\ntotal_timeout = {TOTAL}\n\n"
        for name, path in slow.items()
    )
    sources += f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{good}"\ndelay = 0\n'
    config = write_config(tmp_path, sources=sources)
    started = time.monotonic()
    publish = subprocess.Popen(
        [sys.executable, "-m", "syndicator", "publish", "--config", str(config), "--json"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = publish.communicate(timeout=len(slow) * TOTAL + 2 * MARGIN)
    finally:
        publish.kill()  # only when the deadline was not kept: the test has failed by then
    assert time.monotonic() - started < len(slow) * TOTAL + 2 * MARGIN
    report = json.loads(out)
    assert report["source_errors"] == [
        f"{name}: {hostile.url(path)}: response not complete within total_timeout = 2s"
        for name, path in slow.items()
    ]
    feed = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == 2  # the good source published
