"""Feed text fields inserted into a page as HTML run no script, in a real browser.

Many readers put an item's title, summary, category or author name straight
into their page as HTML (some after decoding entities once more). Headless
Chromium opens a page built that way from our rendered RSS, Atom and JSON
Feed: each value written into the page source, each value decoded once and
written, and each value set through innerHTML. Every xsskit payload calls
alert, confirm or prompt, which the page turns into a marker attribute; no
marker may appear. A control page holding one live payload proves the check
sees a script that runs.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from chromiumkit import Chromium
from lxml import etree
from sitekit import NOW, write_config
from xsskit import PAYLOADS, title_for

from syndicator.config import load_config
from syndicator.pipeline import publish_run

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
# Any call to a dialog, or a navigation to javascript:, marks the page.
TRAP = """<script>
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = () => document.documentElement.setAttribute("data-fired", name);
}
</script>"""


def feed_values(out: Path) -> list[str]:
    """The plain-text fields of every item of the three formats, as a reader gets them."""
    values: list[str] = []
    rss = etree.fromstring((out / "rss.xml").read_bytes())
    for item in rss.iter("item"):
        for name in ("title", "description", "category", f"{DC}creator"):
            values.extend(e.text or "" for e in item.iter(name))
    atom = etree.fromstring((out / "atom.xml").read_bytes())
    for entry in atom.iter(f"{ATOM}entry"):
        for name in ("title", "summary", "name"):
            values.extend(e.text or "" for e in entry.iter(f"{ATOM}{name}"))
        values.extend(e.get("label") or "" for e in entry.iter(f"{ATOM}category"))
    for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]:
        values.extend((item["title"], item.get("summary", "")))
        values.extend(item.get("tags", []))
        values.extend(a["name"] for a in item.get("authors", []))
    return values


def reader_page(path: Path, values: list[str]) -> str:
    """A naive reader's page: raw insertion, insertion after one more decoding, innerHTML."""
    raw = "".join(f"<div>{v}</div>" for v in values)
    decoded = "".join(f"<div>{html.unescape(v)}</div>" for v in values)
    dom = (
        "<div id=dom></div><script>"
        f"for (const v of {json.dumps(values)}) {{"
        " const d = document.createElement('div'); d.innerHTML = v;"
        " document.getElementById('dom').appendChild(d); }"
        "</script>"
    )
    path.write_text(
        f"<!doctype html><html><head><meta charset=utf-8>{TRAP}</head><body>"
        f"<section>{raw}</section><section>{decoded}</section>{dom}</body></html>",
        encoding="utf-8",
    )
    return path.as_uri()


def fired(chromium: Chromium, url: str) -> str | None:
    dom = chromium.dump_dom(url, settle_ms=3000)
    root = etree.HTML(dom)
    return root.get("data-fired") if root is not None else None


def test_no_payload_in_a_title_summary_category_or_author_runs_in_a_browser(
    tmp_path: Path, chromium: Chromium
) -> None:
    write_config(tmp_path, items=1000)
    records = [
        {
            "id": f"x-{n}",
            "title": title_for(n, p),
            "url": f"https://gazette.example/x/{n}",
            "published": "2024-02-20T10:00:00+01:00",
            "summary": f"Summary {p} here.",
            "content_html": "<p>The body of the story, in one short paragraph.</p>",
            "category": f"Section {p} {n}",
            "tags": [f"tag {p}"],
            "author": f"Jane {p} Roe",
        }
        for n, p in enumerate(PAYLOADS)
    ]
    (tmp_path / "articles" / "xss.json").write_text(json.dumps(records), encoding="utf-8")
    report = publish_run(load_config(tmp_path / "syndicator.toml"), now=NOW)
    assert report.added == len(PAYLOADS)
    values = feed_values(tmp_path / "out")
    assert len(values) > 6 * len(PAYLOADS)

    control = reader_page(tmp_path / "control.html", ["Story <img src=x onerror=alert(1)> ends"])
    assert fired(chromium, control) == "alert"  # the check sees a script that runs

    assert fired(chromium, reader_page(tmp_path / "reader.html", values)) is None
