"""The same articles as a Hugo site and as a Pelican site: what users would pick instead.

Both are set up to do only what syndicator does — a main feed and one feed per
category, 50 items each — so the comparison is feeds against feeds: Hugo with
its built-in RSS template and no layouts (pages are not rendered to HTML),
Pelican with every HTML page switched off and its Atom and RSS feeds on.
Articles come from the same generator records syndicator reads (broken
records left out, raw-text articles read the way their layout says).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import generate


@dataclass(frozen=True)
class Plain:
    """One article as a static-site generator gets it."""

    key: str
    title: str
    date: datetime
    category: str
    tags: tuple[str, ...]
    summary: str
    html: str


def _first(rec: dict[str, Any], *names: str) -> Any:
    for name in names:
        if rec.get(name):
            return rec[name]
    return None


def _from_record(i: int, rec: dict[str, Any]) -> Plain:
    raw_date = str(_first(rec, "published", "datePublished", "date"))
    try:
        date = datetime.fromisoformat(raw_date)
    except ValueError:
        from email.utils import parsedate_to_datetime

        date = parsedate_to_datetime(raw_date)
    if date.tzinfo is None:
        date = date.replace(tzinfo=generate.UTC)
    cats = _first(rec, "category", "section", "categories")
    category = cats[0] if isinstance(cats, list) else str(cats)
    tags = rec.get("tags") or [t.strip() for t in str(rec.get("keywords") or "").split(",") if t.strip()]
    return Plain(
        key=f"a{i:07d}",
        title=str(_first(rec, "title", "headline", "name")),
        date=date,
        category=category.title(),
        tags=tuple(tags),
        summary=str(_first(rec, "summary", "description", "excerpt") or ""),
        html=str(_first(rec, "content_html", "body", "html")),
    )


def _from_text(i: int, text: str) -> Plain:
    lines = text.split("\n\n")
    section = lines[0].split(" » ")[1].title()
    paras = lines[3:-1]
    return Plain(
        key=f"a{i:07d}",
        title=lines[1],
        date=generate.EPOCH
        - generate.timedelta(days=generate.SPAN_DAYS)
        + generate.timedelta(seconds=i * 97),
        category=section,
        tags=(),
        summary=paras[0][:200] if paras else "",
        html="".join(f"<p>{escape(p)}</p>" for p in paras),
    )


def articles(count: int, *, start: int = 0) -> Iterator[Plain]:
    for i in range(start, start + count):
        if i % generate.TXT_EVERY == generate.TXT_EVERY - 1:
            yield _from_text(i, generate.raw_text(i))
        elif i % generate.INVALID_EVERY != 17:
            yield _from_record(i, generate.record(i))


def new_article(n: int) -> Plain:
    rec = next(generate.new_records(10_000_000 + n, 1))
    return _from_record(10_000_000 + n, rec)


HUGO_CONFIG = """\
baseURL = "https://news.example.org/"
title = "Bench"
languageCode = "fr"
rssLimit = 50
disableKinds = ["sitemap", "robotsTXT", "404", "taxonomy", "section"]
ignoreErrors = ["error-disable-taxonomy"]
[services.rss]
limit = 50
[taxonomies]
category = "categories"
[outputs]
home = ["RSS"]
term = ["RSS"]
page = ["HTML"]
[markup.goldmark.renderer]
unsafe = true
"""


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def hugo_page(a: Plain) -> str:
    return (
        "+++\n"
        f"title = {_toml(a.title)}\n"
        f"date = {a.date.isoformat()}\n"
        f"categories = [{_toml(a.category)}]\n"
        f"tags = [{', '.join(_toml(t) for t in a.tags)}]\n"
        f"summary = {_toml(a.summary)}\n"
        "+++\n\n"
        f"{a.html}\n"
    )


def hugo_site(root: Path, count: int) -> Path:
    """content/posts/*.md with front matter; no layouts, so only the built-in RSS renders."""
    if root.exists():
        shutil.rmtree(root)
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for a in articles(count):
        (posts / f"{a.key}.md").write_text(hugo_page(a), encoding="utf-8")
    return root


def hugo_add(root: Path, n: int) -> None:
    a = new_article(n)
    (root / "content" / "posts" / f"new-{n}.md").write_text(hugo_page(a), encoding="utf-8")


def hugo_clean(root: Path) -> None:
    for name in ("public", "resources", ".hugo_build.lock"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


PELICAN_CONFIG = """\
SITENAME = "Bench"
SITEURL = "https://news.example.org"
FEED_DOMAIN = SITEURL
TIMEZONE = "UTC"
DEFAULT_LANG = "fr"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = False
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
ARTICLE_SAVE_AS = ""
PAGE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
INDEX_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
DIRECT_TEMPLATES = []
DEFAULT_PAGINATION = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def pelican_page(a: Plain) -> str:
    def meta(name: str, value: str) -> str:
        return f'<meta name="{name}" content="{escape(value)}" />'

    return (
        "<html><head>"
        f"<title>{escape(a.title)}</title>"
        + meta("date", a.date.isoformat())
        + meta("category", a.category)
        + meta("tags", ", ".join(a.tags))
        + meta("summary", a.summary)
        + meta("slug", a.key)
        + f"</head><body>{a.html}</body></html>\n"
    )


def pelican_site(root: Path, count: int) -> Path:
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    content.mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    for a in articles(count):
        (content / f"{a.key}.html").write_text(pelican_page(a), encoding="utf-8")
    return root
