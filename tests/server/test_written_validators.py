"""A 304 for a file a publish has just written costs no read and no hash: the
writer records each file's ETag beside it, and the server answers from that."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from server_testlib import ServerFactory, fetch
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.server._files import FileCache
from syndicator.write import VALIDATORS_NAME, etag_of


def test_the_first_conditional_request_after_a_publish_needs_no_read_and_no_hash(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    out = os.path.realpath(site / "out")
    cache = FileCache()
    cache.written_validators(out, str(site / "state" / VALIDATORS_NAME))
    feed = os.path.join(out, "rss.xml")
    with open(feed, "rb") as handle:
        expected = etag_of(handle.read())
    assert cache.version(feed).etag == expected
    assert (cache.reads, cache.hashes) == (0, 0)

    # A new article: the feed is a new version, its ETag comes from the new record.
    add_records("b.json", [record(3)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW + timedelta(hours=1))
    with open(feed, "rb") as handle:
        newer = etag_of(handle.read())
    assert newer != expected and cache.version(feed).etag == newer
    assert (cache.reads, cache.hashes) == (0, 0)


def test_a_file_changed_by_hand_is_hashed_not_trusted_to_the_record(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    out = os.path.realpath(site / "out")
    feed = Path(out) / "atom.xml"
    feed.write_bytes(feed.read_bytes().replace(b"Article number 1", b"Edited by hand"))
    cache = FileCache()
    cache.written_validators(out, str(site / "state" / VALIDATORS_NAME))
    assert cache.version(str(feed)).etag == etag_of(feed.read_bytes())
    assert cache.hashes == 1


def test_serve_answers_304_to_the_etag_the_writer_recorded(
    site: Path, add_records: Callable[..., Path], start_server: ServerFactory
) -> None:
    add_records("a.json", [record(1)])
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    etag = etag_of((site / "out" / "feed.json").read_bytes())
    running = start_server(site / "out", validators=site / "state" / VALIDATORS_NAME)
    response, body = fetch(running, "/feed.json", headers={"If-None-Match": etag})
    assert response.status == 304 and response.headers["ETag"] == etag and body == b""
