"""`[output] url = "s3://bucket/prefix"`: the output folder, mirrored to a real S3 server.

Every test publishes into its own bucket on moto's standalone server (a
real process on 127.0.0.1), and reads what readers would get: the objects
over HTTP, their headers, and the feeds parsed by feedparser.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import pytest
import requests
from s3server import TEST_KEY_ID, TEST_SECRET, S3Server
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.errors import UploadError
from syndicator.objectstore import Stamped, read_folder
from syndicator.pipeline import publish_run, retract_run
from syndicator.report import RunReport

PREFIX = "news/feeds"
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials as a site gives them: the standard environment variables, nothing else."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def point_at(site: Path, url: str, **settings: Any) -> None:
    """Add `[output] url` (and settings) to the site's configuration."""
    path = site / "syndicator.toml"
    lines = [f"url = {json.dumps(url)}"] + [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('directory = "out"\n', 'directory = "out"\n' + "\n".join(lines) + "\n", 1))


@pytest.fixture
def bucket_site(
    site: Path, s3_server: S3Server, aws_env: None, add_records: Callable[[str, Any], Path]
) -> Iterator[tuple[Path, str]]:
    """A site of seven articles in two categories, with small archive pages, publishing to a fresh bucket."""
    bucket = s3_server.new_bucket()
    point_at(site, f"s3://{bucket}/{PREFIX}", endpoint_url=s3_server.endpoint)
    text = (site / "syndicator.toml").read_text(encoding="utf-8")
    (site / "syndicator.toml").write_text(text.replace("items = 50", "items = 2\narchive_page_size = 2"))
    add_records("batch.json", [record(n) for n in range(1, 8)])
    yield site, bucket


def publish(site: Path, **kwargs: Any) -> RunReport:
    return publish_run(load_config(site / "syndicator.toml"), now=kwargs.pop("now", NOW), **kwargs)


def objects(server: S3Server, bucket: str) -> dict[str, dict[str, Any]]:
    """relative path → HEAD answer, for every object under the prefix."""
    client = server.client()
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX + "/"):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            found[key.removeprefix(PREFIX + "/")] = client.head_object(Bucket=bucket, Key=key)
    return found


def fetch(server: S3Server, bucket: str, relative: str) -> requests.Response:
    """What a reader gets over HTTP from the bucket (path-style, as behind a CDN)."""
    answer = requests.get(f"{server.endpoint}/{bucket}/{PREFIX}/{relative}", timeout=10)
    answer.raise_for_status()
    return answer


def test_feedparser_reads_the_published_feeds_over_http_from_the_bucket(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    report = publish(site)

    assert report.outcome == "ok"
    for name in ("rss.xml", "atom.xml", "feed.json"):
        answer = fetch(s3_server, bucket, name)
        assert answer.content == (site / "out" / name).read_bytes()
    assert (
        json.loads(fetch(s3_server, bucket, "feed.json").content)["items"][0]["title"] == "Article number 7"
    )
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(
            f"{s3_server.endpoint}/{bucket}/{PREFIX}/{name}", request_headers={"Cache-Control": "no-cache"}
        )
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.status == 200
        assert [e.title for e in parsed.entries][:1] == ["Article number 7"]
    # The archive a reader walks from the feed is in the bucket too.
    atom = feedparser.parse(fetch(s3_server, bucket, "atom.xml").content)
    prev_archive = next(link.href for link in atom.feed.links if link.rel == "prev-archive")
    page = prev_archive.removeprefix("https://gazette.example/feeds/")
    assert feedparser.parse(fetch(s3_server, bucket, page).content).entries


def test_every_file_in_the_folder_is_an_object_with_its_type_and_cache_headers(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    report = publish(site)

    stored = objects(s3_server, bucket)
    assert set(stored) == set(read_folder(site / "out"))
    assert sorted(report.objects_uploaded) == sorted(stored)
    assert report.upload_bytes == sum(p.stat().st_size for p in (site / "out").rglob("*") if p.is_file())
    types = {rel: head["ContentType"] for rel, head in stored.items()}
    assert types["rss.xml"] == "application/rss+xml; charset=utf-8"
    assert types["atom.xml"] == "application/atom+xml; charset=utf-8"
    assert types["feed.json"] == "application/feed+json; charset=utf-8"
    assert types["index.html"] == "text/html; charset=utf-8"
    assert types["feeds.opml"] == "text/x-opml; charset=utf-8"
    assert types["archive/1/atom.xml"] == "application/atom+xml; charset=utf-8"
    cache = {rel: head["CacheControl"] for rel, head in stored.items()}
    # Seven articles, pages of two: pages 1 and 2 are history; page 3 still
    # gains its next-archive link when page 4 fills, so it is cached briefly.
    # World holds four of them: its page 1 is history, its page 2 the newest.
    formats = ("rss.xml", "atom.xml", "feed.json")
    assert {rel for rel, value in cache.items() if value == YEAR_IMMUTABLE} == {
        *(f"archive/{n}/{name}" for n in (1, 2) for name in formats),
        *(f"categories/world/archive/1/{name}" for name in formats),
    }
    assert cache["categories/world/archive/2/rss.xml"] == SHORT
    assert cache["archive/3/rss.xml"] == SHORT
    assert cache["rss.xml"] == cache["categories/world/atom.xml"] == cache["index.html"] == SHORT
    assert all("ContentEncoding" not in head for head in stored.values())


def test_a_second_publish_with_no_change_uploads_nothing(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    publish(site)
    before = {rel: head["ETag"] for rel, head in objects(s3_server, bucket).items()}

    again = publish(site)

    assert again.objects_uploaded == () and again.upload_bytes == 0 and again.objects_deleted == ()
    assert {rel: head["ETag"] for rel, head in objects(s3_server, bucket).items()} == before


def test_one_new_article_uploads_only_the_objects_whose_bytes_changed(
    bucket_site: tuple[Path, str], s3_server: S3Server, add_records: Callable[[str, Any], Path]
) -> None:
    site, bucket = bucket_site
    publish(site)
    before = {rel: head["ETag"] for rel, head in objects(s3_server, bucket).items()}

    add_records("later.json", [record(8, category="World")])
    report = publish(site)

    after = {rel: head["ETag"] for rel, head in objects(s3_server, bucket).items()}
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert set(report.objects_uploaded) == changed
    assert set(report.objects_uploaded) == set(report.feeds_written)
    assert "rss.xml" in changed and "archive/1/rss.xml" not in changed
    # Half of the objects at most (19 of 38: no sole archive page is published).
    assert len(changed) <= len(after) / 2
    # What readers fetch is what the folder holds.
    for rel in changed:
        assert fetch(s3_server, bucket, rel).content == (site / "out" / rel).read_bytes()


def test_feeds_go_up_after_the_archive_pages_they_link_and_the_index_last(
    bucket_site: tuple[Path, str],
) -> None:
    site, _ = bucket_site
    order = publish(site).objects_uploaded

    def position(rel: str) -> int:
        return order.index(rel)

    last_archive = max(position(rel) for rel in order if rel.startswith("archive/"))
    assert last_archive < position("rss.xml") < position("rss.html") < position("index.html")
    assert order[-1] == "index.html"


def test_a_retracted_article_leaves_its_feeds_in_the_bucket_as_in_the_folder(
    bucket_site: tuple[Path, str], s3_server: S3Server, add_records: Callable[[str, Any], Path]
) -> None:
    site, bucket = bucket_site
    add_records("sport.json", [record(9, category="Sport", published="2024-02-29T10:00:00+01:00")])
    publish(site)
    assert b"Article number 9" in fetch(s3_server, bucket, "categories/sport/rss.xml").content
    items = json.loads((site / "out" / "feed.json").read_text(encoding="utf-8"))["items"]
    victim = next(item["id"] for item in items if item["title"] == "Article number 9")

    outcome = retract_run(load_config(site / "syndicator.toml"), victim, now=NOW)
    retracted, written = outcome.done, outcome.written

    assert retracted and "rss.xml" in written
    for rel in read_folder(site / "out"):
        assert fetch(s3_server, bucket, rel).content == (site / "out" / rel).read_bytes()
    assert b"Article number 9" not in fetch(s3_server, bucket, "rss.xml").content
    # Its category is emptied, in the bucket as in the folder: readers stop seeing it there.
    sport = feedparser.parse(fetch(s3_server, bucket, "categories/sport/rss.xml").content)
    assert not sport.bozo and sport.entries == []


def test_files_gone_from_the_folder_are_deleted_from_the_bucket_and_foreign_objects_stay(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    publish(site)
    s3_server.client().put_object(Bucket=bucket, Key=f"{PREFIX}/robots.txt", Body=b"User-agent: *\n")
    # The site stops offering JSON Feed and clears its files from the folder.
    text = (site / "syndicator.toml").read_text(encoding="utf-8")
    (site / "syndicator.toml").write_text(
        text.replace('directory = "out"\n', 'directory = "out"\nformats = ["rss", "atom"]\n')
    )
    for path in (site / "out").rglob("feed.*"):
        path.unlink()

    report = publish(site)

    stored = objects(s3_server, bucket)
    assert "feed.json" in report.objects_deleted and "archive/1/feed.json" in report.objects_deleted
    assert not any(rel.endswith(("feed.json", "feed.html")) for rel in stored)
    assert "robots.txt" in stored  # not a name syndicator writes: never deleted
    assert set(stored) - {"robots.txt"} == set(read_folder(site / "out"))


def test_a_pre_compressed_file_is_served_with_its_content_encoding(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    publish(site)
    plain = (site / "out" / "rss.xml").read_bytes()
    (site / "out" / "rss.xml.gz").write_bytes(gzip.compress(plain, mtime=0))

    publish(site)

    head = objects(s3_server, bucket)["rss.xml.gz"]
    assert head["ContentEncoding"] == "gzip"
    assert head["ContentType"] == "application/rss+xml; charset=utf-8"
    answer = fetch(s3_server, bucket, "rss.xml.gz")
    assert answer.headers["Content-Encoding"] == "gzip" and answer.content == plain  # decoded by requests


def test_the_endpoint_and_region_can_come_from_the_standard_environment(
    site: Path,
    s3_server: S3Server,
    aws_env: None,
    add_records: Callable[[str, Any], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = s3_server.new_bucket()
    point_at(site, f"s3://{bucket}/{PREFIX}/")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    add_records("one.json", [record(1)])

    report = publish(site)

    assert "rss.xml" in report.objects_uploaded
    assert fetch(s3_server, bucket, "rss.xml").content == (site / "out" / "rss.xml").read_bytes()


def test_a_failed_upload_is_a_failed_run_and_the_next_run_uploads_everything(
    bucket_site: tuple[Path, str], s3_server: S3Server
) -> None:
    site, bucket = bucket_site
    config = load_config(site / "syndicator.toml")
    assert config.object_storage is not None
    closed = replace(config.object_storage, endpoint_url=f"http://127.0.0.1:{_closed_port()}")

    with pytest.raises(UploadError):
        publish_run(replace(config, object_storage=closed), now=NOW)

    assert objects(s3_server, bucket) == {}
    report = publish(site)  # the same bytes again: nothing rewritten, everything uploaded
    assert report.feeds_written == ()
    assert set(report.objects_uploaded) == set(read_folder(site / "out"))
    with sqlite3.connect(site / "state" / "state.sqlite3") as db:
        outcomes = [row[0] for row in db.execute("SELECT outcome FROM runs ORDER BY id")]
    assert outcomes == ["failed", "ok"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _publish_cli(site: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "syndicator", "--config", str(site / "syndicator.toml"), "publish"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    return done, time.monotonic() - started


def _everything_kept(site: Path) -> str:
    """Every byte syndicator kept: the store's rows, the state folder's files, the output folder."""
    kept = []
    with sqlite3.connect(site / "state" / "state.sqlite3") as db:
        kept.extend("\n".join(map(str, row)) for row in db.iterdump())
    for path in sorted((site / "state").rglob("*")) + sorted((site / "out").rglob("*")):
        if path.is_file() and path.suffix != ".sqlite3":
            kept.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(kept)


def test_an_endpoint_that_never_answers_fails_within_the_upload_deadline_without_the_secret(
    site: Path, aws_env: None, add_records: Callable[[str, Any], Path]
) -> None:
    add_records("one.json", [record(1)])
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        point_at(site, "s3://quiet/feeds", endpoint_url=endpoint, upload_timeout=2)

        done, seconds = _publish_cli(site, {})

    assert done.returncode == 1
    assert seconds < 60  # the 2 s deadline, far below read_timeout x attempts (90 s)
    assert "output.upload_timeout = 2 s" in done.stderr and "s3://quiet/feeds/" in done.stderr
    assert TEST_SECRET not in done.stdout + done.stderr + _everything_kept(site)
    with sqlite3.connect(site / "state" / "state.sqlite3") as db:
        assert [row[0] for row in db.execute("SELECT outcome FROM runs")] == ["failed"]


def test_wrong_credentials_fail_with_the_servers_reason_and_no_secret_anywhere(
    site: Path, s3_auth_server: S3Server, add_records: Callable[[str, Any], Path], tmp_path: Path
) -> None:
    point_at(site, "s3://guarded/feeds", endpoint_url=s3_auth_server.endpoint)
    add_records("one.json", [record(1)])
    secret = "wrong-secret-" + "z" * 27
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDNOBODYKNOWS",
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }

    done, _ = _publish_cli(site, env)

    assert done.returncode == 1
    assert "InvalidAccessKeyId" in done.stderr, done.stderr
    assert "s3://guarded/feeds/" in done.stderr
    assert secret not in done.stdout + done.stderr + _everything_kept(site)


def test_credentials_from_the_shared_credentials_file(
    site: Path,
    s3_server: S3Server,
    add_records: Callable[[str, Any], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = s3_server.new_bucket()
    point_at(site, f"s3://{bucket}", endpoint_url=s3_server.endpoint, region="eu-west-3")
    add_records("one.json", [record(1)])
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {TEST_KEY_ID}\naws_secret_access_key = {TEST_SECRET}\n"
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    report = publish(site)

    assert "index.html" in report.objects_uploaded
    answer = requests.get(f"{s3_server.endpoint}/{bucket}/index.html", timeout=10)
    assert answer.content == (site / "out" / "index.html").read_bytes()


def test_the_local_folder_stays_the_default(site: Path, add_records: Callable[[str, Any], Path]) -> None:
    add_records("one.json", [record(1)])
    report = publish(site)
    assert load_config(site / "syndicator.toml").object_storage is None
    assert report.objects_uploaded == () and (site / "out" / "rss.xml").is_file()


def test_a_kept_digest_spares_reading_an_untouched_file_and_a_rewritten_one_is_read_again(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "out"
    (folder / "archive" / "1").mkdir(parents=True)
    (folder / "archive" / "1" / "rss.xml").write_bytes(b"<rss>old page</rss>")
    (folder / "rss.xml").write_bytes(b"<rss>one</rss>")
    (folder / ".rss.xml.tmp-123").write_bytes(b"half")
    first = read_folder(folder)
    assert set(first) == {"archive/1/rss.xml", "rss.xml"}  # never a temp file
    kept = {rel: Stamped(f.size, f.mtime_ns, "f" * 32) for rel, f in first.items()}  # marked digests

    os.utime(folder / "rss.xml", ns=(first["rss.xml"].mtime_ns + 10**9,) * 2)  # the writer rewrote it
    second = read_folder(folder, known=kept)

    assert second["archive/1/rss.xml"].md5 == "f" * 32  # untouched: taken from the kept digests
    assert second["rss.xml"].md5 == first["rss.xml"].md5  # rewritten: read again
