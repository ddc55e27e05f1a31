"""No plain-text field carries markup into a feed, whichever way the record came in.

Every payload of xsskit goes in as a title, a summary, a category label, a
tag and an author name through every input path: a JSON file, a `.txt`
dump, an `.html` page, an upstream RSS feed, an upstream Atom feed and a
WordPress-style JSON API, the last three from a real HTTP server. Every
article publishes (the payload goes, the words stay), and in the RSS, Atom
and JSON Feed output no such field holds a "<" that a browser would read as
markup.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import feedparser
from lxml import etree
from sitekit import NOW, write_config
from webkit import LocalWeb, Reply
from xsskit import PAYLOADS, markup_in, title_for

from syndicator.config import load_config
from syndicator.pipeline import publish_run

BODY = (
    "The council met on Tuesday evening to discuss the harbour works, which have been delayed "
    "by the winter storms and by a shortage of materials at the port."
)
# XML 1.0 cannot carry these at all, escaped or not: feeds never hold them.
XML_SAFE = tuple(p for p in PAYLOADS if not any(c in p for c in "\x00\x0c"))
# A NUL byte makes a file binary to the directory source; JSON carries it as \u0000.
FILE_SAFE = tuple(p for p in PAYLOADS if "\x00" not in p)


def _number(url: str) -> int:
    # a fallback URL is the title's slug and a hash: …/story-6-d7841ff5
    return int(url.rstrip("/").rsplit("/", 1)[-1].removeprefix("story-").split("-")[0])


def json_records() -> list[dict[str, Any]]:
    return [
        {
            "id": f"json-{n}",
            "title": title_for(n, p),
            "url": f"https://gazette.example/json/{n}",
            "published": "2024-02-20T10:00:00+01:00",
            "summary": f"Summary {p} of the story.",
            "content_html": f"<p>{BODY}</p>",
            "category": f"Section {p} {n}",
            "tags": [f"tag {p} {n}"],
            "author": f"Jane {p} Roe",
        }
        for n, p in enumerate(PAYLOADS)
    ]


def text_file(n: int, payload: str) -> str:
    return f"{title_for(n, payload)}\n\nBy Jane Roe\n\n{BODY}\n\nFile number {n} closes here.\n"


def html_page(n: int, payload: str) -> str:
    escaped = html.escape(title_for(n, payload))
    return (
        f"<!doctype html><html lang=en><head><title>{escaped}</title>"
        f'<meta property="og:title" content="{escaped}">'
        f'<meta name="author" content="{html.escape("Jane " + payload)}">'
        f'<meta name="description" content="{html.escape("About " + payload)}">'
        f'<link rel="canonical" href="https://gazette.example/html/{n}"></head>'
        f"<body><article><h1>{title_for(n, payload)}</h1><p>{BODY}</p><p>Page {n}.</p></article></body></html>"
    )


def rss_feed() -> bytes:
    items = "".join(
        f"<item><title>{xml_escape(title_for(n, p))}</title>"
        f'<link>https://wire.example/rss/{n}</link><guid isPermaLink="false">rss-{n}</guid>'
        f"<pubDate>Tue, 20 Feb 2024 08:30:00 +0100</pubDate>"
        f"<dc:creator>{xml_escape('Ana ' + p)}</dc:creator>"
        f"<category>{xml_escape(f'Wire {p} {n}')}</category>"
        f"<description>{xml_escape(f'<p>{BODY}</p><p>{p}</p>')}</description></item>"
        for n, p in enumerate(XML_SAFE)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire</title>'
        f"<link>https://wire.example/</link><description>Wire</description>{items}</channel></rss>"
    ).encode()


def atom_feed() -> bytes:
    entries = "".join(
        f'<entry><title type="{"html" if n % 2 else "text"}">{xml_escape(title_for(n, p))}</title>'
        f'<link href="https://planet.example/atom/{n}"/><id>tag:planet.example,2024:{n}</id>'
        f"<updated>2024-02-20T08:30:00Z</updated>"
        f"<author><name>{xml_escape('Li ' + p)}</name></author>"
        f'<category term="{xml_escape(f"planet-{n}", {chr(34): "&quot;"})}" '
        f'label="{xml_escape(f"Planet {p} {n}", {chr(34): "&quot;"})}"/>'
        f'<summary type="html">{xml_escape(f"Brief {p}")}</summary>'
        f'<content type="html">{xml_escape(f"<p>{BODY}</p>")}</content></entry>'
        for n, p in enumerate(XML_SAFE)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Planet</title><id>tag:planet.example,2024:feed</id>"
        f'<updated>2024-02-20T08:30:00Z</updated><link href="https://planet.example/"/>{entries}</feed>'
    ).encode()


def api_answer() -> bytes:
    posts = [
        {
            "id": 1000 + n,
            "date_gmt": "2024-02-20T08:00:00",
            "link": f"https://blog.example/api/{n}/",
            "title": {"rendered": title_for(n, p)},
            "excerpt": {"rendered": f"<p>Excerpt {p}</p>"},
            "content": {"rendered": f"<p>{BODY}</p>"},
            "_embedded": {
                "author": [{"id": 3, "name": f"Marta {p}"}],
                "wp:term": [[{"id": 5, "name": f"Local {p} {n}", "taxonomy": "category"}]],
            },
        }
        for n, p in enumerate(PAYLOADS)
    ]
    return json.dumps(posts).encode()


def plain_fields(out: Path) -> list[tuple[str, str]]:
    """(where, value) of every plain-text field of every item in the three formats."""
    fields: list[tuple[str, str]] = []
    rss = etree.fromstring((out / "rss.xml").read_bytes())
    for item in rss.iter("item"):
        for name in (
            "title",
            "description",
            "category",
            "author",
            "{http://purl.org/dc/elements/1.1/}creator",
        ):
            for element in item.iter(name):
                fields.append((f"rss {name}", element.text or ""))
    atom_ns = "{http://www.w3.org/2005/Atom}"
    atom = etree.fromstring((out / "atom.xml").read_bytes())
    for entry in atom.iter(f"{atom_ns}entry"):
        for name in ("title", "summary"):
            for element in entry.iter(f"{atom_ns}{name}"):
                fields.append((f"atom {name}", element.text or ""))
        for element in entry.iter(f"{atom_ns}name"):
            fields.append(("atom author", element.text or ""))
        for element in entry.iter(f"{atom_ns}category"):
            fields.append(("atom category", element.get("label") or element.get("term") or ""))
    for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]:
        fields.append(("json title", item["title"]))
        fields.append(("json summary", item.get("summary", "")))
        fields.extend(("json tag", tag) for tag in item.get("tags", []))
        fields.extend(("json author", a["name"]) for a in item.get("authors", []))
        for category in item.get("_syndicator", {}).get("categories", []):
            fields.append(("json category", category["label"]))
    return fields


PAYLOADS_BY_PATH = {
    "json": PAYLOADS,
    "api": PAYLOADS,
    "html": FILE_SAFE,
    "gazette.example": FILE_SAFE,  # .txt records: base URL + title slug
    "rss": XML_SAFE,
    "atom": XML_SAFE,
}


def test_no_plain_text_field_of_any_input_path_reaches_a_feed_with_markup(
    web: LocalWeb, tmp_path: Path
) -> None:
    rss = web.serve("/wire.xml", Reply(body=rss_feed(), content_type="application/rss+xml"))
    atom = web.serve("/planet.xml", Reply(body=atom_feed(), content_type="application/atom+xml"))
    api = web.serve("/wp-json/wp/v2/posts", Reply(body=api_answer(), content_type="application/json"))
    sources = (
        '[[sources]]\nname = "files"\nkind = "directory"\npath = "articles"\n\n'
        f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{rss}"\ndelay = 0\n\n'
        f'[[sources]]\nname = "planet"\nkind = "feed"\nurl = "{atom}"\ndelay = 0\n\n'
        f'[[sources]]\nname = "blog"\nkind = "json_api"\nurl = "{api}"\ndelay = 0\n'
    )
    config_path = write_config(tmp_path, sources=sources, items=1000)
    articles = tmp_path / "articles"
    (articles / "records.json").write_text(json.dumps(json_records()), encoding="utf-8")
    for n, payload in enumerate(FILE_SAFE):
        (articles / f"text-{n:02d}.txt").write_text(text_file(n, payload), encoding="utf-8")
        (articles / f"page-{n:02d}.html").write_text(html_page(n, payload), encoding="utf-8")
    # Upstream feeds are parsed by a real feed parser first: they must be well-formed.
    assert not feedparser.parse(rss_feed()).bozo and not feedparser.parse(atom_feed()).bozo

    report = publish_run(load_config(config_path), now=NOW)

    assert report.source_errors == () and report.rejections == ()
    expected = 2 * len(PAYLOADS) + 2 * len(FILE_SAFE) + 2 * len(XML_SAFE)
    assert report.added == expected
    out = tmp_path / "out"
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert len(items) == expected
    fields = plain_fields(out)
    assert len(fields) > 8 * expected
    found = [(where, value, markup_in(value)) for where, value in fields if markup_in(value)]
    assert found == []
    # The payload goes, the title's own words stay; only a tag cut off before
    # its ">" takes the rest of the line with it, as it does in a browser, and a
    # line break in a .txt title ends the title line.
    lost_words = [
        (item["url"], item["title"])
        for item in items
        if not item["title"].endswith(" ends")
        and PAYLOADS_BY_PATH[item["url"].rstrip("/").rsplit("/", 2)[-2]][_number(item["url"])].endswith(">")
        and not ("/story-" in item["url"] and "\n" in FILE_SAFE[_number(item["url"])])
    ]
    assert lost_words == []
