"""Feeds assembled from item fragments are the whole render, byte for byte, in every
format: on the shipped samples, on generated records, on the renderers' hard cases,
with a cold cache, a warm one and a cache holding an older version of an article."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import make_article, make_document
from sitekit import CONFIG_DIR, NOW, REPO, write_config

from syndicator.config import load_config
from syndicator.model import FeedDocument
from syndicator.output_documents import feed_documents
from syndicator.pipeline import publish_run
from syndicator.render import FORMATS, fragments
from syndicator.render.fragments import Fragments, assemble
from syndicator.store import SQLiteStore

sys.path.insert(0, str(REPO / "bench"))
import generate


def documents_of(site: Path) -> list[FeedDocument]:
    config = load_config(site / "syndicator.toml")
    publish_run(config, now=NOW)
    with SQLiteStore(config.store_location) as store:
        return feed_documents(config, store, archive_pages=True)


def assert_assembled_equal_whole(documents: list[FeedDocument], tmp_path: Path) -> None:
    for name, fmt in sorted(FORMATS.items()):
        cold = Fragments()
        warm = Fragments(tmp_path / f"{name}.sqlite3")
        for doc in documents:
            whole = fmt.render(doc)
            assert assemble(fmt, doc, cold, persist=False) == whole, (name, doc.key)
            assert assemble(fmt, doc, warm, persist=True) == whole, (name, doc.key)
        warm.save()
        warm.close()
        # Another run: every item comes from the stored fragments.
        again = Fragments(tmp_path / f"{name}.sqlite3")
        for doc in documents:
            assert assemble(fmt, doc, again, persist=False) == fmt.render(doc), (name, doc.key)
        assert again.rendered == 0 or any(not d.archive or not d.archive.is_archive for d in documents)
        again.close()


def test_the_samples_feeds_assembled_from_fragments_are_the_whole_render(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_config(site, items=2, extra="")
    text = (site / "syndicator.toml").read_text(encoding="utf-8")
    (site / "syndicator.toml").write_text(
        text.replace(
            "items = 2", "items = 2\narchive_page_size = 2\ntag_feeds = true\nlanguage_feeds = true"
        ),
        encoding="utf-8",
    )
    for sample in (CONFIG_DIR / "samples").iterdir():
        shutil.copy(sample, site / "articles" / sample.name)
    documents = documents_of(site)
    assert any(d.archive and d.archive.is_archive for d in documents)
    assert_assembled_equal_whole(documents, tmp_path)


def test_generated_records_feeds_assembled_from_fragments_are_the_whole_render(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_config(site, items=20)
    text = (site / "syndicator.toml").read_text(encoding="utf-8")
    (site / "syndicator.toml").write_text(
        text.replace(
            "items = 20", "items = 20\narchive_page_size = 25\nauthor_feeds = true\nlanguage_feeds = true"
        ),
        encoding="utf-8",
    )
    generate.generate(site / "articles", 120)
    assert_assembled_equal_whole(documents_of(site), tmp_path)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_edited_article_is_rendered_again_not_taken_from_its_old_fragment(name: str) -> None:
    fmt = FORMATS[name]
    cache = Fragments()
    first = make_document((make_article(2), make_article(1)))
    assemble(fmt, first, cache, persist=True)
    edited = make_document((make_article(2, title="Corrected"), make_article(1)))
    assert assemble(fmt, edited, cache, persist=True) == fmt.render(edited)
    assert cache.rendered == 3 and cache.reused == 1


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_an_empty_feed_and_an_archive_page_assemble_to_the_whole_render(name: str) -> None:
    fmt = FORMATS[name]
    cache = Fragments()
    empty = replace(make_document((make_article(1),)), articles=())
    assert assemble(fmt, empty, cache, persist=False) == fmt.render(empty)
    other_language = replace(make_document((make_article(1),)), language="de")
    assert assemble(fmt, other_language, cache, persist=False) == fmt.render(other_language)


def test_a_render_holds_a_bounded_part_of_its_fragments_in_memory_and_keeps_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past MEMORY_BYTES the fragments go to the file in the run's transaction: the
    feeds are the same bytes, the next run finds every one, a cancelled run none."""
    monkeypatch.setattr(fragments, "MEMORY_BYTES", 4000)  # a few items
    fmt = FORMATS["rss"]
    documents = [make_document(tuple(make_article(n + k) for k in range(3))) for n in range(1, 31, 3)]

    cancelled = Fragments(tmp_path / "fragments.sqlite3")
    for doc in documents:
        assert assemble(fmt, doc, cancelled, persist=True) == fmt.render(doc)
    assert len(cancelled._memory) < 30
    cancelled.close()  # not saved: what went to the file goes with the transaction
    assert Fragments(tmp_path / "fragments.sqlite3").lookup("rss", "", [make_article(1)]) == {}

    cache = Fragments(tmp_path / "fragments.sqlite3")
    for doc in documents + documents:  # the second time round, every item is known
        assert assemble(fmt, doc, cache, persist=True) == fmt.render(doc)
    assert cache.rendered == 30 and cache.reused == 30
    assert len(cache._memory) < 30
    cache.save()
    cache.close()

    again = Fragments(tmp_path / "fragments.sqlite3")
    for doc in documents:
        assert assemble(fmt, doc, again, persist=False) == fmt.render(doc)
    assert again.rendered == 0 and again.reused == 30
    again.close()
