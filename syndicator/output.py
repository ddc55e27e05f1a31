"""render → write: every feed rendered from what the store holds, written when changed.

Feeds are always rendered from the store, never from one run's records, so a
run killed after the store commit but before the files were written is
completed by the next run, and an article stays in its feeds when its source
file is skipped as unchanged.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path

from syndicator.archive_render import ItemPlaces, PageJob, PageRenderer, RenderedPage
from syndicator.config import Config
from syndicator.errors import RunCancelled
from syndicator.fingerprint import NOT_RENDERING, config_fingerprint
from syndicator.model import FeedDocument, FeedListing, Rejection
from syndicator.output_documents import (
    ARCHIVE_DIR,
    StoredPage,
    archive_key,
    archived_pages,
    index_order,
    iter_feed_documents,
)
from syndicator.output_plan import OutputPlan, OutputState
from syndicator.render import FORMATS
from syndicator.render.fragments import Fragments, assemble, fragments_in
from syndicator.report import Progress, Timer
from syndicator.slugs import category_term
from syndicator.store import Store
from syndicator.workers import Workers
from syndicator.write import (
    VALIDATORS_NAME,
    etag_of,
    sync_directory,
    wrap_os_errors,
    write_if_changed,
    write_validators,
    writing,
)
from syndicator.write_behind import WriteBehind

# Seconds to wait before writing each file: crash tests widen the window in
# which a publisher is killed between two written files. Unset: no wait.
WRITE_DELAY_ENV = "SYNDICATOR_TEST_WRITE_DELAY"


def render_documents(
    config: Config, documents: Iterable[FeedDocument], fragments: Fragments | None = None
) -> Iterator[tuple[str, bytes]]:
    """(path relative to the output directory, bytes) for every feed in every format.

    With `fragments`, each feed is assembled from its items' fragments (the same
    bytes): an item is rendered once per format, not once per feed holding it.
    Fragments of subscription feeds are kept for the next run; an archive
    page's items are rendered again only when the page is.
    """
    for doc in documents:
        archive_page = doc.archive is not None and doc.archive.is_archive
        for fmt in FORMATS.of(config.output.formats):
            relative = f"{doc.key}/{fmt.filename}" if doc.key else fmt.filename
            if fragments is None:
                yield relative, fmt.render(doc)
            else:
                yield relative, assemble(fmt, doc, fragments, persist=not archive_page)


def _pages_to_render(config: Config, store: Store, plan: OutputPlan) -> int:
    """How many main archive pages the plan renders (each category's come on top)."""
    if plan.archive_pages is not None:
        return len(plan.archive_pages)
    return archived_pages(store.archive_count(), config.output.archive_page_size)


def observe_output(
    config: Config, store: Store, *, nothing_read: bool = False, full: bool = False, held: bool = False
) -> OutputState:
    """Everything the output plan decides from, read once: the store's marks and
    the folders on disk. The one place of the publish-output journey that looks
    at the output folder before rendering."""
    directory = config.output.directory
    folders: set[str] = set()
    for parent in ("categories", "tags", "authors", "languages"):
        with suppress(OSError):
            folders |= {
                f"{parent}/{entry.name}" for entry in os.scandir(directory / parent) if entry.is_dir()
            }
    present = output_present(config, store)
    meta = store.render_marks()
    return OutputState(
        fingerprint=output_fingerprint(config),
        rendered_with=meta.rendered_with,
        render_pending=meta.pending,
        marks=meta.feeds,
        archive_marks=meta.archive_seqs,
        archive_count=store.archive_count(),
        archive_page_size=config.output.archive_page_size,
        files_present=present,
        archive_present=(directory / ARCHIVE_DIR).is_dir(),
        folders=frozenset(folders),
        category_places=meta.category_places,
        nothing_read=nothing_read,
        held=held,
        full=full,
    )


def kept_listings(store: Store) -> dict[str, FeedListing] | None:
    """The index lines the store kept for every feed at the last render; None before the first."""
    listed = {key: FeedListing.from_json(data) for key, data in store.feed_listings().items()}
    return listed if "" in listed else None


def render_and_write(
    config: Config,
    store: Store,
    plan: OutputPlan,
    *,
    timer: Timer | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    workers: Workers | None = None,
) -> tuple[list[str], list[str]]:
    """(files written, files unchanged), relative to the output directory: the documents `plan` names.

    `cancel` (a shutdown) stops it between two documents with RunCancelled:
    every file is whole, and what was not rendered stays marked for the next run.
    A run with one new article renders the main feed, the few feeds that hold
    it and the index, not the whole site: the index lists the other feeds from
    the lines the store kept for them (`kept_listings`), which this run then
    brings up to date. `workers`: the run's worker processes, which render the
    archive pages of a big render (`PageRenderer`); the files are written here,
    in the same order either way.
    """
    if dry_run:
        return _render_and_write(config, store, plan, timer, dry_run, progress, cancel, workers)
    with writing(config.state_directory):
        return _render_and_write(config, store, plan, timer, dry_run, progress, cancel, workers)


def _render_and_write(
    config: Config,
    store: Store,
    plan: OutputPlan,
    timer: Timer | None,
    dry_run: bool,
    progress: Progress | None,
    cancel: threading.Event | None,
    workers: Workers | None,
) -> tuple[list[str], list[str]]:
    timer = timer or Timer()
    written: list[str] = []
    unchanged: list[str] = []
    etags: dict[str, str] = {}  # the validators `serve` answers a 304 from
    listed = None if plan.every_feed else kept_listings(store)
    listings: dict[str, FeedListing] = {}  # every subscription feed, for the index and the OPML
    renewed: set[str] = set()  # the feeds read from the store this run: their listings are saved

    delay = float(os.environ.get(WRITE_DELAY_ENV) or 0)

    behind: WriteBehind[tuple[ItemPlaces, ...]] = WriteBehind()

    def write(files: Iterable[tuple[str, bytes, str | None]]) -> None:
        """A document's files, each renamed in whole; then each folder they went to is
        synced once (a page's three formats share one folder). In the writer thread."""
        folders: set[Path] = set()
        for relative, data, etag in files:
            if delay:
                time.sleep(delay)
            behind.check()
            # Rendering took a while: a publisher that lost its lease since must not write.
            if cancel is not None and cancel.is_set():
                raise RunCancelled("stopped between two feeds; the next run writes the rest")
            path = config.output.directory / relative
            changed = _would_change(path, data) if dry_run else write_if_changed(path, data, sync=False)
            if changed and not dry_run:
                folders.add(path.parent)
            (written if changed else unchanged).append(relative)
            etags[relative] = etag or etag_of(data)
        for folder in sorted(folders):
            with wrap_os_errors(folder):
                sync_directory(folder)

    def chosen(doc: FeedDocument) -> bool:
        # With kept listings, only the feeds to render are read at all. (Archive
        # pages come as StoredPage, and only those the plan names.)
        return listed is not None or plan.renders(doc.key)

    documents = iter_feed_documents(config, store, plan, listed, stored_pages=True)
    expected = _expected_files(config, plan)
    from syndicator.render.site import render_list_pages, render_views  # only when something is rendered

    site_title = config.site.title
    formats = tuple(config.output.formats)
    archive = PageRenderer(workers, _pages_to_render(config, store, plan), config, dry_run=dry_run)
    # Documents rendered, not yet written, in order: an archive page may be
    # rendering in a worker while this process reads and renders the next feeds.
    # (a worker's render, else the files rendered here; the page, in case its worker dies)
    ahead: deque[tuple[PageJob | None, RenderedPage, StoredPage | None]] = deque()

    def written_now(places: tuple[ItemPlaces, ...]) -> None:
        archive.written(places)
        if progress is not None:
            progress("render", len(written) + len(unchanged), max(expected, len(written) + len(unchanged)))

    def write_next() -> None:
        future, rendered, page = ahead.popleft()
        places: tuple[ItemPlaces, ...] = ()
        if future is not None and page is not None:
            with timer.stage("render"):
                rendered, places = archive.result(future, page)

        def write_page() -> tuple[ItemPlaces, ...]:
            write(rendered)
            return places

        with timer.stage("write_wait"):
            behind.hand(write_page, written_now)

    # Render and write one document at a time (a few, with workers), so memory
    # holds a feed or two, not the site. The fragments are saved when every
    # document is written (a cancelled run keeps none).
    with fragments_in(None if dry_run else config.state_directory) as fragments, behind:
        while True:
            if cancel is not None and cancel.is_set():
                raise RunCancelled("stopped between two feeds; the next run writes the rest")
            with timer.stage("render"):
                doc = next(documents, None)
                if isinstance(doc, FeedListing):
                    listings[doc.key] = doc
                    continue
                if doc is None:
                    break
                future: PageJob | None = None
                rendered: RenderedPage = []
                page: StoredPage | None = None
                if isinstance(doc, StoredPage):
                    page = doc
                    future = archive.submit(page)
                    if future is None:
                        rendered = archive.here(page, fragments)
                else:
                    listings[doc.key] = doc.listing()
                    renewed.add(doc.key)
                    if chosen(doc):
                        made = render_documents(config, [doc], fragments)
                        rendered = [(r, data, None) for r, data in made]
                        rendered += [
                            (r, data, None)
                            for r, data in render_views(doc, site_title=site_title, formats=formats)
                        ]
            ahead.append((future, rendered, page))
            while ahead and (ahead[0][0] is None or ahead[0][0].done() or len(ahead) > archive.window):
                write_next()
        while ahead:
            if cancel is not None and cancel.is_set():
                raise RunCancelled("stopped between two feeds; the next run writes the rest")
            write_next()
        with timer.stage("write_wait"):
            behind.finish()
    timer.add("write", behind.seconds)
    if archive.seconds:
        timer.add("render_pages", archive.seconds)
    with timer.stage("render"):
        pages = render_list_pages(
            sorted(listings.values(), key=index_order),
            site_title=config.site.title,
            site_description=config.site.description,
            language=config.site.language,
            feeds_url=config.site.feeds_url,
            formats=config.output.formats,
        )
    with timer.stage("write"):
        write((relative, data, None) for relative, data in pages)
    if not dry_run:
        with timer.stage("write"):
            write_validators(config.state_directory / VALIDATORS_NAME, config.output.directory, etags)
        store.save_feed_listings(
            {key: listings[key].to_json() for key in renewed},
            removed=set(listed or ()) - set(listings),
            every=listed is None,
        )
        if plan.clear_archive_marks:
            store.clear_dirty_archive(sorted(plan.clear_archive_marks))
        if plan.category_places:
            # Every mark is dealt with: a page that fills later is marked by the article filling it.
            store.clear_category_places(plan.category_places)
    return written, unchanged


def _expected_files(config: Config, plan: OutputPlan) -> int:
    """About how many feed files this render writes, for the progress display's ETA."""
    pages = 0 if plan.archive_pages is None else len(plan.archive_pages)
    feeds = 0 if plan.feeds is None else len(plan.feeds)
    return (1 + pages + feeds) * len(config.output.formats)


def _would_change(path: Path, data: bytes) -> bool:
    return not path.exists() or path.read_bytes() != data


def output_fingerprint(config: Config) -> str:
    """Everything besides the articles that shapes the output: when it changes,
    the output is rendered again even though no article did."""
    return config_fingerprint(config, leave_out=NOT_RENDERING)


def output_present(config: Config, store: Store) -> bool:
    """Every feed file and the index are where the last render put them (nobody deleted one).

    Every folder a render writes is checked: the main feed and its archive
    pages, each category and its archive pages, each language, tag and author
    feed. A folder found missing makes the run render every feed again, so a
    deleted folder comes back on the next publish even when nothing changed.
    With kept listings, each feed's files are looked at and its archive pages'
    folders are read in one listing of its `archive/` folder (a million-article
    archive has some 60,000 of them).
    """
    directory = config.output.directory
    names = [FORMATS[fmt].filename for fmt in config.output.formats]
    if not (directory / "index.html").is_file():
        return False
    listed = kept_listings(store)
    if listed is None:
        keys = _expected_keys(config, store)
        return all((directory / key / name).is_file() for key in keys for name in names)
    root = str(directory)
    for listing in listed.values():
        folder = os.path.join(root, listing.key) if listing.key else root
        if not all(os.path.isfile(os.path.join(folder, name)) for name in names):
            return False
        if listing.archive_pages:
            try:
                pages = set(os.listdir(os.path.join(folder, ARCHIVE_DIR)))
            except OSError:
                return False
            if not all(str(page + 1) in pages for page in range(listing.archive_pages)):
                return False
    return True


def _expected_keys(config: Config, store: Store) -> Iterator[str]:
    """The folder (relative to the output directory, "" for the main feed) of
    every feed document a full render writes, as iter_feed_documents lays them out."""
    size = config.output.archive_page_size
    yield ""
    for page in range(archived_pages(store.archive_count(), size)):
        yield archive_key(page)
    if config.output.language_feeds:
        languages = store.languages()
        if len(languages) > 1:
            yield from (f"languages/{language}" for language in languages)
    selections = (
        ("tags", config.output.tag_feeds, store.newest_by_tag),
        ("authors", config.output.author_feeds, store.newest_by_author),
    )
    for folder, enabled, newest_by in selections:
        if enabled:
            yield from (f"{folder}/{slug}" for slug in sorted({category_term(name) for name in newest_by(1)}))
    if config.output.category_feeds:
        for term in store.category_terms():
            yield f"categories/{term}"
        for term, _, _ in store.categories():
            for page in range(archived_pages(store.category_archive_count(term), size)):
                yield f"categories/{term}/{archive_key(page)}"


def is_feed(relative: str) -> bool:
    """A subscription document (WebSub topic): a feed file, not a page or an archive page."""
    if f"/{relative}".find(f"/{ARCHIVE_DIR}/") >= 0:  # archive/2/…, categories/x/archive/2/…
        return False
    return relative.rsplit("/", 1)[-1] in FORMATS.filenames()


def keep_rejections(config: Config, run_id: int, rejections: tuple[Rejection, ...]) -> str | None:
    """Nothing rejected is lost: every rejected record is kept with its reason, in a file
    of its run, as long as the run is in the history (`[state] history`: a record still
    rejected is in the file of each run that reads or tells it). The file's path, None
    when nothing was rejected."""
    folder = config.state_directory / "rejected"
    if config.history_runs and folder.is_dir():
        for old in folder.glob("run-*.json"):
            number = old.name.removeprefix("run-").removesuffix(".json")
            if number.isdigit() and int(number) <= run_id - config.history_runs:
                old.unlink(missing_ok=True)
    if not rejections:
        return None
    path = folder / f"run-{run_id:06d}.json"
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
    # A lone surrogate (a broken record's "\ud800") cannot be UTF-8: written as the
    # JSON escape it was read from, so the file stays valid and says what was read.
    write_if_changed(path, data.encode("utf-8", "backslashreplace"))
    return str(path)
