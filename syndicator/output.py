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
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from syndicator.config import Config
from syndicator.errors import RunCancelled
from syndicator.feed_documents import (
    EPOCH,
    feed_document,
    feed_urls,
    language_document,
    newest_date,
    selection_document,
    with_content,
    within_policy,
)
from syndicator.fingerprint import NOT_RENDERING, config_fingerprint
from syndicator.model import ArchiveLinks, Article, Category, FeedDocument, Rejection
from syndicator.output_plan import OutputPlan, OutputState
from syndicator.render import FORMATS
from syndicator.render.fragments import Fragments, assemble, fragments_in
from syndicator.report import Progress, Timer
from syndicator.slugs import category_term
from syndicator.store import Store
from syndicator.write import VALIDATORS_NAME, etag_of, write_if_changed, write_validators

ARCHIVE_DIR = "archive"
# Seconds to wait before writing each file: crash tests widen the window in
# which a publisher is killed between two written files. Unset: no wait.
WRITE_DELAY_ENV = "SYNDICATOR_TEST_WRITE_DELAY"


def archived_pages(count: int, size: int) -> int:
    """How many archive pages `count` articles in pages of `size` make: none
    until two pages are full, then every full page.

    RFC 5005 §4 links each archive page to the one before and after it; a
    sole page would have neither, and a reader could not tell it from a
    broken chain (the W3C validator's ArchiveIncomplete warning). Until the
    second page fills, the first page's articles stay in the subscription
    feed, which is where readers find every article not yet archived.
    """
    pages = count // size
    return pages if pages >= 2 else 0


def archive_key(page: int) -> str:
    """Archive pages are numbered from 1, oldest first: archive/1/atom.xml."""
    return f"{ARCHIVE_DIR}/{page + 1}"


def feed_documents(config: Config, store: Store, *, archive_pages: bool = False) -> list[FeedDocument]:
    """Every subscription feed (and with `archive_pages` every archive page) as documents."""
    plan = OutputPlan(True, None, None if archive_pages else frozenset(), frozenset(), frozenset())
    return list(iter_feed_documents(config, store, plan))


def iter_feed_documents(config: Config, store: Store, plan: OutputPlan) -> Iterator[FeedDocument]:
    """The main feed, the archive pages the plan names, and every other subscription feed.

    Every subscription feed is yielded (the index lists them all); which of
    them are rendered is the plan's `renders`. Archive pages are yielded only
    when the plan names them, so a run's work follows what changed, not the
    size of the archive. A generator: one archive page is in memory at a time.
    Nothing here lists a folder or reads a file: what is on disk came in the plan.
    """
    items = config.output.items
    size = config.output.archive_page_size
    full_pages = archived_pages(store.archive_count(), size)
    current_urls = feed_urls(config, "")
    # A feed with no items (every record rejected, a category emptied) is
    # dated by the store's creation: stable across runs, and never 1970.
    empty_date = store.first_run_started() or EPOCH
    newest = store.newest(items).articles
    # The not-yet-full archive page is not an archive document: its articles stay
    # in the current feed, even those dated older than the newest `items`, so that
    # every article is always in the subscription feed or a full archive page.
    unarchived = store.since_seq(full_pages * size)
    pending = {a.id: a for a in (*newest, *unarchived)}
    # The main feed and its archive take the main policy's content mode; its
    # byte budget drops only articles an archive page holds, so that every
    # article stays reachable (its length is items plus the unarchived page).
    main = config.output.policy("main")
    content = main.content
    current = tuple(with_content(a, content) for a in sorted(pending.values(), key=_order))
    keep = frozenset(a.id for a in unarchived)
    if full_pages == 0:
        yield fit_budget(config, feed_document(config, current, empty_date=empty_date), main.max_bytes, keep)
    else:
        links = ArchiveLinks(current_urls, feed_urls(config, archive_key(full_pages - 1)), None, False)
        yield replace(fit_budget(config, feed_document(config, current), main.max_bytes, keep), archive=links)
        pages = range(full_pages) if plan.archive_pages is None else plan.archive_pages
        for page in sorted(p for p in pages if p < full_pages):
            # next-archive only names a page that exists: the newest archive
            # page has none until the next one fills up (RFC 5005 §4 names
            # "the immediately following archive document"; a link to a page
            # not yet written would answer 404).
            prev = feed_urls(config, archive_key(page - 1)) if page > 0 else None
            following = feed_urls(config, archive_key(page + 1)) if page + 1 < full_pages else None
            archived = tuple(with_content(a, content) for a in store.archive_page(page, size))
            document = feed_document(config, archived)
            yield replace(
                document,
                key=archive_key(page),
                urls=feed_urls(config, archive_key(page)),
                title=f"{document.title} — archive {page + 1}",
                archive=ArchiveLinks(current_urls, prev, following, True),
            )
    if config.output.language_feeds:
        languages = store.languages()
        policy = config.output.policy("language")
        if len(languages) > 1:  # one language: its feed would repeat the main feed
            for language in languages:
                newest_there = store.newest_in_language(policy.items or items, language)
                document = language_document(
                    config, language, within_policy(newest_there, policy, items), empty_date=empty_date
                )
                yield fit_budget(config, document, policy.max_bytes)
    selections = (
        ("tag", "tags", config.output.tag_feeds, store.newest_by_tag),
        ("author", "authors", config.output.author_feeds, store.newest_by_author),
    )
    for kind, folder, enabled, newest_by in selections:
        if not enabled:
            continue
        policy = config.output.policy(kind)
        limit = policy.items or items
        # Names with one slug ("Inflation", "inflation") are one feed, as they are
        # one category: two feeds must never be written to the same folder.
        by_slug: dict[str, list[tuple[str, tuple[Article, ...]]]] = {}
        for name, newest_there in newest_by(limit).items():
            by_slug.setdefault(category_term(name), []).append((name, newest_there))
        for slug, named in sorted(by_slug.items()):
            merged = {a.id: a for _, articles in named for a in articles}
            newest_there = tuple(sorted(merged.values(), key=_order))[:limit]
            chosen = within_policy(newest_there, policy, items)
            name = named[0][0]  # the first in sorted order: the same title every run
            document = selection_document(config, f"{folder}/{slug}", name, chosen, empty_date=empty_date)
            yield fit_budget(config, document, policy.max_bytes)
    if config.output.category_feeds:
        categories = store.categories()
        for term, label, scheme in categories:
            category = Category(term=term, label=label, scheme=scheme)
            yield from _category_documents(
                config, store, category, archive_pages=plan.renders_category_archive(term)
            )
        # A category whose last article left it (retracted, now a draft, moved)
        # keeps an empty feed, so readers stop seeing the article there.
        visible = {term for term, _, _ in categories}
        written = {key.split("/", 1)[1] for key in plan.folders if key.startswith("categories/")}
        labels = {term: (label, scheme) for term, label, scheme in store.emptied_categories()}
        for term in sorted((written | set(labels)) - visible):
            label, scheme = labels.get(term, (term, None))
            category = Category(term=term, label=label, scheme=scheme)
            yield feed_document(config, (), category, empty_date=empty_date)


def _category_documents(
    config: Config, store: Store, category: Category, *, archive_pages: bool
) -> Iterator[FeedDocument]:
    """A category feed and, with `archive_pages`, its RFC 5005 archive pages.

    A category's articles are numbered in the order they were first stored
    (their sequence numbers), and page n holds ranks n·size … (n+1)·size − 1
    under `categories/<term>/archive/<n+1>/`. As in the main feed, the
    articles not yet in a full page stay in the category feed, so every
    article of the category is reachable from its feed.
    """
    items, size = config.output.items, config.output.archive_page_size
    policy = config.output.policy("category")
    base = f"categories/{category.term}"
    full = archived_pages(store.category_archive_count(category.term), size)
    unarchived = store.category_archive_slice(category.term, full * size, None) if full else ()
    newest = store.newest(policy.items or items, category=category.term).articles
    chosen = within_policy(newest, policy, items)
    if full:
        merged = {a.id: a for a in (*chosen, *(with_content(a, policy.content) for a in unarchived))}
        chosen = tuple(sorted(merged.values(), key=_order))
    keep = frozenset(a.id for a in unarchived)
    document = fit_budget(config, feed_document(config, chosen, category), policy.max_bytes, keep)
    if not full:
        yield document
        return
    current = document.urls
    newest_page = feed_urls(config, f"{base}/{archive_key(full - 1)}")
    yield replace(document, archive=ArchiveLinks(current, newest_page, None, False))
    if not archive_pages:
        return
    for page in range(full):
        key = f"{base}/{archive_key(page)}"
        prev = feed_urls(config, f"{base}/{archive_key(page - 1)}") if page > 0 else None
        following = feed_urls(config, f"{base}/{archive_key(page + 1)}") if page + 1 < full else None
        archived = store.category_archive_slice(category.term, page * size, size)
        shown = tuple(with_content(a, policy.content) for a in archived)
        page_document = feed_document(config, shown, category)
        yield replace(
            page_document,
            key=key,
            urls=feed_urls(config, key),
            title=f"{page_document.title} — archive {page + 1}",
            archive=ArchiveLinks(current, prev, following, True),
        )


def fit_budget(
    config: Config, doc: FeedDocument, max_bytes: int | None, keep: frozenset[str] = frozenset()
) -> FeedDocument:
    """The document with as many of its newest items as fit `max_bytes` in every format.

    Whole items are dropped, oldest first, never cut in half: the most that
    fit is found by bisection over the number of items kept (each step
    renders the feed once per format). Articles whose id is in `keep` are
    never dropped (the main feed's articles not yet in an archive page: the
    feed is the only place readers find them), even over the budget.
    """
    if max_bytes is None:
        return doc
    droppable = [a.id for a in doc.articles if a.id not in keep]  # newest first

    def chosen(count: int) -> tuple[Article, ...]:
        kept = set(droppable[:count])
        return tuple(a for a in doc.articles if a.id in keep or a.id in kept)

    def fits(count: int) -> bool:
        trial = replace(doc, articles=chosen(count))
        return all(len(FORMATS[fmt].render(trial)) <= max_bytes for fmt in config.output.formats)

    if fits(len(droppable)):
        return doc
    low, high = 0, len(droppable)  # fits(low) is assumed; fits(high) is false
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    kept = chosen(low)
    return replace(doc, articles=kept, updated=newest_date(kept, doc.updated) if kept else doc.updated)


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


def _order(article: Article) -> tuple[float, str]:
    """The feeds' total order: newest first, then by id."""
    assert article.published is not None
    return (-article.published.timestamp(), article.id)


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
        nothing_read=nothing_read,
        held=held,
        full=full,
    )


def render_and_write(
    config: Config,
    store: Store,
    plan: OutputPlan,
    *,
    timer: Timer | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[list[str], list[str]]:
    """(files written, files unchanged), relative to the output directory: the documents `plan` names.

    `cancel` (a shutdown) stops it between two documents with RunCancelled:
    every file is whole, and what was not rendered stays marked for the next run.
    A run with one new article renders the main feed, the few feeds that hold
    it and the index, not the whole site.
    """
    timer = timer or Timer()
    subscribable: list[FeedDocument] = []  # for the index and the HTML views: a few, small
    written: list[str] = []
    unchanged: list[str] = []
    etags: dict[str, str] = {}  # the validators `serve` answers a 304 from

    delay = float(os.environ.get(WRITE_DELAY_ENV) or 0)

    def write(relative: str, data: bytes) -> None:
        if delay:
            time.sleep(delay)
        # Rendering took a while: a publisher that lost its lease since must not write.
        if cancel is not None and cancel.is_set():
            raise RunCancelled("stopped between two feeds; the next run writes the rest")
        path = config.output.directory / relative
        changed = _would_change(path, data) if dry_run else write_if_changed(path, data)
        (written if changed else unchanged).append(relative)
        etags[relative] = etag_of(data)

    def chosen(doc: FeedDocument) -> bool:
        # An archive page is yielded only when the plan names it; a category
        # archive page goes with its category feed.
        if doc.archive is not None and doc.archive.is_archive:
            return True
        return plan.renders(doc.key)

    documents = iter_feed_documents(config, store, plan)
    expected = _expected_files(config, plan)
    # Render and write one document at a time, so memory holds one feed, not the site.
    # The fragments are saved when every document is written (a cancelled run keeps none).
    with fragments_in(None if dry_run else config.state_directory) as fragments:
        while True:
            if cancel is not None and cancel.is_set():
                raise RunCancelled("stopped between two feeds; the next run writes the rest")
            with timer.stage("render"):
                doc = next(documents, None)
                if doc is not None and not (doc.archive is not None and doc.archive.is_archive):
                    subscribable.append(doc)
                rendered = (
                    list(render_documents(config, [doc], fragments))
                    if doc is not None and chosen(doc)
                    else []
                )
            if doc is None:
                break
            with timer.stage("write"):
                for relative, data in rendered:
                    write(relative, data)
            if progress is not None:
                progress(
                    "render", len(written) + len(unchanged), max(expected, len(written) + len(unchanged))
                )
    from syndicator.render.site import render_site_pages  # the HTML pages: only when something is rendered

    with timer.stage("render"):
        pages = render_site_pages(
            subscribable,
            site_title=config.site.title,
            site_description=config.site.description,
            language=config.site.language,
            feeds_url=config.site.feeds_url,
            formats=config.output.formats,
            views_for=None if plan.every_feed else {d.key for d in subscribable if chosen(d)},
        )
    with timer.stage("write"):
        for relative, data in pages:
            write(relative, data)
    if not dry_run:
        with timer.stage("write"):
            write_validators(config.state_directory / VALIDATORS_NAME, config.output.directory, etags)
    if plan.clear_archive_marks and not dry_run:
        store.clear_dirty_archive(sorted(plan.clear_archive_marks))
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
    """
    directory = config.output.directory
    names = [FORMATS[fmt].filename for fmt in config.output.formats]
    return (directory / "index.html").is_file() and all(
        (directory / key / name).is_file() for key in _expected_keys(config, store) for name in names
    )


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
