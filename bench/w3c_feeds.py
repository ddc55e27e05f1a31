"""Every kind of feed syndicator writes, through the W3C feed validator.

    .venv/bin/python bench/w3c_feeds.py --validator DIR --python PY [--work DIR]

DIR is a checkout of https://github.com/w3c/feedvalidator (its `src/` is put
on the path; it is not part of syndicator) and PY a Python with the
validator's own requirements (lxml, html5lib, rdflib). The script publishes
the sample site (config/, with language, tag and author feeds, an icon and a
region) and four stress sites (every record rejected; one article; markup-like
text in every plain-text field, offsets like +0545, no bodies, images and
enclosures, several languages, archives of 3; titles only), then validates
every rss.xml and atom.xml written at the validator's "AA" level (what the
online service shows) and prints the errors and warnings by message.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from sitekit import NOW, record, write_config  # noqa: E402

from syndicator.config import load_config  # noqa: E402
from syndicator.pipeline import publish_run  # noqa: E402

FEEDS = "https://gazette.example/feeds/"
SELECTIONS = "language_feeds = true\ntag_feeds = true\nauthor_feeds = true\n"
OPTIONAL_FEEDS = "category_feeds = true\n" + SELECTIONS  # the sample site has category feeds already

VALIDATE = r"""
import collections, os, sys
sys.path.insert(0, sys.argv[1])
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.logging import Error
counts = collections.Counter()
feeds = 0
for spec in sys.argv[2:]:
    base, root = spec.split("=", 1)
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name not in ("rss.xml", "atom.xml"):
                continue
            path = os.path.join(folder, name)
            feeds += 1
            url = base + os.path.relpath(path, root)
            try:
                events = feedvalidator.validateString(open(path, "rb").read(), base=url)["loggedEvents"]
            except feedvalidator.logging.ValidationFailure as failure:
                events = [failure.event]
            for event in compatibility.AA(events):
                kind = "error" if isinstance(event, Error) else "warning"
                counts[(kind, type(event).__name__, os.path.relpath(path, root))] += 1
print(f"{feeds} feeds: {sum(n for k, n in counts.items() if k[0] == 'error')} errors, "
      f"{sum(n for k, n in counts.items() if k[0] == 'warning')} warnings")
for (kind, name, path), n in sorted(counts.items()):
    print(f"  {kind} {name} x{n}: {path}")
"""


def stress_site(folder: Path, records: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True)
    config = write_config(folder, items=5)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("items = 5\n", f"items = 5\narchive_page_size = 3\n{OPTIONAL_FEEDS}"))
    (folder / "articles" / "a.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    publish_run(load_config(config), now=NOW)
    return folder / "out"


def markup_like(n: int) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": [
            "A <b>bold</b> & “quoted” title",
            "List<T> & Map<K, V>",
            "x < y > z",
            "Ünïcödé ⚡ 🎉",
            "a<b",
        ][n % 5]
        + f" {n}",
        "category": ["Économie", "<script>x</script>Monde", "R&D", "a<b", "Tech/IT"][n % 5],
        "tags": ["Inflation", "C++ & C#", "<em>tag</em>", "naïve", "x<y"][: n % 5 + 1],
        "author": ["Jane Roe", "José <jose@example.org>", "O'Brien & Sons", "李雷"][n % 4],
        "language": ["fr-FR", "en-GB", "de", "ja", "und"][n % 5],
        "published": f"2024-02-{n:02d}T10:00:00" + ("+05:45" if n % 3 else "-03:30"),
        "content_html": ""
        if n % 4 == 0
        else f"<p>Body {n} <img src='https://cdn.example.org/p{n}.jpg' width='1200' height='800'>"
        " <a href='/x?a=1&b=2'>link</a> ]]&gt; <script>bad()</script></p>",
        "summary": "" if n % 4 == 0 else f"Summary {n} with ]]> and & and <i>markup</i>",
    }
    if n % 2:
        fields["updated"] = f"2024-02-{n:02d}T18:00:00+05:45"
    if n % 3 == 0:
        fields["image"] = {
            "url": f"https://cdn.example.org/lead{n}.jpg",
            "width": 1600,
            "height": 900,
            "alt": "A <b>",
        }
    if n % 5 == 0:
        fields["enclosures"] = [{"url": f"https://cdn.example.org/a{n}.mp3", "type": "audio/mpeg"}]
    return record(n, **fields)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--validator", type=Path, required=True, help="a checkout of w3c/feedvalidator")
    parser.add_argument("--python", default=sys.executable, help="a Python with lxml, html5lib and rdflib")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="w3c-feeds-"))
    shutil.rmtree(work, ignore_errors=True)
    sample = work / "sample"
    shutil.copytree(REPO / "config", sample, ignore=shutil.ignore_patterns("deploy"))
    config = (sample / "syndicator.toml").read_text(encoding="utf-8")
    config = config.replace('directory = "../feeds"', f'directory = "out"\n{SELECTIONS}archive_page_size = 2')
    config = config.replace('directory = "../.syndicator"', 'directory = "state"')
    config = config.replace(
        'language = "fr"', 'language = "fr-FR"\nicon = "/favicon.png"\nlogo = "/logo.png"'
    )
    (sample / "syndicator.toml").write_text(config, encoding="utf-8")
    publish_run(load_config(sample / "syndicator.toml"), now=NOW)
    sites = {
        "sample": ("https://news.example.org/feeds/", sample / "out"),
        "all rejected": (FEEDS, stress_site(work / "empty", [{"id": "x1"}, {"id": "x2", "title": ""}])),
        "one article": (FEEDS, stress_site(work / "single", [record(1)])),
        "markup-like": (FEEDS, stress_site(work / "stress", [markup_like(n) for n in range(1, 16)])),
        "titles only": (
            FEEDS,
            stress_site(
                work / "titles",
                [
                    {"id": f"t{n}", "title": f"Title only {n}", "published": f"2024-02-{n:02d}T10:00:00Z"}
                    for n in range(1, 8)
                ],
            ),
        ),
    }
    for name, (base, out) in sites.items():
        result = subprocess.run(
            [args.python, "-c", VALIDATE, str(args.validator / "src"), f"{base}={out}"],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"{name}: {result.stdout.rstrip()}")


if __name__ == "__main__":
    main()
