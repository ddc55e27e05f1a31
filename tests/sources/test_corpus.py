"""Republishing real upstream feeds keeps what their publishers said.

Every feed of tests/sources/corpus/feeds/ (copied from the test data of gofeed
and feedparser, licences beside them) is served over HTTP and published as a
`feed` source. Every upstream entry with a title or a body must come out in
RSS, Atom and JSON Feed with its id, its dates to the second, its title text,
categories, authors and enclosures; what had to be repaired is reported.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import feedparser
import pytest
from sitekit import write_config
from webkit import LocalWeb, Reply

from syndicator.config import load_config
from syndicator.pipeline import publish_run
from syndicator.report import RunReport

CORPUS = Path(__file__).parent / "corpus" / "feeds"
FEEDS = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".json"))
LATER = datetime(2031, 1, 1, tzinfo=UTC)  # after every date in the corpus: nothing is embargoed


@dataclass(frozen=True)
class Entry:
    """What an upstream entry says, as feedparser (or the JSON) reads it."""

    id: str | None
    title: str
    published: datetime | None
    categories: frozenset[str]
    authors: frozenset[str]
    enclosures: frozenset[tuple[str, str, int | None]]  # (absolute url, type, length)


def has_text(value: object) -> bool:
    return isinstance(value, str) and bool(re.sub(r"<[^>]*>", "", value).strip())


def plain(value: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", value)).split())


def upstream_entries(path: Path, url: str) -> list[Entry]:
    """The entries that must be republished: those with a title or body text."""
    if path.suffix == ".json":
        return [
            Entry(
                id=str(i["id"]) if i.get("id") is not None else None,
                title=plain(i.get("title") or ""),
                published=_iso(i.get("date_published") or i.get("date_modified")),
                categories=frozenset(t.casefold() for t in i.get("tags") or []),
                authors=frozenset(
                    a["name"]
                    for a in i.get("authors") or ([i["author"]] if i.get("author") else [])
                    if a.get("name")
                ),
                enclosures=frozenset(
                    (urljoin(url, a["url"]), a.get("mime_type", ""), a.get("size_in_bytes"))
                    for a in i.get("attachments") or []
                ),
            )
            for i in json.loads(path.read_bytes())["items"]
            if any(has_text(i.get(k)) for k in ("title", "content_html", "content_text", "summary"))
        ]
    # No base URL: ids come back as written, not resolved against the feed's address.
    parsed = feedparser.parse(path.read_bytes())
    entries = []
    for e in parsed.entries:
        if not (
            has_text(e.get("title"))
            or has_text(e.get("summary"))
            or any(has_text(c.get("value")) for c in e.get("content") or [])
        ):
            continue
        when = e.get("published_parsed") or e.get("updated_parsed")
        media = [m for m in e.get("media_content") or [] if m.get("medium") in ("audio", "video")]
        entries.append(
            Entry(
                id=e.get("id"),
                title=plain(e.get("title") or ""),
                published=datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None,
                categories=frozenset(
                    (t.get("label") or t["term"]).casefold() for t in e.get("tags") or [] if t.get("term")
                ),
                authors=frozenset(a["name"] for a in e.get("authors") or [] if a.get("name")),
                enclosures=frozenset(
                    [
                        (urljoin(url, link["href"]), link.get("type", ""), _int(link.get("length")))
                        for link in e.get("links") or []
                        if link.get("rel") == "enclosure" and not link.get("type", "").startswith("image/")
                    ]
                    + [(urljoin(url, m["url"]), m.get("type", ""), _int(m.get("filesize"))) for m in media]
                ),
            )
        )
    return entries


def total_entries(path: Path) -> int:
    if path.suffix == ".json":
        return len(json.loads(path.read_bytes())["items"])
    return len(feedparser.parse(path.read_bytes()).entries)


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _iso(value: str | None) -> datetime | None:
    """To the second: what RSS (RFC 822) can carry."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0) if value else None


def _when(parsed: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def publish_feed(tmp_path: Path, web: LocalWeb, path: Path) -> tuple[str, RunReport]:
    kind = "application/feed+json" if path.suffix == ".json" else "application/xml"
    url = web.serve(
        "/" + path.relative_to(CORPUS).as_posix(), Reply(body=path.read_bytes(), content_type=kind)
    )
    sources = f'[[sources]]\nname = "upstream"\nkind = "feed"\nurl = "{url}"\ndelay = 0\n'
    config = write_config(tmp_path, sources=sources, items=1000)
    # No taxonomy: categories come out as the publisher labelled them.
    config.write_text("\n".join(line for line in config.read_text().splitlines() if "taxonomy" not in line))
    return url, publish_run(load_config(config), now=LATER)


@pytest.mark.parametrize("path", FEEDS, ids=[p.relative_to(CORPUS).as_posix() for p in FEEDS])
def test_every_upstream_entry_is_republished_as_its_publisher_wrote_it(
    tmp_path: Path, web: LocalWeb, path: Path
) -> None:
    url, report = publish_feed(tmp_path, web, path)
    wanted = upstream_entries(path, url)

    assert report.source_errors == ()
    assert report.added == len(wanted)
    # Only an entry with neither title nor body text (an SVG picture alone) makes no item.
    assert len(report.rejections) == total_entries(path) - len(wanted)
    assert all(r.field == "/title" for r in report.rejections)
    assert len(report.to_json()["warnings"]) == len(report.warnings)
    out = tmp_path / "out"
    rss = {e.id: e for e in feedparser.parse((out / "rss.xml").read_bytes()).entries}
    atom = {e.id: e for e in feedparser.parse((out / "atom.xml").read_bytes()).entries}
    items = {i["id"]: i for i in json.loads((out / "feed.json").read_bytes())["items"]}
    for entry in wanted:
        if entry.id is None:
            continue  # no upstream id to keep: the article is found by its title below
        ours = items[entry.id]  # JSON Feed and RSS keep the id as written
        assert entry.id in rss
        atom_id = next(i for i in atom if i == entry.id or i.endswith(":" + quote(entry.id, safe="")))
        for got in (rss[entry.id], atom[atom_id]):
            if entry.published is not None:
                assert _when(got.published_parsed) == entry.published
            if entry.title:
                assert plain(got.title) == entry.title
            assert {a["name"] for a in got.get("authors") or [] if a.get("name")} >= entry.authors
            labels = {(t.get("label") or t["term"]).casefold() for t in got.get("tags") or []}
            assert labels >= entry.categories
        if entry.published is not None:
            assert _iso(ours["date_published"]) == entry.published
        if entry.title:
            assert ours["title"] == entry.title
        assert {t.casefold() for t in ours.get("tags", [])} >= entry.categories
        assert {a["name"] for a in ours.get("authors", [])} >= entry.authors
        attachments = {
            (a["url"], a["mime_type"], a.get("size_in_bytes")) for a in ours.get("attachments", [])
        }
        assert {(u, t or _guess(u), n) for u, t, n in entry.enclosures} <= attachments
        rss_enclosures = {
            (e["href"], e.get("type"), _int(e.get("length"))) for e in rss[entry.id].get("enclosures", [])
        }
        assert {u for u, _, _ in entry.enclosures} <= {u for u, _, _ in rss_enclosures}
        atom_links = {
            link["href"] for link in atom[atom_id].get("links", []) if link.get("rel") == "enclosure"
        }
        assert {u for u, _, _ in entry.enclosures} <= atom_links


def _guess(url: str) -> str:
    import mimetypes

    return mimetypes.guess_type(url)[0] or "application/octet-stream"


def test_the_corpus_holds_forty_real_feeds_of_every_kind() -> None:
    text = {p: p.read_text(encoding="utf-8", errors="replace") for p in FEEDS}
    assert len(FEEDS) >= 40
    assert (CORPUS / "gofeed" / "LICENSE").exists() and (CORPUS / "feedparser" / "LICENSE").exists()
    assert any("<rss" in t and 'version="2.0"' in t for t in text.values())  # RSS 2.0
    assert any("rdf:RDF" in t for t in text.values())  # RSS 1.0
    assert any("http://www.w3.org/2005/Atom" in t and "<feed" in t for t in text.values())
    assert any("jsonfeed.org/version" in t for t in text.values())
    assert any("itunes" in t or "<enclosure" in t for t in text.values())  # podcasts
    assert any("media:group" in t or "media:player" in t for t in text.values())  # video
