"""What an upstream publisher wrote comes out as written, and a fixable defect
in an optional field never costs the article (issue 12, items 1, 2 and 10).

Each test serves a feed over a real HTTP server, publishes it and reads the
three formats back with feedparser (RSS, Atom) and json (JSON Feed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Published:
    report: RunReport
    rss: Any  # feedparser's reading of rss.xml
    atom: Any
    json: dict[str, Any]


def publish(
    tmp_path: Path, web: LocalWeb, body: str | bytes, *, kind: str = "application/rss+xml", extra: str = ""
) -> Published:
    data = body.encode("utf-8") if isinstance(body, str) else body
    url = web.serve("/podcast/feed.xml", Reply(body=data, content_type=kind))
    sources = f'[[sources]]\nname = "upstream"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n'
    config = write_config(tmp_path, sources=sources, extra=extra)
    report = publish_run(load_config(config), now=NOW)
    out = tmp_path / "out"
    return Published(
        report,
        feedparser.parse((out / "rss.xml").read_bytes()),
        feedparser.parse((out / "atom.xml").read_bytes()),
        json.loads((out / "feed.json").read_bytes()),
    )


def rss(items: str, namespaces: str = "") -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0" {namespaces}><channel><title>Upstream</title>'
        f"<link>https://up.example/</link><description>d</description>{items}</channel></rss>"
    )


MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


# -- item 1: a podcast's or a video feed's media:content is the episode, not its picture


def test_every_episode_of_a_podcast_feed_is_published_with_its_audio_as_an_enclosure(
    tmp_path: Path, web: LocalWeb
) -> None:
    items = "".join(
        f"<item><title>Episode {n}</title><guid>https://up.example/ep{n}</guid>"
        f"<pubDate>Tue, 0{n} Jan 2024 10:00:00 GMT</pubDate>"
        f'<media:content url="https://cdn.up.example/ep{n}.mp3" medium="audio" type="audio/mpeg" fileSize="1234"/>'
        "</item>"
        for n in (1, 2, 3)
    )
    got = publish(tmp_path, web, rss(items, MEDIA))

    assert got.report.added == 3 and got.report.rejections == ()
    for entry in got.rss.entries:
        assert [(e["href"], e["type"], e["length"]) for e in entry.enclosures] == [
            (f"https://cdn.up.example/{entry.id[-3:]}.mp3", "audio/mpeg", "1234")
        ]
        assert "media_content" not in entry  # no picture was made of the sound
    for entry in got.atom.entries:
        assert [link["href"] for link in entry.links if link["rel"] == "enclosure"] == [
            f"https://cdn.up.example/{entry.id[-3:]}.mp3"
        ]
    for item in got.json["items"]:
        assert "image" not in item
        assert item["attachments"] == [
            {
                "url": f"https://cdn.up.example/{item['id'][-3:]}.mp3",
                "mime_type": "audio/mpeg",
                "size_in_bytes": 1234,
            }
        ]


def test_a_video_in_a_media_group_is_an_enclosure_and_its_thumbnail_the_image(
    tmp_path: Path, web: LocalWeb
) -> None:
    item = (
        "<item><title>Clip</title><guid>https://up.example/clip</guid>"
        '<media:content url="https://cdn.up.example/clip.mp4" medium="video" type="video/mp4"/>'
        '<media:thumbnail url="https://cdn.up.example/clip.jpg" width="640" height="360"/></item>'
    )
    got = publish(tmp_path, web, rss(item, MEDIA))

    (entry,) = got.json["items"]
    assert entry["image"] == "https://cdn.up.example/clip.jpg"
    assert entry["attachments"] == [{"url": "https://cdn.up.example/clip.mp4", "mime_type": "video/mp4"}]
    assert got.rss.entries[0].enclosures[0]["length"] == "0"  # RSS requires a length: 0 when unknown


# -- item 2: a fixable defect in an optional field is repaired, with a warning


def test_an_rss_item_without_a_title_is_published_with_the_start_of_its_description(
    tmp_path: Path, web: LocalWeb
) -> None:
    item = "<item><guid>https://up.example/1</guid><description>Short news. More words follow.</description></item>"
    got = publish(tmp_path, web, rss(item))

    assert got.report.added == 1
    assert got.json["items"][0]["title"] == "Short news."
    assert [line.split(": ", 2)[2] for line in got.report.warnings] == [
        "/title: missing; taken from the beginning of the body: 'Short news.'"
    ]


def test_an_atom_entry_without_a_link_keeps_its_tag_id_as_id_and_not_as_url(
    tmp_path: Path, web: LocalWeb
) -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:up.example,2024:feed</id>'
        "<updated>2024-01-05T10:00:00Z</updated><entry><id>tag:up.example,2024:1</id><title>No link</title>"
        "<updated>2024-01-05T10:00:00Z</updated><summary>s</summary></entry></feed>"
    )
    got = publish(tmp_path, web, body, kind="application/atom+xml")

    (item,) = got.json["items"]
    assert item["id"] == "tag:up.example,2024:1"
    assert item["url"].startswith("https://gazette.example/")  # inferred, never the tag: id
    assert got.report.rejections == ()


def test_an_image_with_a_bare_type_a_spaced_url_and_an_accented_author_url_is_repaired(
    tmp_path: Path, web: LocalWeb
) -> None:
    item = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1", "title": "T",'
        ' "content_html": "<p>x</p>", "image": "https://up.example/a photo.png",'
        ' "authors": [{"name": "Zoë", "url": "https://up.example/auteurs/zoë"}]}]}'
    )
    got = publish(tmp_path, web, item, kind="application/feed+json")

    (entry,) = got.json["items"]
    assert entry["image"] == "https://up.example/a%20photo.png"
    assert entry["authors"] == [{"name": "Zoë", "url": "https://up.example/auteurs/zo%C3%AB"}]
    assert [line.split(": ")[2] for line in got.report.warnings] == ["/image/url"]  # the space
    assert len(got.report.to_json()["warnings"]) == 1


def test_an_over_long_title_is_cut_at_a_word_and_an_over_long_summary_trimmed(
    tmp_path: Path, web: LocalWeb
) -> None:
    title = "word " * 300
    summary = "sentence " * 700
    item = (
        f"<item><guid>https://up.example/1</guid><title>{title}</title>"
        f"<description>{summary}</description><content:encoded>&lt;p&gt;body&lt;/p&gt;</content:encoded></item>"
    )
    got = publish(tmp_path, web, rss(item, 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'))

    (entry,) = got.json["items"]
    assert len(entry["title"]) <= 1000 and entry["title"].endswith("word…")
    assert len(entry["summary"]) <= 5000 and entry["summary"].endswith("sentence…")
    assert {line.split(": ")[2] for line in got.report.warnings} == {"/title", "/summary"}


# -- item 10: ids, dates, titles and enclosures as the publisher wrote them


def test_an_atom_entry_with_only_updated_is_published_on_that_date_not_today(
    tmp_path: Path, web: LocalWeb
) -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:up.example,2019:feed</id>'
        "<updated>2019-03-01T10:00:00+02:00</updated><entry><id>tag:up.example,2019:1</id><title>Old</title>"
        '<link href="https://up.example/old"/><updated>2019-03-01T10:00:00+02:00</updated><summary>s</summary>'
        "</entry></feed>"
    )
    got = publish(tmp_path, web, body, kind="application/atom+xml")

    assert got.json["items"][0]["date_published"] == "2019-03-01T08:00:00+00:00"
    assert got.rss.entries[0].published == "Fri, 01 Mar 2019 08:00:00 GMT"  # RSS dates are written in GMT


def test_an_rss_1_item_with_dc_date_is_published_on_that_date(tmp_path: Path, web: LocalWeb) -> None:
    body = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://up.example/"><title>t</title><link>https://up.example/</link>'
        "<description>d</description></channel>"
        '<item rdf:about="https://up.example/a"><title>A</title><link>https://up.example/a</link>'
        "<dc:date>2018-06-30T23:59:00Z</dc:date></item></rdf:RDF>"
    )
    got = publish(tmp_path, web, body, kind="application/rdf+xml")

    assert got.json["items"][0]["date_published"] == "2018-06-30T23:59:00+00:00"


def test_plain_and_opaque_guids_are_kept_as_written_and_never_resolved_as_links(
    tmp_path: Path, web: LocalWeb
) -> None:
    items = (
        "<item><title>Reddit post</title><guid>t3_glvkc5</guid><link>https://up.example/r/1</link></item>"
        '<item><title>Numbered</title><guid isPermaLink="false">12345</guid></item>'
    )
    got = publish(tmp_path, web, rss(items))

    assert {i["id"] for i in got.json["items"]} == {"t3_glvkc5", "12345"}
    assert {e.id for e in got.rss.entries} == {"t3_glvkc5", "12345"}
    assert all(e.id.startswith("tag:gazette.example,") for e in got.atom.entries)  # Atom ids are IRIs
    assert {e.id.rsplit(":", 1)[1] for e in got.atom.entries} == {"t3_glvkc5", "12345"}
    reddit = next(i for i in got.json["items"] if i["id"] == "t3_glvkc5")
    assert reddit["url"] == "https://up.example/r/1"
    assert not any("t3_glvkc5" in i["url"] for i in got.json["items"])  # no guid became a URL


def test_straight_quotes_in_a_title_are_kept_unless_the_configuration_asks_for_curly_ones(
    tmp_path: Path, web: LocalWeb
) -> None:
    item = """<item><guid>https://up.example/q</guid><title>He said "yes" and it's done</title></item>"""
    (tmp_path / "kept").mkdir()
    (tmp_path / "curled").mkdir()

    kept = publish(tmp_path / "kept", web, rss(item))
    curled = publish(tmp_path / "curled", web, rss(item), extra='typography = "full"\n')

    assert kept.json["items"][0]["title"] == """He said "yes" and it's done"""
    assert curled.json["items"][0]["title"] == "He said “yes” and it’s done"


def test_a_relative_enclosure_url_is_resolved_against_the_feed(tmp_path: Path, web: LocalWeb) -> None:
    item = (
        '<item><title>Ep</title><guid>https://up.example/ep</guid><enclosure url="media/ep.ogg" length="10"'
        ' type="audio/ogg"/></item>'
    )
    got = publish(tmp_path, web, rss(item))

    expected = web.url("/podcast/media/ep.ogg")
    assert got.json["items"][0]["attachments"] == [
        {"url": expected, "mime_type": "audio/ogg", "size_in_bytes": 10}
    ]
    assert got.atom.entries[0].enclosures[0]["href"] == expected


def test_a_size_written_in_other_digits_is_dropped_and_the_episode_kept(
    tmp_path: Path, web: LocalWeb
) -> None:
    # "²" and "٣" are digits to str.isdigit(); the first is no number int() reads.
    items = "".join(
        f'<item><title>Ep {n}</title><guid>https://up.example/ep{n}</guid><enclosure url="media/ep{n}.ogg"'
        f' length="{length}" type="audio/ogg"/></item>'
        for n, length in enumerate(("²", "٣", "12"))
    )
    got = publish(tmp_path, web, rss(items))

    assert got.report.rejections == ()
    sizes = {i["title"]: i["attachments"][0].get("size_in_bytes") for i in got.json["items"]}
    assert sizes == {"Ep 0": None, "Ep 1": None, "Ep 2": 12}


def test_an_entry_that_cannot_be_read_is_rejected_alone_and_the_others_are_published(
    tmp_path: Path, web: LocalWeb, monkeypatch: Any
) -> None:
    from syndicator.sources import feed

    real = feed._number

    def breaks_on_666(value: Any) -> int | None:
        if value == "666":
            raise RuntimeError("a value nobody foresaw")
        return real(value)

    monkeypatch.setattr(feed, "_number", breaks_on_666)
    items = "".join(
        f'<item><title>Ep {n}</title><guid>https://up.example/ep{n}</guid><enclosure url="media/ep{n}.ogg"'
        f' length="{length}" type="audio/ogg"/></item>'
        for n, length in enumerate(("10", "666", "12"))
    )
    got = publish(tmp_path, web, rss(items))

    assert sorted(i["title"] for i in got.json["items"]) == ["Ep 0", "Ep 2"]
    (rejection,) = got.report.rejections
    assert rejection.locator == "entry 1" and "RuntimeError: a value nobody foresaw" in rejection.reason
    assert got.report.source_errors == ()


def _json_feed(items: list[Any], **feed: Any) -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items, **feed})


def _json_item(n: int, **more: Any) -> dict[str, Any]:
    return {"id": f"g{n}", "title": f"E{n}", "content_html": f"<p>entry {n}</p>", **more}


def test_an_odd_feed_level_author_costs_no_entry(tmp_path: Path, web: LocalWeb) -> None:
    body = _json_feed([_json_item(1), _json_item(2, authors=True)], authors=5)
    got = publish(tmp_path, web, body, kind="application/feed+json")

    assert got.report.rejections == ()
    assert sorted(i["title"] for i in got.json["items"]) == ["E1", "E2"]


def test_an_item_that_is_no_object_is_rejected_where_it_stands(tmp_path: Path, web: LocalWeb) -> None:
    body = _json_feed([None, _json_item(1), "x", _json_item(3, _syndicator={"categories": 5})])
    got = publish(tmp_path, web, body, kind="application/feed+json")

    assert sorted((r.locator, r.reason) for r in got.report.rejections) == [
        ("entry 0", "an item is an object, not NoneType"),
        ("entry 2", "an item is an object, not str"),
    ]
    assert sorted(i["title"] for i in got.json["items"]) == ["E1", "E3"]  # odd categories: dropped


def test_an_entry_that_cannot_be_read_is_rejected_with_what_was_read_even_past_max_items(
    tmp_path: Path, web: LocalWeb, monkeypatch: Any
) -> None:
    from syndicator.sources import jsonfeed

    real = jsonfeed._json_item

    def breaks_on_g2(item: Any, *args: Any) -> dict[str, Any]:
        if item.get("id") == "g2":
            raise RuntimeError("a value nobody foresaw")
        return real(item, *args)

    monkeypatch.setattr(jsonfeed, "_json_item", breaks_on_g2)
    dates = (5, 1, 4, 2, 3)
    items = [_json_item(n, date_published=f"2024-01-0{d}T10:00:00Z") for n, d in enumerate(dates)]
    url = web.serve(
        "/podcast/feed.json", Reply(body=_json_feed(items).encode(), content_type="application/feed+json")
    )
    sources = f'[[sources]]\nname = "upstream"\nkind = "feed"\nurl = "{url}"\ndelay = 0\nmax_items = 3\n'
    report = publish_run(load_config(write_config(tmp_path, sources=sources)), now=NOW)

    (rejection,) = report.rejections
    assert (rejection.locator, rejection.ref) == ("entry 2", f"{url}#g2")
    assert rejection.payload["title"] == "E2"  # what was read is kept in the rejection report
    # The three newest readable entries, the unreadable one taking no place of theirs.
    published = json.loads((tmp_path / "out" / "feed.json").read_bytes())["items"]
    assert sorted(i["title"] for i in published) == ["E0", "E3", "E4"]


@pytest.mark.parametrize(
    "odd",
    ["<x:n>" * 300 + "deep" + "</x:n>" * 300, "<x:item>an extension's own item</x:item>"],
    ids=["nested past 256 levels", "an extension element named item"],
)
def test_one_odd_entry_leaves_every_other_entry_s_guid_as_written(
    tmp_path: Path, web: LocalWeb, odd: str
) -> None:
    def item(guid: str, extra: str = "") -> str:
        return f"<item><title>T {guid}</title><guid>{guid}</guid><description>body {guid}</description>{extra}</item>"

    first = publish(tmp_path, web, rss(item("t3_aaa") + item("t3_bbb"), namespaces=' xmlns:x="urn:x"'))
    again = publish(
        tmp_path,
        web,
        rss(item("t3_ccc", odd) + item("t3_aaa") + item("t3_bbb"), namespaces=' xmlns:x="urn:x"'),
    )

    assert sorted(i["id"] for i in first.json["items"]) == ["t3_aaa", "t3_bbb"]
    assert (again.report.added, again.report.unchanged) == (1, 2)
    assert sorted(i["id"] for i in again.json["items"]) == ["t3_aaa", "t3_bbb", "t3_ccc"]
