"""plain_text: what titles, summaries, labels and names become, for readers that take them as HTML."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitekit import NOW, record
from xsskit import PAYLOADS, markup_in

from syndicator.config import load_config
from syndicator.normalize.assemble import clean_title
from syndicator.pipeline import publish_run
from syndicator.plaintext import plain_text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_leaves_markup_in_a_title(payload: str) -> None:
    title = clean_title(f"Budget {payload} vote")
    assert markup_in(title) is None
    assert title.startswith("Budget")


def test_control_characters_go_before_the_markup_so_a_nul_cannot_hide_a_tag() -> None:
    assert clean_title("Budget <scr\x00ipt>alert(1)</scr\x00ipt> vote") == "Budget alert(1) vote"
    assert clean_title("Budget <img\x00 src=x onerror=alert(1)> vote") == "Budget vote"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("<svg/onload=alert(1)>Budget vote", "Budget vote"),
        ("<img/src=x/onerror=alert(1)>Budget vote", "Budget vote"),
        ("&lt;svg/onload=alert(1)&gt;Budget vote", "Budget vote"),
        ("&amp;lt;em&amp;gt;Budget&amp;lt;/em&amp;gt; vote", "Budget vote"),
        ('<img alt=">" src=x onerror=alert(1)>Budget vote', "Budget vote"),
        ("Budget vote <a hr", "Budget vote"),  # an excerpt cut inside a tag
    ],
)
def test_tags_are_read_as_a_browser_reads_them(written: str, read: str) -> None:
    assert clean_title(written) == read


@pytest.mark.parametrize(
    "text", ["3 < 5 > 2", "AT&T earnings", "Fish & chips", "x <= y", "I <3 Paris", "a << b"]
)
def test_text_that_only_looks_like_markup_is_kept(text: str) -> None:
    assert clean_title(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Why List<T> beats T[] in C#",
        "Map<String, List<Integer>> in five minutes",
        "Rust: Vec<u8> and Option<String>",
        "std::vector<int> grows by doubling",
        "Proof that a<b",
        "if i<n then stop",
        "x < y > z",
    ],
)
def test_angle_brackets_in_code_and_comparisons_are_kept_as_written(text: str) -> None:
    assert clean_title(text) == text
    assert plain_text(text) == text
    assert markup_in(text) is None


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Array<b>bold</b> claims", "Array bold claims"),
        ("List<T onclick=alert(1)> x", "List x"),
        ("Vec<svg> of <u8>", "Vec of"),
        ("a<b onmouseover=alert(1)", "a"),
    ],
)
def test_a_generic_naming_an_element_or_carrying_attributes_is_still_markup(written: str, read: str) -> None:
    assert clean_title(written) == read


@given(st.text(alphabet=st.sampled_from(list("<>/!?=\"'& ;#x3Cltgamp svgonload\x00\x0c")), max_size=60))
def test_any_text_comes_out_without_markup_and_a_second_pass_changes_nothing(text: str) -> None:
    once = plain_text(text)
    assert markup_in(once) is None
    assert plain_text(once) == once


def test_a_title_with_a_generic_is_published_and_every_reader_shows_it(
    site: Path, add_records: Callable[..., Path]
) -> None:
    titles = ["Why List<T> beats T[] in C#", "Map<String, List<Integer>> in five minutes", "Proof that a<b"]
    add_records("a.json", [record(n, title=title) for n, title in enumerate(titles, 1)])

    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)

    assert report.rejections == () and report.added == 3
    out = site / "out"
    for name in ("rss.xml", "atom.xml"):
        assert sorted(e.title for e in feedparser.parse((out / name).read_bytes()).entries) == sorted(titles)
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert sorted(i["title"] for i in items) == sorted(titles)


def test_a_title_whose_escaped_markup_is_dropped_says_so_and_text_that_looks_like_markup_does_not(
    site: Path, add_records: Callable[..., Path]
) -> None:
    deep = "Deep &amp;amp;amp;amp;lt;b&amp;amp;amp;amp;gt;dive"  # escaped five times over
    written = ["Why &lt;div&gt; soup spoils pages", "List&lt;T&gt; in five minutes", "Tom &amp; Jerry", deep]
    add_records("a.json", [record(n, title=title) for n, title in enumerate(written, 1)])

    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)

    assert report.added == 4
    titles = sorted(i["title"] for i in json.loads((site / "out" / "feed.json").read_text())["items"])
    assert titles == ["Deep dive", "List<T> in five minutes", "Tom & Jerry", "Why soup spoils pages"]
    # The words the tag held are gone from the title: the report names the record and the field.
    why, deeper = sorted(w for w in report.warnings if "/title" in w)
    assert "a.json" in why and "Why &lt;div&gt; soup" in why and "removed as markup" in why
    assert "Deep &amp;amp;amp;amp;lt;b" in deeper and "removed as markup: 'Deep dive'" in deeper
