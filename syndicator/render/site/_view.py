"""The readable view of one feed: what a person sees who opens a feed URL.

Written next to the feed (`rss.xml` → `rss.html`) for static hosting, and
sent by the server in place of the feed to a browser's top-level navigation.
It says what a feed is and how to subscribe (the addresses to copy), then
lists the items. It needs no script and loads nothing: browsers are removing
client-side XSLT, the old way of dressing up a feed.
"""

from __future__ import annotations

from collections.abc import Sequence

from syndicator.model import Article, FeedDocument
from syndicator.render import FeedFormat
from syndicator.render.site._markup import (
    attr,
    lang_attrs,
    page,
    text,
    time_element,
    to_root,
)


def render_view(
    doc: FeedDocument, fmt: FeedFormat, formats: Sequence[FeedFormat], *, site_title: str
) -> bytes:
    """The view of `doc` as reached from its `fmt` feed, whose address comes first."""
    others = [other for other in formats if other.name != fmt.name]
    head = (
        f'<link rel="alternate" type="{attr(fmt.media_type)}" title="{attr(doc.title)}" '
        f'href="{attr(fmt.url(doc.urls))}">\n'
    )
    if doc.description:
        head += f'<meta name="description" content="{attr(doc.description)}">\n'
    subscribe = "".join(_address(other, doc) for other in [fmt, *others])
    count = len(doc.articles)
    items = "".join(_item(article, doc.language) for article in doc.articles)
    listing = (
        f'<ol class="items">\n{items}</ol>\n' if items else '<p lang="en" dir="ltr">No articles yet.</p>\n'
    )
    body = (
        "<header>\n"
        f'<p class="nav"><a href="{to_root(doc)}index.html">{text(site_title)}: all feeds</a></p>\n'
        f"<h1>{text(doc.title)}</h1>\n"
        + (f'<p class="lead">{text(doc.description)}</p>\n' if doc.description else "")
        + "</header>\n"
        '<section class="about" lang="en" dir="ltr">\n'
        "<h2>This is a web feed</h2>\n"
        f"<p>Subscribe to it in a feed reader and every new article of “{text(doc.title)}” "
        "comes to you, with no account and no e-mail address. This page is the readable "
        "view of the feed; feed readers get the feed itself from the same address.</p>\n"
        "<p>Copy this address into your feed reader:</p>\n"
        f'<ul class="subscribe">\n{subscribe}</ul>\n'
        "</section>\n"
        "<main>\n"
        f'<h2 lang="en" dir="ltr">Latest {count} article{"s" if count != 1 else ""}</h2>\n'
        f"{listing}"
        "</main>\n"
        f'<footer lang="en" dir="ltr"><p>Published with {text(doc.generator)} '
        f"{text(doc.generator_version)}.</p></footer>\n"
    )
    title = f"{doc.title} ({fmt.label} feed)"
    return page(language=doc.language, title=title, head_extra=head, body=body)


def _address(fmt: FeedFormat, doc: FeedDocument) -> str:
    # An input, not a link: a browser that follows the feed URL from here
    # gets this page again; the address is for pasting into a reader.
    return f'<li><label>{text(fmt.label)} <input readonly value="{attr(fmt.url(doc.urls))}"></label></li>\n'


def _item(article: Article, feed_language: str) -> str:
    lang = (
        f" {lang_attrs(article.language)}" if article.language and article.language != feed_language else ""
    )
    meta: list[str] = []
    if article.published is not None:
        meta.append(time_element(article.published))
    if article.updated is not None and article.updated != article.published:
        meta.append(f'<span lang="en" dir="ltr">updated</span> {time_element(article.updated)}')
    if article.authors:
        meta.append(", ".join(text(author.name) for author in article.authors))
    parts = [
        f"<li><article{lang}>\n",
        f'<h3><a href="{attr(article.url)}">{text(article.title or article.url)}</a></h3>\n',
    ]
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>\n')
    if article.summary:
        parts.append(f'<p class="summary">{text(article.summary)}</p>\n')
    if article.categories:
        labels = "".join(f"<li>{text(category.label)}</li>" for category in article.categories)
        parts.append(f'<ul class="tags" aria-label="Categories">{labels}</ul>\n')
    if article.related:
        links = ", ".join(
            f'<a href="{attr(link.url)}">{text(link.title or link.url)}</a>' for link in article.related
        )
        parts.append(f'<p class="links"><span lang="en" dir="ltr">Related:</span> {links}</p>\n')
    parts.append("</article></li>\n")
    return "".join(parts)
