"""Content HTML made safe and self-contained for every feed reader.

nh3 (the Ammonia sanitizer) decides what is allowed: a maintained allow-list
sanitizer beats a hand-written one at the cat-and-mouse of script injection.
Before it runs, lxml makes relative links absolute (a feed item is read far
from the page it came from) and turns lazy-loading attributes into real ones.
"""

from __future__ import annotations

import re
from html import escape

import lxml.html
import nh3
from lxml import etree

from syndicator.normalize.typography import typeset_tree
from syndicator.normalize.urls import absolute_url
from syndicator.plaintext import html_to_text as html_to_text  # the one implementation, shared with render

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "video",
        "audio",
        "source",
        "picture",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "srcset", "alt", "width", "height", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
}
_LAZY = (
    ("data-src", "src"),
    ("data-lazy-src", "src"),
    ("data-original", "src"),
    ("data-srcset", "srcset"),
    ("data-lazy-srcset", "srcset"),
)
_URL_ATTRIBUTES = ("href", "src", "poster", "cite")
_BLANK_RUN = re.compile(r"\n{3,}")


def sanitize_html(fragment: str, *, base_url: str, typeset: bool = False) -> str:
    """Absolute, lazy-loading resolved, allow-listed HTML; "" for an empty fragment.

    With `typeset`, the text is repaired too (normalize.typography) in the same
    parse. nh3 runs last: its HTML5 parser and serializer decide the final
    structure, so markup the lenient lxml parser let through (a heading opened
    inside a heading) never reaches readers.
    """
    if not fragment.strip():
        return ""
    resolved = _resolve_links(fragment, base_url, typeset=typeset)
    cleaned = nh3.clean(
        resolved,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    if _BLOCK_IN_PHRASING.search(cleaned):
        cleaned = _lift_blocks_out_of_phrasing(cleaned)
    return _BLANK_RUN.sub("\n\n", cleaned).strip()


# Headings and paragraphs hold phrasing content only (HTML §4.3.6, §4.4.1).
# Broken source markup (`<h2>A <span on</h2><h2>B`) can leave a block inside
# one even after an HTML5 parser; readers and validators reject that.
_PHRASING_ONLY = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "pre", "table", "figure", "hr"}
)
_BLOCK_IN_PHRASING = re.compile(
    r"<(?:p|h[1-6])>(?:(?!</(?:p|h[1-6])>).)*?<(?:p|h[1-6]|ul|ol|dl|blockquote|pre|table|figure|hr)\b", re.S
)


def _lift_blocks_out_of_phrasing(fragment: str) -> str:
    """Move every block found inside a heading or paragraph to just after it."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    moved = True
    while moved:
        moved = False
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag not in _PHRASING_ONLY:
                continue
            blocks = [c for c in element.iterdescendants() if c.tag in _BLOCKS and _nearest_block(c, element)]
            if not blocks or element.getparent() is None:
                continue
            anchor = element
            for block in blocks:  # in document order, each after the one before
                tail, block.tail = block.tail, None
                block.getparent().remove(block)
                anchor.addnext(block)
                block.tail = tail if tail and tail.strip() else None
                anchor = block
            moved = True
            break
    parts = [escape(root.text, quote=False)] if root.text else []
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts)


def _nearest_block(node: etree._Element, container: etree._Element) -> bool:
    """No other block stands between `node` and `container`."""
    parent = node.getparent()
    while parent is not None and parent is not container:
        if parent.tag in _BLOCKS:
            return False
        parent = parent.getparent()
    return True


def _resolve_links(fragment: str, base_url: str, *, typeset: bool = False) -> str:
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    if typeset:
        typeset_tree(root)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        # The lazy attribute holds the real image; `src` is then only a placeholder
        # (a data: URI or a spinner GIF) that a script would have swapped out.
        swapped: set[str] = set()
        for lazy, real in _LAZY:
            value = element.get(lazy)
            if value and value.strip() and real not in swapped:
                element.set(real, value)
                swapped.add(real)
        for name in _URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                url = absolute_url(value, base_url)
                if url is None:
                    del element.attrib[name]
                else:
                    element.set(name, url)
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _resolve_srcset(srcset, base_url))
    parts = [escape(root.text, quote=False)] if root.text else []
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts)


def _resolve_srcset(srcset: str, base_url: str) -> str:
    candidates = []
    for candidate in srcset.split(","):
        bits = candidate.strip().split()
        if not bits:
            continue
        url = absolute_url(bits[0], base_url)
        if url:
            candidates.append(" ".join([url, *bits[1:]]))
    return ", ".join(candidates)
