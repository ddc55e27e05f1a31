"""Plain-text typography: what every line of a title or paragraph goes through.

Aggregators show our text as is, so encoding slips, stray control characters,
mixed apostrophes and quotes that open with a closing mark all reach readers.
clean_text fixes them and is idempotent, so any stage may call it again.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from syndicator.normalize.rules import Rules


@functools.cache
def _ftfy() -> tuple[Callable[..., str], Any]:
    """ftfy's fixer and our settings, imported on first use: only text that may
    hold mojibake needs it, and most runs meet none (ftfy takes 60 ms to import)."""
    import ftfy

    config = ftfy.TextFixerConfig(
        uncurl_quotes=False,  # we balance curly quotes ourselves, never flatten them
        unescape_html=False,  # entity decoding belongs to HTML inputs, done once there
        fix_character_width=False,
        normalization="NFC",
        explain=False,
    )
    return ftfy.fix_text, config


# XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Invisible characters scraped from web pages that carry no meaning in plain text.
# (ZWJ/ZWNJ are kept: they shape Persian, Indic scripts and emoji.)
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NO_BREAK = frozenset("\u00a0\u202f")

_APOSTROPHE_LIKE = "'’‘`´ʼ"
_APOSTROPHE_RE = re.compile("['’‘`´ʼ]")
_DOUBLE_RE = re.compile('["“”„‟″]')
# UTF-8 read as Latin-1 or cp1252 leaves a lead character (Â-ô) before a
# continuation character (U+0080-U+00BF, or what cp1252 maps those bytes to).
# Only text with such a pair can hold mojibake, so only it pays for ftfy.
_MAYBE_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# Whitespace that needs rewriting: a run of two or more, or one that is not a
# plain or no-break space. A single space (most of them) is left alone.
_SPACE_TO_FIX = re.compile(r"[\s\u00a0\u202f]{2,}|[^\S \u00a0\u202f]")
_DOUBLE = '"“”„‟″'
CURLY_MARKS = re.compile("[‘’“”„‟]")
_OPENERS = "([{<«‹—–-/"
_LETTER = r"[^\W\d_]"


def strip_xml_illegal(s: str) -> str:
    """Remove characters XML 1.0 cannot carry (C0 controls, surrogates, U+FFFE/FFFF)."""
    if s.isprintable():  # C: every character it refuses is unprintable (Cc, Cs, Cn)
        return s
    return _XML_ILLEGAL.sub("", s)


def clean_text(
    s: str, *, language: str | None = None, rules: Rules | None = None, typography: str = "full"
) -> str:
    """One line of plain text, repaired: encoding, NFC, XML-legal, spaces, apostrophes, quotes.

    The text is treated as one line: line breaks become spaces. Quotes are
    repaired with “ ” unless `rules` ask for the language's own marks.
    `typography` (normalize.typography): "full" curls every quote and
    apostrophe, "broken" only repairs marks that are wrong and keeps straight
    ones as written, "off" leaves quotes alone.
    """
    quotes = rules.quotes_for(language) if rules is not None else None
    text = s
    # Each step can expose work for another (a curled quote completes a mojibake
    # sequence ftfy recognises; ftfy may fix doubly broken text in two passes),
    # so repeat to a fixed point: that is what makes clean_text idempotent.
    for _ in range(4):
        fixed = _clean_once(text, quotes, typography)
        if fixed == text:
            break
        text = fixed
    return text


def _clean_once(text: str, quotes: tuple[str, str] | None, typography: str = "full") -> str:
    if _MAYBE_MOJIBAKE.search(text):
        fix, config = _ftfy()
        text = fix(text, config)
    text = unicodedata.normalize("NFC", strip_xml_illegal(text))
    if not text.isprintable():  # the invisible characters are all unprintable (category Cf)
        text = _INVISIBLE.sub("", text)
    text = _collapse_spaces(text)
    if typography == "off":
        return text
    # Straight marks beside curly ones are inconsistent, which is broken too.
    keep = typography == "broken" and not CURLY_MARKS.search(text)
    spaced = text
    text = balance_quotes(fix_apostrophes(text, keep_straight=keep), quotes, keep_straight=keep)
    # Both give back the very string when they change nothing, and `spaced` is collapsed already.
    return spaced if text is spaced else _collapse_spaces(text)


def _collapse_spaces(text: str) -> str:
    # Most lines have only single plain spaces: str.isprintable is False for every
    # other whitespace character (categories Cc, Zs but U+0020, Zl, Zp), so such a
    # line has nothing for the regex to rewrite, and the scan is skipped.
    if "  " not in text and text.isprintable():
        return text.strip()

    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        if all(c in _NO_BREAK for c in run):
            return run[0]  # French spacing before « » : ; ! ? is deliberate
        return " "

    return _SPACE_TO_FIX.sub(one, text).strip()


def fix_apostrophes(text: str, *, keep_straight: bool = False) -> str:
    """Typewriter and stray apostrophes become ’; a quote opening a word becomes ‘.

    Inside a word (l'Ukraine, don't, qu'”ils) the mark is always an apostrophe;
    after a word (students') too; before a word it opens a single quotation
    unless it elides digits ('90s).
    """
    if not _APOSTROPHE_RE.search(text):
        return text
    n = len(text)
    changed: dict[int, str] = {}
    for match in _APOSTROPHE_RE.finditer(text):
        i = match.start()
        if keep_straight and text[i] == "'":
            continue  # a typewriter apostrophe is not broken: kept as written
        mark = _apostrophe(text, i, n)
        if mark != text[i]:
            changed[i] = mark
    return _with(text, changed)


def _with(text: str, changed: dict[int, str]) -> str:
    """`text` with the characters at these positions replaced; the very string when there are none."""
    if not changed:
        return text
    parts: list[str] = []
    start = 0
    for i in sorted(changed):
        parts += (text[start:i], changed[i])
        start = i + 1
    parts.append(text[start:])
    return "".join(parts)


def _apostrophe(text: str, i: int, n: int) -> str:
    """The mark the apostrophe-like character at i should be."""
    c = text[i]
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < n else " "
    if prev.isalnum() or prev in ".!?,;":
        return "’"
    if (prev.isspace() or prev in _OPENERS or prev in _DOUBLE) and nxt.isalnum():
        if nxt.isdigit() and i + 2 < n and text[i + 2].isdigit():
            return "’"  # '90s
        if c == "’" and not _closes_later(text, i):
            return "’"  # ’tis, ’n’: an elision already marked as such
        return "‘"
    if c in "'`´ʼ":
        return "’"
    return c


def _closes_later(text: str, i: int) -> bool:
    """Is there a closing single mark after position i, before the next opening one?"""
    for j in range(i + 1, len(text)):
        if text[j] in "'’`´" and (j + 1 == len(text) or not text[j + 1].isalnum()):
            return True
    return False


def balance_quotes(text: str, quotes: tuple[str, str] | None = None, *, keep_straight: bool = False) -> str:
    """Pair the double quotation marks of a line and give each pair matching marks.

    Scraped text often opens a quotation with a closing mark (” un mot ”) or
    flattens it to ". Marks are paired in order; a pair whose marks do not match
    a known style (“ ”, „ “, „ ”, » «) is rewritten as `quotes` (default “ ”),
    with the spaces just inside the marks removed (they are a sign of the same
    mistake). « » pairs are left as written. An odd mark out is judged by its
    neighbours.
    """
    opening, closing = quotes or ("“", "”")
    positions = [m.start() for m in _DOUBLE_RE.finditer(text)]
    if not positions:
        return text
    roles = _roles(text, positions)
    changed: dict[int, str] = {}  # position -> the mark written there
    valid = {("“", "”"), ("„", "“"), ("„", "”"), ("»", "«")}
    if quotes:
        valid = {quotes}
    if keep_straight:
        valid = valid | {('"', '"')}  # a pair of straight quotes is not broken
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for pos, role in zip(positions, roles, strict=True):
        if role == "open":
            stack.append(pos)
        elif stack:
            pairs.append((stack.pop(), pos))
        else:
            changed[pos] = closing if text[pos] != "″" else text[pos]
    for pos in stack:  # opened, never closed
        if text[pos] in '"”‟':
            changed[pos] = opening
    strip_inside: set[int] = set()
    for a, b in pairs:
        if (text[a], text[b]) in valid:
            continue
        changed[a], changed[b] = opening, closing
        strip_inside.update(range(a + 1, _skip_spaces(text, a + 1, 1)))
        strip_inside.update(range(_skip_spaces(text, b - 1, -1) + 1, b))
    if strip_inside:
        return "".join(changed.get(i, c) for i, c in enumerate(text) if i not in strip_inside)
    return _with(text, {i: c for i, c in changed.items() if c != text[i]})


def _skip_spaces(text: str, i: int, step: int) -> int:
    while 0 <= i < len(text) and text[i] == " ":
        i += step
    return i


def _roles(text: str, positions: list[int]) -> list[str]:
    """open / close for each mark: alternation when it agrees with the context, else context."""
    guesses = []
    for i in positions:
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        before_space = prev.isspace() or prev in _OPENERS or prev in "’'"
        after_space = nxt.isspace() or nxt in ".,;:!?)]}…»"
        if before_space and not after_space:
            guesses.append("open")
        elif after_space and not before_space:
            guesses.append("close")
        else:
            guesses.append("?")
    if len(positions) % 2 == 0:
        alternate = ["open" if k % 2 == 0 else "close" for k in range(len(positions))]
        if all(g in ("?", a) for g, a in zip(guesses, alternate, strict=True)):
            return alternate
    roles = []
    depth = 0
    for g in guesses:
        role = g if g != "?" else ("close" if depth else "open")
        depth = depth + 1 if role == "open" else max(depth - 1, 0)
        roles.append(role)
    return roles
