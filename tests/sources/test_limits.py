"""Size limits: no source can make a run unbounded, and every limit hit is reported.

An upstream feed of any length gives at most `max_items` entries (the newest),
a JSON API at most `max_items` records, a directory file over
`max_file_bytes` is not read, and a record or one of its strings over
`max_record_bytes` / `max_field_bytes` is cut to the limit. Each is a
warning naming the source and the limit (or a rejection naming the file):
never a silent cut.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sitekit import NOW, record, write_config
from webkit import LocalWeb, Reply

from syndicator.config import SourceConfig, load_config
from syndicator.errors import ConfigError
from syndicator.pipeline import publish_run


def rss(count: int) -> bytes:
    """An RSS 2.0 feed listing its entries oldest first, one hour apart."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>https://wire.example/{n}</guid><title>Wire story {n}</title>"
        f"<link>https://wire.example/{n}</link><description>Story {n}.</description>"
        f"<pubDate>{(start + timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def feed_source(url: str, extra: str = "") -> str:
    return f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n{extra}\n'


def test_a_feed_over_max_items_publishes_its_newest_entries_and_says_so(
    web: LocalWeb, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = web.serve("/rss.xml", Reply(body=rss(30), content_type="application/rss+xml"))
    config = load_config(write_config(tmp_path, sources=feed_source(url, "max_items = 10")))
    with caplog.at_level(logging.WARNING):
        report = publish_run(config, now=NOW)
    assert report.added == 10
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in published["items"]] == [f"Wire story {n}" for n in range(29, 19, -1)]
    assert (
        f"source=wire url={url}: the feed has 30 entries, over max_items = 10: the 10 newest are read"
        " (raise max_items to read them all)"
    ) in caplog.messages


def test_a_feed_is_capped_by_default(web: LocalWeb, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = web.serve("/rss.xml", Reply(body=rss(1005), content_type="application/rss+xml"))
    config = load_config(write_config(tmp_path, sources=feed_source(url)))
    with caplog.at_level(logging.WARNING):
        report = publish_run(config, now=NOW)
    assert report.records_read == report.added == 1000
    assert any("over max_items = 1000" in m for m in caplog.messages)


def test_a_json_api_stops_at_max_items(
    web: LocalWeb, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    page = [record(n) for n in range(8)]
    url = web.serve(
        "/api",
        Reply(
            body=json.dumps(page).encode(),
            content_type="application/json",
            headers={"Link": '<BASE/api2>; rel="next"'},
        ),
    )
    web.serve(
        "/api2",
        Reply(body=json.dumps([record(n) for n in range(8, 16)]).encode(), content_type="application/json"),
    )
    sources = f'[[sources]]\nname = "cms"\nkind = "json_api"\nurl = "{url}"\ndelay = 0\nmax_items = 5\n'
    config = load_config(write_config(tmp_path, sources=sources))
    with caplog.at_level(logging.WARNING):
        report = publish_run(config, now=NOW)
    assert report.added == 5
    assert web.hits("/api2") == []  # no page is fetched past the limit
    assert any(
        m.startswith(f"source=cms url={url}: more than max_items = 5 records") for m in caplog.messages
    )


def test_big_records_are_cut_to_their_limits_with_a_warning_and_still_published(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # messages show paths as typed from here
    sources = (
        '[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\n'
        "max_record_bytes = 200000\nmax_field_bytes = 100000\n"
    )
    config = load_config(write_config(tmp_path, sources=sources))
    huge_text = "A long dispatch from the river.\n\n" + "The water rose again today. " * 40_000  # ~1.1 MB
    (tmp_path / "articles" / "dispatch.txt").write_text(huge_text, encoding="utf-8")
    body = "<p>" + "Élan vital, again and again. " * 40_000 + "</p>"  # ~1.2 MB, 2-byte characters
    big = record(1, title="The long one", content_html=body)
    (tmp_path / "articles" / "cms.json").write_text(json.dumps([big, record(2)]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = publish_run(config, now=NOW)
    assert report.added == 3 and report.rejections == ()
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    long_one = next(i for i in published["items"] if i["title"] == "The long one")
    assert 50_000 < len(long_one["content_html"].encode()) <= 100_000 + 100
    assert (tmp_path / "out" / "feed.json").stat().st_size < 1_000_000
    warnings = "\n".join(caplog.messages)
    assert (
        f"source=articles {Path('articles') / 'dispatch.txt'}: {len(huge_text.encode())} bytes, over max_record_bytes = 200000"
        in warnings
    )
    assert (
        f"source=articles {Path('articles') / 'cms.json'}: record 0: /content_html: {len(body.encode())} bytes, over max_field_bytes = 100000"
        in warnings
    )


def test_a_file_over_max_file_bytes_is_rejected_unread_until_the_limit_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_config(
        tmp_path,
        sources='[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\nmax_file_bytes = 5000\n',
    )
    (tmp_path / "articles" / "big.json").write_text(
        json.dumps([record(n) for n in range(20)]), encoding="utf-8"
    )
    (tmp_path / "articles" / "small.json").write_text(json.dumps(record(99)), encoding="utf-8")
    report = publish_run(load_config(path), now=NOW)
    assert report.added == 1
    size = (tmp_path / "articles" / "big.json").stat().st_size
    assert [str(r) for r in report.rejections] == [
        f"{Path('articles') / 'big.json'}: /: file of {size} bytes is over max_file_bytes = 5000:"
        " not read (raise max_file_bytes to read it)"
    ]
    path.write_text(
        path.read_text(encoding="utf-8").replace("max_file_bytes = 5000", "max_file_bytes = 500000"),
        encoding="utf-8",
    )
    assert publish_run(load_config(path), now=NOW).added == 20


def test_limits_have_defaults_and_refuse_nonsense() -> None:
    from syndicator.sources.limits import RecordLimits, check_limits

    assert check_limits(SourceConfig("a", "directory", {"path": "x"})) == RecordLimits(5_000_000, 1_000_000)
    with pytest.raises(ConfigError) as e:
        check_limits(SourceConfig("a", "directory", {"path": "x", "max_field_bytes": 0}))
    assert e.value.key == "max_field_bytes"


def test_a_json_feed_over_max_items_keeps_its_newest_items_too(
    web: LocalWeb, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    items = [
        {
            "id": f"https://wire.example/{n}",
            "title": f"Item {n}",
            "content_text": f"Text {n}.",
            "date_published": f"2024-01-{n + 1:02d}T08:00:00+01:00",
        }
        for n in range(12)
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": items})
    url = web.serve("/feed.json", Reply(body=body.encode(), content_type="application/feed+json"))
    config = load_config(write_config(tmp_path, sources=feed_source(url, "max_items = 5")))
    with caplog.at_level(logging.WARNING):
        report = publish_run(config, now=NOW)
    assert report.added == 5
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in published["items"]] == [f"Item {n}" for n in range(11, 6, -1)]
    assert any("the feed has 12 entries, over max_items = 5" in m for m in caplog.messages)
