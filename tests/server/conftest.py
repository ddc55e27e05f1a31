"""A real output directory and a real waitress server on 127.0.0.1 for the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from server_testlib import SECRET, ServerFactory

from syndicator.server import RunningServer, ServerSettings, StatusCallback, start_in_thread


def _rss(title: str, items: int) -> bytes:
    entries = "".join(
        f"<item><title>{title} {n} \u2014 caf\u00e9</title>"
        f"<link>https://example.org/{n}</link><guid>https://example.org/{n}</guid>"
        f"<description>&lt;p&gt;Paragraph {n} of {title}.&lt;/p&gt;</description></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>"
        f"<description>{title}</description>{entries}</channel></rss>\n"
    ).encode()


@pytest.fixture
def feeds_dir(tmp_path: Path) -> Path:
    """An output directory shaped like a publish run's, with a secret beside it."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    out = tmp_path / "out"
    (out / "categories" / "tech").mkdir(parents=True)
    (out / "archive" / "2024").mkdir(parents=True)
    (out / "rss.xml").write_bytes(_rss("Home", 30))
    (out / "atom.xml").write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Home</title></feed>\n'
    )
    (out / "feed.json").write_bytes(
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Home", "items": []}\n'
    )
    (out / "index.html").write_bytes(b"<!doctype html><title>Feeds</title><h1>Feeds</h1>\n")
    (out / "feeds.opml").write_bytes(b'<?xml version="1.0"?><opml version="2.0"></opml>\n')
    (out / "categories" / "tech" / "rss.xml").write_bytes(_rss("Tech", 5))
    (out / "archive" / "2024" / "rss.xml").write_bytes(_rss("Archive 2024", 5))
    (out / ".rss.xml.tmp-3f2a").write_bytes(SECRET)
    return out


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    """Starts servers (settings overridable by keyword) and closes them afterwards."""
    started: list[RunningServer] = []

    def start(directory: Path, *, status: StatusCallback | None = None, **overrides: Any) -> RunningServer:
        settings = replace(ServerSettings(directory=directory, port=0), **overrides)
        running = start_in_thread(settings, status=status)
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


@pytest.fixture
def server(feeds_dir: Path, start_server: ServerFactory) -> RunningServer:
    return start_server(feeds_dir, max_age_seconds=123)
