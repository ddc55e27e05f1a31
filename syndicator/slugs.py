"""Slugs: the lowercase ASCII names used in feed paths and URL fallbacks."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Letters that NFKD does not decompose into ASCII plus a mark.
_TRANSLITERATE = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)


def slugify(text: str, *, max_length: int = 80) -> str:
    """`Économie` → `economie`, `Société & Culture` → `societe-culture`.

    Cut at a hyphen so a long title does not end mid-word; an input with no
    letters or digits gives "" and the caller decides the fallback.
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLITERATE))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_only).strip("-")
    if len(slug) > max_length:
        head = slug[:max_length]
        if slug[max_length] != "-":  # the cut falls inside a word: drop that word
            head = head.rsplit("-", 1)[0] or head
        slug = head.rstrip("-")
    return slug
