"""Decide, then do: what this run changes, as a pure function of what the
store knows, the articles read, and `now`.

The store only applies the plan this module returns, so every identity rule
(RFC 4287 §4.2.6: an id never changes; a published date a reader has seen
never changes; `updated` moves only when the content does) lives here, and
in `matching` (which stored article a record is), and is testable without a
database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from syndicator.articles import content_hash
from syndicator.matching import (
    Current,
    Known,
    StoredArticle,
    article_keys,
    closest_tiers,
    current_holders,
    file_of,
    id_seeds,
    is_strong,
    legacy_key,
    lookup_keys,
    match,
    placeable_counts,
    repeat_key,
)
from syndicator.model import Article
from syndicator.normalize.ids import fallback_url, mint_id

# Known to callers as the plan's: the store reads StoredArticle rows, the pipeline looks up lookup_keys.
__all__ = [
    "Action",
    "Decision",
    "Known",
    "Plan",
    "StoredArticle",
    "decide",
    "in_another_file",
    "legacy_key",
    "lookup_keys",
]


class Action(StrEnum):
    ADDED = "added"  # first time seen: id minted, published fixed
    CHANGED = "changed"  # content hash moved: same id and published, new updated
    UNCHANGED = "unchanged"  # nothing to write
    RETRACTED = "retracted"  # was published, now a draft/private/removed
    HELD = "held"  # draft, private, scheduled or embargoed: never published yet
    DUPLICATE = "duplicate"  # a second record for an article this run already has


@dataclass(frozen=True)
class Decision:
    action: Action
    article: Article  # final: id, published and updated settled
    keys: tuple[str, ...]  # identity keys to remember for this article
    content_hash: str
    updated_moved: bool = False
    detail: str = ""  # for duplicates: which record won
    winner: str = ""  # for duplicates: the ref of the record that won
    keep_retracted: bool = False  # retracted by hand: saved, still out of the feeds
    draft: bool = False  # with keep_retracted: its source holds it as a draft, out after the undo too
    # Read and stored, but out of the feeds (retracted by hand, or a draft of an article
    # its source retracted before): reported as held back, not as published.
    kept_out: bool = False

    @property
    def reported(self) -> Action:
        """What the run report counts it as: what a reader of the feeds sees happen."""
        return Action.HELD if self.kept_out else self.action


@dataclass(frozen=True)
class Plan:
    decisions: tuple[Decision, ...]
    undated: int = 0  # new articles given a first-seen date by this plan

    def of(self, action: Action) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.action is action)

    @property
    def changes_store(self) -> bool:
        return any(d.action in (Action.ADDED, Action.CHANGED, Action.RETRACTED) for d in self.decisions)


PUBLISHABLE_STATUSES = frozenset({"published", "publish", "public", "live", "active"})


def decide(
    articles: Sequence[Article],
    known: Known,
    *,
    now: datetime,
    claimed: dict[str, str] | None = None,
    undated_before: int = 0,
    still_held: Callable[[str], bool] = lambda ref: False,
    hashes: Sequence[str | None] = (),
    ids_in_use: frozenset[str] = frozenset(),
    site_url: str = "",
) -> Plan:
    """One Decision per article, in input order.

    Duplicates: the first record in source order wins (sources in
    configuration order, files sorted by path, records in file order); a later
    record with the same source id or canonical URL is reported, not published.
    `claimed` (identity key or article id → ref of the winning record) carries
    that memory across the chunks of one run.

    Across runs, the record that won keeps winning: a record in another file
    is a duplicate while the stored article's own file is still there
    unchanged, or its source could not be read (`still_held`), even though
    that file was not read this run.
    A record that is not published (a draft) never takes an article from a
    published record of it.

    A new article without a date is dated by the run: `now`, then one second
    earlier for each further undated article (`undated_before` counts those
    of earlier chunks), so no two share a timestamp (Atom readers and the W3C
    validator flag entries with equal dates) and source order is kept.

    `hashes`: content_hash of each article where it is known already (the
    normalize worker works it out), None where not.

    A source id that is no IRI names an article within its source only (its
    key holds the source's name); an older store knew it globally, and such a
    key is taken only for an article of the same source.

    `ids_in_use`: which of these articles' ids stored articles have. An id kept
    as written (an upstream guid such as `1`) is unique within its feed only:
    a new article whose id another article has, stored or new this run, gets
    a `tag:` URI minted from its key and `site_url` instead, so two articles
    never share an id (the first to be published keeps the guid).
    """
    undated = undated_before
    decisions: list[Decision] = []
    claimed = {} if claimed is None else claimed
    keyed = [(article, article_keys(article)) for article in articles]
    closest = closest_tiers(keyed, known)
    placeable = placeable_counts(keyed, known)
    current = current_holders(keyed, known, hashes)
    for index, (article, keys) in enumerate(keyed):
        stored = match(article, keys, known, closest, placeable, claimed, Current(current, index))
        if stored is not None and article.url_inferred and stored.url:
            article = replace(article, url=stored.url)  # a fallback URL readers have seen is kept
        strong = [k for k in keys if is_strong(k)]
        # A list record known by no id or URL repeats another record of this run
        # when its title, text and date are the same (`repeat_key`).
        repeat = repeat_key(article, keys, strong)
        own = stored.id if stored else (repeat or ("" if strong else article.id))
        winner = next((claimed[k] for k in (*strong, own) if k and k in claimed), None)
        moved = stored is not None and file_of(stored.source_ref) != file_of(article.source.ref)
        if winner is None and stored is not None and moved and still_held(stored.source_ref):
            winner = stored.source_ref
        given = hashes[index] if index < len(hashes) else None
        # An article given a kept URL above is not the one that was hashed.
        digest = given if given and article is articles[index] else content_hash(article)
        if winner is not None:
            decisions.append(
                Decision(
                    Action.DUPLICATE, article, (), digest, detail=f"same article as {winner}", winner=winner
                )
            )
            continue
        first_seen = now - timedelta(seconds=undated)
        decision = _decide_one(article, stored, keys, digest, now, first_seen)
        if decision.action is Action.ADDED:
            decision = _with_own_id(decision, keys[0], ids_in_use, claimed, site_url)
        if article.status.lower() in PUBLISHABLE_STATUSES:
            for k in (*strong, own, repeat):
                if k:
                    claimed[k] = article.source.ref
        if decision.action is Action.ADDED and article.published is None:
            undated += 1
        decisions.append(decision)
    return Plan(tuple(_published_copy_wins(decisions)), undated - undated_before)


def in_another_file(d: Decision) -> bool:
    """A duplicate whose winning record is in another file (or source) than its own."""
    return (
        d.action is Action.DUPLICATE and bool(d.winner) and file_of(d.winner) != file_of(d.article.source.ref)
    )


def _published_copy_wins(decisions: list[Decision]) -> list[Decision]:
    """A draft copy of an article never hides its published copy in the same run."""
    live = [d for d in decisions if d.action in (Action.ADDED, Action.CHANGED, Action.UNCHANGED)]
    if len(live) == len(decisions):
        return decisions
    published = {k for d in live for k in article_keys(d.article) if is_strong(k)}
    published |= {d.article.id for d in live if d.action is not Action.ADDED}  # stored ids

    def shadowed(d: Decision) -> bool:
        if d.action is Action.RETRACTED and d.article.id in published:
            return True
        return d.action in (Action.HELD, Action.RETRACTED) and any(
            is_strong(k) and k in published for k in article_keys(d.article)
        )

    return [
        replace(d, action=Action.DUPLICATE, keys=(), detail="a published copy of it is in this run")
        if shadowed(d)
        else d
        for d in decisions
    ]


def _with_own_id(
    decision: Decision, key: str, ids_in_use: frozenset[str], claimed: dict[str, str], site_url: str
) -> Decision:
    """A new article, with an id no other article has (see `decide`). Its id, if taken,
    is minted again from its key and its place (`seeds`: a record's new text may be what
    another article was first minted from, on the same day), until one is free. An
    article without a URL of its own is named by its id (`fallback_url`), so its URL
    follows: two articles never share a URL either."""
    article = decision.article
    assert article.published is not None  # settled for every new article
    candidates = id_seeds(key, article.source.ref)
    while (taken := decision.article.id) in ids_in_use or taken in claimed or _GIVEN + taken in claimed:
        minted = mint_id(
            site_url=site_url, day=article.published.date(), key=next(candidates), source_id=None
        )
        url = (
            fallback_url(base_url=site_url, title=article.title, key=minted)
            if article.url_inferred
            else article.url
        )
        decision = replace(decision, article=replace(article, id=minted, url=url))
    claimed[_GIVEN + decision.article.id] = article.source.ref
    return decision


# Before an id given to a new article this run, in `claimed` (beside identity keys).
_GIVEN = "given:"


def _decide_one(
    article: Article,
    stored: StoredArticle | None,
    keys: tuple[str, ...],
    digest: str,
    now: datetime,
    first_seen: datetime,
) -> Decision:
    visible = article.status.lower() in PUBLISHABLE_STATUSES
    if stored is None:
        if not visible or (article.published is not None and article.published > now):
            return Decision(Action.HELD, article, (), digest)
        published = article.published or first_seen
        return Decision(Action.ADDED, replace(article, published=published), keys, digest)
    settled = replace(article, id=stored.id, published=stored.published)
    if stored.retracted_by_hand:
        # Out of the feeds until `retract --undo`, but an edit is kept, so the
        # undo brings back the corrected article; and whether its source holds it
        # as a draft is kept too, so the undo never publishes a draft.
        edited = stored.content_hash != digest
        if not edited and stored.withheld_by_source == (not visible):
            return Decision(
                Action.UNCHANGED, replace(settled, updated=stored.updated), keys, digest, kept_out=True
            )
        return Decision(
            Action.CHANGED,
            replace(settled, updated=now if edited else stored.updated),
            keys,
            digest,
            updated_moved=edited,
            keep_retracted=True,
            draft=not visible,
            kept_out=True,
        )
    if not visible:
        if stored.retracted:  # a draft still: it stays out, nothing to write
            return Decision(
                Action.UNCHANGED, replace(settled, updated=stored.updated), keys, digest, kept_out=True
            )
        return Decision(Action.RETRACTED, replace(settled, updated=stored.updated), keys, digest)
    if _hash_version(stored.content_hash) != _hash_version(digest) and not stored.retracted:
        # Hashed by another version of articles.content_hash: not comparable, so
        # the article is re-saved under the new hash without moving `updated`.
        return Decision(Action.CHANGED, replace(settled, updated=stored.updated), keys, digest)
    if stored.content_hash == digest and not stored.retracted:
        # Same content: `updated` stays, even when the record's own modified date
        # moved (CMSs bump it on every save, some on every request).
        return Decision(Action.UNCHANGED, replace(settled, updated=stored.updated), keys, digest)
    # The record's own modified date when it is later than what readers were told
    # last; else the run's time. `updated` never goes back.
    told = stored.updated or stored.published
    updated = max(now, told)
    if article.updated is not None and article.updated > told:
        updated = article.updated
    return Decision(Action.CHANGED, replace(settled, updated=updated), keys, digest, updated_moved=True)


def _hash_version(digest: str) -> str:
    return digest.split(":", 1)[0]
