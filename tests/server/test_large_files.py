"""Feeds too large to hold in memory, and what a 304 costs.

A feed over the cache's per-file limit (16 MB) is streamed from disk and its
gzip encoding is made once per version, so memory stays bounded however many
readers poll it; a conditional request is answered from the validators kept
for each version, without opening the file.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tracemalloc
import zlib
from email.message import Message
from pathlib import Path

import pytest
from server_testlib import ServerFactory, fetch

from syndicator.server._files import FileCache

MB = 1024 * 1024


@pytest.fixture
def big_feed(feeds_dir: Path) -> Path:
    """A 32 MB RSS feed (twice the per-file memory limit)."""
    feed = feeds_dir / "big" / "rss.xml"
    feed.parent.mkdir()
    item = "<item><title>Item {0}</title><guid>https://example.org/{0}</guid></item>\n"
    with feed.open("w") as out:
        out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>\n')
        n = 0
        while out.tell() < 32 * MB:
            out.write("".join(item.format(n + i) for i in range(1000)))
            n += 1000
        out.write("</channel></rss>\n")
    return feed


def get_streamed(port: int, path: str, headers: dict[str, str]) -> tuple[int, Message, str]:
    """Status, headers and the blake2b of the decoded body, read in small blocks."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        gzipped = response.getheader("Content-Encoding") == "gzip"
        decoder = zlib.decompressobj(31) if gzipped else None
        digest = hashlib.blake2b()
        while block := response.read(64 * 1024):
            digest.update(decoder.decompress(block) if decoder else block)
        if decoder:
            digest.update(decoder.flush())
        return response.status, response.headers, digest.hexdigest()
    finally:
        connection.close()


def test_a_feed_larger_than_the_memory_limit_is_served_in_bounded_memory(
    big_feed: Path, feeds_dir: Path, start_server: ServerFactory
) -> None:
    expected = hashlib.blake2b(big_feed.read_bytes()).hexdigest()
    running = start_server(feeds_dir)
    tracemalloc.start()
    try:
        answers = [
            get_streamed(running.port, "/big/rss.xml", {"Accept-Encoding": coding})
            for coding in ("gzip", "identity") * 3
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for status, headers, digest in answers:
        assert status == 200
        assert digest == expected  # every answer, plain or gzip, is the whole file
        assert int(headers["Content-Length"]) > 0
    gzip_answers = [headers for _, headers, _ in answers if headers.get("Content-Encoding") == "gzip"]
    assert len(gzip_answers) == 3
    assert len({h["Content-Length"] for h in gzip_answers}) == 1
    assert len({h["ETag"] for h in gzip_answers}) == 1
    # Six answers of 32 MB each (server and client in this process): a few
    # blocks in flight, not one copy of the file.
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"


def test_a_large_feed_answers_304_to_its_etag_without_reading_it(
    big_feed: Path, feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir)
    etags = {
        coding: str(
            fetch(running, "/big/rss.xml", "HEAD", headers={"Accept-Encoding": coding})[0].getheader("ETag")
        )
        for coding in ("identity", "gzip")
    }
    tracemalloc.start()
    try:
        for _ in range(10):
            for coding, etag in etags.items():
                again, body = fetch(
                    running, "/big/rss.xml", headers={"Accept-Encoding": coding, "If-None-Match": etag}
                )
                assert again.status == 304, coding
                assert body == b""
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB"  # the 32 MB file was not read again


def test_a_replaced_large_feed_gets_a_new_gzip(
    big_feed: Path, feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir)
    _, before, old_digest = get_streamed(running.port, "/big/rss.xml", {"Accept-Encoding": "gzip"})
    temp = big_feed.with_name(".rss.xml.tmp-1")
    temp.write_bytes(big_feed.read_bytes().replace(b"<title>Big</title>", b"<title>Bigger</title>"))
    os.replace(temp, big_feed)
    _, after, new_digest = get_streamed(running.port, "/big/rss.xml", {"Accept-Encoding": "gzip"})
    assert new_digest == hashlib.blake2b(big_feed.read_bytes()).hexdigest() != old_digest
    assert after["ETag"] != before["ETag"]


def test_a_version_seen_before_is_validated_with_a_stat_alone(tmp_path: Path) -> None:
    """What a 304 costs: no read and no hash, for small and large files alike."""
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(b"<rss/>" * 10)
    large.write_bytes(b"<rss/>" * 100_000)
    cache = FileCache(max_file_bytes=1000)
    first = [cache.version(str(small)), cache.version(str(large))]
    assert cache.reads == 2
    for _ in range(100):
        assert [cache.version(str(small)), cache.version(str(large))] == first
    assert cache.reads == 2
    large.write_bytes(b"<rss/>" * 100_001)  # a new version is read once
    assert cache.version(str(large)) != first[1]
    assert cache.reads == 3


def test_a_large_file_is_compressed_once_per_version(tmp_path: Path) -> None:
    large = tmp_path / "large.xml"
    large.write_bytes(b"<item>text</item>\n" * 100_000)
    cache = FileCache(max_file_bytes=1000)
    spilled: set[tuple[int, int]] = set()
    for _ in range(6):
        body = cache.body(str(large), gzipped=True)
        assert body.data is None and body.stream is not None  # streamed, never held
        with body.stream as stream:
            info = os.fstat(stream.fileno())
            spilled.add((info.st_dev, info.st_ino))
            assert zlib.decompress(stream.read(), 31) == large.read_bytes()
    assert len(spilled) == 1


def test_small_files_keep_their_bytes_within_the_memory_budget(tmp_path: Path) -> None:
    cache = FileCache(max_bytes=10_000, max_file_bytes=4_000)
    paths = []
    for n in range(10):
        path = tmp_path / f"f{n}.xml"
        path.write_bytes(bytes([65 + n]) * 3_000)
        paths.append(str(path))
        assert cache.body(str(path), gzipped=False).data == path.read_bytes()
    reads = cache.reads
    # The three most recent fit in 10,000 bytes and are answered from memory.
    for path in paths[-3:]:
        assert cache.body(path, gzipped=False).data == Path(path).read_bytes()
    assert cache.reads == reads
    # An older one was let go and is read again.
    assert cache.body(paths[0], gzipped=False).data == Path(paths[0]).read_bytes()
    assert cache.reads == reads + 1
