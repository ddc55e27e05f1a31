"""Script-injection payloads for plain-text fields, and the check every output must pass.

The payloads follow the OWASP XSS filter evasion cheat sheet (tags without a
space after the name, NUL bytes inside a tag name, encoded brackets, broken
quoting) and the mutation-XSS families (markup that one parser reads as text
and another as elements: noscript, style inside svg or math, comments,
xmp, CDATA). Each one calls `alert`, `confirm` or `prompt` when it runs.

A plain-text field (title, summary, category label, author name) passes when
no "<" followed by a letter, "/", "!" or "?" is left in it, neither as
written nor after one more round of entity decoding (what a reader that
takes the field for HTML does), save for angle brackets no browser can give
behaviour to: a tag that names no HTML element and carries no attribute
value, slash or quote (`List<T>`), or one cut off at the end of the field
with none of those (`a<b`).
"""

from __future__ import annotations

import html
import re

from syndicator.plaintext import HTML_ELEMENTS

PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img\tsrc=x\tonerror=alert(1)>",
    "<svg\nonload=alert(1)>",
    "<svg\x0conload=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "<<SCRIPT>alert(1);//\\<</SCRIPT>",
    '<img alt=">" src=x onerror=alert(1)>',
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<img\x00 src=x onerror=alert(1)>",
    "<svg/on\x00load=alert(1)>",
    "&lt;svg/onload=alert(1)&gt;",
    "&lt;img/src=x/onerror=alert(1)&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "&amp;amp;lt;svg onload=alert(1)&amp;amp;gt;",
    "&#60;svg/onload=alert(1)&#62;",
    "&#x3C;img src=x onerror=confirm(1)&#x3E;",
    "&#0000060;img src=x onerror=prompt(1)&#0000062;",
    "&ltsvg/onload=alert(1)&gt",
    "&LT;svg onload=alert(1)&GT;",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<xmp><p title="</xmp><svg/onload=alert(1)>">',
    "</title><svg/onload=alert(1)>",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<?xml version="1.0"?><svg onload=alert(1)>',
    '<a title="&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>',
    '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=alert(1)//"></svg>',
    '<img src=x onerror="&#97;lert(1)">',
    "<img src=x onerror=alert(1)",  # cut off, no ">"
)

# What a browser's HTML tokenizer acts on (WHATWG HTML §13.2.5.6 tag open state).
MARKUP = re.compile(r"<[A-Za-z/!?]")


def markup_in(value: str) -> str | None:
    """The markup left in a plain-text value as written or decoded once more; None when clean."""
    for form in (value, html.unescape(value)):
        for found in MARKUP.finditer(form):
            if not _inert(form, found.start()):
                return form[max(found.start() - 20, 0) : found.start() + 40]
    return None


def _inert(text: str, start: int) -> bool:
    """A "<" + letter that a tokenizer reads as a tag with no attribute value, no
    slash and no quote, naming no element (or cut off at the end of the text)."""
    if not text[start + 1].isalpha():
        return False
    end = text.find(">", start)
    body = text[start + 1 :] if end < 0 else text[start + 1 : end]
    if any(c in body for c in "=/\"'"):
        return False
    names = re.findall(r"[A-Za-z][A-Za-z0-9]*", body)
    return end < 0 or not any(name.lower() in HTML_ELEMENTS for name in names)


def title_for(number: int, payload: str) -> str:
    """A title that keeps a word of its own once the payload is removed."""
    return f"Story {number} {payload} ends"
