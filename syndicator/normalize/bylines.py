"""Author names out of a byline as sites print it.

"par Jean Dupont et Marie Curie", "By Jane Roe | June 2, 2024", "Von Max
Mustermann, Erika Musterfrau und Hans Beispiel": the byline word, the date and
the joiners are the site's furniture, the names are what readers see. The
words come from the rules (defaults/rules.toml), per language.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC

from syndicator.model import Author
from syndicator.normalize.dates import search_date
from syndicator.normalize.rules import LanguageRules, Rules, fold, folded

_EMAIL = re.compile(r"<?\b([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b>?")
_STRONG_SEPARATORS = re.compile(r"\s+[|·•—–]\s+|\s+-\s+|\s*\|\s*|\s*[·•]\s*|\n")
# Lowercase words allowed inside a name: particles of many European languages.
_PARTICLES = frozenset(
    {
        *("de", "du", "des", "la", "le", "di", "da", "del", "della", "dei", "dos", "das", "do"),
        *("van", "von", "der", "den", "ten", "ter", "zu", "y", "e", "al", "el", "bin", "ibn"),
        *("af", "av", "st"),
    }
)
_MAX_NAME_WORDS = 5
_INITIALS = re.compile(r"(?:[A-ZÀ-Þ]\.\s*(?:-\s*)?){1,4}")  # "F.", "J. R.", "J.-P."
_SPACES = re.compile(r"\s+")
_ENDS_WITH_INITIAL = re.compile(r"(?:^|[\s.])[A-ZÀ-Þ]$")


def split_authors(text: str, *, rules: Rules, language: str | None = None) -> tuple[Author, ...]:
    """The authors named in a byline; () when it names nobody (an empty "par")."""
    lang = rules.for_language(language)
    names: list[Author] = []
    for segment in _STRONG_SEPARATORS.split(text.strip()):
        segment = _strip_dates(segment, rules=rules, language=language)
        segment = _strip_byline_word(segment, lang)
        if not segment:
            continue
        if _is_date_phrase(segment, lang):
            continue
        for piece in _split_names(segment, lang):
            author = _author(piece)
            if author is not None and author not in names:
                names.append(author)
    return tuple(names)


def byline_names(line: str, *, rules: Rules, language: str | None = None) -> tuple[Author, ...] | None:
    """The authors when `line` is a byline (starts with a byline word), else None.

    A byline word followed by a lowercase word ("Par ailleurs, …", "By the
    end of …") starts a sentence, not a byline. An empty byline gives ().
    """
    lang = rules.for_language(language)
    stripped = line.strip()
    if not stripped or len(stripped) > rules.limits.byline_max_chars:
        return None
    rest = _strip_byline_word(stripped, lang)
    if rest == stripped:
        return None
    rest = rest.lstrip(" :：")
    if rest and not _capital(rest[0]):
        return None
    if stripped.endswith((".", "!", "?")) and len(stripped.split()) > 8:
        return None
    authors = split_authors(stripped, rules=rules, language=language)
    if rest and not authors:
        return None
    return authors


def _strip_byline_word(segment: str, lang: LanguageRules) -> str:
    text = segment.strip(" ,;:：")
    line = fold(text)
    for w in folded(lang.byline_words):
        if line == w:
            return ""
        if line.startswith(w) and len(line) > len(w) and not line[len(w)].isalnum():
            return text[len(w) :].strip(" ,;:：")
    return text


def _strip_dates(segment: str, *, rules: Rules, language: str | None) -> str:
    found = search_date(segment, tz=UTC, rules=rules, language=language)
    while found is not None:
        segment = (segment[: found.start] + segment[found.end :]).strip(" ,;|")
        found = search_date(segment, tz=UTC, rules=rules, language=language)
    return segment


def _is_date_phrase(segment: str, lang: LanguageRules) -> bool:
    return fold(segment).startswith(folded((*lang.published_phrases, *lang.updated_phrases)))


@functools.lru_cache(maxsize=64)
def _name_separator(joiners: tuple[str, ...]) -> re.Pattern[str]:
    """What stands between two names, for a language's joiners ("and", "et"); built once per language."""
    longest_first = sorted(joiners, key=len, reverse=True)
    alt = "|".join(re.escape(j) if not j.isalpha() else rf"\b{re.escape(j)}\b" for j in longest_first)
    # "A, B, and C": the serial comma's joiner goes with the comma.
    pattern = rf"\s*[,;/]\s*(?:(?:{alt})\s+)?|\s+(?:{alt})\s+" if alt else r"\s*[,;/]\s*"
    return re.compile(pattern, re.IGNORECASE)


def _split_names(segment: str, lang: LanguageRules) -> list[str]:
    pieces: list[str] = []
    for piece in (p for p in _name_separator(lang.name_joiners).split(segment) if p and p.strip()):
        if pieces and _INITIALS.fullmatch(piece.strip()):
            pieces[-1] = f"{pieces[-1]}, {piece.strip()}"  # "Kooman, F.": one person, surname first
        else:
            pieces.append(piece)
    return pieces


def _capital(first: str) -> bool:
    """A capital, or a letter of a script without case (Japanese, Chinese, Korean names)."""
    return first.isupper() or (first.isalpha() and not first.islower())


def _author(piece: str) -> Author | None:
    email = None
    m = _EMAIL.search(piece)
    if m:
        email = m.group(1)
        piece = (piece[: m.start()] + piece[m.end() :]).strip()
    name = _SPACES.sub(" ", piece).strip(" .,:;()[]-–—")
    if _ENDS_WITH_INITIAL.search(name) and piece.rstrip().endswith("."):
        name += "."  # an initial keeps its full stop: "Kooman, F."
    if not name:
        return Author(name=email, email=email) if email else None
    words = name.split(" ")
    if len(words) > _MAX_NAME_WORDS:
        return None
    # A name has a capital somewhere and no plain lowercase words apart from particles
    # ("envoyé spécial à Kyiv" is a role, not a person).
    if not any(_capital(w[:1]) for w in words):
        return None
    if any(w[:1].islower() and fold(w) not in _PARTICLES for w in words):
        return None
    return Author(name=name, email=email)
