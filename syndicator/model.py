"""The values that cross stage boundaries.

Every stage of a publish run hands the next one frozen dataclasses from this
module, never dicts, so a field's meaning and origin is written down once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawRecord:
    """One record as a source found it, before any interpretation."""

    source: str  # the source's name from the configuration
    origin: str  # file path or URL the record came from, as shown to users
    locator: str  # where in origin: "record 3", "line 7", or "" for a whole file
    kind: str  # payload shape: "json" (a mapping), "text" or "html" (a str)
    payload: Any  # the parsed JSON object, or the decoded text / HTML
    source_kind: str = "directory"  # the source kind that produced it
    ref: str = ""  # stable position for identity: "<source>/<relative path>#<locator>" or a URL;
    # unlike origin it does not depend on the working directory

    @property
    def where(self) -> str:
        """`origin: locator`, the prefix of every message about this record."""
        return f"{self.origin}: {self.locator}" if self.locator else self.origin


@dataclass(frozen=True)
class Author:
    name: str
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Category:
    term: str  # the slug: lowercase ASCII, used in feed paths (`monde`)
    label: str  # what readers see (`Monde`)
    scheme: str | None = None  # taxonomy URL, from config/taxonomy


@dataclass(frozen=True)
class RelatedLink:
    url: str
    title: str | None = None


@dataclass(frozen=True)
class Image:
    url: str
    alt: str | None = None
    type: str | None = None  # MIME type, e.g. image/jpeg
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Enclosure:
    """Audio, video or another file the item carries (a podcast episode): RSS
    <enclosure>, Atom link rel="enclosure", JSON Feed attachments."""

    url: str
    type: str  # MIME type, e.g. audio/mpeg; application/octet-stream when unknown
    length: int | None = None  # bytes, when the source said


@dataclass(frozen=True)
class Repair:
    """A wrong optional field that was repaired or dropped instead of costing the article."""

    field: str  # JSON pointer in the article (`/image/type`)
    problem: str  # what was wrong, with the value
    action: str  # what was done: "repaired to 'image/png'", "dropped"

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}; {self.action}"


@dataclass(frozen=True)
class SourceRef:
    kind: str  # source kind: "directory", "json_api", "feed", "pages"
    ref: str  # RawRecord.ref (or .where): stable file and position, or URL
    # The configured source's name (a `--source` folder is named by its path,
    # slashes and all): tells where the name ends in `ref`. Not stored.
    name: str = field(default="", compare=False)


@dataclass(frozen=True)
class Article:
    """A normalized article: what the schema checks and the renderers read.

    `id` and `published` are provisional until the store has reconciled the
    article with what readers have already seen (store.reconcile); after that
    they never change for the same article.
    """

    id: str  # stable id: minted once, then kept by the store
    url: str  # absolute canonical URL (or base URL + slug when the record has none)
    title: str  # plain text
    summary: str  # plain text
    content_html: str  # sanitised HTML fragment
    authors: tuple[Author, ...]
    published: datetime | None  # aware; None until the store supplies first-seen
    updated: datetime | None  # aware; None means "same as published"
    language: str  # BCP 47
    categories: tuple[Category, ...]
    tags: tuple[str, ...]
    related: tuple[RelatedLink, ...]
    image: Image | None
    source: SourceRef
    source_id: str | None = None  # the record's own id (CMS id, upstream guid)
    status: str = "published"  # draft / private / scheduled are never published
    url_inferred: bool = False  # True when url came from base URL + slug
    related_titles: tuple[str, ...] = ()  # "Read more: <title>" references, resolved by the run
    content_text: str = ""  # plain text of content_html, worked out once by the assembler
    inferred: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # (field, from what) pairs shown by `validate --explain`
    warnings: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # (JSON pointer, what was wrong and what was done): a limit hit or a value
    # dropped while the article itself publishes; reported with file and record
    enclosures: tuple[Enclosure, ...] = ()  # audio, video, files (not the image)
    # Names this version of the article as the store holds it (and, in a feed, its
    # content mode): the key of its rendered fragments. "" when not read from a store.
    version: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Rejection:
    """A record that could not be published, kept and reported."""

    source: str  # source name
    origin: str  # file or URL
    locator: str  # record index / line, or ""
    field: str  # JSON pointer of the offending field ("" for the whole record)
    reason: str
    payload: Any = None  # what was read, kept in the rejection report
    ref: str = ""  # RawRecord.ref of the record, when it got that far
    # The same bytes read with the same settings are rejected the same way (the
    # record's own content is at fault, not a read error or a size limit): the
    # rejection is remembered with its file and told again while the file is
    # unchanged, instead of the file being read again (sources.memory).
    lasting: bool = False
    # Told again from the file's memory: the file is unchanged and was not read
    # this run, so the record counts as rejected but not as read.
    retold: bool = False

    def __str__(self) -> str:
        parts = [self.origin]
        if self.locator:
            parts.append(self.locator)
        parts.append(self.field or "/")
        parts.append(self.reason)
        return ": ".join(parts)


@dataclass(frozen=True)
class FeedUrls:
    """Public URLs of one feed: its folder, which holds a file per format, and its web page.

    No format is named here: a format's URL is the folder plus the file name
    its descriptor gives (`syndicator.render.FORMATS`), so a new format needs
    nothing in this model.
    """

    directory: str  # the feed's public folder, ending in "/"
    html: str  # the alternate (web page) link of the feed

    def of(self, filename: str) -> str:
        """The public URL of one of the feed's files (`rss.xml`)."""
        return self.directory + filename


@dataclass(frozen=True)
class ArchiveLinks:
    """RFC 5005 §4 archived-feed links of one document, per format."""

    current: FeedUrls  # the subscription document
    prev_archive: FeedUrls | None  # the next older archive page
    next_archive: FeedUrls | None  # the next newer archive page (archive pages only)
    is_archive: bool  # fh:archive: a complete page that never changes again


@dataclass(frozen=True)
class FeedDocument:
    """Everything a renderer needs for one feed; renderers read nothing else.

    `updated` is the newest item's date (never the clock), decided by the
    planner so that the same articles always render to the same bytes.
    """

    key: str  # "" for the main feed, "categories/<term>" for a category
    title: str
    description: str
    language: str
    urls: FeedUrls
    updated: datetime
    articles: tuple[Article, ...]  # newest first, total order, already cut
    generator: str  # "syndicator"
    generator_version: str
    generator_uri: str
    category: Category | None = None
    hubs: tuple[str, ...] = ()  # WebSub hubs advertised in the feed
    ttl_minutes: int | None = None  # RSS ttl, from the publish schedule
    icon: str | None = None  # site.icon: small square (Atom icon, JSON Feed favicon)
    archive: ArchiveLinks | None = None  # RFC 5005 links; None when there are no archive pages
    logo: str | None = None  # site.logo: large square (JSON Feed icon)
    image: str | None = None  # site.image: wide banner (RSS image, Atom logo)
    archive_pages: int = 0  # how many RFC 5005 archive pages the feed has (archive/1 … archive/n)

    def listing(self) -> FeedListing:
        """The feed as the index and the OPML list it."""
        return FeedListing(
            key=self.key,
            title=self.title,
            description=self.description,
            language=self.language,
            urls=self.urls,
            updated=self.updated,
            count=len(self.articles),
            archive_pages=self.archive_pages,
        )


@dataclass(frozen=True)
class FeedListing:
    """One feed as the index page and the OPML list it: no articles, only their count.

    The store keeps every feed's listing as last rendered, so a run that renders
    the few feeds holding a changed article still lists every feed of the site
    without reading the articles of the others.
    """

    key: str
    title: str
    description: str
    language: str
    urls: FeedUrls
    updated: datetime
    count: int  # items in the feed
    archive_pages: int = 0

    def to_json(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "title": self.title,
                "description": self.description,
                "language": self.language,
                "directory": self.urls.directory,
                "html": self.urls.html,
                "updated": self.updated.isoformat(),
                "count": self.count,
                "archive_pages": self.archive_pages,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> FeedListing:
        value = json.loads(text)
        return cls(
            key=value["key"],
            title=value["title"],
            description=value["description"],
            language=value["language"],
            urls=FeedUrls(value["directory"], value["html"]),
            updated=datetime.fromisoformat(value["updated"]),
            count=int(value["count"]),
            archive_pages=int(value["archive_pages"]),
        )
