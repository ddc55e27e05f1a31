"""How many entries of the upstream feed corpus a publish republishes.

Each feed in tests/sources/corpus/feeds/ is served by a local HTTP server on
127.0.0.1 and published on its own (`syndicator publish --source URL --output
DIR --json`, a fresh process and a fresh output each time), so one feed's ids
never meet another's. An entry counts when feedparser (or, for JSON Feed, the
JSON itself) shows it has a title or a body; the figure is how many of those
the run republished.

    .venv/bin/python bench/corpus_feeds.py                 # this tree
    .venv/bin/python bench/corpus_feeds.py --code ../main  # another checkout, same venv
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import feedparser

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "sources" / "corpus" / "feeds"
TYPES = {".json": "application/feed+json", ".xml": "application/xml", ".rss": "application/rss+xml"}


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in TYPES)


def has_text(value: object) -> bool:
    """Some text once tags are gone: a body that is only a picture (an SVG) has none."""
    return isinstance(value, str) and bool(re.sub(r"<[^>]*>", "", value).strip())


def countable(path: Path) -> int:
    """Entries with a title or a body: what must be republished."""
    if path.suffix == ".json":
        items = json.loads(path.read_bytes()).get("items") or []
        keys = ("title", "content_html", "content_text", "summary")
        return sum(1 for i in items if isinstance(i, dict) and any(has_text(i.get(k)) for k in keys))
    parsed = feedparser.parse(path.read_bytes())
    return sum(
        1
        for e in parsed.entries
        if has_text(e.get("title"))
        or has_text(e.get("summary"))
        or any(has_text(c.get("value")) for c in e.get("content") or [])
    )


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, help="checkout whose syndicator package to run")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per feed")
    args = parser.parse_args()
    env = dict(os.environ)
    code = (args.code or Path(__file__).resolve().parents[1]).resolve()
    config = code / "config" / "syndicator.toml"  # the shipped sample site: its base URL and rules
    if args.code:
        env["PYTHONPATH"] = str(args.code.resolve())
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(CORPUS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    total = republished = repairs = 0
    try:
        for path in corpus_files():
            want = countable(path)
            with tempfile.TemporaryDirectory() as out:
                url = base + path.relative_to(CORPUS).as_posix()
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "syndicator",
                        "publish",
                        "--config",
                        str(config),
                        "--source",
                        url,
                        "--output",
                        out,
                        "--items",
                        "1000",
                        "--json",
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=out,
                    check=False,
                )
            try:
                report = json.loads(done.stdout)
                got = int(report.get("published", 0))
                repairs += len(report.get("warnings", []))
            except (json.JSONDecodeError, AttributeError):
                report, got = {}, 0
            got = min(got, want)
            total += want
            republished += got
            if args.verbose or got < want:
                why = [r.get("message") for r in report.get("rejected", [])][:2] or report.get(
                    "source_errors"
                )
                print(f"{path.relative_to(CORPUS)}: {got}/{want} {why or done.stderr.strip()[-200:]}")
    finally:
        server.shutdown()
    print(
        f"{len(corpus_files())} feeds, {total} entries with a title or body, {republished} republished,"
        f" {repairs} warnings (repairs) reported"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
