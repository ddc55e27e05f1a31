"""The render stage as a whole: the registry, and same input, same bytes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from syndicator.model import Article, FeedDocument
from syndicator.render import FORMATS, render_atom, render_jsonfeed, render_rss
from syndicator.render._registry import LazyRender
from syndicator.render._values import clean

ROOT = Path(__file__).parents[2]

# Renders the conftest document and writes the bytes of each format, after
# proving that the locale and time zone it was given are really in effect.
CHILD = """
import importlib.util, locale, sys, time
locale.setlocale(locale.LC_ALL, "")  # as an application honouring LC_ALL does
spec = importlib.util.spec_from_file_location("fixtures", sys.argv[1])
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)
from syndicator.render import FORMATS
assert time.strftime("%B", time.gmtime(0)) == "janvier", time.strftime("%B", time.gmtime(0))
assert time.localtime(0).tm_hour != 0, "TZ not in effect"
document = fixtures.make_document(
    (fixtures.RICH, fixtures.TWIN_B, fixtures.TWIN_A, fixtures.PERMALINK)
)
for name, renderer in sorted(FORMATS.items()):
    sys.stdout.buffer.write(renderer.render(document) + b"\\0")
"""


def _resolved(render: Callable[[FeedDocument], bytes]) -> Callable[[FeedDocument], bytes]:
    return render.resolve() if isinstance(render, LazyRender) else render


def test_the_registry_names_each_format_file_and_media_type() -> None:
    assert {
        name: (fmt.name, fmt.filename, fmt.media_type, _resolved(fmt.render)) for name, fmt in FORMATS.items()
    } == {
        "rss": ("rss", "rss.xml", "application/rss+xml", render_rss),
        "atom": ("atom", "atom.xml", "application/atom+xml", render_atom),
        "json": ("json", "feed.json", "application/feed+json", render_jsonfeed),
    }


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_rendering_twice_gives_identical_bytes(name: str, document: FeedDocument) -> None:
    render = FORMATS[name].render
    first = render(document)
    assert first == render(document)
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") or name == "json"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_article_without_published_date_is_refused(
    name: str, new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    document = new_document((new_article(1),))
    undated = (new_article(2, published=None), *document.articles)
    with pytest.raises(ValueError, match="no published date"):
        FORMATS[name].render(replace(document, articles=undated))


def test_rendering_ignores_the_time_zone(document: FeedDocument, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {name: renderer.render(document) for name, renderer in FORMATS.items()}
    monkeypatch.setenv("TZ", "Pacific/Chatham")
    time.tzset()
    try:
        assert time.localtime(0).tm_hour != 0  # the zone is really in effect
        after = {name: renderer.render(document) for name, renderer in FORMATS.items()}
    finally:
        monkeypatch.undo()
        time.tzset()
    assert after == before


def test_rendering_ignores_the_locale_and_time_zone_of_the_process(
    document: FeedDocument, tmp_path: Path
) -> None:
    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("localedef is needed to build a French locale")
    built = subprocess.run(
        [localedef, "-i", "fr_FR", "-f", "UTF-8", str(tmp_path / "fr_FR.UTF-8")],
        capture_output=True,
    )
    if not (tmp_path / "fr_FR.UTF-8").is_dir():
        pytest.skip(f"could not build fr_FR.UTF-8: {built.stderr.decode(errors='replace')}")
    env = {
        **os.environ,
        "LOCPATH": str(tmp_path),
        "LC_ALL": "fr_FR.UTF-8",
        "TZ": "America/St_Johns",
        "PYTHONPATH": str(ROOT),
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).with_name("conftest.py"))],
        env=env,
        capture_output=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr.decode(errors="replace")
    expected = b"".join(renderer.render(document) + b"\0" for _, renderer in sorted(FORMATS.items()))
    assert child.stdout == expected


# Text a title or summary may hold: markup characters, whitespace, control
# characters XML cannot carry, surrogates, noncharacters, astral characters.
AWKWARD = st.sampled_from(list("<>&;#\"' ab\t\n\r\x00\x0b\x1féA“”\ud800\ufffe\x85\x92😀/="))
TEXT = st.text(alphabet=AWKWARD | st.characters(), min_size=1, max_size=40)


def feedparser_repairs(text: str) -> bool:
    """feedparser re-decodes Latin-1-only text that is valid UTF-8 (`Ã©` → `é`).

    feedparser/mixin.py pop(): "address common error where people take data
    that is already utf-8, presume that it is iso-8859-1, and re-encode it".
    Such titles are written correctly but read back "repaired".
    """
    try:
        text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, summary=TEXT)
def test_any_text_renders_to_xml_that_reads_back_cleaned(
    new_article: Callable[..., Article],
    new_document: Callable[..., FeedDocument],
    title: str,
    summary: str,
) -> None:
    expected = clean(title).strip()
    assume(expected and not feedparser_repairs(expected))
    document = new_document((new_article(3, title=title, summary=summary),))
    for render in (render_rss, render_atom):
        data = render(document)
        etree.fromstring(data)  # well-formed XML 1.0
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries[0].title == expected
    assert json.loads(render_jsonfeed(document))["items"][0]["title"] == expected


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_feed_with_no_articles_still_renders(
    name: str, new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    empty = replace(new_document((new_article(1),)), articles=())
    data = FORMATS[name].render(empty)
    if name == "json":
        assert json.loads(data)["items"] == []
    else:
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0 and parsed.entries == []
        assert parsed.feed.title == empty.title


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_article_with_only_a_title_renders(
    name: str, new_article: Callable[..., Article], new_document: Callable[..., FeedDocument]
) -> None:
    bare = new_article(1, summary="", content_html="", authors=(), categories=())
    data = FORMATS[name].render(new_document((bare,)))
    if name == "json":
        item = json.loads(data)["items"][0]
        assert (item["title"], item["content_text"]) == ("Article 1", "Article 1")
        assert "content_html" not in item and "summary" not in item
    else:
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        assert [entry.title for entry in parsed.entries] == ["Article 1"]
