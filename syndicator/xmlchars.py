"""The characters XML 1.0 can carry, and text cleared of the others.

One definition for the normalizer and the renderers, in a module of its own
(nothing but `re`): plaintext, which re-exports `clean`, loads lxml.
"""

from __future__ import annotations

import re

__all__ = ["clean", "is_clean"]

# XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
# | [#x10000-#x10FFFF]. Anything else (C0 controls, lone surrogates, U+FFFE,
# U+FFFF) cannot be written at all, escaped or not, so it is dropped. The
# characters §2.2 discourages go too: C1 controls (U+007F-U+009F), which
# readers such as feedparser turn into cp1252 punctuation, and the
# noncharacters U+FDD0-U+FDEF.
_XML_CHARS = "\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff"
_NOT_XML_CHAR = re.compile(f"[^{_XML_CHARS}]")
# The same check as a match of the whole text: the regex engine's counting
# loop runs over a 6 KB body twice as fast as a search tries each position.
_ALL_XML_CHARS = re.compile(f"[{_XML_CHARS}]*")


def clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry.

    lxml raises on them when feedgen sets an element's text, which would
    fail a whole feed for one stray control character in one record.
    Text that holds none of them (nearly all text) is returned as it is, the
    check made the fastest way: printable text (str.isprintable, a table
    lookup per character) holds none of them, since C0 and C1 controls,
    surrogates and noncharacters are all unprintable; other text (a newline,
    a no-break space) is matched whole.
    """
    if is_clean(text):
        return text
    return _NOT_XML_CHAR.sub("", text)


def is_clean(text: str) -> bool:
    """Whether `clean` leaves the text as it is."""
    return text.isprintable() or _ALL_XML_CHARS.fullmatch(text) is not None
