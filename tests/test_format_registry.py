"""A feed format is one descriptor in one registry, and registering it is all it takes.

A small format that exists only here (the titles of a feed, one a line) is
registered for the length of a test; nothing else about syndicator is told
about it, yet the configuration accepts it, a publish writes it for every
feed, the pages offer it, and the server serves it with its own media type
and hands a browser its readable view.
"""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from sitekit import NOW, record, write_config

from syndicator.config import load_config
from syndicator.errors import ConfigError
from syndicator.model import FeedDocument
from syndicator.pipeline import publish_run
from syndicator.render import FORMATS, FeedFormat
from syndicator.server import ServerSettings, start_in_thread


def render_lines(doc: FeedDocument) -> bytes:
    return "".join(article.title + "\n" for article in doc.articles).encode("utf-8")


LINES = FeedFormat(
    name="lines",
    filename="lines.txt",
    media_type="text/x-title-lines",
    label="Title lines",
    render=render_lines,
    accepted_as=("text/plain",),
)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def lines_format() -> Iterator[FeedFormat]:
    FORMATS.register(LINES)
    try:
        yield LINES
    finally:
        FORMATS.unregister(LINES.name)


def name_formats(site: Path, formats: str) -> Path:
    path = site / "syndicator.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('directory = "out"\n', f'directory = "out"\nformats = {formats}\n', 1))
    return path


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def test_an_unregistered_format_is_a_configuration_error_naming_the_key(site: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(name_formats(site, '["rss", "lines"]'))
    assert caught.value.key == "output.formats[1]"
    assert "unknown format 'lines'" in caught.value.message


def test_a_registered_format_is_accepted_and_offered_by_default(site: Path, lines_format: FeedFormat) -> None:
    assert load_config(name_formats(site, '["rss", "lines"]')).output.formats == ("rss", "lines")
    unset = site / "unset"
    unset.mkdir()
    assert load_config(write_config(unset)).output.formats == ("rss", "atom", "json", "lines")


def test_two_formats_never_share_a_name_or_a_file(lines_format: FeedFormat) -> None:
    for clash in ({"name": "rss"}, {"name": "other", "filename": "lines.txt"}):
        with pytest.raises(ValueError, match="clashes"):
            FORMATS.register(FeedFormat(**{**vars(LINES), **clash}))
    assert FORMATS["rss"].filename == "rss.xml"


def test_a_registered_format_is_written_offered_by_the_pages_and_served(
    site: Path, add_records: Callable[[str, Any], Path], lines_format: FeedFormat
) -> None:
    add_records("a.json", [record(1), record(2)])
    config = load_config(name_formats(site, '["rss", "lines"]'))
    publish_run(config, now=NOW)
    out = site / "out"

    # Written for every feed, beside the formats it was configured with.
    assert (out / "lines.txt").read_text(encoding="utf-8").splitlines() == [
        "Article number 2",
        "Article number 1",
    ]
    assert (out / "categories" / "world" / "lines.txt").read_text(encoding="utf-8") == "Article number 1\n"

    # The index links it by its label and media type, and its readable view exists.
    index = html.fromstring((out / "index.html").read_bytes())
    assert index.xpath('//link[@rel="alternate"][@type="text/x-title-lines"]/@href') == [
        "https://gazette.example/feeds/lines.txt",
        "https://gazette.example/feeds/categories/economie/lines.txt",
        "https://gazette.example/feeds/categories/world/lines.txt",
    ]
    assert "Title lines" in index.text_content()
    assert index.xpath('//a[@href="lines.txt"][@type="text/x-title-lines"]')
    view = html.fromstring((out / "lines.html").read_bytes())
    assert "Title lines" in view.findtext(".//title")
    assert (
        'type="text/x-title-lines" title="Test Gazette (Title lines)" '
        'href="https://gazette.example/feeds/lines.txt"' in (out / "index.html").read_text(encoding="utf-8")
    )

    with start_in_thread(ServerSettings(directory=out, port=0)) as server:
        status, content_type, body = get(server.port, "/lines.txt", {})
        assert (status, content_type) == (200, "text/x-title-lines; charset=utf-8")
        assert body == (out / "lines.txt").read_bytes()
        # A browser's navigation gets the readable view ...
        browser = {"Sec-Fetch-Dest": "document", "Accept": BROWSER_ACCEPT}
        status, content_type, body = get(server.port, "/lines.txt", browser)
        assert (status, content_type, body) == (
            200,
            "text/html; charset=utf-8",
            (out / "lines.html").read_bytes(),
        )
        # ... but a client ranking a type the format is accepted as above HTML keeps the feed.
        plain_first = {"Sec-Fetch-Dest": "document", "Accept": "text/plain, text/html;q=0.5"}
        assert get(server.port, "/lines.txt", plain_first)[2] == (out / "lines.txt").read_bytes()
