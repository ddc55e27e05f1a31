"""Who wrote an article page: its structured data, its <meta> statements, then the
bylines readers see, with the site signing its own page passed over.

Split from normalize.htmlpage, which asks it once per page (`page_authors`).
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable

import lxml.html

from syndicator.model import Author
from syndicator.normalize.bylines import byline_names, split_authors
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.rules import fold

_BYLINE_CLASS = re.compile(
    r"byline|^(?:by_)?authors?(?:$|[-_](?!bio|image|img|avatar|photo|pic))|[-_]authors?(?:$|[-_](?!bio))",
    re.IGNORECASE,
)
_BYLINE_MAX_CHARS = 160
AUTHOR_PROPERTIES = (
    "author",
    "authors",
    "article:author",
    "article:authorname",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
)
# What follows a site's name when it signs a page: "Teen Vogue Magazine", "UPROXX Media", "STERN.de".
_PUBLISHER_WORDS = frozenset(
    {
        "magazine",
        "media",
        "online",
        "news",
        "staff",
        "redaktion",
        "redaccion",
        "redazione",
        "com",
        "de",
        "net",
    }
)
_ROLE_WORDS = frozenset(
    {"writer", "editor", "correspondent", "reporter", "contributor", "columnist", "redakteur", "redakteurin"}
)
_DAY_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "posts", "updated"}
)


def page_authors(
    stated_in_data: tuple[Author, ...],
    stated: Callable[[str], tuple[str, ...]],
    root: lxml.html.HtmlElement,
    publishers: tuple[str | None, ...],
    body_byline: str | None,
    ctx: NormalizeContext,
    inferred: list[tuple[str, str]],
) -> tuple[Author, ...]:
    """The people who wrote the page: structured data first (`stated_in_data`: JSON-LD's
    authors), then what <meta> states (`stated(name)`: the values of one name, in page
    order), then the byline readers see.

    A name that is the publisher's (og:site_name, JSON-LD publisher, the domain: "STERN.de",
    "Badische Zeitung") is the site signing its own page, not an author, and is passed over.
    """
    keys = {k for k in (alnum_key(p or "") for p in publishers) if k}

    def is_publisher(key: str) -> bool:
        return any(
            key == k
            or (key.startswith(k) and key[len(k) :] in _PUBLISHER_WORDS)
            or (len(key) >= 4 and k.startswith(key))
            for k in keys
        )

    def people(found: tuple[Author, ...] | list[Author]) -> tuple[Author, ...]:
        out: list[Author] = []
        for author in found:
            name = " ".join(html_module.unescape(author.name).split())
            key = alnum_key(name)
            if not key or is_publisher(key) or _is_role_or_day(name):
                continue
            if "@" in name and " " not in name and out:  # "Jane Roe | jroe@site.com": her address
                out[-1] = Author(name=out[-1].name, email=out[-1].email or name, url=out[-1].url)
                continue
            out.append(Author(name=name, email=author.email, url=author.url))
        if any(" " in a.name for a in out):  # "Posts", "Tuesday", "AAP" beside a full name are not people
            out = [a for a in out if " " in a.name]
        return tuple(dict.fromkeys(out))

    if stated_in_data:
        found: list[Author] = []
        for author in stated_in_data:
            # A CMS may put the whole byline in the name: "By TOM KRISHER, AP Auto Writer".
            names = byline_names(author.name, rules=ctx.rules) if " " in author.name else None
            found.extend(names if names else (author,))
        if people(found):
            inferred.append(("authors", "JSON-LD"))
            return people(found)
    for name in AUTHOR_PROPERTIES:
        for value in stated(name):
            if not value.startswith("http"):  # article:author is often a profile URL
                authors = people(split_authors(html_module.unescape(value), rules=ctx.rules))
                if authors:
                    inferred.append(("authors", f"<meta {name}>"))
                    return authors
    for origin, lines in [*_visible_bylines(root), ("the body's first lines", [body_byline or ""])]:
        if origin.endswith(
            ("byline", "lines")
        ):  # the first byline block that names someone, "By …" ones first
            for line in sorted(lines, key=lambda t: not byline_names(" ".join(t.split()), rules=ctx.rules)):
                authors = people(_byline_authors(line, ctx))
                if authors:
                    inferred.append(("authors", origin))
                    return authors
            continue
        authors = people([a for line in lines for a in _byline_authors(line, ctx)])
        if authors:
            inferred.append(("authors", origin))
            return authors
    return ()


def _is_role_or_day(name: str) -> bool:
    """'Staff Writer', 'Contributing Writer', 'Tuesday': furniture of a byline line, not a person."""
    words = {w.strip(".,").casefold() for w in name.split()}
    return bool(words & _ROLE_WORDS) or bool(words & _DAY_WORDS)


def _visible_bylines(root: lxml.html.HtmlElement) -> list[tuple[str, list[str]]]:
    """Bylines as the page shows them: microdata author names, rel=author links, byline blocks."""
    microdata: list[str] = []
    links: list[str] = []
    blocks: list[str] = []
    sidebar: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        props = (element.get("itemprop") or "").lower().split()
        names = _names(element)
        byline_named = ("author" in names.lower() or "byline" in names.lower()) and any(
            _BYLINE_CLASS.search(t) for t in names.split()
        )
        is_link = element.tag == "a" and "author" in (element.get("rel") or "").lower().split()
        if not (byline_named or is_link or "author" in props or "creator" in props):
            continue
        if _in_furniture_or_comments(element):
            continue
        if "author" in props or "creator" in props:
            named = [n for n in element.iter() if "name" in (n.get("itemprop") or "").lower().split()]
            texts = [n.get("content") or n.text_content() for n in named] or [element.text_content()]
            microdata.extend(t for t in texts if t and t.strip())
        elif is_link:
            links.append(element.text_content())
        else:
            text = element.text_content()
            if text.strip() and len(" ".join(text.split())) <= _BYLINE_MAX_CHARS:
                in_sidebar = any(a.tag == "aside" for a in element.iterancestors())
                (sidebar if in_sidebar else blocks).append(text)
    return [
        ("microdata author", microdata),
        ("rel=author link", links),
        ("the page's byline", blocks),
        ("the sidebar's byline", sidebar),  # an "about the author" box beside the article
    ]


def _names(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _in_furniture_or_comments(element: lxml.html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        names = f"{node.get('class', '')} {node.get('id', '')}".lower()
        if node.tag in ("footer", "nav") or "comment" in names or "related" in names:
            return True
    return False


def _byline_authors(line: str, ctx: NormalizeContext) -> tuple[Author, ...]:
    text = " ".join(line.split())
    return byline_names(text, rules=ctx.rules) or split_authors(text, rules=ctx.rules)


def alnum_key(text: str) -> str:
    """The letters and digits of a name, folded: what two spellings of one name share."""
    return "".join(c for c in fold(text) if c.isalnum())
