"""The fetcher: polite, bounded, conditional, and every failure one readable reason."""

from __future__ import annotations

import gzip
import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, write_config
from webkit import LocalWeb, Reply

from syndicator import __version__
from syndicator.config import SourceConfig, load_config
from syndicator.errors import ConfigError
from syndicator.pipeline import publish_run
from syndicator.sources.http import (
    Fetcher,
    FetchError,
    HttpOptions,
    check_http,
    public_url,
    remember,
    retry_after,
)
from syndicator.sources.memory import SourceMemory, learn


def options(url: str = "http://127.0.0.1/", **keys: Any) -> HttpOptions:
    """Small timeouts and no pauses, so failing cases fail fast."""
    keys = {"timeout": [2, 2], "delay": 0, "retry_after_max": 5, **keys}
    source = SourceConfig("wire", "feed", {"url": url, **keys}, site_url="https://gazette.example/")
    return check_http(source, ("url",), "feed")


def test_user_agent_names_syndicator_its_version_and_the_site(web: LocalWeb) -> None:
    url = web.serve("/a", Reply(body=b"ok"))
    Fetcher().get_fresh(url, options(url), accept="*/*")
    [seen] = web.hits("/a")
    assert seen.headers["user-agent"] == f"syndicator/{__version__} (+https://gazette.example/)"
    assert seen.headers["accept"] == "*/*"


def test_user_agent_comes_from_the_configuration_when_set(web: LocalWeb) -> None:
    url = web.serve("/a", Reply(body=b"ok"))
    Fetcher().get_fresh(url, options(url, user_agent="GazetteBot/2 (+https://g.example/bot)"), accept="*/*")
    assert web.hits("/a")[0].headers["user-agent"] == "GazetteBot/2 (+https://g.example/bot)"


@pytest.mark.parametrize("status", [503, 429])
def test_retries_after_the_time_retry_after_asks(web: LocalWeb, status: int) -> None:
    url = web.serve(
        "/busy",
        Reply(status, b"busy", headers={"Retry-After": "1"}),
        Reply(body=b"finally", content_type="text/plain"),
    )
    response = Fetcher().get_fresh(url, options(url), accept="*/*")
    assert response.body == b"finally"
    assert len(web.hits("/busy")) == 2


def test_a_retry_after_longer_than_the_cap_is_respected_by_giving_up(web: LocalWeb) -> None:
    url = web.serve("/later", Reply(503, headers={"Retry-After": "3600"}), Reply(body=b"never asked"))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url), accept="*/*")
    assert "503 Service Unavailable" in e.value.reason
    assert "retry after 3600s" in e.value.reason
    assert len(web.hits("/later")) == 1


def test_a_server_error_that_persists_fails_after_the_configured_retries(web: LocalWeb) -> None:
    url = web.serve("/down", Reply(502, b"bad gateway"))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, retries=2), accept="*/*")
    assert e.value.reason == "HTTP 502 Bad Gateway after 3 attempts"
    assert len(web.hits("/down")) == 3


def test_a_client_error_is_not_retried(web: LocalWeb) -> None:
    url = web.serve("/gone", Reply(410, b"gone"))
    with pytest.raises(FetchError, match="HTTP 410 Gone"):
        Fetcher().get_fresh(url, options(url), accept="*/*")
    assert len(web.hits("/gone")) == 1


def test_a_hanging_server_hits_the_read_timeout(web: LocalWeb) -> None:
    url = web.serve("/hang", Reply(body=b"too late", hang=10))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, timeout=[2, 0.3]), accept="*/*")
    assert e.value.reason == "no answer within 0.3s (read timeout)"
    assert len(web.hits("/hang")) == 1  # a read timeout is not retried: it would hang again


def test_a_refused_connection_is_retried_then_reported(unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}/feed"
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, retries=1), accept="*/*")
    assert e.value.reason == "connection refused"


def test_an_unknown_host_is_reported_by_name() -> None:
    url = "http://no-such-host.invalid/feed"  # RFC 6761 §6.4: .invalid never resolves
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, retries=0), accept="*/*")
    assert e.value.reason == "cannot resolve host 'no-such-host.invalid'"


def test_a_declared_oversized_response_is_refused_before_reading(web: LocalWeb) -> None:
    url = web.serve("/big", Reply(body=b"x" * 5000))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, max_bytes=1000), accept="*/*")
    assert e.value.reason == "response of 5000 bytes is over max_bytes = 1000"


def test_an_oversized_response_without_a_length_is_cut_while_streaming(web: LocalWeb) -> None:
    url = web.serve("/stream", Reply(body=b"x" * 300_000, length=False))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url, max_bytes=100_000), accept="*/*")
    assert e.value.reason == "response is over max_bytes = 100000 bytes"


def test_the_size_limit_counts_decompressed_bytes(web: LocalWeb) -> None:
    bomb = gzip.compress(b"\0" * 2_000_000)  # a few kilobytes on the wire
    url = web.serve("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="over max_bytes = 100000"):
        Fetcher().get_fresh(url, options(url, max_bytes=100_000), accept="*/*")


def test_a_redirect_loop_is_named(web: LocalWeb) -> None:
    web.serve("/a", Reply(302, headers={"Location": "/b"}))
    url = web.url("/a")
    web.serve("/b", Reply(301, headers={"Location": "BASE/a"}))
    with pytest.raises(FetchError) as e:
        Fetcher().get_fresh(url, options(url), accept="*/*")
    assert e.value.reason == f"redirect loop: {web.url('/a')} → {web.url('/b')} → {web.url('/a')}"


def test_redirects_are_bounded(web: LocalWeb) -> None:
    for n in range(5):
        web.serve(f"/r{n}", Reply(302, headers={"Location": f"/r{n + 1}"}))
    web.serve("/r5", Reply(body=b"end"))
    with pytest.raises(FetchError, match="more than 3 redirects"):
        Fetcher().get_fresh(web.url("/r0"), options(max_redirects=3), accept="*/*")
    assert Fetcher().get_fresh(web.url("/r0"), options(), accept="*/*").url == web.url("/r5")


def test_conditional_get_sends_the_remembered_validators_and_304_costs_nothing(web: LocalWeb) -> None:
    url = web.serve(
        "/feed",
        Reply(body=b"<rss/>", etag='"v1"', headers={"Last-Modified": "Tue, 20 Feb 2024 08:00:00 GMT"}),
    )
    first_run = SourceMemory(fingerprint="fp1")
    fetcher = Fetcher()
    response = fetcher.get(url, options(url), accept="*/*", memory=first_run)
    assert response is not None
    second_run = SourceMemory(fingerprint="fp1", http=learn(remember(first_run, url, response)).http)
    assert fetcher.get(url, options(url), accept="*/*", memory=second_run) is None
    seen = web.hits("/feed")[-1]
    assert seen.headers["if-none-match"] == '"v1"'
    assert seen.headers["if-modified-since"] == "Tue, 20 Feb 2024 08:00:00 GMT"


def test_validators_from_other_normalization_rules_are_not_sent(web: LocalWeb) -> None:
    url = web.serve("/feed", Reply(body=b"<rss/>", etag='"v1"'))
    first_run = SourceMemory(fingerprint="old-rules")
    response = Fetcher().get_fresh(url, options(url), accept="*/*")
    later = SourceMemory(fingerprint="new-rules", http=learn(remember(first_run, url, response)).http)
    assert Fetcher().get(url, options(url), accept="*/*", memory=later) is not None
    assert "if-none-match" not in web.hits("/feed")[-1].headers


def test_requests_to_one_host_never_exceed_per_host(web: LocalWeb) -> None:
    url = web.serve("/slow", Reply(body=b"ok", hang=0.2))
    fetcher = Fetcher()
    opts = options(url, per_host=2)
    threads = [
        threading.Thread(target=fetcher.get_fresh, args=(url, opts), kwargs={"accept": "*/*"})
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(web.hits("/slow")) == 6
    assert web.most_in_flight == 2


def test_a_token_from_the_environment_is_sent_only_to_the_source_host(
    web: LocalWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAZETTE_TOKEN", "s3cr3t-token")
    url = web.serve("/api", Reply(302, headers={"Location": web.url("/elsewhere", host="localhost")}))
    web.serve("/elsewhere", Reply(body=b"[]", content_type="application/json"))
    opts = options(url, token_env="GAZETTE_TOKEN")
    assert "s3cr3t" not in repr(opts) and "s3cr3t" not in str(opts.credential)
    Fetcher().get_fresh(url, opts, accept="*/*")
    assert web.hits("/api")[0].headers["authorization"] == "Bearer s3cr3t-token"
    assert "authorization" not in web.hits("/elsewhere")[0].headers


def test_basic_auth_password_from_a_file(web: LocalWeb, tmp_path: Any) -> None:
    secret = tmp_path / "password"
    secret.write_text("hunter2\n", encoding="utf-8")
    url = web.serve("/api", Reply(body=b"[]"))
    Fetcher().get_fresh(url, options(url, username="ed", password_file=str(secret)), accept="*/*")
    assert web.hits("/api")[0].headers["authorization"] == "Basic ZWQ6aHVudGVyMg=="  # ed:hunter2


def test_a_missing_credential_variable_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError) as e:
        options(token_env="SYNDICATOR_TEST_UNSET_VARIABLE")
    assert e.value.key == "token_env"
    assert "SYNDICATOR_TEST_UNSET_VARIABLE" in e.value.message


def test_an_unknown_key_suggests_the_nearest() -> None:
    with pytest.raises(ConfigError) as e:
        options(timout=3)
    assert e.value.key == "timout"
    assert "did you mean 'timeout'?" in e.value.message


def test_robots_txt_disallows_and_allows_by_path(web: LocalWeb) -> None:
    web.fixture("/robots.txt", "robots.txt", "text/plain")
    fetcher = Fetcher()
    assert not fetcher.allowed(web.url("/private/page"), options())
    assert fetcher.allowed(web.url("/news/story-1"), options())
    assert len(web.hits("/robots.txt")) == 1  # read once per host and run
    assert fetcher.allowed(web.url("/private/page"), options(robots=False))


def test_a_missing_robots_txt_allows_everything_and_a_failing_one_nothing(web: LocalWeb) -> None:
    assert Fetcher().allowed(web.url("/any"), options())  # 404 (RFC 9309 §2.3.1.3)
    web.serve("/robots.txt", Reply(500, b"oops"))
    assert not Fetcher().allowed(web.url("/any"), options(retries=0))  # RFC 9309 §2.3.1.4


def test_retry_after_reads_seconds_and_dates_against_the_answer_date() -> None:
    assert retry_after("120", None) == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT") == 30
    assert retry_after("Wed, 21 Oct 2015 07:28:30 GMT", None) is None
    assert retry_after("soon", None) is None


def test_messages_never_show_user_and_password_in_urls() -> None:
    assert public_url("https://ed:hunter2@cms.example:8443/api") == "https://cms.example:8443/api"


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_publish_goes_on_after_fetch_failures_each_reported_in_one_line(
    web: LocalWeb, tmp_path: Path
) -> None:
    good = web.fixture("/rss.xml", "rss.xml", "application/rss+xml")
    bad = {
        "hanging": (web.serve("/hang", Reply(body=b"[]", hang=10)), "no answer within 0.3s (read timeout)"),
        "huge": (
            web.serve("/huge", Reply(body=b"[" + b" " * 5000 + b"]")),
            "response of 5002 bytes is over max_bytes = 1000",
        ),
        "loop": (web.serve("/loop", Reply(302, headers={"Location": "/loop"})), "redirect loop: {u} → {u}"),
        "broken-json": (
            web.serve("/api", Reply(body=b"[{", content_type="application/json")),
            "malformed JSON: Expecting property name enclosed in double quotes (line 1, column 3)",
        ),
        "broken-xml": (
            web.serve("/bad.xml", Reply(body=b"<rss><channel></rss>", content_type="application/rss+xml")),
            "malformed XML: Opening and ending tag mismatch: channel line 1 and rss, line 1, column 21",
        ),
        "login-page": (
            web.serve("/login", Reply(body=b"<html>Sign in</html>", content_type="text/html")),
            "expected a feed, got text/html",
        ),
        "down": (web.serve("/down", Reply(503, b"")), "HTTP 503 Service Unavailable"),
    }
    kinds = {"broken-json": "json_api"}
    sources = f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{good}"\ndelay = 0\n\n' + "".join(
        f'[[sources]]\nname = "{name}"\nkind = "{kinds.get(name, "feed")}"\nurl = "{url}"\n'
        "delay = 0\nretries = 0\ntimeout = [2, 0.3]\nmax_bytes = 1000\n\n"
        for name, (url, _) in bad.items()
    )
    config = load_config(write_config(tmp_path, sources=sources))
    report = publish_run(config, now=NOW)
    assert report.source_errors == tuple(
        f"{name}: {url}: {reason.format(u=url)}" for name, (url, reason) in bad.items()
    )
    assert report.added == 2
    feed = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == 2

    web.serve("/rss.xml", Reply(500, b""))
    later = publish_run(config, now=NOW)
    assert f"wire: {good}: HTTP 500 Internal Server Error after 3 attempts" in later.source_errors
    feed = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == 2  # what it published before stays published
