"""The W3C feed validator's rules, as specifications of what every feed kind
we write must satisfy, checked by rules of our own over a whole published
site: main, archive, category, category archive, language, tag and author
feeds, with markup-like text everywhere plain text goes.

Each rule names the validator message it stands for. The validator itself
(w3c/feedvalidator) was run over the same kinds of site; the command and the
counts are in bench/README.md.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import feedparser
from lxml import etree
from sitekit import NOW, record

from syndicator.config import load_config
from syndicator.pipeline import publish_run

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
# The validator's plain-text ("nonhtml") RSS elements.
PLAIN = re.compile(
    rb"<(title|category|dc:creator|media:description|media:title)\b[^>]*>([^<]*)</\1>"
    rb"|<channel>\s*(?:<[^>]+>[^<]*</[^>]+>\s*)*?<description>([^<]*)</description>"
)


def publish_markup_like_site(site: Path, add_records: Callable[..., Path], count: int) -> Path:
    config = site / "syndicator.toml"
    text = config.read_text(encoding="utf-8").replace(
        "items = 50",
        "items = 2\narchive_page_size = 2\ncategory_feeds = true\nlanguage_feeds = true\n"
        "tag_feeds = true\nauthor_feeds = true",
    )
    config.write_text(text, encoding="utf-8")
    records = [
        record(
            n,
            title=["List<T> & Map<K, V>", "a<b", "x < y > z", "Tom & Jerry"][n % 4] + f" {n}",
            category="a<b" if n % 2 else "R&D",
            tags=["C++ & C#", "x<y"],
            author="O'Brien & Sons",
            language="fr-FR" if n % 2 else "en-GB",
            published=f"2024-01-{n:02d}T08:00:00+05:45",
            image={
                "url": f"https://cdn.example.org/{n}.jpg",
                "alt": "List<T> chart",
                "width": 1200,
                "height": 800,
            },
        )
        for n in range(1, count + 1)
    ]
    add_records("a.json", records)
    report = publish_run(load_config(config), now=NOW)
    assert report.rejections == () and report.added == count
    return site / "out"


def test_every_plain_text_element_of_every_rss_feed_spells_markup_like_text_with_hex_references(
    site: Path, add_records: Callable[..., Path]
) -> None:
    # W3C validator "CharacterData" (RSS profile): "Encode "&" and "<" in plain
    # text using hexadecimal character references" -- any plain-text element
    # whose text holds "<" + letter, "</" or "&#" must be written with &#x.
    out = publish_markup_like_site(site, add_records, 6)
    feeds = sorted(out.rglob("rss.xml"))
    kinds = {path.relative_to(out).parts[0] for path in feeds}
    assert {"rss.xml", "archive", "categories", "languages", "tags", "authors"} <= kinds
    offenders = []
    for path in feeds:
        data = path.read_bytes()
        for found in PLAIN.finditer(data):
            raw = found[2] if found[2] is not None else found[3]
            value = html.unescape(raw.decode("utf-8"))
            if re.search(r"&#[x0-9]|<[/a-zA-Z]", value) and b"&#x" not in raw:
                offenders.append((path.relative_to(out).as_posix(), raw))
    assert offenders == []
    # The same characters reach readers.
    parsed = feedparser.parse((out / "categories").glob("a-b*/rss.xml").__next__().read_bytes())
    assert parsed.feed.title.endswith("A<b")  # the category label
    assert {entry.title for entry in parsed.entries} >= {"a<b 5"}


def test_no_archive_page_is_alone_every_one_links_a_neighbour_and_every_article_stays_reachable(
    site: Path, add_records: Callable[..., Path]
) -> None:
    # W3C validator "ArchiveIncomplete": an fh:archive page with neither a
    # prev-archive nor a next-archive link. A single full page is not yet
    # published as an archive: its articles stay in the subscription feed.
    out = publish_markup_like_site(site, add_records, 3)
    assert not (out / "archive").exists()
    assert len(feedparser.parse((out / "atom.xml").read_bytes()).entries) == 3

    add_records(
        "b.json",
        [record(n, category="a<b", published=f"2024-01-{n:02d}T08:00:00Z") for n in range(4, 8)],
    )
    publish_run(load_config(site / "syndicator.toml"), now=NOW)
    pages = sorted(out.rglob("archive/*/atom.xml"))
    assert {path.relative_to(out).as_posix() for path in pages} >= {
        "archive/1/atom.xml",
        "archive/2/atom.xml",
    }
    for path in pages:
        feed = etree.fromstring(path.read_bytes())
        assert feed.find(f"{FH}archive") is not None
        rels = {link.get("rel") for link in feed.iter(f"{ATOM}link")}
        assert "current" in rels and rels & {"prev-archive", "next-archive"}, path
    reachable = {e.id for e in feedparser.parse((out / "atom.xml").read_bytes()).entries}
    for path in out.glob("archive/*/atom.xml"):
        reachable |= {e.id for e in feedparser.parse(path.read_bytes()).entries}
    assert len(reachable) == 7
