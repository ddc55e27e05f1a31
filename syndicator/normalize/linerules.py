"""What the cleaning rules say about one line of text, for every extractor.

The rules (defaults/rules.toml) name page furniture, markers of what follows
an article and the prefixes of references to other articles. The text
extractor (rawtext, textregion) reads them on the lines of a dump, the HTML
extractor (main_text) on the text of each block of a page: both ask the same
questions here, so a rule a publisher adds means the same thing for a `.txt`
record and for a web page.
"""

from __future__ import annotations

import re

from syndicator.normalize.rules import LanguageRules, Rules, fold, folded

SENTENCE_END = re.compile(r"[.!?…][\"”»’)]*$")
_MARKER_END = " :»›>…."  # what may trail a marker ("Related articles:", "À lire aussi »")
_PREFIX_REST = " :»›>|–—-…."  # what may trail a bare prefix ("Read more…") with no title after it
_RELATED_SEP = re.compile(r"^\s*[:：»>|–—-]+\s*")
_QUOTES = "\"“”„«»‹›'‘’ \u00a0"
_REFERENCE_SLACK = 40  # a reference line may be this much longer than a title: its prefix


def is_boilerplate(line: str, rules: Rules, lang: LanguageRules) -> bool:
    """A whole short line matched by a boilerplate rule ("Share on Facebook", "Advertisement")."""
    if len(line) > rules.limits.boilerplate_max_chars:
        return False
    return any(p.fullmatch(line) for p in lang.boilerplate)


def is_tail_marker(line: str, lang: LanguageRules) -> bool:
    """A line that announces what follows the article: related stories, comments, tags."""
    key = fold(" ".join(line.split())).rstrip(_MARKER_END).strip()
    return bool(key) and key in folded(lang.tail_markers)


def related_reference(line: str, rules: Rules, lang: LanguageRules) -> str | None:
    """The title a "Read more: <title>" line names; "" for a bare prefix; None for any other line.

    The title follows a separator ("Lire aussi : …", "Czytaj też » …"), or
    the prefix alone in capitals ("LIRE AUSSI Le titre").
    """
    if len(line) > rules.limits.title_max_chars + _REFERENCE_SLACK:
        return None
    key = fold(line)
    for prefix in folded(lang.related_prefixes):
        if not key.startswith(prefix) or (len(key) > len(prefix) and key[len(prefix)].isalnum()):
            continue
        rest = line[len(prefix) :]
        if not rest.strip(_PREFIX_REST):
            return ""
        sep = _RELATED_SEP.match(rest)
        if sep and sep.group(0).strip():
            return rest[sep.end() :].strip(_QUOTES)
        if line[: len(prefix)].isupper():
            return rest.strip(_QUOTES)
    return None


def announces_related(line: str, rules: Rules, lang: LanguageRules) -> bool:
    """A heading over other articles: a tail marker, or a related prefix standing alone."""
    return is_tail_marker(line, lang) or related_reference(line, rules, lang) == ""


def is_real_paragraph(line: str) -> bool:
    """Running text: long enough and ending like a sentence."""
    return len(line.split()) >= 12 and bool(SENTENCE_END.search(line))
