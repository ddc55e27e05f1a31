"""Commands import only what they use: `--version` loads no heavy library, and
a publish with nothing new loads neither the renderers nor the extractors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sitekit import REPO, record

HEAVY = ("feedgen", "lxml.html", "readability", "trafilatura", "rich", "jsonschema", "psycopg", "apscheduler")


def imported(argv: list[str], cwd: Path) -> set[str]:
    """The modules a fresh `python -m syndicator ARGV` imported, from `-X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "syndicator", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 4), done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    }


def test_version_imports_no_heavy_library() -> None:
    loaded = imported(["--version"], REPO)
    assert not loaded & {*HEAVY, "requests", "syndicator.pipeline", "syndicator.store"}


def test_a_publish_with_nothing_new_loads_neither_renderers_nor_extractors(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    first = imported(["publish", "--quiet"], site)
    assert "feedgen" in first  # the first run renders
    again = imported(["publish", "--quiet"], site)
    assert not again & {
        *HEAVY,
        "requests",
        "syndicator.render.rss",
        "syndicator.normalize.json_record",
        "syndicator.objectstore",  # only where `[output] url` names a bucket
        "syndicator.server",
    }


def test_a_publish_of_new_records_from_a_folder_loads_no_http_client(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    imported(["publish", "--quiet"], site)
    add_records("b.json", [record(2)])
    loaded = imported(["publish", "--quiet"], site)
    assert "syndicator.normalize.json_record" in loaded  # the new record was read
    assert not loaded & {"requests", "urllib3", "syndicator.sources.http", "syndicator.server"}


def test_records_that_state_their_language_in_clean_text_load_no_detector_and_no_mojibake_fixer(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, language="fr"), record(2, language="en")])
    loaded = imported(["publish", "--quiet"], site)
    assert "syndicator.normalize.json_record" in loaded  # the records were read
    assert not loaded & {"py3langid", "numpy", "ftfy"}
    add_records("b.json", [record(3, language=None, title="Ã©tÃ© " * 3, content_html="<p>" + "word " * 60)])
    assert {"py3langid", "numpy", "ftfy"} <= imported(["publish", "--quiet"], site)
