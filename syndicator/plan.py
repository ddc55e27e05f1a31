"""Decide, then do: what this run changes, as a pure function of what the
store knows, the articles read, and `now`.

The store only applies the plan this module returns, so every identity rule
(RFC 4287 §4.2.6: an id never changes; a published date a reader has seen
never changes; `updated` moves only when the content does) lives here and is
testable without a database.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urljoin

from syndicator.articles import content_hash
from syndicator.model import Article
from syndicator.normalize.ids import (
    SHARED_KEY_PREFIXES,
    WEAK_KEY_PREFIXES,
    fallback_url,
    id_key,
    identity_keys,
    is_global_id,
    mint_id,
    title_key,
)
from syndicator.slugs import slugify


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
    # Retracted by hand while its source does not publish it either (a draft, or gone
    # from it): it stays out after the undo.
    withheld_by_source: bool = False
    source_ref: str = ""  # where its current record is: a file (and position) or a URL
    url: str = ""  # its URL as stored: a fallback URL, once given, is kept
    source_name: str | None = None  # the folder source its record is in (None: a URL, or an old row)


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


# What the store knows of identity keys: the stored article a key names, or every
# article a list record's title or text names (`store.identities`).
Known = Mapping[str, StoredArticle | tuple[StoredArticle, ...]]

PUBLISHABLE_STATUSES = frozenset({"published", "publish", "public", "live", "active"})


def article_keys(article: Article) -> tuple[str, ...]:
    """The keys remembered for this article (see normalize.ids.identity_keys)."""
    return identity_keys(
        source_id=article.source_id,
        url=None if article.url_inferred else article.url,
        ref=article.source.ref,
        title=article.title,
        text=article.content_text,
        scope=article.source.name,
    )


def unscoped_id_key(article: Article) -> str | None:
    """The key older stores knew a source id that is no IRI by: `id:<id>`, from
    whichever source. Looked up, never saved: it finds the article readers have
    seen only where that article's record is in the same source
    (`_same_source`), so another source's post 1 is another article."""
    source_id = article.source_id
    if not source_id or is_global_id(source_id) or not article.source.name:
        return None
    return id_key(source_id, "")


def _title_before_url(article: Article) -> str | None:
    """A list record with a URL but no id: the title key it had while it had no URL.
    Looked up, never saved: it tells an article that had no URL (the same record,
    now given one) from one that had another URL (maybe another article)."""
    file, hashed, _ = article.source.ref.partition("#")
    if article.url_inferred or article.source_id or not hashed:
        return None
    return title_key(file, article.title)


def legacy_key(article: Article) -> str | None:
    """The key older stores knew a list record without id or URL by.

    They knew it by the URL its title slugged to (`url:<site>/<ascii-slug>`,
    or `…/article` for a title with no Latin letters). Looked up, never
    saved: it finds the article readers have already seen, in the same file
    only, so its id, date and URL are kept.
    """
    if not article.url_inferred or article.source_id or "#" not in article.source.ref:
        return None
    return "url:" + urljoin(article.url, slugify(article.title) or "article")


def lookup_keys(articles: Iterable[Article]) -> list[str]:
    """Every key to look up in the store for these articles."""
    keys: list[str] = []
    for article in articles:
        keys.extend(article_keys(article))
        for older in (unscoped_id_key(article), legacy_key(article), _title_before_url(article)):
            if older is not None:
                keys.append(older)
    return keys


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
    closest = _closest(keyed, known)
    placeable = _placeable(keyed, known)
    current = _current(keyed, known, hashes)
    for index, (article, keys) in enumerate(keyed):
        stored = _match(article, keys, known, closest, placeable, claimed, _Current(current, index))
        if stored is not None and article.url_inferred and stored.url:
            article = replace(article, url=stored.url)  # a fallback URL readers have seen is kept
        strong = [k for k in keys if _strong(k)]
        # A list record known by no id or URL repeats another record of this run
        # when its title, text and date are the same (`_repeat`).
        repeat = _repeat(article, keys, strong)
        own = stored.id if stored else (repeat or ("" if strong else article.id))
        winner = next((claimed[k] for k in (*strong, own) if k and k in claimed), None)
        moved = stored is not None and _file(stored.source_ref) != _file(article.source.ref)
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
    return d.action is Action.DUPLICATE and bool(d.winner) and _file(d.winner) != _file(d.article.source.ref)


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
    return not key.startswith(WEAK_KEY_PREFIXES)


# How closely a key knows an article: 0 by what it is (its id or URL), 1 by
# its file or its exact title and text, 2 by its text, 3 by its title.
_TIERS = (("ref:", "item:"), ("text:",), ("title:",))
_LEGACY = len(_TIERS) + 1  # the key older stores used, in the same file only
_LOOSE = 2  # from this tier on, a match may be a similar article, not the same one


def _tier(key: str) -> int:
    if _strong(key):
        return 0
    return next(i for i, prefixes in enumerate(_TIERS, 1) if key.startswith(prefixes))


def _named(known: Known, key: str) -> tuple[StoredArticle, ...]:
    """The stored articles a key names: one, or for a list record's title or text, several."""
    found = known.get(key)
    if found is None:
        return ()
    return found if isinstance(found, tuple) else (found,)


def _closest(keyed: list[tuple[Article, tuple[str, ...]]], known: Known) -> dict[str, int]:
    """How closely some record of this run is each stored article it matches (the
    tier of its closest key): a record matching one only more loosely than another
    record does is another article (two "Editorial"s: each is known by its own
    text). Each key once: a title shared by a thousand records names its articles once."""
    closest: dict[str, int] = {}
    for key in dict.fromkeys(k for _, keys in keyed for k in keys):
        tier = _tier(key)
        for candidate in _named(known, key):
            if tier < closest.get(candidate.id, _LEGACY):
                closest[candidate.id] = tier
    return closest


def _placeable(keyed: list[tuple[Article, tuple[str, ...]]], known: Known) -> dict[str, int]:
    """For each text or title key: how many records of this run only it can place (no
    closer key of theirs names a stored article). Such a key places a record only when
    it is the one record and the key names one article no other record is: "Editorial"
    inserted above an edited "Editorial" is a new article, never the edited one's."""
    counts: dict[str, int] = {}
    for article, keys in keyed:
        if article.source_id or any(_tier(k) < _LOOSE and _named(known, k) for k in keys):
            continue
        for key in keys:
            if _tier(key) >= _LOOSE:
                counts[key] = counts.get(key, 0) + 1
    return counts


def _match(
    article: Article,
    keys: tuple[str, ...],
    known: Known,
    closest: Mapping[str, int],
    placeable: Mapping[str, int],
    claimed: Mapping[str, str],
    current: _Current,
) -> StoredArticle | None:
    """The stored article this one is, if any.

    By its source id or URL. Else, for a record without an id of its own (an
    unknown source id means a new article): by its file, or its title and
    text; then its text; then its title within its file; then the key older
    versions used, in the same file. A stored article that another record of
    this run matches more closely, or already is, is not taken. Its text or
    its title alone place a record only where that is unambiguous
    (`_placeable`). A record with a URL is taken by its title and text for an
    article that had no URL only (a URL added to it), never for one that had
    another: "Live updates" with the same teaser and each day's URL are each
    day's article. A position ("file: record 3") is never a key: records get
    inserted and files replaced.
    """
    for key in keys:
        if _strong(key) and (named := _named(known, key)):
            return named[0]
    if article.source_id:
        unscoped = unscoped_id_key(article)
        for stored in _named(known, unscoped) if unscoped else ():
            if _same_source(stored, article):
                return stored
        return None
    legacy = legacy_key(article)
    before_url = _title_before_url(article)
    had_no_url = {s.id for s in _named(known, before_url)} if before_url else None
    candidates = [k for k in keys if not _strong(k)] + ([legacy] if legacy else [])
    for key in candidates:
        tier = _LEGACY if key == legacy else _tier(key)
        if _LOOSE <= tier < _LEGACY and placeable.get(key) != 1:
            continue  # other records carry it too: it places none of them
        free = [
            stored
            for stored in _named(known, key)
            if closest.get(stored.id, tier) >= tier
            and not (key.startswith(SHARED_KEY_PREFIXES) and stored.id in claimed)
            and not (key.startswith("item:") and current.elsewhere(stored.id))
            and (key != legacy or _file(stored.source_ref) == _file(article.source.ref))
            and (had_no_url is None or stored.id in had_no_url)
        ]
        if tier < _LOOSE or key == legacy:
            if free:
                return free[0]
        elif len(free) == 1 and placeable.get(key) == 1:
            return free[0]
    return None


def _same_source(stored: StoredArticle, article: Article) -> bool:
    """Whether a stored article's record was in the source this record is from: the
    same folder source, or the same feed or API URL."""
    if "://" in stored.source_ref:
        return _file(stored.source_ref) == _file(article.source.ref)
    if stored.source_name is None:  # a row from before sources were stored by name
        return stored.source_ref.startswith(article.source.name + "/")
    return stored.source_name == article.source.name


def _with_own_id(
    decision: Decision, key: str, ids_in_use: frozenset[str], claimed: dict[str, str], site_url: str
) -> Decision:
    """A new article, with an id no other article has (see `decide`). Its id, if taken,
    is minted again from its key and its place (`_seeds`: a record's new text may be what
    another article was first minted from, on the same day), until one is free. An
    article without a URL of its own is named by its id (`fallback_url`), so its URL
    follows: two articles never share a URL either."""
    article = decision.article
    assert article.published is not None  # settled for every new article
    seeds = _seeds(key, article.source.ref)
    while (taken := decision.article.id) in ids_in_use or taken in claimed or _GIVEN + taken in claimed:
        minted = mint_id(site_url=site_url, day=article.published.date(), key=next(seeds), source_id=None)
        url = (
            fallback_url(base_url=site_url, title=article.title, key=minted)
            if article.url_inferred
            else article.url
        )
        decision = replace(decision, article=replace(article, id=minted, url=url))
    claimed[_GIVEN + decision.article.id] = article.source.ref
    return decision


def _seeds(key: str, ref: str) -> Iterator[str]:
    """What a taken id is minted again from, in turn."""
    yield f"{key}\n{ref}"
    yield from (f"{key}\n{ref}\n{n}" for n in itertools.count(1))


def ids_to_check(articles: Sequence[Article], *, site_url: str, now: datetime) -> list[str]:
    """The ids the new articles among these may be given (`_with_own_id`), for the store
    to say which it has (`decide`'s `ids_in_use`)."""
    days = {now.date(), (now - timedelta(seconds=len(articles))).date()}
    ids = []
    for article in articles:
        ids.append(article.id)
        key = article_keys(article)[0]
        for day in {article.published.date()} if article.published else days:
            for seed in itertools.islice(_seeds(key, article.source.ref), _CHECKED_SEEDS):
                ids.append(mint_id(site_url=site_url, day=day, key=seed, source_id=None))
    return ids


_CHECKED_SEEDS = 3  # a fourth taken id in a row is past any real collision


@dataclass(frozen=True)
class _Current:
    """Which record of the run holds each stored article's text as it is now (`_current`),
    seen from the record at `index`."""

    holders: Mapping[str, int]
    index: int

    def elsewhere(self, article_id: str) -> bool:
        return self.holders.get(article_id, self.index) != self.index


def _repeat(article: Article, keys: tuple[str, ...], strong: list[str]) -> str | None:
    """What makes a list record with neither id nor URL the same record as another:
    its title and text (its `item:` key) and its date as given."""
    if strong or not keys or not keys[0].startswith("item:"):
        return None
    return f"{keys[0]}@{article.published.isoformat() if article.published else ''}"


def _current(
    keyed: list[tuple[Article, tuple[str, ...]]], known: Known, hashes: Sequence[str | None]
) -> dict[str, int]:
    """The record of this run that holds a stored article's text as it is now (its
    content hash is the stored one, and its date, if it has one, the article's), for
    the articles a list record's title and text name, where one record only does: an
    article is that record's, whichever other record of the file holds one of its
    older texts ("Developing story" put back above the report that replaced it is a
    new article, never the report's). Where several records hold it (the same text
    each day, a draft copy), none is preferred."""
    holders: dict[str, list[int]] = {}
    for index, (article, keys) in enumerate(keyed):
        named = [s for k in keys if k.startswith("item:") for s in _named(known, k)]
        if not named:
            continue
        given = hashes[index] if index < len(hashes) else None
        digests: dict[str, str] = {}  # by the URL it is hashed with
        for stored in named:
            # As decide hashes it: with the fallback URL readers have seen, where it has none.
            url = stored.url if article.url_inferred and stored.url else article.url
            if url not in digests:
                same = url == article.url
                digests[url] = given if same and given else content_hash(replace(article, url=url))
            dated = article.published is None or article.published == stored.published
            if stored.content_hash == digests[url] and dated:
                holders.setdefault(stored.id, []).append(index)
    return {article_id: found[0] for article_id, found in holders.items() if len(set(found)) == 1}


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
