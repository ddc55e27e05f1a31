"""Slugs: the names used in feed paths and URL fallbacks.

`slugify` gives the lowercase ASCII slug of Latin text (kept for the names
already published with it); `word_slug` keeps the letters of every script, so
`東京の天気` or `Погода в Москве` never slug to nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Letters that NFKD does not decompose into ASCII plus a mark.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)
# Unicode general categories a word is made of: letters, marks (Devanagari and
# Arabic vowel signs), digits. Everything else separates words.
_WORD_CATEGORIES = ("L", "M", "N")


def slugify(text: str, *, max_length: int = 80) -> str:
    """`Économie` → `economie`, `Société & Culture` → `societe-culture`.

    Cut at a hyphen so a long title does not end mid-word; an input with no
    Latin letters or digits gives "" and the caller decides the fallback.
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    return _cut(_NON_SLUG.sub("-", ascii_only).strip("-"), max_length)


def word_slug(text: str, *, max_length: int = 80) -> str:
    """`Économie` → `economie`, `日本の経済` → `日本の経済`, `Россия сегодня` → `россия-сегодня`.

    Latin letters are folded to ASCII as `slugify` does; letters and digits of
    every other script are kept as they are (NFC), to be percent-encoded in a URL.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text.lower().translate(_TRANSLITERATE)):
        if ch.isascii():
            out.append(ch if ch.isalnum() else "-")
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        if base and "LATIN" in unicodedata.name(ch, ""):
            out.append("".join(c if c.isalnum() else "-" for c in base))
        elif unicodedata.category(ch)[0] in _WORD_CATEGORIES:
            out.append(ch)
        else:
            out.append("-")
    return _cut(re.sub(r"-{2,}", "-", "".join(out)).strip("-"), max_length)


# What separates words in a label without naming anything: a label that loses
# only these to its slug keeps the plain slug (`Société & Culture`).
_SEPARATORS = frozenset(" \t\n-_.,;:!?'\"`’‘“”«»()[]{}/\\|&·•–—…")


@functools.lru_cache(maxsize=65536)  # pure, and asked of the same few names for every article
def category_term(label: str) -> str:
    """The term (and feed folder) of a category label; distinct labels, distinct terms.

    `World` → `world`, `Société & Culture` → `societe-culture` (as before);
    `日本` → `日本`, `Россия` → `россия`, `Ελλάδα` → `ελλάδα` (every script kept,
    percent-encoded in URLs); a label whose symbols or emoji the slug would
    drop gets a hash of the label: `C++` and `C#` are `c-…` and `c-…`, two
    terms, and `🚀` is `category-…`. "" only for a label of ASCII punctuation alone.
    """
    words = " ".join(unicodedata.normalize("NFC", label).casefold().split())
    slug = word_slug(words)
    dropped = any(
        not (ch.isalnum() or ch in _SEPARATORS or unicodedata.category(ch)[0] == "M") for ch in words
    )
    if not dropped or (not slug and words.isascii()):
        return slug  # ("" for ASCII punctuation alone, `<>`: markup debris, not a name)
    return f"{slug or 'category'}-{short_hash(words, 6)}"


def short_hash(text: str, length: int = 8) -> str:
    """A stable hex digest of text, to tell apart names that slug alike."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _cut(slug: str, max_length: int) -> str:
    if len(slug) > max_length:
        head = slug[:max_length]
        if slug[max_length] != "-":  # the cut falls inside a word: drop that word
            head = head.rsplit("-", 1)[0] or head
        slug = head.rstrip("-")
    return slug
