"""The typography of content HTML: the same repairs as titles, inside markup.

A block of plain running text (a paragraph with no inline markup) gets the
full clean_text treatment: mojibake, NFC, spaces, apostrophes and balanced
quotes. Where inline markup splits a sentence into several text nodes,
quotes cannot be paired node by node, so those nodes only get the repairs
that are local to a character (encoding, NFC, apostrophes). Preformatted
text is left exactly as written.
"""

from __future__ import annotations

import unicodedata

from lxml import etree

from syndicator.normalize.text import CURLY_MARKS, clean_text, fix_apostrophes, strip_xml_illegal

_BLOCKS = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "th", "dt", "dd", "caption"}
)
_VERBATIM = frozenset({"pre", "code", "kbd", "samp"})


def typeset_tree(root: etree._Element, *, language: str | None = None, typography: str = "full") -> None:
    """The same repairs on an already parsed fragment (the sanitizer's tree)."""
    # Most bodies hold no preformatted text: then no element needs its ancestors looked at.
    verbatim = next(root.iter(*_VERBATIM), None) is not None
    # Each repair gives back the very string when it changes nothing; such a text
    # is not set again (lxml copies every text it is given into the tree).
    for element in root.iter():
        if not isinstance(element.tag, str) or (verbatim and _inside_verbatim(element)):
            continue
        text = element.text
        if text and element.tag in _BLOCKS and len(element) == 0:
            repaired = clean_text(text, language=language, typography=typography)
            if repaired is not text:
                element.text = repaired
            continue
        if text and (repaired := _local(text, typography)) is not text:
            element.text = repaired
        if element is not root:
            tail = element.tail
            if tail and (repaired := _local(tail, typography)) is not tail:
                element.tail = repaired


def _local(text: str, typography: str = "full") -> str:
    text = unicodedata.normalize("NFC", strip_xml_illegal(text))
    if typography == "off":
        return text
    return fix_apostrophes(text, keep_straight=typography == "broken" and not CURLY_MARKS.search(text))


def _inside_verbatim(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node.tag in _VERBATIM:
            return True
        node = node.getparent()
    return False
