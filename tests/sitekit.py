"""Helpers for tests that need a real site on disk: config, records, a fixed clock.

A uniquely named module (not conftest) so every test folder can import it.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicator.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"
SEED = CONFIG_DIR / "samples" / "000_1b07a81e69550a1b.txt"
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def write_config(directory: Path, *, extra: str = "", items: int = 50, sources: str | None = None) -> Path:
    """A complete configuration in `directory`, using the shipped rules, taxonomy and schema."""
    (directory / "articles").mkdir(exist_ok=True)
    source_block = (
        sources
        if sources is not None
        else ('[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\n')
    )
    path = directory / "syndicator.toml"
    path.write_text(
        f"""
[site]
title = "Test Gazette"
description = "News for tests."
base_url = "https://gazette.example/"
feeds_url = "https://gazette.example/feeds/"
language = "en"
timezone = "Europe/Paris"

{source_block}

[output]
directory = "out"
items = {items}

[state]
directory = "state"

[normalize]
taxonomy = "{CONFIG_DIR / "taxonomy.toml"}"
{extra}
""",
        encoding="utf-8",
    )
    return path


def set_output(site: Path, **keys: str) -> None:
    """Keys added to the [output] table of the site's syndicator.toml (`removed="retract"`)."""
    config = site / "syndicator.toml"
    lines = "".join(f'{key} = "{value}"\n' for key, value in keys.items())
    config.write_text(
        config.read_text(encoding="utf-8").replace("[output]\n", "[output]\n" + lines), encoding="utf-8"
    )


def record(n: int, **fields: Any) -> dict[str, Any]:
    """A valid CMS record; override any field."""
    base: dict[str, Any] = {
        "id": f"cms-{n}",
        "title": f"Article number {n}",
        "url": f"https://gazette.example/news/article-{n}",
        "published": f"2024-02-{(n % 27) + 1:02d}T10:00:00+01:00",
        "category": "World" if n % 2 else "Économie",
        "language": "en",
        "summary": f"Summary of article {n}.",
        "content_html": f"<p>Body of article {n}, with a <a href='/related/{n}'>link</a>.</p>",
        "related": [{"url": f"https://gazette.example/news/related-{n}", "title": f"Related {n}"}],
    }
    base.update(fields)
    return base


def every_feed_config(site: Path) -> Config:
    """The site's configuration with every kind of feed on, two items a feed and
    archive pages of two: a few records exercise every document a render writes."""
    config = load_config(site / "syndicator.toml")
    output = replace(
        config.output,
        language_feeds=True,
        tag_feeds=True,
        author_feeds=True,
        category_feeds=True,
        archive_page_size=2,
        items=2,
    )
    return replace(config, output=output)


def publish_command(site: Path, *options: str) -> list[str]:
    """`syndicator publish --json` of a site as its own process: a fresh, single-threaded
    process, as a user runs it (only such a process forks worker processes)."""
    return [
        sys.executable,
        "-m",
        "syndicator",
        "publish",
        "--config",
        str(site / "syndicator.toml"),
        "--json",
        *options,
    ]
