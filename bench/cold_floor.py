"""The floor of a cold publish: the library calls no publisher of these feeds can skip.

For every generated record, only what the output cannot be made without, each
done once with the fastest call the chosen libraries have:

- parse: the JSON line (orjson);
- sanitize: nh3 with syndicator's allow-list, then the result parsed by lxml and
  written back (the tree every URL is checked on) and its plain text taken
  (JSON Feed's `content_text`);
- store: the article as compact JSON, inserted into SQLite in chunks of 2,000;
- render: each item once per format with lxml (an RSS <item> with its
  description and content:encoded, an Atom <entry>) and orjson (a JSON Feed
  item), as bench/floor.py writes them;
- write: the main archive pages of 50 items and each category's archive pages of
  50 (the same items again) in the three formats, then one `os.sync()`.

No typography, no quote balancing, no dates, ids, identity, language,
categories beyond the record's own, no validation: what syndicator does on
top of this is what it is for. Parse, sanitize and render run in `--processes`
forked processes (default: every core); the store and the writes in the
parent, overlapped with them, as syndicator does. The figures are what any
implementation on these libraries needs at least on this machine, beside
syndicator's own cold publish and Hugo's (RSS only, no normalization) on the
same records, measured in the same invocation:

    .venv/bin/python bench/cold_floor.py --records 100000 [--syndicator] [--hugo]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))

import generate
import measure
import rivals

from syndicator.normalize.sanitize import _cleaner
from syndicator.normalize.text import strip_xml_illegal

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
PAGE = 50
CHUNK = 2000
_PARSER = etree.HTMLParser(recover=True, remove_comments=True)
E = etree.SubElement

# One item: (id, category, article JSON, rss item, atom entry, json item).
Item = tuple[str, str, bytes, bytes, bytes, bytes]


def _body(record: dict[str, Any]) -> str:
    for field in ("content_html", "body", "html", "text"):
        value = record.get(field)
        if isinstance(value, str) and value:
            return value
    return ""


def floor_item(line: bytes, number: int) -> Item | None:
    """One record through the floor: parsed, sanitized, stored form, rendered three times."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict):
        return None
    # What XML cannot carry goes (the generator's broken records hold control characters).
    title = strip_xml_illegal(str(record.get("title") or record.get("headline") or ""))
    url = strip_xml_illegal(str(record.get("url") or record.get("link") or ""))
    category = strip_xml_illegal(str(record.get("category") or record.get("section") or ""))
    cleaned = _cleaner().clean(strip_xml_illegal(_body(record)))
    document = etree.fromstring(f"<html><body>{cleaned}</body></html>", _PARSER)
    body = document.find("body") if document is not None else None
    html = (
        "".join(etree.tostring(c, encoding="unicode", method="html") for c in body)
        if body is not None
        else ""
    )
    text = "".join(body.itertext()) if body is not None else ""
    # and again after parsing: a reference such as `&#1;` decodes to one
    html, text = strip_xml_illegal(html), strip_xml_illegal(text)
    summary = strip_xml_illegal(str(record.get("summary") or text[:280]))
    article_id = f"tag:news.example.org,2024:{number}"
    fields = {"id": article_id, "url": url, "title": title, "summary": summary, "content_html": html}
    stored = orjson.dumps({**fields, "content_text": text, "category": category})
    item = etree.Element("item")
    E(item, "title").text = title
    E(item, "link").text = url
    E(item, "guid", isPermaLink="false").text = article_id
    E(item, "description").text = summary
    E(item, f"{{{CONTENT}}}encoded").text = html
    E(item, "category").text = category
    entry = etree.Element(f"{{{ATOM}}}entry")
    E(entry, f"{{{ATOM}}}title").text = title
    E(entry, f"{{{ATOM}}}id").text = article_id
    E(entry, f"{{{ATOM}}}link", href=url)
    E(entry, f"{{{ATOM}}}summary").text = summary
    E(entry, f"{{{ATOM}}}content", type="html").text = html
    E(entry, f"{{{ATOM}}}category", term=category)
    json_item = orjson.dumps({**fields, "content_text": text, "tags": [category]})
    return (article_id, category, stored, etree.tostring(item), etree.tostring(entry), json_item)


def _batch(lines: list[tuple[int, bytes]]) -> tuple[list[Item], float]:
    start = time.process_time()
    items = [i for n, line in lines if (i := floor_item(line, n)) is not None]
    return items, time.process_time() - start


def _lines(records: Path) -> list[tuple[int, bytes]]:
    """Every record of a generate.py folder: JSONL lines, and each .txt file as a body."""
    out: list[tuple[int, bytes]] = []
    for path in sorted(records.iterdir()):
        if path.suffix == ".jsonl":
            out += [(len(out) + k, line) for k, line in enumerate(path.read_bytes().splitlines())]
        elif path.suffix == ".txt":
            text = path.read_text(encoding="utf-8", errors="replace")
            out.append((len(out), orjson.dumps({"title": text[:80], "text": f"<p>{text}</p>"})))
    return out


def _pages(out: Path, key: str, items: list[Item]) -> int:
    """The archive pages of one feed in the three formats; the bytes written."""
    written = 0
    for p in range(0, len(items) - len(items) % PAGE, PAGE):
        page = items[p : p + PAGE]
        folder = out / key / str(p // PAGE + 1)
        folder.mkdir(parents=True, exist_ok=True)
        rss = (
            b"<?xml version='1.0' encoding='UTF-8'?>\n<rss version=\"2.0\"><channel>"
            + b"".join(i[3] for i in page)
            + b"</channel></rss>\n"
        )
        atom = (
            b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
            + b"".join(i[4] for i in page)
            + b"</feed>\n"
        )
        feed = (
            b'{"version":"https://jsonfeed.org/version/1.1","items":['
            + b",".join(i[5] for i in page)
            + b"]}\n"
        )
        for name, data in (("rss.xml", rss), ("atom.xml", atom), ("feed.json", feed)):
            (folder / name).write_bytes(data)
            written += len(data)
    return written


def floor(records: Path, work: Path, processes: int) -> dict[str, float]:
    if work.exists():
        shutil.rmtree(work)
    (work / "out").mkdir(parents=True)
    started = time.perf_counter()
    lines = _lines(records)
    read_s = time.perf_counter() - started
    db = sqlite3.connect(work / "store.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, category TEXT, data TEXT)")
    items: list[Item] = []
    worker_cpu = 0.0
    batches = [lines[k : k + 250] for k in range(0, len(lines), 250)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending: list[Item] = []
        for done, cpu in pool.imap(_batch, batches):
            worker_cpu += cpu
            # The stored form kept, the rest only as bytes: memory as syndicator holds it, by chunk.
            pending += done
            if len(pending) >= CHUNK:
                with db:
                    db.executemany(
                        "INSERT INTO articles VALUES (?, ?, ?)", [(i[0], i[1], i[2]) for i in pending]
                    )
                items += pending
                pending = []
        with db:
            db.executemany("INSERT INTO articles VALUES (?, ?, ?)", [(i[0], i[1], i[2]) for i in pending])
        items += pending
    db.close()
    ingest_s = time.perf_counter() - started
    by_category: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_category[item[1]].append(item)
    written = _pages(work / "out", "archive", items)
    for number, (_, its) in enumerate(sorted(by_category.items())):
        written += _pages(work / "out" / "categories" / f"c{number}", "archive", its)
    os.sync()
    return {
        "records": len(lines),
        "items": len(items),
        "read_s": read_s,
        "ingest_s": ingest_s,
        "worker_cpu_s": worker_cpu,
        "bytes_written": written,
        "wall_s": time.perf_counter() - started,
    }


def disk_speed(work: Path, megabytes: int = 1024) -> float:
    """MB/s of one file written and fsynced in the scratch folder: what the disk takes."""
    path = work / "disk-speed"
    block = os.urandom(2**20)
    start = time.perf_counter()
    with path.open("wb") as f:
        for _ in range(megabytes):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    seconds = time.perf_counter() - start
    path.unlink()
    return megabytes / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "results" / "tmp" / "cold-floor")
    parser.add_argument(
        "--syndicator", action="store_true", help="also syndicator's cold publish, same records"
    )
    parser.add_argument("--hugo", action="store_true", help="also Hugo's cold build of the same records")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    data = args.work / f"data-{args.records}"
    if not (data / ".stamp").exists():
        generate.generate(data, args.records)
        (data / ".stamp").write_text("ok")
    figures: dict[str, Any] = {}
    if args.syndicator:
        from run import site_config

        site = args.work / "site"
        if site.exists():
            shutil.rmtree(site)
        site.mkdir()
        (site / "syndicator.toml").write_text(site_config(site, data, workers=args.processes))
        command = [sys.executable, "-m", "syndicator", "publish", "--config", str(site / "syndicator.toml")]
        child = measure.run_child([*command, "--json"])
        figures["syndicator"] = {
            "wall_s": child.wall,
            "cpu_s": child.cpu_s,
            "tree_peak_mb": child.tree_peak_mb,
        }
        shutil.rmtree(site)
        print(json.dumps({"syndicator": figures["syndicator"]}), flush=True)
    if args.hugo and shutil.which("hugo"):
        site = rivals.hugo_site(args.work / "hugo", args.records)
        child = measure.run_child(["hugo", "--quiet"], cwd=site)
        figures["hugo"] = {"wall_s": child.wall, "cpu_s": child.cpu_s}
        shutil.rmtree(site)
        print(json.dumps({"hugo": figures["hugo"]}), flush=True)
    # Last: a child forked from this process once it held the floor's items would
    # report their pages as its own peak memory (Linux counts the copy before exec).
    figures["floor"] = floor(data, args.work / "floor", args.processes)
    figures["floor"]["store_bytes"] = (args.work / "floor" / "store.sqlite3").stat().st_size
    shutil.rmtree(args.work / "floor")
    figures["disk_mb_s"] = disk_speed(args.work)
    print(json.dumps({"floor": figures["floor"], "disk_mb_s": figures["disk_mb_s"]}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
