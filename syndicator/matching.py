"""Which stored article a record is: the identity rules `plan.decide` applies.

An article is known by its keys (`normalize.ids.identity_keys`): its source id
(within its source unless it is an IRI), its URL, its file, and for a list
record without id or URL its title and text within its file. A key names one
article, except a list record's title or text, which names every article it was
remembered for. The functions here read what the store knows of the keys and
say which stored article a record is, or that it is a new one; they are pure.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin

from syndicator.articles import content_hash
from syndicator.model import Article
from syndicator.normalize.ids import (
    SHARED_KEY_PREFIXES,
    WEAK_KEY_PREFIXES,
    id_key,
    identity_keys,
    is_global_id,
    mint_id,
    title_key,
)
from syndicator.slugs import slugify


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


# What the store knows of identity keys: the stored article a key names, or every
# article a list record's title or text names (`store.identities`).
Known = Mapping[str, StoredArticle | tuple[StoredArticle, ...]]


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


def file_of(ref: str) -> str:
    return ref.split("#", 1)[0]


CHUNK = 2000  # records planned and stored at a time: memory follows the chunk, not the archive
CHUNK_MAX = 5 * CHUNK  # a chunk is cut here whatever its records


def loose_file(article: Article) -> str | None:
    """The file of a list record without an id of its own, else None.

    Which stored article such a record is depends on the other records of its file
    (`closest_tiers`, `placeable_counts`, `current_holders`): an "Editorial"
    inserted at the top is a new article only because the edited one further down
    is seen beside it, and a record given a URL is matched by its title and text.
    So its file's records are planned in one chunk."""
    if article.source_id or "#" not in article.source.ref:
        return None
    return file_of(article.source.ref)


def chunk_cut(size: int, following: Article, last: Article | None, loose: str | None, file_start: int) -> int:
    """How many of a chunk's first `size` records to plan and store before `following`
    (0: none yet). `last`: the chunk's last record; `file_start`: where the records of
    its file begin in the chunk; `loose`: the `loose_file` of the chunk's last record
    that has one.

    At CHUNK records: all of them when `following` begins another file; else the
    records before its file, so a file of up to CHUNK records is planned whole
    wherever it starts (all of them when the file began the chunk); none yet inside
    a file holding a list record without an id, which grows to CHUNK_MAX records and
    is then cut the same way: before the file, or, when the file began the chunk, all.
    """
    if size < CHUNK:
        return 0
    goes_on = last is not None and file_of(following.source.ref) == file_of(last.source.ref)
    if not goes_on:
        return size
    if size < CHUNK_MAX and file_of(following.source.ref) == loose:
        return 0
    return file_start or size


def is_strong(key: str) -> bool:
    return not key.startswith(WEAK_KEY_PREFIXES)


# How closely a key knows an article: 0 by what it is (its id or URL), 1 by
# its file or its exact title and text, 2 by its text, 3 by its title.
_TIERS = (("ref:", "item:"), ("text:",), ("title:",))
_LEGACY = len(_TIERS) + 1  # the key older stores used, in the same file only
_LOOSE = 2  # from this tier on, a match may be a similar article, not the same one


def _tier(key: str) -> int:
    if is_strong(key):
        return 0
    return next(i for i, prefixes in enumerate(_TIERS, 1) if key.startswith(prefixes))


def _named(known: Known, key: str) -> tuple[StoredArticle, ...]:
    """The stored articles a key names: one, or for a list record's title or text, several."""
    found = known.get(key)
    if found is None:
        return ()
    return found if isinstance(found, tuple) else (found,)


def closest_tiers(keyed: list[tuple[Article, tuple[str, ...]]], known: Known) -> dict[str, int]:
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


def placeable_counts(keyed: list[tuple[Article, tuple[str, ...]]], known: Known) -> dict[str, int]:
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


def match(
    article: Article,
    keys: tuple[str, ...],
    known: Known,
    closest: Mapping[str, int],
    placeable: Mapping[str, int],
    claimed: Mapping[str, str],
    current: Current,
) -> StoredArticle | None:
    """The stored article this one is, if any.

    By its source id or URL. Else, for a record without an id of its own (an
    unknown source id means a new article): by its file, or its title and
    text; then its text; then its title within its file; then the key older
    versions used, in the same file. A stored article that another record of
    this run matches more closely, or already is, is not taken. Its text or
    its title alone place a record only where that is unambiguous
    (`placeable_counts`). A record with a URL is taken by its title and text for an
    article that had no URL only (a URL added to it), never for one that had
    another: "Live updates" with the same teaser and each day's URL are each
    day's article. A position ("file: record 3") is never a key: records get
    inserted and files replaced.
    """
    for key in keys:
        if is_strong(key) and (named := _named(known, key)):
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
    candidates = [k for k in keys if not is_strong(k)] + ([legacy] if legacy else [])
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
            and (key != legacy or file_of(stored.source_ref) == file_of(article.source.ref))
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
        return file_of(stored.source_ref) == file_of(article.source.ref)
    if stored.source_name is None:  # a row from before sources were stored by name
        return stored.source_ref.startswith(article.source.name + "/")
    return stored.source_name == article.source.name


def id_seeds(key: str, ref: str) -> Iterator[str]:
    """What a taken id is minted again from, in turn."""
    yield f"{key}\n{ref}"
    yield from (f"{key}\n{ref}\n{n}" for n in itertools.count(1))


def ids_to_check(articles: Sequence[Article], *, site_url: str, now: datetime) -> list[str]:
    """The ids the new articles among these may be given (`plan._with_own_id`), for the
    store to say which it has (`plan.decide`'s `ids_in_use`)."""
    days = {now.date(), (now - timedelta(seconds=len(articles))).date()}
    ids = []
    for article in articles:
        ids.append(article.id)
        key = article_keys(article)[0]
        for day in {article.published.date()} if article.published else days:
            for seed in itertools.islice(id_seeds(key, article.source.ref), _CHECKED_SEEDS):
                ids.append(mint_id(site_url=site_url, day=day, key=seed, source_id=None))
    return ids


_CHECKED_SEEDS = 3  # a fourth taken id in a row is past any real collision


@dataclass(frozen=True)
class Current:
    """Which record of the run holds each stored article's text as it is now (`current_holders`),
    seen from the record at `index`."""

    holders: Mapping[str, int]
    index: int

    def elsewhere(self, article_id: str) -> bool:
        return self.holders.get(article_id, self.index) != self.index


def repeat_key(article: Article, keys: tuple[str, ...], strong: list[str]) -> str | None:
    """What makes a list record with neither id nor URL the same record as another:
    its title and text (its `item:` key) and its date as given."""
    if strong or not keys or not keys[0].startswith("item:"):
        return None
    return f"{keys[0]}@{article.published.isoformat() if article.published else ''}"


def current_holders(
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
