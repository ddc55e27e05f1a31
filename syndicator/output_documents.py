"""store → documents: the feeds a render yields, read from the store as the plan asks.

Every subscription feed of the site is yielded, because the index and the OPML
list them all; the ones this run renders come as FeedDocuments (read from the
store), the others as the FeedListing the store kept when they were last
rendered, so a run with one new article reads the few feeds holding it and
not the rest of the archive. Without kept listings (a store written before
they were, or a render of every feed) every feed is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from syndicator.config import Config
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
from syndicator.model import ArchiveLinks, Article, Category, FeedDocument, FeedListing
from syndicator.output_plan import OutputPlan, archive_pages_to_render
from syndicator.render import FORMATS
from syndicator.slugs import category_term
from syndicator.store import Store, StoredRows

ARCHIVE_DIR = "archive"
# The index lists feeds in this order of their folders, then by key; a category
# left without articles comes after the others.
INDEX_SECTIONS = ("", "languages", "tags", "authors", "categories")


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


def index_order(listing: FeedListing) -> tuple[int, bool, str]:
    """Where a feed stands in the index and the OPML: the same place whether this
    run read it or took its kept listing."""
    folder = listing.key.split("/", 1)[0] if listing.key else ""
    section = INDEX_SECTIONS.index(folder) if folder in INDEX_SECTIONS else len(INDEX_SECTIONS)
    return (section, folder == "categories" and listing.count == 0, listing.key)


@dataclass(frozen=True)
class StoredPage:
    """An archive page (the main archive's or a category's) as the store's rows, made
    into its document where it is rendered: in a worker process for a big render,
    so that parsing every archived article is not left to the process reading the
    store. `document` gives what reading the page at once gives."""

    key: str  # archive/3, categories/monde/archive/3
    number: int  # 0 for archive/1
    rows: StoredRows
    content: str  # the feed's content mode
    category: Category | None
    links: ArchiveLinks

    def document(self, config: Config) -> FeedDocument:
        archived = tuple(with_content(a, self.content) for a in self.rows.articles())
        document = feed_document(config, archived, self.category)
        return replace(
            document,
            key=self.key,
            urls=feed_urls(config, self.key),
            title=f"{document.title} — archive {self.number + 1}",
            archive=self.links,
        )


def feed_documents(config: Config, store: Store, *, archive_pages: bool = False) -> list[FeedDocument]:
    """Every subscription feed (and with `archive_pages` every archive page) as documents."""
    plan = OutputPlan(True, None, None if archive_pages else frozenset(), frozenset(), frozenset())
    return [d for d in iter_feed_documents(config, store, plan) if isinstance(d, FeedDocument)]


def iter_feed_documents(
    config: Config,
    store: Store,
    plan: OutputPlan,
    listed: Mapping[str, FeedListing] | None = None,
    *,
    stored_pages: bool = False,
) -> Iterator[FeedDocument | FeedListing | StoredPage]:
    """The main feed, the archive pages the plan names, and every other subscription feed.

    Every subscription feed is yielded (the index lists them all); which of
    them are rendered is the plan's `renders`. With `listed` (the store's kept
    listings) and a plan that does not render every feed, a feed the plan
    does not render is yielded as its listing and nothing of it is read.
    Archive pages are yielded only when the plan names them, so a run's work
    follows what changed, not the size of the archive. A generator: one
    archive page is in memory at a time. Nothing here lists a folder or reads
    a file: what is on disk came in the plan. With `stored_pages`, archive pages
    come as StoredPage, not read yet.
    """
    yield from _main_documents(config, store, plan, stored_pages)
    # A feed with no items (every record rejected, a category emptied) is
    # dated by the store's creation: stable across runs, and never 1970.
    empty_date = store.first_run_started() or EPOCH
    if listed is None or plan.every_feed:
        yield from _every_feed(config, store, plan, empty_date, stored_pages)
    else:
        yield from _changed_feeds(config, store, plan, listed, empty_date, stored_pages)


def _main_documents(
    config: Config, store: Store, plan: OutputPlan, stored_pages: bool = False
) -> Iterator[FeedDocument | StoredPage]:
    items = config.output.items
    size = config.output.archive_page_size
    full_pages = archived_pages(store.archive_count(), size)
    current_urls = feed_urls(config, "")
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
        return
    links = ArchiveLinks(current_urls, feed_urls(config, archive_key(full_pages - 1)), None, False)
    document = fit_budget(config, feed_document(config, current), main.max_bytes, keep)
    yield replace(document, archive=links, archive_pages=full_pages)
    pages = range(full_pages) if plan.archive_pages is None else plan.archive_pages
    for page in sorted(p for p in pages if p < full_pages):
        # next-archive only names a page that exists: the newest archive
        # page has none until the next one fills up (RFC 5005 §4 names
        # "the immediately following archive document"; a link to a page
        # not yet written would answer 404).
        prev = feed_urls(config, archive_key(page - 1)) if page > 0 else None
        following = feed_urls(config, archive_key(page + 1)) if page + 1 < full_pages else None
        rows = store.archive_page_rows(page, size)
        links = ArchiveLinks(current_urls, prev, following, True)
        stored = StoredPage(archive_key(page), page, rows, content, None, links)
        yield stored if stored_pages else stored.document(config)


def _every_feed(
    config: Config, store: Store, plan: OutputPlan, empty_date: datetime, stored_pages: bool = False
) -> Iterator[FeedDocument | StoredPage]:
    """Every subscription feed read from the store (a render of every feed, or no kept listings)."""
    if config.output.language_feeds:
        languages = store.languages()
        if len(languages) > 1:  # one language: its feed would repeat the main feed
            for language in languages:
                yield _language_feed(config, store, language, empty_date)
    selections = (
        ("tag", "tags", config.output.tag_feeds, store.newest_by_tag),
        ("author", "authors", config.output.author_feeds, store.newest_by_author),
    )
    for kind, folder, enabled, newest_by in selections:
        if not enabled:
            continue
        limit = config.output.policy(kind).items or config.output.items
        # Names with one slug ("Inflation", "inflation") are one feed, as they are
        # one category: two feeds must never be written to the same folder.
        by_slug: dict[str, list[tuple[str, tuple[Article, ...]]]] = {}
        for name, newest_there in newest_by(limit).items():
            by_slug.setdefault(category_term(name), []).append((name, newest_there))
        for slug, named in sorted(by_slug.items()):
            merged = {a.id: a for _, articles in named for a in articles}
            newest_there = tuple(sorted(merged.values(), key=_order))[:limit]
            # The first name in sorted order: the same title every run.
            yield _selection_feed(config, kind, f"{folder}/{slug}", named[0][0], newest_there, empty_date)
    if config.output.category_feeds:
        categories = store.categories()
        for term, label, scheme in categories:
            yield from _category_documents(config, store, Category(term, label, scheme), plan, stored_pages)
        # A category whose last article left it (retracted, now a draft, moved)
        # keeps an empty feed, so readers stop seeing the article there.
        visible = {term for term, _, _ in categories}
        written = {key.split("/", 1)[1] for key in plan.folders if key.startswith("categories/")}
        labels = {term: (label, scheme) for term, label, scheme in store.emptied_categories()}
        for term in sorted((written | set(labels)) - visible):
            label, scheme = labels.get(term, (term, None))
            yield feed_document(config, (), Category(term, label, scheme), empty_date=empty_date)


def _changed_feeds(
    config: Config,
    store: Store,
    plan: OutputPlan,
    listed: Mapping[str, FeedListing],
    empty_date: datetime,
    stored_pages: bool = False,
) -> Iterator[FeedDocument | FeedListing | StoredPage]:
    """The feeds the plan renders, read from the store; every other one as its kept listing.

    A tag or author feed left with no visible article is gone from the index
    (as a render of every feed leaves it out); a category keeps an empty feed.
    Language feeds exist only while the site has articles in two languages or
    more, so when a language mark comes, the set of languages is read again.
    """
    assert plan.feeds is not None
    marked = plan.feeds
    enabled = {
        "languages": config.output.language_feeds,
        "tags": config.output.tag_feeds,
        "authors": config.output.author_feeds,
        "categories": config.output.category_feeds,
    }
    keys = {key for key in listed if key and enabled.get(key.split("/", 1)[0], False)}
    keys |= {key for key in marked if enabled.get(key.split("/", 1)[0], False)}
    if enabled["languages"] and any(key.startswith("languages/") for key in marked):
        languages = store.languages()
        keys = {key for key in keys if not key.startswith("languages/")}
        keys |= {f"languages/{language}" for language in languages} if len(languages) > 1 else set()
    for key in sorted(keys):
        folder, name = key.split("/", 1)
        if key in listed and key not in marked and not (folder == "languages" and key not in plan.folders):
            yield listed[key]
        elif folder == "languages":
            yield _language_feed(config, store, name, empty_date)
        elif folder in ("tags", "authors"):
            kind = "tag" if folder == "tags" else "author"
            limit = config.output.policy(kind).items or config.output.items
            names, newest_there = store.newest_named(kind, name, limit)
            if names:  # else: no visible article has it any more, and its feed leaves the index
                yield _selection_feed(config, kind, key, names[0], newest_there, empty_date)
        else:
            yield from _one_category(config, store, plan, name, key in listed, empty_date, stored_pages)


def _one_category(
    config: Config,
    store: Store,
    plan: OutputPlan,
    term: str,
    was_listed: bool,
    empty_date: datetime,
    stored_pages: bool = False,
) -> Iterator[FeedDocument | StoredPage]:
    found = store.category(term)
    if found is None:  # no article is filed under it any more
        if was_listed or f"categories/{term}" in plan.folders:
            yield feed_document(config, (), Category(term, term, None), empty_date=empty_date)
        return
    label, scheme, visible = found
    category = Category(term, label, scheme)
    if visible:
        yield from _category_documents(config, store, category, plan, stored_pages)
    else:
        yield feed_document(config, (), category, empty_date=empty_date)


def _language_feed(config: Config, store: Store, language: str, empty_date: datetime) -> FeedDocument:
    policy = config.output.policy("language")
    newest_there = store.newest_in_language(policy.items or config.output.items, language)
    document = language_document(
        config, language, within_policy(newest_there, policy, config.output.items), empty_date=empty_date
    )
    return fit_budget(config, document, policy.max_bytes)


def _selection_feed(
    config: Config, kind: str, key: str, name: str, newest_there: tuple[Article, ...], empty_date: datetime
) -> FeedDocument:
    policy = config.output.policy(kind)
    chosen = within_policy(newest_there, policy, config.output.items)
    document = selection_document(config, key, name, chosen, empty_date=empty_date)
    return fit_budget(config, document, policy.max_bytes)


def _category_documents(
    config: Config, store: Store, category: Category, plan: OutputPlan, stored_pages: bool = False
) -> Iterator[FeedDocument | StoredPage]:
    """A category feed and the RFC 5005 archive pages of it the plan names.

    A category numbers its articles in the order they joined it (their
    places), and page n holds places n·size … (n+1)·size − 1 under
    `categories/<term>/archive/<n+1>/`. As in the main feed, the articles
    not yet in a full page stay in the category feed, so every article of
    the category is reachable from its feed.
    """
    items, size = config.output.items, config.output.archive_page_size
    policy = config.output.policy("category")
    base = f"categories/{category.term}"
    count = store.category_archive_count(category.term)
    full = archived_pages(count, size)
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
    yield replace(document, archive=ArchiveLinks(current, newest_page, None, False), archive_pages=full)
    if not plan.renders_category_archive(category.term):
        return
    for page in archive_pages_to_render(plan.places_in(category.term), count, size, every=plan.every_feed):
        if page >= full:
            continue
        key = f"{base}/{archive_key(page)}"
        prev = feed_urls(config, f"{base}/{archive_key(page - 1)}") if page > 0 else None
        following = feed_urls(config, f"{base}/{archive_key(page + 1)}") if page + 1 < full else None
        rows = store.category_archive_rows(category.term, page * size, size)
        links = ArchiveLinks(current, prev, following, True)
        stored = StoredPage(key, page, rows, policy.content, category, links)
        yield stored if stored_pages else stored.document(config)


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


def _order(article: Article) -> tuple[float, str]:
    """The feeds' total order: newest first, then by id."""
    assert article.published is not None
    return (-article.published.timestamp(), article.id)
