"""The upload plan's rulebook: what goes to the bucket, in which order, with which headers.

Pure: digests in, puts and deletes out; no bucket, no files.
"""

from __future__ import annotations

import hashlib

import pytest

from syndicator.config import load_config
from syndicator.errors import ConfigError
from syndicator.objectstore import plan_upload
from syndicator.objectstore._plan import LocalFile


def files(*names: str) -> dict[str, LocalFile]:
    return {name: LocalFile(size=len(name), md5=hashlib.md5(name.encode()).hexdigest()) for name in names}


SITE = files(
    "rss.xml",
    "rss.html",
    "archive/1/rss.xml",
    "archive/2/rss.xml",
    "categories/world/rss.xml",
    "categories/world/archive/1/rss.xml",
    "feeds.opml",
    "index.html",
)


def test_an_empty_bucket_gets_archives_then_feeds_then_pages_and_the_index_last() -> None:
    plan = plan_upload(SITE, {}, may_delete=True)
    assert [p.relative for p in plan.puts] == [
        "archive/2/rss.xml",
        "archive/1/rss.xml",
        "categories/world/archive/1/rss.xml",
        "categories/world/rss.xml",
        "rss.xml",
        "rss.html",
        "feeds.opml",
        "index.html",
    ]
    assert plan.deletes == () and plan.unchanged == 0


def test_an_object_whose_etag_is_the_files_md5_is_not_uploaded_again() -> None:
    remote = {rel: f'"{f.md5}"' for rel, f in SITE.items()}
    remote["rss.xml"] = '"0123456789abcdef0123456789abcdef"'
    plan = plan_upload(SITE, remote, may_delete=True)
    assert [p.relative for p in plan.puts] == ["rss.xml"]
    assert plan.unchanged == len(SITE) - 1


def test_older_archive_pages_are_immutable_for_a_year_and_the_newest_is_cached_like_a_feed() -> None:
    cache = {p.relative: p.cache_control for p in plan_upload(SITE, {}, may_delete=True).puts}
    assert cache["archive/1/rss.xml"] == "public, max-age=31536000, immutable"
    assert cache["archive/2/rss.xml"] == "public, max-age=300"
    assert cache["categories/world/archive/1/rss.xml"] == "public, max-age=300"  # its only page
    assert cache["rss.xml"] == cache["index.html"] == cache["feeds.opml"] == "public, max-age=300"


def test_a_pre_compressed_variant_names_its_encoding_and_keeps_its_media_type() -> None:
    (put,) = plan_upload(files("atom.xml.gz"), {}, may_delete=True).puts
    assert put.content_encoding == "gzip"
    assert put.content_type == "application/atom+xml; charset=utf-8"
    (brotli,) = plan_upload(files("index.html.br"), {}, may_delete=True).puts
    assert (brotli.content_encoding, brotli.content_type) == ("br", "text/html; charset=utf-8")


def test_only_objects_with_names_syndicator_writes_are_deleted_and_only_from_a_whole_folder() -> None:
    remote = {rel: "x" for rel in (*SITE, "old/feed.json", "robots.txt", "images/logo.png", "atom.html")}
    whole = plan_upload(SITE, remote, may_delete=True)
    assert whole.deletes == ("atom.html", "old/feed.json")  # what links first: the view, then the feed
    assert plan_upload(SITE, remote, may_delete=False).deletes == ()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('url = "https://bucket.example/feeds"', "must be s3://bucket or s3://bucket/prefix"),
        ('url = "s3://"', "must be s3://bucket"),
        ('endpoint_url = "http://127.0.0.1:9000"', 'set output.url = "s3://bucket/prefix"'),
        ('url = "s3://b/p"\nupload_timeout = 0', "output.upload_timeout"),
        ('url = "s3://b/p"\nendpoint_url = "minio:9000"', "output.endpoint_url"),
    ],
)
def test_object_storage_settings_are_checked_and_named(site, setting: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = site / "syndicator.toml"
    path.write_text(path.read_text().replace('directory = "out"\n', f'directory = "out"\n{setting}\n'))
    with pytest.raises(ConfigError, match="output") as caught:
        load_config(path)
    assert message in str(caught.value)


def test_the_url_names_bucket_and_prefix(site) -> None:  # type: ignore[no-untyped-def]
    path = site / "syndicator.toml"
    path.write_text(
        path.read_text().replace('directory = "out"\n', 'directory = "out"\nurl = "s3://news/feeds/en/"\n')
    )
    storage = load_config(path).object_storage
    assert storage is not None
    assert (storage.bucket, storage.prefix, storage.url) == ("news", "feeds/en/", "s3://news/feeds/en/")
    assert storage.upload_timeout == 300.0 and storage.endpoint_url is None
