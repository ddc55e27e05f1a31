"""Words in any script, counted the same way everywhere.

Chinese, Japanese and Thai are written without spaces between words, so there
each character of those scripts counts as one word (the usual character-level
measure for them); elsewhere a word is a run of word characters. The main-text
extractor sizes a body with it, and the extraction benchmarks score with it.
"""

from __future__ import annotations

import re
from collections import Counter

# Han ideographs, kana and Thai: one token per character; elsewhere one per word.
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def tokens(text: str) -> Counter[str]:
    """Lowercase word tokens (characters in unspaced scripts) as a multiset."""
    return Counter(_WORD.findall(text.casefold()))
