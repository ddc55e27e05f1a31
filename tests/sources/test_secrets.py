"""Secrets stay secret: sent only to the origin they were configured for, shown nowhere.

Every credential form a source can carry (token_env, token_file, headers,
user:password@ in the URL, an API key in the query string) is configured on
an https source that redirects to http on the same port (another scheme), to
another port, then to another host name. Then stdout (`--json`), stderr at
`-vv`, `history --json` and every file the run wrote (the feeds, the SQLite
store, `rejected/`) are searched for each secret.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.config import SourceConfig
from syndicator.redact import public_url, scrub_text, shareable_url
from syndicator.sources.http import Fetcher, check_http

SECRETS = {
    "token-env": "EnvTokenS3cr3t",
    "token-file": "FileTokenS3cr3t",
    "headers": "HeaderKeyS3cr3t",
    "userinfo": "UserinfoPassS3cr3t",
    "query": "QueryKeyS3cr3t",
}


@pytest.fixture
def origin(certificate: tuple[Path, Path]) -> Iterator[LocalWeb]:
    """https:// and http:// on one port: the configured origin is its https side."""
    server = LocalWeb(tls=certificate)
    try:
        yield server
    finally:
        server.close()


def json_feed(n: int) -> bytes:
    item = {
        "id": f"https://wire.example/story-{n}",
        "url": f"https://wire.example/story-{n}",
        "title": f"Story {n}",
        "content_html": f"<p>Body of story {n}.</p>",
        "date_published": "2024-02-01T10:00:00Z",
    }
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": [item]}
    ).encode()


def test_credentials_reach_only_their_origin_and_no_output_shows_them(
    origin: LocalWeb, web: LocalWeb, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    (tmp_path / "token").write_text(SECRETS["token-file"] + "\n", encoding="utf-8")
    forms = {
        "token-env": ('token_env = "WIRE_TOKEN"', ""),
        "token-file": (f'token_file = "{tmp_path / "token"}"', ""),
        "headers": (f'headers = {{ X-Api-Key = "{SECRETS["headers"]}" }}', ""),
        "userinfo": ("", f"ed:{SECRETS['userinfo']}@"),
        "query": ("", ""),
    }
    sources = ""
    for n, (form, (option, userinfo)) in enumerate(forms.items()):
        query = f"?api_key={SECRETS['query']}&page=1" if form == "query" else ""
        # https → http on the same port → another port → another host name → the feed
        origin.serve(f"/{form}/start", Reply(302, headers={"Location": origin.url(f"/{form}/plain")}))
        origin.serve(f"/{form}/plain", Reply(302, headers={"Location": web.url(f"/{form}/port")}))
        web.serve(f"/{form}/port", Reply(302, headers={"Location": origin.url(f"/{form}/host", "localhost")}))
        origin.serve(f"/{form}/host", Reply(body=json_feed(n), content_type="application/feed+json"))
        url = f"https://{userinfo}127.0.0.1:{origin.port}/{form}/start{query}"
        sources += f'[[sources]]\nname = "{form}"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n{option}\n\n'
    # No redirect: the request URL itself ends in a rejection, a failure and the store.
    both = f"ed:{SECRETS['userinfo']}@127.0.0.1:{origin.port}"
    origin.serve(
        "/api",
        Reply(
            body=b'[1, {"id": "a-1", "title": "From the API", "content_html": "<p>Text.</p>"}]',
            content_type="application/json",
            etag='"v1"',
        ),
    )
    origin.serve("/down", Reply(500, b""))
    sources += (
        f'[[sources]]\nname = "api"\nkind = "json_api"\nurl = "https://{both}/api?token={SECRETS["query"]}"\n'
        f"delay = 0\n\n"
        f'[[sources]]\nname = "down"\nkind = "feed"\nurl = "https://{both}/down?api_key={SECRETS["query"]}"\n'
        "delay = 0\nretries = 0\n"
    )
    config = write_config(tmp_path, sources=sources)
    env = {**os.environ, "WIRE_TOKEN": SECRETS["token-env"], "REQUESTS_CA_BUNDLE": str(certificate[0])}

    def syndicator(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "syndicator", *args]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    publish = syndicator("-vv", "publish", "--config", str(config), "--json")
    history = syndicator("history", "--config", str(config), "--json")

    # The credentials reached the origin they were configured for...
    start = {form: next(s for s in origin.seen if s.path.startswith(f"/{form}/start")) for form in forms}
    assert all(hit.scheme == "https" for hit in start.values())
    assert start["token-env"].headers["authorization"] == f"Bearer {SECRETS['token-env']}"
    assert start["token-file"].headers["authorization"] == f"Bearer {SECRETS['token-file']}"
    assert start["headers"].headers["x-api-key"] == SECRETS["headers"]
    assert start["userinfo"].headers["authorization"].startswith("Basic ")
    assert SECRETS["query"] in start["query"].path
    # ...and nowhere else: not the other scheme, port or host,
    elsewhere = [hit for hit in origin.seen + web.seen if not hit.path.startswith(("/api", "/down"))]
    elsewhere = [hit for hit in elsewhere if not hit.path.split("?")[0].endswith("/start")]
    assert len(elsewhere) == 3 * len(forms)
    basic = start["userinfo"].headers["authorization"]
    for hit in elsewhere:
        seen = json.dumps([hit.path, hit.headers])
        assert not [s for s in [*SECRETS.values(), basic] if s in seen], hit

    report = json.loads(publish.stdout)
    assert report["added"] == len(forms) + 1
    assert [r["origin"] for r in report["rejected"]] == [f"https://127.0.0.1:{origin.port}/api?token=***"]
    assert report["source_errors"] == [
        f"down: https://127.0.0.1:{origin.port}/down?api_key=***: HTTP 500 Internal Server Error"
    ]

    # ...nor any output: stdout, stderr at -vv, history, and every file the run wrote.
    assert "GET /api?token=***" in publish.stderr  # the debug lines were there to search
    outputs = {"stdout": publish.stdout, "stderr -vv": publish.stderr, "history": history.stdout}
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file() and path.name not in ("syndicator.toml", "token"):
            outputs[str(path.relative_to(tmp_path))] = path.read_bytes().decode("latin-1")
    assert any(name.startswith("state/rejected/") for name in outputs)
    assert any(name.endswith((".db", ".sqlite", ".sqlite3")) for name in outputs)
    leaks = {(name, form) for name, text in outputs.items() for form, s in SECRETS.items() if s in text}
    assert leaks == set()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ed:hunter2@cms.example:8443/api", "https://cms.example:8443/api"),
        ("https://cms.example/api?api_key=k1&page=2", "https://cms.example/api?api_key=***&page=2"),
        (
            "https://s3.example/o?X-Amz-Credential=c&X-Amz-Signature=s",
            "https://s3.example/o?X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        ("https://cms.example/api?access_token=t#top", "https://cms.example/api?access_token=***#top"),
        ("https://cms.example/search?q=budget&page=2", "https://cms.example/search?q=budget&page=2"),
        ("https://cms.example/a?", "https://cms.example/a?"),
    ],
)
def test_a_url_is_shown_without_userinfo_or_secret_query_values(url: str, shown: str) -> None:
    assert public_url(url) == shown


def test_urls_and_request_lines_in_free_text_are_scrubbed() -> None:
    line = (
        'http://127.0.0.1:80 "GET /api?token=t0k&page=2 HTTP/1.1" 200 None, from https://ed:pw@cms.example/x'
    )
    assert scrub_text(line) == (
        'http://127.0.0.1:80 "GET /api?token=***&page=2 HTTP/1.1" 200 None, from https://cms.example/x'
    )


def test_credentials_follow_no_redirect_off_their_origin(
    web: LocalWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIRE_TOKEN", "t0k")
    other = LocalWeb()
    try:
        url = web.serve("/api", Reply(302, headers={"Location": other.url("/api")}))
        other.serve("/api", Reply(302, headers={"Location": web.url("/back")}))
        web.serve("/back", Reply(body=b"[]", content_type="application/json"))
        source = SourceConfig(
            "wire",
            "json_api",
            {"url": url, "token_env": "WIRE_TOKEN", "delay": 0, "headers": {"X-Key": "k3y"}},
        )
        Fetcher().get_fresh(url, check_http(source, ("url",), "json_api"), accept="*/*")
    finally:
        other.close()
    assert other.hits("/api")[0].headers.keys().isdisjoint({"authorization", "x-key"})
    back = web.hits("/back")[0].headers  # the configured origin again: credentials are due
    assert (back["authorization"], back["x-key"]) == ("Bearer t0k", "k3y")


@pytest.mark.parametrize(
    ("url", "shared"),
    [
        ("https://hub.example/", "https://hub.example/"),
        ("https://ed:pw@hub.example/ping", "https://hub.example/ping"),
        ("https://hub.example/ping?token=abc&region=eu", "https://hub.example/ping?region=eu"),
        ("https://hub.example/ping?api_key=1&X-Amz-Signature=2", "https://hub.example/ping"),
        ("https://hub.example/ping?region=eu&lang=fr", "https://hub.example/ping?region=eu&lang=fr"),
    ],
)
def test_a_url_given_to_another_party_keeps_no_credential_at_all(url: str, shared: str) -> None:
    assert shareable_url(url) == shared
