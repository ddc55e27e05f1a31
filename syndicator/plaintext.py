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

# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
# | [#x10000-#x10FFFF]. Anything else (C0 controls, lone surrogates, U+FFFE,
# U+FFFF) cannot be written at all, escaped or not, so it is dropped. The
# characters §2.2 discourages go too: C1 controls (U+007F-U+009F), which
# readers such as feedparser turn into cp1252 punctuation, and the
# noncharacters U+FDD0-U+FDEF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]")

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


def clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry.

    lxml raises on them when feedgen sets an element's text, which would
    fail a whole feed for one stray control character in one record.
    """
    return _NOT_XML_CHAR.sub("", text)


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
    `&lt;em&gt;`). What is left has no "<" followed by a letter, "/", "!" or "?".
    Idempotent: plain text stays as it is.
    """
    text = clean(value)
    for _ in range(_DECODE_PASSES):
        decoded = clean(_MARKUP.sub(" ", html.unescape(text))) if ("<" in text or "&" in text) else text
        if decoded == text:
            break
        text = decoded
    else:
        text = _MARKUP.sub(" ", _CHARACTER_REFERENCE.sub("", text))
    return MARKUP_START.sub("< ", text)


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
