"""plan (pure): which output documents are stale, from values read once.

The publish-output journey reads what it needs to decide (the store's marks,
the fingerprint the output was last written with, which folders are on disk)
once, into an `OutputState`; `plan_output` turns it into an `OutputPlan`
without touching the store or a file; the document generator then renders
what the plan names and nothing else. The rules of staleness are here, in one
function a test reads as a rulebook.

The store keeps one mark per feed holding a changed article, written in the
transaction that changed it: a category's term, and `tag:NAME`,
`author:NAME`, `language:TAG` for the selection feeds (`*`: every feed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from syndicator.slugs import category_term

# The store's marks for the selection feeds: prefix → the folder of its feeds.
SELECTIONS = {"tag:": "tags", "author:": "authors", "language:": "languages"}
EVERY_FEED = "*"


@dataclass(frozen=True)
class OutputState:
    """What is known before deciding, read once by `output.observe_output`."""

    fingerprint: str  # the output fingerprint of the configuration now
    rendered_with: str | None  # the fingerprint the output on disk was written with
    render_pending: bool  # an article changed since the last render
    marks: frozenset[str]  # the store's dirty-feed marks (see the module's docstring)
    archive_marks: frozenset[int]  # sequence numbers of changed articles (their archive slots)
    archive_count: int  # sequence numbers handed out so far
    archive_page_size: int
    files_present: bool  # the main feed files, each category's and the index are on disk
    archive_present: bool  # the main archive folder is on disk
    folders: frozenset[str]  # feed folders on disk: categories/<term>, tags/<slug>, languages/<tag>…
    category_places: frozenset[tuple[str, int]] = frozenset()  # (term, place) of changed articles
    nothing_read: bool = False  # no configured source could be read
    held: bool = False  # a backfill in parts is not all stored yet: publish nothing partial
    full: bool = False  # `publish --full`: every document again


@dataclass(frozen=True)
class OutputPlan:
    """Which documents to render; `feeds` None means every feed."""

    render: bool  # False: the output is up to date (or nothing could be read)
    feeds: frozenset[str] | None  # keys of the feeds to render besides the main feed
    archive_pages: frozenset[int] | None  # main archive pages to render (None: every one)
    folders: frozenset[str]  # feed folders on disk (an emptied category keeps its feed)
    clear_archive_marks: frozenset[int]  # the marks of the full pages this plan writes, cleared after
    category_places: frozenset[tuple[str, int]] = frozenset()  # changed (term, place) pairs

    def places_in(self, term: str) -> frozenset[int]:
        """The changed places of one category's archive."""
        return self._places_by_term.get(term, frozenset())

    @cached_property
    def _places_by_term(self) -> dict[str, frozenset[int]]:
        # Grouped once: a cold run marks every place of every category, and each
        # category asked for its own would walk all of them.
        grouped: dict[str, set[int]] = {}
        for term, place in self.category_places:
            grouped.setdefault(term, set()).add(place)
        return {term: frozenset(places) for term, places in grouped.items()}

    @property
    def every_feed(self) -> bool:
        return self.feeds is None

    def renders(self, key: str) -> bool:
        """Is the subscription feed `key` ("" the main feed, `categories/x`, `tags/y`…) rendered?

        A selection feed (tag, author, language) whose folder is not on disk is
        rendered whatever the marks: a language that was the only one has no
        feed yet when a second language arrives.
        """
        if self.feeds is None or key == "" or key in self.feeds:
            return True
        folder = key.split("/", 1)[0]
        return folder in SELECTIONS.values() and key not in self.folders

    def renders_category_archive(self, term: str) -> bool:
        """A category's archive pages are rendered with its feed."""
        return self.renders(f"categories/{term}")


def marked_feeds(marks: frozenset[str]) -> frozenset[str]:
    """The feed keys the store's marks name: `Économie` (a term) → `categories/économie`,
    `tag:Inflation` → `tags/inflation` (names of one slug are one feed)."""
    keys = set()
    for mark in marks:
        prefix = next((p for p in SELECTIONS if mark.startswith(p)), None)
        if prefix is None:
            keys.add(f"categories/{mark}")
        elif prefix == "language:":
            keys.add(f"languages/{mark[len(prefix) :]}")
        else:
            keys.add(f"{SELECTIONS[prefix]}/{category_term(mark[len(prefix) :])}")
    return frozenset(keys)


def plan_output(state: OutputState) -> OutputPlan:
    """The rules, in order:

    1. Nothing could be read, or a backfill in parts is not all stored: nothing is rendered
       (the feeds already say what the store holds; a partial backfill is never published).
    2. `--full`, a file missing from the output, a configuration that shapes the output
       differently from the last render, or a store marking every feed: every document,
       archive pages included.
    3. Otherwise, when no article changed since the last render: nothing.
    4. Otherwise the main feed and the index, the feeds the store marked (categories with
       their archive pages holding a changed article: `archive_pages_to_render`), tags,
       authors, languages, a selection feed missing on disk, and the main archive pages
       holding a changed article (every one when the archive folder is missing; the page
       before one that has just filled up, for its new next-archive link).
    """
    if state.nothing_read or state.held:
        return OutputPlan(False, frozenset(), frozenset(), state.folders, frozenset())
    size = state.archive_page_size
    full_pages = state.archive_count // size
    pages = frozenset(range(full_pages))
    dirty_pages = frozenset(q // size for q in state.archive_marks) & pages
    cleared = frozenset(q for q in state.archive_marks if q < full_pages * size)
    every = (
        state.full
        or not state.files_present
        or state.rendered_with != state.fingerprint
        or EVERY_FEED in state.marks
    )
    if every:
        return OutputPlan(True, None, None, state.folders, cleared, state.category_places)
    if not state.render_pending:
        return OutputPlan(False, frozenset(), frozenset(), state.folders, frozenset())
    archive = pages if not state.archive_present else dirty_pages
    newest = full_pages - 1
    if newest in archive and newest >= 1:
        archive |= {newest - 1}
    return OutputPlan(
        render=True,
        feeds=marked_feeds(state.marks),
        archive_pages=archive,
        folders=state.folders,
        clear_archive_marks=cleared,
        category_places=state.category_places,
    )


def archive_pages_to_render(places: frozenset[int], count: int, size: int, *, every: bool) -> list[int]:
    """A category's archive pages a render writes (its feed being rendered), as the main
    archive's: every full page in a render of every feed; otherwise the full pages
    holding a changed place, and the page before a page that has just filled, for its
    new next-archive link. `count`: the places the category has handed out."""
    full = count // size
    if every:
        return list(range(full))
    pages = {place // size for place in places if place < full * size}
    if full - 1 in pages and full >= 2:
        pages.add(full - 2)
    return sorted(pages)
