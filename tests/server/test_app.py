"""What a feed reader or a browser gets from the server, over real HTTP."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
import requests
from server_testlib import ServerFactory, fetch

from syndicator.server import RunningServer, media_type


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/categories/tech/rss.xml", "application/rss+xml; charset=utf-8"),
    ],
)
def test_each_file_is_served_whole_with_its_content_type(
    server: RunningServer, feeds_dir: Path, path: str, content_type: str
) -> None:
    response, body = fetch(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert body == (feeds_dir / path.lstrip("/")).read_bytes()
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("rss-2.xml", "application/rss+xml; charset=utf-8"),
        ("atom.2024-05.xml", "application/atom+xml; charset=utf-8"),
        ("feed_3.json", "application/feed+json; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("README", "application/octet-stream"),
    ],
)
def test_archive_page_names_keep_their_feed_type(name: str, content_type: str) -> None:
    assert media_type(name).content_type == content_type


def test_root_serves_the_index_page(server: RunningServer, feeds_dir: Path) -> None:
    response, body = fetch(server, "/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert body == (feeds_dir / "index.html").read_bytes()


def test_root_without_an_index_page_is_not_listed(feeds_dir: Path, start_server: ServerFactory) -> None:
    (feeds_dir / "index.html").unlink()
    response, body = fetch(start_server(feeds_dir), "/")
    assert response.status == 404
    assert b"rss.xml" not in body


def test_a_directory_is_never_listed(server: RunningServer) -> None:
    for path in ("/categories/", "/categories", "/categories/tech/", "/archive/2024/"):
        response, body = fetch(server, path)
        assert response.status == 404, path
        assert b"rss.xml" not in body


def test_a_directory_with_an_index_redirects_to_its_slash_then_serves_it(
    server: RunningServer, feeds_dir: Path
) -> None:
    (feeds_dir / "categories" / "tech" / "index.html").write_bytes(b"<h1>Tech</h1>")
    response, _ = fetch(server, "/categories/tech")
    assert response.status == 301
    assert response.getheader("Location") == "/categories/tech/"
    response, body = fetch(server, "/categories/tech/")
    assert response.status == 200
    assert body == b"<h1>Tech</h1>"


def test_a_file_asked_for_as_a_directory_is_not_found(server: RunningServer) -> None:
    response, _ = fetch(server, "/rss.xml/")
    assert response.status == 404


def test_feeds_advertise_their_hubs_and_self_url(feeds_dir: Path, start_server: ServerFactory) -> None:
    running = start_server(
        feeds_dir,
        hubs=("https://hub.example/", "https://pubsubhubbub.example/hub"),
        public_url="https://news.example/feeds/",
    )
    response, _ = fetch(running, "/categories/tech/rss.xml")
    links = [value for name, value in response.getheaders() if name == "Link"]
    assert links == [
        '<https://hub.example/>; rel="hub"',
        '<https://pubsubhubbub.example/hub>; rel="hub"',
        '<https://news.example/feeds/categories/tech/rss.xml>; rel="self"',
    ]
    response, _ = fetch(running, "/index.html")
    assert response.getheader("Link") is None


def test_a_hub_url_cannot_inject_a_header(feeds_dir: Path, start_server: ServerFactory) -> None:
    running = start_server(feeds_dir, hubs=("https://hub.example/\r\nX-Injected: yes",))
    response, _ = fetch(running, "/rss.xml")
    assert response.status == 200
    assert response.getheader("X-Injected") is None
    assert response.getheader("Link") == '<https://hub.example/%0D%0AX-Injected:%20yes>; rel="hub"'


def test_etag_is_strong_and_a_matching_if_none_match_gets_304(server: RunningServer) -> None:
    first, _ = fetch(server, "/rss.xml")
    etag = first.getheader("ETag")
    assert etag is not None and etag.startswith('"') and etag.endswith('"')
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again, body = fetch(server, "/rss.xml", headers={"If-None-Match": condition})
        assert again.status == 304, condition
        assert body == b""
        assert again.getheader("ETag") == etag
        assert again.getheader("Cache-Control") == "public, max-age=123"
        assert again.getheader("Vary") == "Accept, Sec-Fetch-Dest, Accept-Encoding"


def test_if_match_and_if_unmodified_since_that_fail_get_412(server: RunningServer, feeds_dir: Path) -> None:
    os.utime(feeds_dir / "rss.xml", (1_700_000_000, 1_700_000_000))
    first, body = fetch(server, "/rss.xml")
    etag = str(first.getheader("ETag"))
    for header, value, status in (
        ("If-Match", etag, 200),
        ("If-Match", "*", 200),
        ("If-Match", f'"other", {etag}', 200),
        ("If-Match", '"other"', 412),
        ("If-Match", f"W/{etag}", 412),  # If-Match compares strongly: a weak tag never passes
        ("If-Match", "not a list", 200),  # not a valid header: ignored
        ("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT", 200),
        ("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:19 GMT", 412),
        ("If-Unmodified-Since", "not a date", 200),
    ):
        response, answer = fetch(server, "/rss.xml", headers={header: value})
        assert response.status == status, (header, value)
        assert answer == (body if status == 200 else b"precondition failed\n")


def test_a_stale_etag_gets_the_new_file(server: RunningServer, feeds_dir: Path) -> None:
    first, _ = fetch(server, "/rss.xml")
    old_etag = first.getheader("ETag")
    (feeds_dir / "rss.xml").write_bytes(b"<rss version='2.0'><channel/></rss>")
    response, body = fetch(server, "/rss.xml", headers={"If-None-Match": str(old_etag)})
    assert response.status == 200
    assert body == b"<rss version='2.0'><channel/></rss>"
    assert response.getheader("ETag") != old_etag


def test_identical_bytes_rewritten_keep_their_etag(server: RunningServer, feeds_dir: Path) -> None:
    first, _ = fetch(server, "/rss.xml")
    feed = feeds_dir / "rss.xml"
    data = feed.read_bytes()
    feed.unlink()
    feed.write_bytes(data)
    response, _ = fetch(server, "/rss.xml", headers={"If-None-Match": str(first.getheader("ETag"))})
    assert response.status == 304


def test_if_modified_since_at_or_after_last_modified_gets_304(server: RunningServer, feeds_dir: Path) -> None:
    os.utime(feeds_dir / "rss.xml", (1_700_000_000, 1_700_000_000))
    first, _ = fetch(server, "/rss.xml")
    assert first.getheader("Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT"
    for since in ("Tue, 14 Nov 2023 22:13:20 GMT", "Wed, 15 Nov 2023 00:00:00 GMT"):
        response, body = fetch(server, "/rss.xml", headers={"If-Modified-Since": since})
        assert response.status == 304, since
        assert body == b""
    for since in ("Tue, 14 Nov 2023 22:13:19 GMT", "not a date"):
        response, _ = fetch(server, "/rss.xml", headers={"If-Modified-Since": since})
        assert response.status == 200, since


def test_if_none_match_takes_precedence_over_if_modified_since(server: RunningServer) -> None:
    headers = {
        "If-None-Match": '"not-the-etag"',
        "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT",
    }
    response, _ = fetch(server, "/rss.xml", headers=headers)
    assert response.status == 200


def test_head_sends_the_get_headers_without_a_body(server: RunningServer) -> None:
    for accept in ("identity", "gzip"):
        get, get_body = fetch(server, "/rss.xml", headers={"Accept-Encoding": accept})
        head, head_body = fetch(server, "/rss.xml", "HEAD", headers={"Accept-Encoding": accept})
        assert head.status == 200
        assert head_body == b""
        assert get_body != b""
        for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Content-Encoding"):
            assert head.getheader(name) == get.getheader(name), name
        assert head.getheader("Content-Length") == str(len(get_body))


def test_gzip_is_served_when_accepted_and_decompresses_to_the_file(
    server: RunningServer, feeds_dir: Path
) -> None:
    plain, plain_body = fetch(server, "/rss.xml", headers={"Accept-Encoding": "identity"})
    response, body = fetch(server, "/rss.xml", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept, Sec-Fetch-Dest, Accept-Encoding"
    assert response.getheader("Content-Length") == str(len(body))
    assert gzip.decompress(body) == (feeds_dir / "rss.xml").read_bytes() == plain_body
    assert len(body) < len(plain_body)
    assert response.getheader("ETag") == str(plain.getheader("ETag"))[:-1] + '-gz"'
    assert plain.getheader("Content-Encoding") is None
    assert plain.getheader("Vary") == "Accept, Sec-Fetch-Dest, Accept-Encoding"


def test_gzip_bytes_are_the_same_on_every_request(server: RunningServer, feeds_dir: Path) -> None:
    _, first = fetch(server, "/rss.xml", headers={"Accept-Encoding": "gzip"})
    os.utime(feeds_dir / "rss.xml", (1_800_000_000, 1_800_000_000))  # a new version, same bytes
    _, second = fetch(server, "/rss.xml", headers={"Accept-Encoding": "gzip"})
    assert first == second


def test_the_gzip_etag_gets_304_only_with_gzip(server: RunningServer) -> None:
    zipped, _ = fetch(server, "/rss.xml", headers={"Accept-Encoding": "gzip"})
    etag = str(zipped.getheader("ETag"))
    again, _ = fetch(server, "/rss.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304
    plain, _ = fetch(server, "/rss.xml", headers={"If-None-Match": etag})
    assert plain.status == 200
    assert plain.getheader("Content-Encoding") is None


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("br, *", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, br", False),
        ("identity", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_follows_accept_encoding_q_values(
    server: RunningServer, accept_encoding: str, gzipped: bool
) -> None:
    response, _ = fetch(server, "/rss.xml", headers={"Accept-Encoding": accept_encoding})
    assert (response.getheader("Content-Encoding") == "gzip") is gzipped


def test_requests_reads_the_gzipped_feed_transparently(server: RunningServer, feeds_dir: Path) -> None:
    response = requests.get(server.url + "/rss.xml", timeout=10)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.content == (feeds_dir / "rss.xml").read_bytes()


def test_feeds_are_cached_for_the_configured_time(server: RunningServer) -> None:
    for path in ("/rss.xml", "/categories/tech/rss.xml", "/index.html"):
        response, _ = fetch(server, path)
        assert response.getheader("Cache-Control") == "public, max-age=123", path


def test_archive_pages_are_cached_for_a_year(server: RunningServer) -> None:
    response, _ = fetch(server, "/archive/2024/rss.xml")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_methods_other_than_get_and_head_are_not_allowed(server: RunningServer, method: str) -> None:
    response, _ = fetch(server, "/rss.xml", method)
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"


def test_a_large_request_body_is_refused_before_it_is_read(server: RunningServer) -> None:
    response = requests.post(server.url + "/rss.xml", data=b"x" * (1024 * 1024), timeout=10)
    assert response.status_code == 413
    assert fetch(server, "/rss.xml")[0].status == 200


def test_healthz_answers_ok(server: RunningServer) -> None:
    response, body = fetch(server, "/healthz")
    assert response.status == 200
    assert body.strip() == b"ok"


def test_status_sends_the_callbacks_report_as_json(feeds_dir: Path, start_server: ServerFactory) -> None:
    reports = iter([{"runs": 1, "last_error": None}, {"runs": 2, "last_error": "disk full"}])
    running = start_server(feeds_dir, status=lambda: next(reports))
    first, body = fetch(running, "/status")
    assert first.status == 200
    assert first.getheader("Content-Type") == "application/json; charset=utf-8"
    assert json.loads(body) == {"runs": 1, "last_error": None}
    _, body = fetch(running, "/status")
    assert json.loads(body) == {"runs": 2, "last_error": "disk full"}


def test_status_is_not_found_without_a_callback(server: RunningServer) -> None:
    response, _ = fetch(server, "/status")
    assert response.status == 404


def test_a_missing_output_directory_is_not_found_and_not_healthy(
    tmp_path: Path, start_server: ServerFactory
) -> None:
    """A health check must not send readers to a server that can only answer 404."""
    running = start_server(tmp_path / "not-yet-published")
    assert fetch(running, "/rss.xml")[0].status == 404
    assert fetch(running, "/")[0].status == 404
    health, body = fetch(running, "/healthz")
    assert health.status == 503
    assert body == b"output folder missing\n"
    assert b"not-yet-published" not in body


def test_healthz_turns_ok_once_the_output_folder_appears(tmp_path: Path, start_server: ServerFactory) -> None:
    running = start_server(tmp_path / "out")
    assert fetch(running, "/healthz")[0].status == 503
    (tmp_path / "out").mkdir()
    assert fetch(running, "/healthz")[0].status == 200


def test_if_modified_since_in_the_future_is_ignored(server: RunningServer) -> None:
    """RFC 7232 §3.3: a date later than the server's clock is invalid, so the
    feed is sent in full rather than pinning an old copy in a cache."""
    for since in ("Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 2100 00:00:00 GMT"):
        response, body = fetch(server, "/rss.xml", headers={"If-Modified-Since": since})
        assert response.status == 200, since
        assert body.startswith(b"<?xml")


@pytest.mark.parametrize("path", ["/", "/index.html"])
def test_html_pages_carry_a_content_security_policy_that_allows_no_script(
    server: RunningServer, path: str
) -> None:
    response, _ = fetch(server, path)
    assert response.status == 200
    policy = response.getheader("Content-Security-Policy")
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"  # no script, image, frame, font or fetch
    assert directives["style-src"] == "'unsafe-inline'"  # the pages style themselves inline
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "script-src" not in directives


def test_the_readable_view_of_a_feed_carries_the_policy_and_the_feed_does_not_need_it(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    (feeds_dir / "rss.html").write_bytes(b"<!doctype html><title>Home</title><style>p{}</style>\n")
    running = start_server(feeds_dir)
    browser = {"Sec-Fetch-Dest": "document", "Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"}
    view, body = fetch(running, "/rss.xml", headers=browser)
    assert body.startswith(b"<!doctype html>")
    assert "default-src 'none'" in str(view.getheader("Content-Security-Policy"))
    feed, body = fetch(running, "/rss.xml")
    assert body.startswith(b"<?xml")
    assert feed.getheader("Content-Security-Policy") is None
