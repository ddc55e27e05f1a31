"""render → write: every feed rendered from what the store holds, written when changed.

Feeds are always rendered from the store, never from one run's records, so a
run killed after the store commit but before the files were written is
completed by the next run, and an article stays in its feeds when its source
file is skipped as unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

from syndicator.config import Config
from syndicator.feeds import feed_document
from syndicator.intake import Timer
from syndicator.model import Category, FeedDocument, Rejection
from syndicator.render import RENDERERS
from syndicator.store import Store
from syndicator.write import write_if_changed


def feed_documents(config: Config, store: Store) -> list[FeedDocument]:
    items = config.output.items
    documents = [feed_document(config, store.newest(items).articles)]
    if config.output.category_feeds:
        for term, label, scheme in store.categories():
            category = Category(term=term, label=label, scheme=scheme)
            documents.append(feed_document(config, store.newest(items, category=term).articles, category))
    return documents


def render_documents(config: Config, documents: list[FeedDocument]) -> list[tuple[str, bytes]]:
    """(path relative to the output directory, bytes) for every feed in every format."""
    rendered = []
    for doc in documents:
        for fmt in config.output.formats:
            renderer = RENDERERS[fmt]
            relative = f"{doc.key}/{renderer.filename}" if doc.key else renderer.filename
            rendered.append((relative, renderer.render(doc)))
    return rendered


def render_and_write(
    config: Config, store: Store, *, timer: Timer | None = None, dry_run: bool = False
) -> tuple[list[str], list[str]]:
    """(files written, files unchanged), relative to the output directory."""
    timer = timer or Timer()
    with timer.stage("render"):
        rendered = render_documents(config, feed_documents(config, store))
    written: list[str] = []
    unchanged: list[str] = []
    with timer.stage("write"):
        for relative, data in rendered:
            path = config.output.directory / relative
            if dry_run:
                changed = not path.exists() or path.read_bytes() != data
            else:
                changed = write_if_changed(path, data)
            (written if changed else unchanged).append(relative)
    return written, unchanged


def is_feed(relative: str) -> bool:
    return relative.rsplit("/", 1)[-1] in {r.filename for r in RENDERERS.values()}


def keep_rejections(state_directory: Path, run_id: int, rejections: tuple[Rejection, ...]) -> str:
    """Nothing rejected is lost: every rejected record is kept with its reason."""
    path = state_directory / "rejected" / f"run-{run_id:06d}.json"
    body = [
        {
            "source": r.source,
            "origin": r.origin,
            "locator": r.locator,
            "field": r.field,
            "reason": r.reason,
            "record": r.payload,
        }
        for r in rejections
    ]
    data = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    write_if_changed(path, data.encode("utf-8"))
    return str(path)
