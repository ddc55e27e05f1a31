"""An archive page renders each of its items once per format in a run: a category's
archive page takes the items the main archive pages wrote before it, read back
from their files, and its bytes are still those of a render from nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sitekit import NOW, every_feed_config, record, write_config

from syndicator import workers
from syndicator.archive_render import ArchiveItems, render_page
from syndicator.config import Config
from syndicator.output_documents import StoredPage, iter_feed_documents
from syndicator.output_plan import OutputPlan
from syndicator.pipeline import publish_run
from syndicator.render import FORMATS
from syndicator.store import open_store

ARTICLES = 24  # pages of two: twelve main archive pages, and each section's pages


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    write_config(tmp_path)
    records = [record(n, category=f"Section {n % 3}") for n in range(ARTICLES)]
    (tmp_path / "articles" / "batch.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    config = every_feed_config(tmp_path)
    config = replace(config, output=replace(config.output, formats=("rss", "atom", "json")))
    publish_run(config, now=NOW)
    # render_page runs in a worker, a fork of the run's process that has the configuration.
    monkeypatch.setattr(workers, "_INHERITED", config)
    return config


def stored_pages(config: Config) -> list[StoredPage]:
    """Every archive page, in the order a render of every feed takes them."""
    store = open_store(config.state_directory / "state.sqlite3")
    try:
        plan = OutputPlan(True, None, None, frozenset(), frozenset())
        return [
            d
            for d in iter_feed_documents(config, store, plan, stored_pages=True)
            if isinstance(d, StoredPage)
        ]
    finally:
        store.close()


def from_nothing(config: Config, page: StoredPage) -> dict[str, bytes]:
    doc = page.document(config)
    return {f"{doc.key}/{fmt.filename}": fmt.render(doc) for fmt in FORMATS.of(config.output.formats)}


def learnt_main_archive(
    config: Config, limit: int = ArchiveItems.LIMIT
) -> tuple[list[StoredPage], ArchiveItems]:
    """Every archive page, and what a render learnt from the main archive's (rendered first)."""
    pages = stored_pages(config)
    items = ArchiveItems(config.output.directory, tuple(config.output.formats), limit=limit)
    for page in pages:
        if page.category is None:
            items.learn(render_page(page).places)
    return pages, items


def test_a_category_archive_page_takes_its_items_from_the_main_archive_pages_written_before_it(
    site: Config,
) -> None:
    pages = stored_pages(site)
    main = [p for p in pages if p.category is None]
    categories = [p for p in pages if p.category is not None]
    assert len(main) == ARTICLES // 2 and len(categories) >= 9
    assert pages.index(categories[0]) > pages.index(main[-1])  # the main archive comes first
    items = ArchiveItems(site.output.directory, tuple(site.output.formats))

    reused = {}
    for page in pages:
        result = render_page(page, items.for_page(page))
        assert {relative: data for relative, data, _ in result.files} == from_nothing(site, page)
        for relative, data, _ in result.files:  # the files the run wrote are these bytes
            assert (site.output.directory / relative).read_bytes() == data
        items.learn(result.places)
        reused[page.key] = result.reused

    assert all(reused[p.key] == 0 for p in main)
    # Every item of a category page, in all three formats, was read back, none rendered again.
    assert all(reused[p.key] == 3 * len(p.rows.rows) for p in categories)


def test_an_item_is_taken_only_for_the_article_version_it_was_rendered_from(site: Config) -> None:
    pages, items = learnt_main_archive(site)
    category_page = next(p for p in pages if p.category is not None)
    relayed = items.for_page(category_page)
    assert len(relayed) == 3 * len(category_page.rows.rows)

    # The article changed since (another digest), or the feed says another language
    # (another context): the item is rendered again, and the page is the same bytes.
    for stale in (
        tuple((fmt, context, aid, "another version", data) for fmt, context, aid, _, data in relayed),
        tuple((fmt, context + "x", aid, digest, data) for fmt, context, aid, digest, data in relayed),
    ):
        result = render_page(category_page, stale)
        assert result.reused == 0
        assert {r: data for r, data, _ in result.files} == from_nothing(site, category_page)


def test_an_archive_file_that_cannot_be_read_back_costs_a_render_not_a_wrong_byte(site: Config) -> None:
    pages, items = learnt_main_archive(site)
    category_page = next(p for p in pages if p.category is not None)
    for path in (site.output.directory / "archive").rglob("rss.xml"):
        path.unlink()  # gone from under the run

    relayed = items.for_page(category_page)
    assert {fmt for fmt, *_ in relayed} == {"atom", "json"}
    result = render_page(category_page, relayed)
    assert result.reused == 2 * len(category_page.rows.rows)
    assert {r: data for r, data, _ in result.files} == from_nothing(site, category_page)


def test_a_render_remembers_a_bounded_number_of_articles_and_renders_the_rest_again(site: Config) -> None:
    pages, items = learnt_main_archive(site, limit=3)

    relayed = [r for page in pages if page.category is not None for r in items.for_page(page)]
    assert len({aid for _, _, aid, _, _ in relayed}) == 3  # the three learnt last
    for page in pages:
        if page.category is not None:
            result = render_page(page, items.for_page(page))
            assert {r: data for r, data, _ in result.files} == from_nothing(site, page)


def test_an_archive_file_replaced_since_it_was_written_is_not_read_back(site: Config) -> None:
    """A sync or a deploy into the output folder may put other bytes where a page was."""
    pages, items = learnt_main_archive(site)
    for path in (site.output.directory / "archive").rglob("feed.json"):
        shifted = path.with_suffix(".new")
        shifted.write_bytes(b"       " + path.read_bytes())
        shifted.replace(path)

    category_page = next(p for p in pages if p.category is not None)
    relayed = items.for_page(category_page)
    assert {fmt for fmt, *_ in relayed} == {"rss", "atom"}
    result = render_page(category_page, relayed)
    assert {r: data for r, data, _ in result.files} == from_nothing(site, category_page)


def test_a_category_in_another_content_mode_reads_nothing_back_from_the_main_archive(
    site: Config,
) -> None:
    """A category published as excerpts beside a main archive in full text: its items
    are other items, so none is read from the main archive's files and sent for nothing."""
    pages, items = learnt_main_archive(site)
    category_page = next(p for p in pages if p.category is not None)
    assert items.for_page(category_page)  # in the same content mode, every item is there

    excerpts = replace(category_page, content="excerpt")

    assert items.for_page(excerpts) == ()
    result = render_page(excerpts, items.for_page(excerpts))
    assert result.reused == 0
    assert {r: data for r, data, _ in result.files} == from_nothing(site, excerpts)
