"""`publish --source URL`: whatever the URL answers is recognised and published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.cli import cli
from syndicator.config import SourceConfig, load_config
from syndicator.errors import SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.sources import detect
from syndicator.sources.http import Response


def answer(body: bytes, content_type: str) -> Response:
    return Response("https://a.example/x", 200, content_type, None, body, None, None, (), ())


@pytest.mark.parametrize(
    ("fixture", "content_type", "kind"),
    [
        ("rss.xml", "application/rss+xml", "feed"),
        ("rss.xml", "text/xml", "feed"),
        ("atom.xml", "application/xml", "feed"),
        ("feed.json", "application/json", "feed"),
        ("sitemap.xml", "text/xml", "sitemap"),
        ("sitemap-index.xml", "application/xml", "sitemap"),
        ("wp-posts-1.json", "application/json", "json_api"),
        ("article-1.html", "text/html", "page"),
    ],
)
def test_each_kind_of_answer_is_recognised(fixture: str, content_type: str, kind: str) -> None:
    body = (Path(__file__).parent / "fixtures" / fixture).read_bytes()
    assert detect.recognise("u", answer(body, content_type)) == kind


def test_json_records_under_a_usual_key_are_an_api() -> None:
    assert detect.recognise("u", answer(b'{"articles": [{"title": "A"}]}', "application/json")) == "json_api"


@pytest.mark.parametrize(
    ("body", "content_type", "line"),
    [
        (b"\x89PNG\r\n", "image/png", "not a feed, sitemap, JSON API or HTML page: found image/png, 6 bytes"),
        (b'{"ok": true}', "application/json", "JSON that holds no list of records (keys ok)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "an XML document with root <svg>"),
        (b"<rss><channel>", "application/rss+xml", "malformed XML"),
    ],
)
def test_an_unrecognised_answer_is_one_line_saying_what_was_found(
    body: bytes, content_type: str, line: str
) -> None:
    with pytest.raises(SourceError) as e:
        detect.recognise("u", answer(body, content_type))
    assert e.value.message.startswith(line)
    assert "\n" not in str(e.value)


def read_url(url: str) -> list[RawRecord | Rejection]:
    source = SourceConfig(url, "url", {"url": url, "delay": 0})
    return [i for i in detect.read(source, detect.check(source)) if isinstance(i, (RawRecord, Rejection))]


def test_the_url_kind_hands_the_answer_to_the_recognised_reader(web: LocalWeb) -> None:
    web.fixture("/robots.txt", "robots.txt", "text/plain")
    for n in (1, 2):
        web.fixture(f"/news/story-{n}", f"article-{n}.html", "text/html")
    feed = web.fixture("/feed.json", "feed.json", "application/feed+json")
    sitemap = web.fixture("/sitemap.xml", "sitemap.xml", "application/xml")
    posts = web.fixture("/wp-json/wp/v2/posts", "wp-posts-2.json", "application/json")
    page = web.url("/news/story-1")
    assert {i.source_kind for i in read_url(feed) if isinstance(i, RawRecord)} == {"feed"}
    assert [i.kind for i in read_url(sitemap) if isinstance(i, RawRecord)] == ["html", "html"]
    [post] = read_url(posts)
    assert isinstance(post, RawRecord)
    assert post.payload["id"] == "https://blog.example/?p=40"  # read as WordPress
    [article] = read_url(page)
    assert isinstance(article, RawRecord)
    assert (article.kind, article.origin) == ("html", page)
    assert len(web.hits("/feed.json")) == 1  # detection does not fetch twice


def test_publish_source_url_needs_no_configuration_edit(web: LocalWeb, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    rss = web.fixture("/rss.xml", "rss.xml", "application/rss+xml")
    out = tmp_path / "oneoff"
    result = CliRunner().invoke(
        cli, ["publish", "--config", str(config), "--source", rss, "--output", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["added"] == 2
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert {i["url"] for i in items} == {
        "https://wire.example/2024/harbour-reopens",
        "https://wire.example/2024/markets-steady",
    }


def test_publish_source_url_reports_an_unrecognised_answer_in_one_line(web: LocalWeb, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    url = web.serve("/logo.png", Reply(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"))
    result = CliRunner().invoke(
        cli, ["publish", "--config", str(config), "--source", url, "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 6  # ExitStatus.SOURCE
    [line] = [ln for ln in result.output.splitlines() if ln.startswith("source failed:")]
    assert line == (
        f"source failed: {url}: {url}: not a feed, sitemap, JSON API or HTML page: found image/png, 8 bytes"
    )


def test_a_folder_is_still_a_directory_source(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path)).with_overrides(
        sources=(tmp_path / "articles", "https://a.example/")
    )
    assert [(s.kind, s.name) for s in config.sources] == [
        ("directory", str(tmp_path / "articles")),
        ("url", "https://a.example/"),
    ]
    assert config.sources[1].site_url == "https://gazette.example/"
