"""One poison record costs that record, one poison source that source: never the run.

Each poison input sits beside good records, in a folder, a JSON API answer, a
JSON Feed or an RSS feed read with `publish --source`; the good ones publish,
the exit code says what the README says for the run, and the rejection line
names the poison.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import record, write_config
from webkit import LocalWeb, Reply

from syndicator.cli import ExitStatus, cli

DEEP = "[" * 100_000 + "]" * 100_000  # RecursionError in json.loads
HUGE = "9" * 5000  # over Python's 4,300-digit int() limit


def nested(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


def publish(tmp_path: Path, *sources: str) -> tuple[Result, list[dict[str, Any]]]:
    config = write_config(tmp_path)
    out = tmp_path / "oneoff"
    args = ["publish", "--config", str(config), "--output", str(out)]
    for source in sources:
        args += ["--source", source]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != ExitStatus.ERROR, result.output  # never "internal error", nothing written
    feed = out / "feed.json"
    items = json.loads(feed.read_text(encoding="utf-8"))["items"] if feed.exists() else []
    return result, items


def rejection_lines(result: Result) -> list[str]:
    return [line.strip() for line in result.output.splitlines() if line.startswith("  ")]


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "drop"
    path.mkdir()
    (path / "good.json").write_text(json.dumps(record(1)), encoding="utf-8")
    yield path


def titles(items: list[dict[str, Any]]) -> set[str]:
    return {i["title"] for i in items}


# -- files in a folder ---------------------------------------------------------------------


def test_a_json_file_nested_100000_deep_is_rejected_and_the_good_file_publishes(
    tmp_path: Path, folder: Path
) -> None:
    (folder / "deep.json").write_text(DEEP, encoding="utf-8")
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.REJECTED, result.output
    assert titles(items) == {"Article number 1"}
    [line] = rejection_lines(result)[:1]
    assert "deep.json: /: not valid JSON: nested too deeply to read" in line


def test_a_deep_record_in_a_list_costs_only_that_record(tmp_path: Path, folder: Path) -> None:
    records = [record(2), {**record(3), "extra": nested(150)}, record(4)]
    (folder / "list.json").write_text(json.dumps(records), encoding="utf-8")
    (folder / "lines.jsonl").write_text(
        json.dumps(record(5)) + "\n" + "[" * 50_000 + "]" * 50_000 + "\n" + json.dumps(record(6)) + "\n",
        encoding="utf-8",
    )
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.REJECTED, result.output
    assert titles(items) == {f"Article number {n}" for n in (1, 2, 4, 5, 6)}
    lines = rejection_lines(result)
    assert any("list.json: record 1: /: nested deeper than 100 levels" in line for line in lines), lines
    assert any("lines.jsonl: line 2: /: not valid JSON: nested too deeply" in line for line in lines), lines


@pytest.mark.parametrize("levels", [99, 100, 101, 150])
def test_a_jsonl_line_is_refused_exactly_when_it_nests_past_the_limit(
    tmp_path: Path, folder: Path, levels: int
) -> None:
    """The limit is the same for a line as for a record of a list: 100 levels of
    containers, the record itself the first. Brackets inside its strings do not count."""
    bracketed = {**record(7), "note": "[{" * 200}
    deep = {**record(3), "extra": nested(levels - 1)}  # the record is a level, and each list is one
    (folder / "lines.jsonl").write_text(
        "\n".join(json.dumps(r) for r in (record(2), deep, bracketed)) + "\n", encoding="utf-8"
    )
    result, items = publish(tmp_path, str(folder))
    refused = levels > 100
    assert result.exit_code == (ExitStatus.REJECTED if refused else ExitStatus.OK), result.output
    published = {1, 2, 7} | (set() if refused else {3})
    assert titles(items) == {f"Article number {n}" for n in published}
    if refused:
        assert rejection_lines(result)[0].endswith("lines.jsonl: line 2: /: nested deeper than 100 levels")


def test_an_integer_of_5000_digits_does_not_cost_its_record(tmp_path: Path, folder: Path) -> None:
    (folder / "big.json").write_text(
        json.dumps(record(2, word_count=0)).replace('"word_count": 0', f'"word_count": {HUGE}'),
        encoding="utf-8",
    )
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.OK, result.output
    assert titles(items) == {"Article number 1", "Article number 2"}


def test_a_control_character_reference_in_a_link_is_percent_encoded(tmp_path: Path, folder: Path) -> None:
    body = '<p>See <a href="https://x.example/&#1;y">this</a> and <img src="/a&#127;b.png" alt="i"></p>'
    (folder / "ctrl.json").write_text(json.dumps(record(2, content_html=body)), encoding="utf-8")
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.OK, result.output
    [item] = [i for i in items if i["title"] == "Article number 2"]
    assert 'href="https://x.example/' in item["content_html"]  # the control character gone, the link kept
    assert 'src="https://gazette.example/a' in item["content_html"]


@pytest.mark.parametrize(
    "date",
    ["2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+9999", "0001-01-01T00:00:00+05:00", "le 32 mars"],
)
def test_an_impossible_date_costs_the_date_not_the_article(tmp_path: Path, folder: Path, date: str) -> None:
    (folder / "dated.json").write_text(json.dumps(record(2, published=date)), encoding="utf-8")
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.OK, result.output
    [item] = [i for i in items if i["title"] == "Article number 2"]
    assert item["date_published"].startswith(("20", "19"))  # the first time the store saw it


@pytest.mark.parametrize("stray", [b"\x00", b"\x0b"])
def test_a_text_file_with_one_stray_control_byte_publishes_without_it(
    tmp_path: Path, folder: Path, stray: bytes
) -> None:
    data = b"Harbour reopens\n\nShips came back on Monday."  # a short file: one byte is 2 %
    (folder / "scraped.txt").write_bytes(data[:30] + stray + data[30:])
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.OK, result.output
    [item] = [i for i in items if i["title"] == "Harbour reopens"]
    assert "Ships came back on Monday." in item["content_text"]


def test_a_title_whose_nul_hides_a_tag_publishes_without_the_tag(tmp_path: Path, folder: Path) -> None:
    title = "<scr\u0000ipt>alert(1)</scr\u0000ipt>Harbour reopens"
    (folder / "nul.json").write_text(json.dumps(record(2, title=title)), encoding="utf-8")
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.OK, result.output
    assert "alert(1) Harbour reopens" in titles(items)


# -- answers over HTTP ---------------------------------------------------------------------


def test_a_deep_record_in_a_json_api_answer_costs_only_that_record(web: LocalWeb, tmp_path: Path) -> None:
    answer = json.dumps([record(2), {**record(3), "extra": nested(150)}]).encode()
    url = web.serve("/api/posts", Reply(body=answer, content_type="application/json"))
    result, items = publish(tmp_path, url)
    assert result.exit_code == ExitStatus.REJECTED, result.output
    assert titles(items) == {"Article number 2"}
    assert any(
        f"{url}: record 1: /: nested deeper than 100 levels" in line for line in rejection_lines(result)
    )


@pytest.mark.parametrize("body", [DEEP, '{"items": [' + HUGE + "]}"])
def test_a_poison_json_api_answer_is_that_source_failing_and_the_folder_still_publishes(
    web: LocalWeb, tmp_path: Path, folder: Path, body: str
) -> None:
    url = web.serve("/api/posts", Reply(body=body.encode(), content_type="application/json"))
    result, items = publish(tmp_path, str(folder), url)
    assert result.exit_code in (ExitStatus.SOURCE, ExitStatus.REJECTED), result.output
    assert titles(items) == {"Article number 1"}
    assert url in result.output


def test_json_feed_items_with_poison_cost_only_themselves(web: LocalWeb, tmp_path: Path) -> None:
    good = {"id": "a", "url": "https://notes.example/a", "title": "Good item", "content_text": "Fine."}
    items_in = [
        good,
        {"id": "b", "url": "https://notes.example/b", "title": "Deep item", "content_html": nested(150)},
        {"id": "c", "url": "https://notes.example/c", "title": "Long number", "content_text": "x", "n": 0},
        {
            "id": "d",
            "url": "https://notes.example/d",
            "title": "Bad offset",
            "content_text": "y",
            "date_published": "2024-01-01T00:00:00+24:00",
        },
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": items_in})
    body = body.replace('"n": 0', f'"n": {HUGE}')
    url = web.serve("/feed.json", Reply(body=body.encode(), content_type="application/feed+json"))
    result, items = publish(tmp_path, url)
    assert result.exit_code == ExitStatus.REJECTED, result.output
    assert titles(items) == {"Good item", "Long number", "Bad offset"}
    assert any(
        f"{url}: entry 1: /: nested deeper than 100 levels" in line for line in rejection_lines(result)
    )


def test_a_json_feed_nested_100000_deep_is_that_source_failing(
    web: LocalWeb, tmp_path: Path, folder: Path
) -> None:
    url = web.serve(
        "/feed.json", Reply(body=b'{"version": ' + DEEP.encode() + b"}", content_type="application/feed+json")
    )
    result, items = publish(tmp_path, str(folder), url)
    assert result.exit_code == ExitStatus.SOURCE, result.output
    assert titles(items) == {"Article number 1"}
    assert "nested too deeply" in result.output


def test_an_upstream_rss_item_with_a_control_character_in_a_link_publishes(
    web: LocalWeb, tmp_path: Path
) -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><link>https://w.example/</link>
<item><title>With a broken link</title><link>https://w.example/1</link>
<description>&lt;p&gt;See &lt;a href="https://x.example/&amp;#1;y"&gt;this&lt;/a&gt;.&lt;/p&gt;</description></item>
<item><title>Plain</title><link>https://w.example/2</link><description>Fine.</description></item>
</channel></rss>"""
    url = web.serve("/rss.xml", Reply(body=rss, content_type="application/rss+xml"))
    result, items = publish(tmp_path, url)
    assert result.exit_code == ExitStatus.OK, result.output
    assert titles(items) == {"With a broken link", "Plain"}


# -- the guarantee, whatever the defect ----------------------------------------------------


def test_any_error_while_normalizing_one_record_is_that_records_rejection(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A defect not met yet (here: an extractor that raises) still costs only its record."""
    from syndicator import normalize

    extract = normalize.EXTRACTORS["json"]

    def defective(raw: Any, ctx: Any) -> Any:
        if raw.payload.get("title") == "Boom":
            raise RuntimeError("a defect\nwith a second line")
        return extract(raw, ctx)

    monkeypatch.setitem(normalize.EXTRACTORS, "json", defective)  # type: ignore[index]
    (folder / "boom.json").write_text(json.dumps([record(2), record(3, title="Boom")]), encoding="utf-8")
    result, items = publish(tmp_path, str(folder))
    assert result.exit_code == ExitStatus.REJECTED, result.output
    assert titles(items) == {"Article number 1", "Article number 2"}
    assert any(
        line.endswith("boom.json: record 1: /: could not be normalized: RuntimeError: a defect")
        for line in rejection_lines(result)
    ), result.output


def test_any_error_while_reading_one_source_is_that_sources_failure(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syndicator.sources import directory

    read_file = directory.read_file

    def defective(source: str, path: Path, **kwargs: Any) -> Any:
        if path.name == "boom.txt":
            raise MemoryError("no room")
        return read_file(source, path, **kwargs)

    monkeypatch.setattr(directory, "read_file", defective)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "boom.txt").write_text("Title\n\nBody.", encoding="utf-8")
    result, items = publish(tmp_path, str(broken), str(folder))
    assert result.exit_code == ExitStatus.SOURCE, result.output
    assert titles(items) == {"Article number 1"}
    assert "could not be read: MemoryError: no room" in result.output


# -- whatever a file holds -----------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = (
    "id",
    "title",
    "url",
    "content",
    "summary",
    "author",
    "published",
    "updated",
    "category",
    "tags",
    "related",
    "language",
    "image",
    "status",
)


@st.composite
def poison_files(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".json", ".jsonl", ".txt", ".html", ".xml"]))
    kind = draw(st.sampled_from(["bytes", "json", "field", "known"]))
    if kind == "known":  # the shapes that used to end the run, in any file kind
        return suffix, draw(
            st.sampled_from(
                [
                    DEEP.encode(),
                    json.dumps(record(9, extra=0)).replace('"extra": 0', f'"extra": {HUGE}').encode(),
                    json.dumps(record(9, content_html='<a href="https://x/&#1;y">l</a>')).encode(),
                    json.dumps(record(9, published="2024-01-01T00:00:00+24:00")).encode(),
                    json.dumps(record(9, updated="0001-01-01T00:00:00+05:00")).encode(),
                ]
            )
        )
    if kind == "bytes":
        return suffix, draw(st.binary(max_size=300))
    if kind == "json":
        return suffix, json.dumps(draw(JSON_VALUES)).encode()
    field = draw(st.sampled_from(FIELDS))
    return suffix, json.dumps({**record(9), field: draw(JSON_VALUES)}).encode()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(poison=poison_files())
def test_whatever_one_file_holds_the_run_goes_on_and_the_good_file_publishes(
    tmp_path_factory: pytest.TempPathFactory, poison: tuple[str, bytes]
) -> None:
    from sitekit import NOW

    from syndicator.config import load_config
    from syndicator.intake import prepare, read_and_normalize

    site = tmp_path_factory.mktemp("site")
    config = load_config(write_config(site))
    suffix, data = poison
    (site / "articles" / "a-good.json").write_text(json.dumps(record(1)), encoding="utf-8")
    (site / "articles" / f"poison{suffix}").write_bytes(data)

    intake = read_and_normalize(prepare(config, now=NOW))

    assert intake.source_errors == ()
    assert any(article.title == "Article number 1" for _, article in intake.pairs)
    assert all("poison" in r.origin for r in intake.rejections), intake.rejections
