"""Text any XML document can carry, and HTML fragments as plain text.

Normalization (an inferred summary, language detection) and rendering (JSON
Feed `content_text`) both need the plain text of content HTML; one function
serves both, so an article's summary and its feed text are cut from the same
paragraphs.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

from syndicator.xmlchars import clean as clean  # the one implementation, shared with render
from syndicator.xmlchars import is_clean

# Elements after which a reader expects a line break in plain text.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_BLOCK_MARK = "\ue000"
_LINE_MARK = "\ue001"
_MARKS = re.compile("[\ue000\ue001]")
# huge_tree: libxml2 otherwise stops at a text node over 10 MB or at elements
# nested 256 deep (an old editor's 300 unclosed <font>), dropping everything
# after that point without an error. HTML has no entity expansion, so lifting
# the limits costs no more memory than the input's own size.
_HTML_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, huge_tree=True)
HUGE_HTML = lxml.html.HTMLParser(huge_tree=True)
"""The parser for whole pages and article fragments (lxml.html elements)."""
_SPACE_RUN = re.compile(r"  +")


# What an HTML tokenizer (WHATWG HTML §13.2.5) acts on: "<" followed by a
# letter opens a tag, "</" an end tag or a bogus comment, "<!" a comment or
# declaration, "<?" a bogus comment; each runs to the next ">" outside an
# attribute value quoted right after its "=" (§13.2.5.36), or, cut off, to
# the end of the text. A tag name
# ends at whitespace, "/" or ">", so `<svg/onload=…>` is a tag like any other.
_MARKUP = re.compile(
    r"""<!---?>|<!--.*?(?:--!?>|\Z)"""
    r"""|<[!?/][^>]*(?:>|\Z)"""
    r"""|<[A-Za-z](?:[^>=]|=[\t\n\f\r ]*"[^"]*(?:"|\Z)|=[\t\n\f\r ]*'[^']*(?:'|\Z)|=)*(?:>|\Z)""",
    re.DOTALL,
)
# What must never reach a plain-text field: a "<" a browser would read as markup.
MARKUP_START = re.compile(r"<(?=[A-Za-z/!?])")
# Every element name HTML gives a meaning to (WHATWG HTML §4 and the obsolete
# ones of §16, with svg and math, which switch the parser to other markup).
HTML_ELEMENTS = frozenset(
    (
        "a",
        "abbr",
        "acronym",
        "address",
        "applet",
        "area",
        "article",
        "aside",
        "audio",
        "b",
        "base",
        "basefont",
        "bdi",
        "bdo",
        "bgsound",
        "big",
        "blink",
        "blockquote",
        "body",
        "br",
        "button",
        "canvas",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "data",
        "datalist",
        "dd",
        "del",
        "details",
        "dfn",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hgroup",
        "hr",
        "html",
        "i",
        "iframe",
        "image",
        "img",
        "input",
        "ins",
        "isindex",
        "kbd",
        "keygen",
        "label",
        "legend",
        "li",
        "link",
        "listing",
        "main",
        "map",
        "mark",
        "marquee",
        "math",
        "menu",
        "menuitem",
        "meta",
        "meter",
        "multicol",
        "nav",
        "nextid",
        "nobr",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "output",
        "p",
        "param",
        "picture",
        "plaintext",
        "pre",
        "progress",
        "q",
        "rb",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "s",
        "samp",
        "script",
        "search",
        "section",
        "select",
        "slot",
        "small",
        "source",
        "spacer",
        "span",
        "strike",
        "strong",
        "style",
        "sub",
        "summary",
        "sup",
        "svg",
        "table",
        "tbody",
        "td",
        "template",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
        "xmp",
    )
)
# Angle brackets that are text, kept as written: a generic in code (`List<T>`,
# `Map<K, V>`, `Vec<u8>`) right after a word, naming no HTML element and
# carrying no attribute value, slash or quote; and a comparison cut off at the
# end (`a<b`, `if i<n`), which no tokenizer can complete into a tag with
# attribute values. A browser reading either as HTML gives it no behaviour.
_GENERIC_NAME = r"[A-Za-z_][A-Za-z0-9_.]*(?:\ue002[^<>]*>+)?(?:\[\])*"
_GENERIC = re.compile(rf"(?<=[A-Za-z0-9_])<({_GENERIC_NAME}(?:\s*,\s*{_GENERIC_NAME})*)>")
_COMPARISON = re.compile(r"(?<=[A-Za-z0-9_])<([A-Za-z][A-Za-z0-9_ ,.]*)\Z")
_TEXT_ANGLE = "\ue002"  # stands for a text "<" while markup is removed; private use, never in output


def _protect(text: str) -> str:
    """Each text "<" (see _GENERIC) swapped for a mark markup removal leaves alone."""

    def inert(found: re.Match[str]) -> str:
        names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", found.group(1))
        if any(name.lower() in HTML_ELEMENTS for name in names):
            return found.group(0)
        return _TEXT_ANGLE + found.group(0)[1:]

    if "<" not in text:
        return text
    previous = None
    while previous != text:  # innermost first: Map<String, List<Integer>>
        previous = text
        text = _GENERIC.sub(inert, text)
    return _COMPARISON.sub(lambda found: _TEXT_ANGLE + found.group(0)[1:], text)


def _restore(text: str) -> str:
    return text.replace(_TEXT_ANGLE, "<")


# Entity decoding and tag removal alternate until nothing changes; a text
# escaped more often than this is hostile, and its leftover references go.
_DECODE_PASSES = 32
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")


def plain_text(value: str) -> str:
    """Text with nothing a browser could take for markup, however it was escaped.

    Titles, summaries, category labels and author names are plain text, but
    many readers insert them into a page as HTML. So: characters XML cannot
    carry go first (`<scr\\0ipt>` must not turn into `<script>` after the
    markup is gone), then entities are decoded and markup removed, again and
    again until the text stops changing (CMS exports escape titles twice:
    `&lt;em&gt;`). What is left has no "<" followed by a letter, "/", "!" or "?",
    except angle brackets that are text to every browser (`List<T>`, `a<b`:
    see _GENERIC), which are kept as written. Idempotent: plain text stays as it is.

    Text with no "<", no "&", no mark and nothing `clean` drops is returned as
    it is without the passes below (each of them leaves such text unchanged):
    the renderers call this on every title, name and label of every feed.
    """
    if "<" not in value and "&" not in value and _TEXT_ANGLE not in value and is_clean(value):
        return value
    text = clean(value).replace(_TEXT_ANGLE, "")
    for _ in range(_DECODE_PASSES):
        if "<" in text or "&" in text:
            unescaped = html.unescape(text).replace(_TEXT_ANGLE, "")
            decoded = clean(_restore(_MARKUP.sub(" ", _protect(unescaped))))
        else:
            decoded = text
        if decoded == text:
            break
        text = decoded
    else:
        text = _MARKUP.sub(" ", _CHARACTER_REFERENCE.sub("", text))
    return _restore(MARKUP_START.sub("< ", _protect(text)))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with paragraph breaks kept.

    JSON Feed 1.1 lets a reader pick `content_text`; a bare text_content()
    would run paragraphs together (`end.Next`). Block elements and <br> get
    private-use marks (lxml finds them in C, so Python touches only those
    elements), source whitespace collapses as HTML collapses it, and the
    marks then become blank lines and line breaks.
    """
    fragment = clean(fragment)
    if _BLOCK_MARK in fragment or _LINE_MARK in fragment:
        fragment = _MARKS.sub("", fragment)
    if not fragment.strip():
        return ""
    root = _parse(fragment)
    if root is None:
        return ""
    try:
        _mark(root)
    except ValueError:
        # A character reference to a control character (`&#8`, common in CMS
        # exports) parses into text that lxml then refuses to store: read the
        # fragment again and drop such characters from every text node first.
        root = _parse(fragment)
        assert root is not None  # it parsed a moment ago
        for node in root.iter():
            if node.text:
                node.text = clean(node.text)
            if node.tail:
                node.tail = clean(node.tail)
        _mark(root)
    return _marked_text(root)


def tree_text(root: etree._Element, serialized: str) -> str:
    """html_to_text(serialized), read from the tree `serialized` was written from.

    The sanitizer holds the parsed body already; reading its text there spares
    a second parse of the same markup. `root` is the fragment's parent element
    (the sanitizer's <div>, which is not serialized; it is marked as the <div>
    html_to_text wraps a fragment in), and marking spends the tree. A body
    holding the marks' own characters, or a control character lxml refuses,
    is read from `serialized` instead, as html_to_text reads it.
    tests/normalize/test_sanitize_tree.py holds the two to agreeing.
    """
    if _BLOCK_MARK in serialized or _LINE_MARK in serialized or not serialized.strip():
        return html_to_text(serialized)
    try:
        _mark(root)
    except ValueError:
        return html_to_text(serialized)
    return _marked_text(root)  # the <div> is marked like html_to_text's wrapper


def _marked_text(root: etree._Element) -> str:
    """The text of a marked tree, its whitespace collapsed as HTML does, marks made line breaks."""
    text = etree.tostring(root, method="text", encoding="unicode")
    for space in "\n\r\t\f\v\xa0":
        text = text.replace(space, " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    text = text.replace(_BLOCK_MARK, "\n\n").replace(_LINE_MARK, "\n")
    # Plain replaces where a regex would scan every character: no two spaces
    # are adjacent now, so a line break drops the one space on either side, and
    # a run of three or more breaks shrinks to two.
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _parse(fragment: str) -> etree._Element | None:
    try:
        return etree.fromstring(f"<div>{fragment}</div>", _HTML_PARSER)
    except etree.XMLSyntaxError:
        return None


def _mark(root: etree._Element) -> None:
    """Scripts and styles emptied; block elements and <br> marked for the text pass."""
    for element in root.iter("script", "style"):
        element.text = None
        for child in list(element):
            element.remove(child)
    for element in root.iter(*_BLOCKS):
        element.text = _BLOCK_MARK + (element.text or "")
        element.tail = _BLOCK_MARK + (element.tail or "")
    for element in root.iter("br"):
        element.tail = _LINE_MARK + (element.tail or "")
