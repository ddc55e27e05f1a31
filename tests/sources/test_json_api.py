"""A CMS's JSON API: every pagination style, WordPress as is, field mappings, failures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW, write_config
from webkit import LocalWeb, Reply

from syndicator.config import SourceConfig, load_config
from syndicator.errors import ConfigError, SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.pipeline import publish_run
from syndicator.sources import json_api
from syndicator.sources.json_api import lookup


def read_api(url: str, **keys: Any) -> list[RawRecord | Rejection]:
    source = SourceConfig("cms", "json_api", {"url": url, "delay": 0, "timeout": 2, **keys})
    items = json_api.read(source, json_api.check(source))
    return [i for i in items if isinstance(i, (RawRecord, Rejection))]


def titles(items: list[RawRecord | Rejection]) -> list[str]:
    return [i.payload["title"] for i in items if isinstance(i, RawRecord)]


def page(records: list[dict[str, Any]], **extra: Any) -> Reply:
    return Reply(body=json.dumps({"data": records, **extra}).encode(), content_type="application/json")


def test_a_plain_list_of_records_is_one_page(web: LocalWeb) -> None:
    body = json.dumps([{"title": "One", "url": "https://c.example/1"}, {"title": "Two"}]).encode()
    url = web.serve("/api/articles", Reply(body=body, content_type="application/json"))
    items = read_api(url)
    assert titles(items) == ["One", "Two"]
    assert all(isinstance(i, RawRecord) and i.source_kind == "json_api" for i in items)
    assert [i.locator for i in items] == ["record 0", "record 1"]


def test_the_link_header_next_is_followed(web: LocalWeb) -> None:
    url = web.serve(
        "/api/a",
        Reply(
            body=b'[{"title": "P1"}]',
            content_type="application/json",
            headers={"Link": '</api/b>; rel="next"'},
        ),
    )
    web.serve("/api/b", Reply(body=b'[{"title": "P2"}]', content_type="application/json"))
    assert titles(read_api(url)) == ["P1", "P2"]


def test_a_next_link_in_the_body_is_followed(web: LocalWeb) -> None:
    url = web.serve("/api/a", page([{"title": "P1"}], links={"next": "BASE/api/b"}))
    web.routes["/api/a"][0].body = web.routes["/api/a"][0].body.replace(b"BASE", web.url("").encode())
    web.serve("/api/b", page([{"title": "P2"}], links={"next": None}))
    assert titles(read_api(url)) == ["P1", "P2"]


def test_page_parameters_count_up_until_an_empty_page(web: LocalWeb) -> None:
    url = web.serve("/api/list", page([{"title": "P0"}]))
    web.serve("/api/list?page=1&per_page=1", page([{"title": "P1"}]))
    web.serve("/api/list?page=2&per_page=1", page([{"title": "P2"}]))
    web.serve("/api/list?page=3&per_page=1", page([]))
    items = read_api(url, page_param="page", page_size=1, page_size_param="per_page")
    assert titles(items) == ["P1", "P2"]
    assert len(web.hits("/api/list?page=3&per_page=1")) == 1


def test_offset_parameters_advance_by_the_records_read(web: LocalWeb) -> None:
    url = web.serve("/api/list", page([]))
    web.serve("/api/list?offset=0", page([{"title": "A"}, {"title": "B"}]))
    web.serve("/api/list?offset=2", page([{"title": "C"}]))
    web.serve("/api/list?offset=3", page([]))
    assert titles(read_api(url, offset_param="offset")) == ["A", "B", "C"]


def test_max_pages_bounds_the_run(web: LocalWeb) -> None:
    for n in range(1, 6):
        web.serve(f"/api/list?page={n}", page([{"title": f"P{n}"}]))
    url = web.url("/api/list")
    assert titles(read_api(url, page_param="page", max_pages=2)) == ["P1", "P2"]
    assert web.hits("/api/list?page=3") == []


def test_a_field_mapping_takes_dotted_paths_and_json_pointers(web: LocalWeb) -> None:
    record = {
        "headline": {"main": "Mapped title"},
        "web_url": "https://c.example/mapped",
        "byline": {"person": [{"name": "Ana"}, {"name": "Ben"}]},
        "dates": {"first/issued": "2024-02-01T10:00:00Z"},
    }
    url = web.serve(
        "/api", Reply(body=json.dumps({"results": [record]}).encode(), content_type="application/json")
    )
    fields = {
        "title": "headline.main",
        "url": "/web_url",
        "authors": "byline.person.*.name",
        "published": "/dates/first~1issued",
    }
    [item] = read_api(url, fields=fields)
    assert isinstance(item, RawRecord)
    assert item.payload["title"] == "Mapped title"
    assert item.payload["url"] == "https://c.example/mapped"
    assert item.payload["authors"] == ["Ana", "Ben"]
    assert item.payload["published"] == "2024-02-01T10:00:00Z"


def test_lookup_of_a_missing_path_is_none() -> None:
    assert lookup({"a": [{"b": 1}]}, "a.0.b") == 1
    assert lookup({"a": [{"b": 1}]}, "a.3.b") is None
    assert lookup({"a": 1}, "/a/b") is None


def test_an_unknown_mapped_field_is_a_configuration_error() -> None:
    source = SourceConfig("cms", "json_api", {"url": "https://c.example/api", "fields": {"titel": "x"}})
    with pytest.raises(ConfigError) as e:
        json_api.check(source)
    assert e.value.key == "fields.titel"


def test_wordpress_posts_with_embed_become_complete_records(web: LocalWeb) -> None:
    first = web.fixture(
        "/wp-json/wp/v2/posts",
        "wp-posts-1.json",
        "application/json",
        headers={"Link": '<BASE/wp-json/wp/v2/posts?_embed&page=2>; rel="next"', "X-WP-TotalPages": "2"},
    )
    web.fixture(
        "/wp-json/wp/v2/posts?_embed&page=2",
        "wp-posts-2.json",
        "application/json",
        headers={"X-WP-TotalPages": "2"},
    )
    items = read_api(first)
    assert [i.payload["id"] for i in items if isinstance(i, RawRecord)] == [
        "https://blog.example/?p=42",
        "https://blog.example/?p=41",
        "https://blog.example/?p=40",
    ]
    council = items[0]
    assert isinstance(council, RawRecord)
    assert council.payload == {
        "id": "https://blog.example/?p=42",
        "title": "City council votes the budget &#8211; at last",
        "url": "https://blog.example/2024/02/city-council-votes/",
        "content_html": "<p>The city council voted the budget on Monday night after a long debate.</p>\n",
        "summary": "<p>The council voted the budget.</p>\n",
        "published": "2024-02-20T08:00:00Z",
        "updated": "2024-02-20T09:00:00Z",
        "status": "publish",
        "authors": [{"name": "Marta Diaz", "url": "https://blog.example/author/marta/"}],
        "categories": ["Local"],
        "tags": ["budget"],
        "image": {
            "url": "https://blog.example/wp-content/uploads/council.jpg",
            "alt": "The council chamber",
            "type": "image/jpeg",
            "width": 1200,
            "height": 800,
        },
    }


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (
            b'[{"title": "half',
            "application/json",
            "malformed JSON: Unterminated string starting at (line 1, column 12)",
        ),
        (b"<html>Please log in</html>", "text/html", "expected JSON, got text/html"),
        (b'{"status": "ok", "count": 0}', "application/json", "no list of records in the answer"),
    ],
)
def test_an_answer_that_is_not_records_fails_the_source(
    web: LocalWeb, body: bytes, content_type: str, reason: str
) -> None:
    url = web.serve("/api", Reply(body=body, content_type=content_type))
    with pytest.raises(SourceError) as e:
        read_api(url)
    assert (e.value.source, e.value.ref) == ("cms", url)
    assert e.value.message.startswith(reason)


def wordpress_site(web: LocalWeb) -> str:
    first = web.fixture(
        "/wp-json/wp/v2/posts",
        "wp-posts-1.json",
        "application/json",
        etag='"wp-1"',
        headers={"Link": '<BASE/wp-json/wp/v2/posts?_embed&page=2>; rel="next"'},
    )
    web.fixture("/wp-json/wp/v2/posts?_embed&page=2", "wp-posts-2.json", "application/json")
    return first


def test_a_wordpress_site_publishes_and_a_304_second_run_parses_nothing(
    web: LocalWeb, tmp_path: Path
) -> None:
    url = wordpress_site(web)
    sources = f'[[sources]]\nname = "blog"\nkind = "json_api"\nurl = "{url}"\ndelay = 0\n'
    config = load_config(write_config(tmp_path, sources=sources))
    report = publish_run(config, now=NOW)
    assert (report.added, report.source_errors, report.rejections) == (3, (), ())
    published = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    council = next(i for i in published["items"] if i["url"].endswith("city-council-votes/"))
    assert council["id"] == "https://blog.example/?p=42"
    assert council["title"] == "City council votes the budget – at last"
    assert council["authors"] == [{"name": "Marta Diaz", "url": "https://blog.example/author/marta/"}]
    assert council["tags"] == ["Local", "budget"]
    assert council["image"] == "https://blog.example/wp-content/uploads/council.jpg"
    assert (tmp_path / "out" / "categories" / "transport" / "atom.xml").exists()

    again = publish_run(config, now=NOW)
    assert web.hits("/wp-json/wp/v2/posts")[-1].headers["if-none-match"] == '"wp-1"'
    assert again.records_read == 0
    assert again.feeds_written == ()
    assert len(web.hits("/wp-json/wp/v2/posts?_embed&page=2")) == 1  # page 2 not asked again


def test_an_api_token_is_sent_and_never_reported(
    web: LocalWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CMS_TOKEN", "tok-9f8e7d")
    good = web.serve(
        "/api/ok",
        Reply(
            body=b'[{"title": "Members only", "url": "https://c.example/m"}]', content_type="application/json"
        ),
    )
    bad = web.serve("/api/broken", Reply(500, b"tok-9f8e7d leaked by a careless server?"))
    sources = "".join(
        f'[[sources]]\nname = "{n}"\nkind = "json_api"\nurl = "{u}"\ntoken_env = "CMS_TOKEN"\n'
        f"delay = 0\nretries = 0\n\n"
        for n, u in (("members", good), ("broken", bad))
    )
    config = load_config(write_config(tmp_path, sources=sources))
    caplog.set_level("DEBUG")
    report = publish_run(config, now=NOW)
    assert web.hits("/api/ok")[0].headers["authorization"] == "Bearer tok-9f8e7d"
    assert report.added == 1
    assert report.source_errors == (f"broken: {bad}: HTTP 500 Internal Server Error",)
    assert "tok-9f8e7d" not in json.dumps(report.to_json())
    assert "tok-9f8e7d" not in caplog.text
    assert "tok-9f8e7d" not in repr(config)
