"""Content HTML made safe and self-contained for every feed reader.

nh3 (the Ammonia sanitizer) decides what is allowed: a maintained allow-list
sanitizer beats a hand-written one at the cat-and-mouse of script injection.
Its output is then read by lxml, and the tree lxml reads is the one that is
vetted and written: links made absolute (a feed item is read far from the
page it came from) and kept only when http(s), lazy-loading attributes turned
into real ones, foreign content (svg, math) gone. Two parsers that disagree
about some markup can then never let it through between them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import escape

import nh3
from lxml import etree

from syndicator.normalize.typography import typeset_tree
from syndicator.normalize.urls import absolute_url, encode_controls
from syndicator.plaintext import clean, tree_text
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
_LAZY_ATTRIBUTES = frozenset(lazy for lazy, _ in _LAZY)
_ATTRIBUTES_OF = {
    tag: frozenset(ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]) for tag in ALLOWED_TAGS
}
# Attributes holding a URL a reader follows or loads; mailto: only for links.
_URL_ATTRIBUTES = ("href", "src", "poster", "cite")
_LOADED_SCHEMES = ("http:", "https:")
# nh3 drops these with everything inside. svg and math are foreign content,
# parsed by different rules in different parsers (an <img> inside
# <svg><style> is raw text to lxml and an element to an HTML5 parser), so
# none of it is kept.
# The others hold no article text (a whole document's <title>, form controls,
# fallback text of embedded frames and objects).
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "svg", "math", "template", "title"}
    | {"textarea", "select", "iframe", "object", "noembed"}
)
# Elements never nested deeper than this: deeper ones are unwrapped, their
# text kept (libxml2, behind lxml, stops reading at a depth of 256 and drops
# everything after that point).
MAX_DEPTH = 200
# Evaluated in C: is any element below MAX_DEPTH ancestors? (libxml2 cuts a
# tree it cannot read at a depth far below that, so a cut tree is caught too.)
_DEEPER_THAN_MAX = etree.XPath(f"boolean(//*[count(ancestor::*) > {MAX_DEPTH}])")
_VOID = frozenset(
    {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
# A tag as html5ever serializes it (nh3's output): attribute values always
# double-quoted with " escaped, "<" in text always escaped.
_SERIALIZED_TAG = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[^\s=>/"]+(?:="[^"]*")?)*)\s*/?>')
# huge_tree: a text node over 10 MB is kept (libxml2 otherwise stops there).
# HTML has no entity expansion, so lifting the limit cannot blow up memory
# beyond the size of the input.
# libxml2's HTML parser without lxml.html's element classes: their lookup is a
# Python call for every element the sanitizer, the typography and the text
# touch, and nothing here needs their methods (_drop_tree and _drop_tag below).
_PARSER = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Sanitized:
    """Safe HTML, and what had to change beyond the allow-list to make it."""

    html: str
    warnings: tuple[tuple[str, str], ...] = ()  # (JSON pointer, what was done), for the run report
    text: str | None = None  # html_to_text(html), when asked for (`with_text`)


def sanitize_html(fragment: str, *, base_url: str, typeset: bool = False, typography: str = "full") -> str:
    """Absolute, lazy-loading resolved, allow-listed HTML; "" for an empty fragment."""
    return sanitize(fragment, base_url=base_url, typeset=typeset, typography=typography).html


def sanitize(
    fragment: str, *, base_url: str, typeset: bool = False, typography: str = "full", with_text: bool = False
) -> Sanitized:
    """nh3 decides what is allowed; lxml then vets and writes the structure it reads.

    nh3's HTML5 parser turns any markup into allow-listed elements. Its output
    is then read by lxml, and that tree is what is checked and serialized: no
    markup can mean one thing to the checker and another to the writer. The
    check resolves every URL against `base_url` and keeps only http(s)
    (mailto for links) in src, href, poster, cite and every srcset candidate;
    lazy-loading attributes become real ones. With `typeset`, the text is
    repaired too (normalize.typography). Nesting deeper than MAX_DEPTH is
    unwrapped (text kept) and reported. With `with_text`, the plain text of
    the result (html_to_text) is read from the same tree, not parsed again.
    """
    empty = "" if with_text else None
    if not fragment.strip():
        return Sanitized("", text=empty)
    # Characters XML cannot carry go before parsing (`<scr\0ipt>` is then read
    # as the script it is) and after (a reference such as `&#1;` decodes to one).
    allowed = _cleaner().clean(clean(fragment))
    warnings: list[tuple[str, str]] = []
    allowed = clean(allowed)
    root = _parse(allowed)
    depth = 0
    if root is not None and _DEEPER_THAN_MAX(root):
        allowed, depth = _flatten(allowed, MAX_DEPTH)
        root = _parse(allowed)
    if depth:
        warnings.append(
            (
                "/content_html",
                f"elements nested {depth} deep; those deeper than {MAX_DEPTH} were unwrapped, "
                "their text kept",
            )
        )
    if root is None:
        return Sanitized("", tuple(warnings), empty)
    _vet(root, base_url)
    if typeset:
        typeset_tree(root, typography=typography)
    _lift_blocks_out_of_phrasing(root)
    parts = [escape(root.text, quote=False)] if root.text else []
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    # libxml2 knows HTML 4, where <source> is not a void element; HTML has no
    # end tag for it (text and attribute values never hold a bare "</").
    html = _BLANK_RUN.sub("\n\n", "".join(parts).replace("</source>", "")).strip()
    return Sanitized(html, tuple(warnings), tree_text(root, html) if with_text else None)


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """nh3's sanitizer with our allow-list, built once per process (building it
    for every call cost a sixth of the sanitizer's time)."""
    attributes = {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}
    for tag in ("img", "source"):
        attributes[tag] |= _LAZY_ATTRIBUTES
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


def _parse(fragment: str) -> etree._Element | None:
    """The fragment's nodes under a <div>, as lxml.html.fragment_fromstring gives
    them, but plain elements: the <div> is made here, not by lxml.html.

    The fragment goes inside <html><body> as lxml.html puts it: parsed bare, text at
    its very start would be a document's first bytes (a U+FEFF read as a byte order
    mark and dropped) and, before libxml2 2.14, wrapped in an implied <p>.
    """
    if not fragment.strip():
        return None
    if not _FULL_DOCUMENT.match(fragment):
        fragment = f"<html><body>{fragment}</body></html>"
    try:
        document = etree.fromstring(fragment, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    body = None if document is None else document.find("body")
    if body is None:
        return None
    root = etree.Element("div")
    if body.text and body.text.strip():  # lxml.html drops leading text that is only spaces
        root.text = body.text
    root.extend(list(body))
    return root


# What lxml.html takes for a whole document, not a fragment to wrap.
_FULL_DOCUMENT = re.compile(r"^\s*<(?:html|!doctype)", re.I)


def _flatten(serialized: str, limit: int) -> tuple[str, int]:
    """Tags nested deeper than `limit` unwrapped (their text kept); and the depth found, or 0.

    Works on nh3's output, which is well-formed: every element closed, every
    "<" of text escaped. Old editors leave hundreds of unclosed <font> or <b>.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag, kept)
    deepest = 0
    position = 0
    for match in _SERIALIZED_TAG.finditer(serialized):
        out.append(serialized[position : match.start()])
        position = match.end()
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID:
            out.append(match.group(0))
        elif not closing:
            kept = len(stack) < limit
            stack.append((name, kept))
            deepest = max(deepest, len(stack))
            if kept:
                out.append(match.group(0))
        else:
            while stack:
                opened, kept = stack.pop()
                if kept:
                    out.append(f"</{opened}>")
                if opened == name:
                    break
    out.append(serialized[position:])
    return "".join(out), (deepest if deepest > limit else 0)


def _to_vet(root: etree._Element) -> list[etree._Element]:
    """What _vet has to look at, in document order: comments and processing
    instructions, elements not on the allow-list, elements with attributes. On
    any other element (most of a body: <p>, <em>, <li> without attributes) its
    loop does nothing. (A walk in Python over plain elements costs a tenth of
    the same selection as an XPath of one test per allowed tag.)"""
    nodes = root.iter()
    next(nodes)  # the root: the sanitizer's own <div>
    return [node for node in nodes if node.tag not in ALLOWED_TAGS or node.attrib]


_TO_VET = _to_vet  # tests/normalize/test_sanitize_tree.py swaps in a walk of every node


def _vet(root: etree._Element, base_url: str) -> None:
    """Only allow-listed elements and attributes, and only absolute http(s) URLs, stay.

    Only the nodes _TO_VET finds are walked, in document order; walking every
    element gives the same tree (tests/normalize/test_sanitize_tree.py)."""
    for element in _TO_VET(root):
        if not isinstance(element.tag, str):  # a comment or processing instruction
            _drop_tree(element)
            continue
        if element.tag in _DROPPED_WITH_CONTENT:
            _drop_tree(element)
            continue
        if element.tag not in ALLOWED_TAGS:
            _drop_tag(element)
            continue
        # The lazy attribute holds the real image; `src` is then only a placeholder
        # (a data: URI or a spinner GIF) that a script would have swapped out.
        if element.tag in ("img", "source"):
            swapped: set[str] = set()
            for lazy, real in _LAZY:
                value = element.get(lazy)
                if value and value.strip() and real not in swapped:
                    element.set(real, encode_controls(value))
                    swapped.add(real)
        allowed = _ATTRIBUTES_OF[element.tag]
        for name in list(element.attrib):  # a copy: attributes are deleted in the loop
            if name not in allowed:
                del element.attrib[name]
        if not element.attrib:
            continue
        for name in _URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            url = absolute_url(value, base_url)
            if url is None or (name != "href" and not url.lower().startswith(_LOADED_SCHEMES)):
                del element.attrib[name]
            else:
                element.set(name, url)
        srcset = element.get("srcset")
        if srcset is not None:
            resolved = _resolve_srcset(srcset, base_url)
            if resolved:
                element.set("srcset", encode_controls(resolved))
            else:
                del element.attrib["srcset"]


# Headings and paragraphs hold phrasing content only (HTML §4.3.6, §4.4.1).
# Broken source markup (`<h2>A <span on</h2><h2>B`) can leave a block inside
# one even after an HTML5 parser; readers and validators reject that.
_PHRASING_ONLY = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote", "pre", "table", "figure", "hr"}
)


def _lift_blocks_out_of_phrasing(root: etree._Element) -> None:
    """Move every block found inside a heading or paragraph to just after it."""
    moved = True
    while moved:
        moved = False
        for element in root.iter(*_PHRASING_ONLY):
            blocks = [c for c in element.iterdescendants() if c.tag in _BLOCKS and _nearest_block(c, element)]
            if not blocks or element.getparent() is None:
                continue
            anchor = element
            for block in blocks:  # in document order, each after the one before
                tail, block.tail = block.tail, None
                parent = block.getparent()
                if parent is not None:
                    parent.remove(block)
                anchor.addnext(block)
                block.tail = tail if tail and tail.strip() else None
                anchor = block
            moved = True
            break
    # A paragraph or heading emptied by the move (`<h2>b<p></p></h2>`) says nothing.
    for empty in list(root.iter(*_PHRASING_ONLY)):
        if len(empty) == 0 and not (empty.text or "").strip() and empty.getparent() is not None:
            _drop_tag(empty)


def _drop_tree(element: etree._Element) -> None:
    """The element and all it holds removed; its tail joins what came before it
    (lxml.html's drop_tree, on a plain element)."""
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def _drop_tag(element: etree._Element) -> None:
    """The tag removed, its text and children merged into its parent
    (lxml.html's drop_tag, on a plain element)."""
    parent = element.getparent()
    assert parent is not None
    previous = element.getprevious()
    if element.text and isinstance(element.tag, str):
        if previous is None:
            parent.text = (parent.text or "") + element.text
        else:
            previous.tail = (previous.tail or "") + element.text
    if element.tail:
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + element.tail
        elif previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    index = parent.index(element)
    parent[index : index + 1] = list(element)


def _nearest_block(node: etree._Element, container: etree._Element) -> bool:
    """No other block stands between `node` and `container`."""
    parent = node.getparent()
    while parent is not None and parent is not container:
        if parent.tag in _BLOCKS:
            return False
        parent = parent.getparent()
    return True


def _resolve_srcset(srcset: str, base_url: str) -> str:
    """Every candidate absolute and http(s); the others dropped.

    HTML §4.8.4.3.10 (parse a srcset attribute): a URL is a run of
    non-space characters and may hold commas (`data:image/png,AAA`); only a
    comma after it, or after its descriptors, ends a candidate.
    """
    candidates = []
    for url, descriptors in _srcset_candidates(srcset):
        resolved = absolute_url(url, base_url)
        if resolved and resolved.lower().startswith(_LOADED_SCHEMES):
            candidates.append(" ".join([resolved, *descriptors.split()]))
    return ", ".join(candidates)


def _srcset_candidates(srcset: str) -> list[tuple[str, str]]:
    found = []
    position, end = 0, len(srcset)
    while position < end:
        while position < end and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < end and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if not url:
            break
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start, depth = position, 0
            while position < end and (srcset[position] != "," or depth):
                depth += {"(": 1, ")": -1}.get(srcset[position], 0)
                depth = max(depth, 0)
                position += 1
            descriptors = srcset[start:position]
        if url:
            found.append((url, descriptors))
    return found
