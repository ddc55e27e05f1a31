"""Decide, then do: what this run changes, as a pure function of what the
store knows, the articles read, and `now`.

The store only applies the plan this module returns, so every identity rule
(RFC 4287 §4.2.6: an id never changes; a published date a reader has seen
never changes; `updated` moves only when the content does) lives here and is
testable without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from syndicator.articles import content_hash
from syndicator.model import Article
from syndicator.normalize.ids import identity_keys


class Action(StrEnum):
    ADDED = "added"  # first time seen: id minted, published fixed
    CHANGED = "changed"  # content hash moved: same id and published, new updated
    UNCHANGED = "unchanged"  # nothing to write
    RETRACTED = "retracted"  # was published, now a draft/private/removed
    HELD = "held"  # draft, private, scheduled or embargoed: never published yet
    DUPLICATE = "duplicate"  # a second record for an article this run already has


@dataclass(frozen=True)
class StoredArticle:
    """What the store remembers of one article (read back before planning)."""

    id: str
    published: datetime
    updated: datetime | None
    first_seen: datetime
    content_hash: str
    retracted: bool
    retracted_by_hand: bool = False  # `syndicator retract`: stays out until `retract --undo`
    source_ref: str = ""  # where its current record is: a file (and position) or a URL


@dataclass(frozen=True)
class Decision:
    action: Action
    article: Article  # final: id, published and updated settled
    keys: tuple[str, ...]  # identity keys to remember for this article
    content_hash: str
    updated_moved: bool = False
    detail: str = ""  # for duplicates: which record won
    keep_retracted: bool = False  # retracted by hand: saved, still out of the feeds


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


def article_keys(article: Article) -> tuple[str, ...]:
    url = None if article.url_inferred else article.url
    keys = identity_keys(source_id=article.source_id, url=url, ref=article.source.ref)
    if article.url_inferred:
        keys = (*keys, f"url:{article.url}")
    return keys


def decide(
    articles: Sequence[Article],
    known: Mapping[str, StoredArticle],
    *,
    now: datetime,
    claimed: dict[str, str] | None = None,
    undated_before: int = 0,
    still_held: Callable[[str], bool] = lambda ref: False,
) -> Plan:
    """One Decision per article, in input order.

    Duplicates: the first record in source order wins (sources in
    configuration order, files sorted by path, records in file order); a later
    record with the same source id or canonical URL is reported, not published.
    `claimed` (identity key or article id → ref of the winning record) carries
    that memory across the chunks of one run.

    Across runs, the record that won keeps winning: a record in another file
    is a duplicate while the stored article's own file is still there
    unchanged (`still_held`), even though that file was not read this run.
    A record that is not published (a draft) never takes an article from a
    published record of it.

    A new article without a date is dated by the run: `now`, then one second
    earlier for each further undated article (`undated_before` counts those
    of earlier chunks), so no two share a timestamp (Atom readers and the W3C
    validator flag entries with equal dates) and source order is kept.
    """
    undated = undated_before
    decisions: list[Decision] = []
    claimed = {} if claimed is None else claimed
    keyed = [(article, article_keys(article)) for article in articles]
    strongly_known = {known[k].id for _, keys in keyed for k in keys if _strong(k) and k in known}
    for article, keys in keyed:
        stored = _match(article, keys, known, strongly_known)
        strong = [k for k in keys if _strong(k)]
        winner = next((claimed[k] for k in (*strong, stored.id if stored else "") if k in claimed), None)
        moved = stored is not None and _file(stored.source_ref) != _file(article.source.ref)
        if winner is None and stored is not None and moved and still_held(stored.source_ref):
            winner = stored.source_ref
        digest = content_hash(article)
        if winner is not None:
            decisions.append(
                Decision(Action.DUPLICATE, article, (), digest, detail=f"same article as {winner}")
            )
            continue
        first_seen = now - timedelta(seconds=undated)
        decision = _decide_one(article, stored, keys, digest, now, first_seen)
        if article.status.lower() in PUBLISHABLE_STATUSES:
            for k in (*strong, *(() if stored is None else (stored.id,))):
                claimed[k] = article.source.ref
        if decision.action is Action.ADDED and article.published is None:
            undated += 1
        decisions.append(decision)
    return Plan(tuple(_published_copy_wins(decisions)), undated - undated_before)


def _file(ref: str) -> str:
    return ref.split("#", 1)[0]


def _published_copy_wins(decisions: list[Decision]) -> list[Decision]:
    """A draft copy of an article never hides its published copy in the same run."""
    live = [d for d in decisions if d.action in (Action.ADDED, Action.CHANGED, Action.UNCHANGED)]
    if len(live) == len(decisions):
        return decisions
    published = {k for d in live for k in article_keys(d.article) if _strong(k)}
    published |= {d.article.id for d in live if d.action is not Action.ADDED}  # stored ids

    def shadowed(d: Decision) -> bool:
        if d.action is Action.RETRACTED and d.article.id in published:
            return True
        return d.action in (Action.HELD, Action.RETRACTED) and any(
            _strong(k) and k in published for k in article_keys(d.article)
        )

    return [
        replace(d, action=Action.DUPLICATE, keys=(), detail="a published copy of it is in this run")
        if shadowed(d)
        else d
        for d in decisions
    ]


def _strong(key: str) -> bool:
    return not key.startswith("ref:")


def _match(
    article: Article,
    keys: tuple[str, ...],
    known: Mapping[str, StoredArticle],
    strongly_known: set[str],
) -> StoredArticle | None:
    """The stored article this one is, by its source id or URL, else by its position.

    A position ("file: record 3") is only a guess: records get inserted and
    files replaced. It is trusted only for records without an id of their own
    (an unknown source id means a new article), and never when the stored
    article it points at is known in this run by its id or URL (it moved).
    """
    for key in keys:
        if _strong(key) and key in known:
            return known[key]
    if article.source_id:
        return None
    stored = next((known[k] for k in keys if not _strong(k) and k in known), None)
    if stored is None or stored.id in strongly_known:
        return None
    return stored


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
        # undo brings back the corrected article.
        if stored.content_hash == digest:
            return Decision(Action.UNCHANGED, replace(settled, updated=stored.updated), keys, digest)
        return Decision(
            Action.CHANGED,
            replace(settled, updated=now),
            keys,
            digest,
            updated_moved=True,
            keep_retracted=True,
        )
    if not visible:
        action = Action.UNCHANGED if stored.retracted else Action.RETRACTED
        return Decision(action, replace(settled, updated=stored.updated), keys, digest)
    if _hash_version(stored.content_hash) != _hash_version(digest) and not stored.retracted:
        # Hashed by another version of articles.content_hash: not comparable, so
        # the article is re-saved under the new hash without moving `updated`.
        return Decision(Action.CHANGED, replace(settled, updated=stored.updated), keys, digest)
    if stored.content_hash == digest and not stored.retracted:
        # Same content: `updated` stays, even when the record's own modified date
        # moved (CMSs bump it on every save, some on every request).
        return Decision(Action.UNCHANGED, replace(settled, updated=stored.updated), keys, digest)
    updated = article.updated if article.updated and article.updated != stored.updated else now
    return Decision(Action.CHANGED, replace(settled, updated=updated), keys, digest, updated_moved=True)


def _hash_version(digest: str) -> str:
    return digest.split(":", 1)[0]
