"""WordPress eXtended RSS (WXR): the file WordPress's Tools → Export writes.

A WXR file is RSS 2.0 with a `wp:` namespace (http://wordpress.org/export/1.0/,
1.1/ or 1.2/) holding what RSS has no place for: the post type and status, the
raw post content, the GMT date, authors by login, terms by taxonomy. Every item
that is content (a post, a page, a custom post type) becomes one record in our
field names; attachments, menu items, revisions and theme objects are not
articles and are skipped. Ids are the item's guid, the same id the REST API
gives (`guid.rendered`), so a site read once from an export and later from its
API keeps its articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
# Post types that are site machinery, not articles (WordPress core's own types).
NOT_ARTICLES = frozenset(
    {
        "attachment",
        "nav_menu_item",
        "revision",
        "custom_css",
        "customize_changeset",
        "oembed_cache",
        "user_request",
        "wp_block",
        "wp_template",
        "wp_template_part",
        "wp_global_styles",
        "wp_navigation",
        "wp_font_family",
        "wp_font_face",
    }
)
# wp:status → our status (README "status"): only `publish` is published.
STATUSES = {"publish": "published", "future": "scheduled", "private": "private"}
_NO_DATE = "0000-00-00 00:00:00"  # what WordPress writes for a draft's GMT date
_BLOCK = re.compile(r"<(?:p|div|h[1-6]|ul|ol|blockquote|pre|table|figure|section|article)[\s>]", re.I)
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


@dataclass(frozen=True)
class WxrItem:
    locator: str  # "item N", N counting every <item> of the file from 0
    payload: dict[str, Any]  # a record in our field names (README "Record formats")


def is_wxr(data: bytes) -> bool:
    """Whether an XML file declares the WordPress export namespace (cheap: the first 4 KB)."""
    head = data[:4096].decode("utf-8", "replace")
    return re.search(r'xmlns:wp="https?://wordpress\.org/export/\d+\.\d+/"', head) is not None


def read_wxr(data: bytes) -> Iterator[WxrItem]:
    """Every content item of the export, in file order.

    Raises ValueError when the file is not well-formed XML or not a WXR file.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise ValueError(f"not well-formed XML: {e.msg} at line {e.lineno}") from e
    wp = next((uri for uri in root.nsmap.values() if uri and WP_NAMESPACE.match(uri)), None)
    channel = root.find("channel")
    if wp is None or channel is None:
        raise ValueError("not a WordPress export (no wp: namespace or no channel)")
    excerpt = f"{wp}excerpt/"

    def text(node: etree._Element, tag: str) -> str:
        found = node.find(tag)
        return (found.text or "").strip() if found is not None else ""

    w = f"{{{wp}}}"
    names = {
        text(a, f"{w}author_login"): text(a, f"{w}author_display_name") or text(a, f"{w}author_login")
        for a in channel.iterfind(f"{w}author")
    }
    language = text(channel, "language") or None
    items = list(channel.iterfind("item"))
    media = {
        text(item, f"{w}post_id"): text(item, f"{w}attachment_url")
        for item in items
        if text(item, f"{w}post_type") == "attachment" and text(item, f"{w}attachment_url")
    }
    for number, item in enumerate(items):
        kind = text(item, f"{w}post_type") or "post"
        if kind in NOT_ARTICLES:
            continue
        meta = {text(m, f"{w}meta_key"): text(m, f"{w}meta_value") for m in item.iterfind(f"{w}postmeta")}
        login = text(item, _CREATOR)
        content = item.findtext(_CONTENT) or ""
        record: dict[str, Any] = {
            "id": text(item, "guid") or None,
            "title": text(item, "title") or None,
            "url": text(item, "link") or None,
            "content_html": _paragraphs(content) or None,
            "summary": item.findtext(f"{{{excerpt}}}encoded") or None,
            "authors": [names.get(login) or login] if login else None,
            "published": _date(text(item, f"{w}post_date_gmt"), utc=True)
            or _date(text(item, f"{w}post_date"), utc=False)
            or text(item, "pubDate")
            or None,
            "updated": _date(text(item, f"{w}post_modified_gmt"), utc=True),
            "status": STATUSES.get(text(item, f"{w}status"), "draft"),
            "categories": _terms(item, "category") or None,
            "tags": _terms(item, "post_tag") or None,
            "language": language,
            "image": media.get(meta.get("_thumbnail_id", "")) or None,
        }
        yield WxrItem(f"item {number}", {k: v for k, v in record.items() if v is not None})


def _terms(item: etree._Element, domain: str) -> list[str]:
    return [(c.text or "").strip() for c in item.iterfind("category") if c.get("domain") == domain and c.text]


def _date(value: str, *, utc: bool) -> str | None:
    """`2010-10-16 20:53:18` as RFC 3339; the GMT one says so, the local one takes the site's zone."""
    if not value or value == _NO_DATE:
        return None
    return value.replace(" ", "T") + ("Z" if utc else "")


def _paragraphs(content: str) -> str:
    """The raw post content as a reader sees it.

    WordPress stores classic-editor posts without <p>: it adds them when it
    renders the page (wpautop). Text without block elements gets them here,
    one paragraph per blank-line-separated block, a line break for a single
    newline; block-editor content already has its <p> and is kept as written.
    """
    if not content.strip() or _BLOCK.search(content):
        return content
    blocks = [b.strip() for b in re.split(r"\n\s*\n", content.replace("\r\n", "\n")) if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>' + chr(10))}</p>" for b in blocks)
