"""WordPress content saved to files publishes as it does over HTTP.

The corpus (tests/corpus/wordpress, see SOURCES.md there) holds files WordPress
wrote: a REST API answer and two WXR exports (Tools → Export).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.cli import ExitStatus, cli
from syndicator.sources.wxr import read_wxr

CORPUS = Path(__file__).parents[1] / "corpus" / "wordpress"


def publish(tmp_path: Path, source: str, name: str) -> list[dict[str, Any]]:
    out = tmp_path / name
    result = CliRunner().invoke(
        cli, ["publish", "--config", str(write_config(tmp_path)), "--source", source, "--output", str(out)]
    )
    assert result.exit_code == ExitStatus.OK, result.output
    items: list[dict[str, Any]] = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    return items


def test_a_wordpress_rest_export_saved_to_a_file_publishes_as_it_does_over_http(
    web: LocalWeb, tmp_path: Path
) -> None:
    body = (CORPUS / "wp-rest-posts.json").read_bytes()
    url = web.serve("/wp-json/wp/v2/posts", Reply(body=body, content_type="application/json"))
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CORPUS / "wp-rest-posts.json", folder)

    from_file = publish(tmp_path, str(folder), "from-file")
    over_http = publish(tmp_path, url, "over-http")

    assert [i["title"] for i in from_file] == ["REST API Client Fixture: Post"]  # its author is the number 0
    fields = ("id", "url", "title", "content_html", "summary", "date_published", "date_modified", "authors")
    assert [{k: i.get(k) for k in fields} for i in from_file] == [
        {k: i.get(k) for k in fields} for i in over_http
    ]
    assert from_file[0]["id"] == "http://example.org/?p=4"  # the guid, as WordPress's own feeds give it


def test_each_post_and_page_of_a_wxr_export_is_an_article(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CORPUS / "wxr-export-1.1.xml", folder)

    items = {i["title"]: i for i in publish(tmp_path, str(folder), "out")}

    assert set(items) == {"Hello world!", "About"}  # the post and the page; not the comment
    hello = items["Hello world!"]
    assert hello["id"] == "http://localhost/?p=1"
    assert hello["date_published"] == "2010-10-16T20:53:18+00:00"  # wp:post_date_gmt
    assert hello["authors"] == [{"name": "John Doe"}]  # the login `john`, by its display name
    assert hello["tags"] == ["Alpha", "Clippable"]  # its category and its tag, not the custom taxonomy
    assert hello["content_html"] == (
        "<p>Welcome to WordPress. This is your first post. Edit or delete it, then start blogging!</p>"
    )


def test_a_wxr_export_with_bidirectional_controls_and_emoji_publishes(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CORPUS / "wxr-export-utf-8.xml", folder)

    [item] = publish(tmp_path, str(folder), "out")

    assert "Frost" in item["title"] and "🌲" in item["title"]
    assert item["date_published"] == "2024-06-05T16:04:48+00:00"


def test_wxr_items_that_are_not_content_are_skipped_and_statuses_kept() -> None:
    data = (CORPUS / "wxr-export-1.1.xml").read_bytes()
    item = data[data.index(b"\t<item>") : data.index(b"</item>") + len(b"</item>")]
    variants = [
        item.replace(b"<wp:post_type>post</wp:post_type>", b"<wp:post_type>attachment</wp:post_type>"),
        item.replace(b"<wp:post_type>post</wp:post_type>", b"<wp:post_type>nav_menu_item</wp:post_type>"),
        item.replace(b"<wp:status>publish</wp:status>", b"<wp:status>draft</wp:status>").replace(
            b"<wp:post_date_gmt>2010-10-16 20:53:18</wp:post_date_gmt>",
            b"<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>",
        ),
        item.replace(b"<wp:status>publish</wp:status>", b"<wp:status>future</wp:status>"),
    ]
    end = data.index(b"</channel>")
    export = data[:end] + b"\n".join(variants) + data[end:]

    records = {r.locator: r.payload for r in read_wxr(export)}

    assert set(records) == {
        "item 0",
        "item 1",
        "item 4",
        "item 5",
    }  # the post, the page, the draft, the scheduled
    assert records["item 4"]["status"] == "draft"
    assert records["item 4"]["published"] == "2010-10-16T20:53:18"  # the local date, as the GMT one is unset
    assert records["item 5"]["status"] == "scheduled"


def test_an_xml_file_that_is_not_a_wordpress_export_is_not_an_article_file(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CORPUS / "wxr-export-1.1.xml", folder)
    (folder / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>', encoding="utf-8")

    assert len(publish(tmp_path, str(folder), "out")) == 2  # exit 0: nothing rejected
