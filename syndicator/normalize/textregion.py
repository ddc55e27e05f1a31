"""Where the article lies in the text of a whole page, and which line is its headline.

A scraper that hands over the text of a whole page loses the markup that says
"this is the article": what is left is a column of lines, menus and teasers
above, the article in the middle, related lists, comments and footers below.
The article is found with what survives the loss of markup, as jusText and
the boilerplate classifiers that followed it do: each block is weighed by its
length, its share of the language's stop words (running prose is full of
"the", "de", "и"; menus and link lists are not), its sentence shape, whether
it is a bullet of a link list or a truncated teaser, and the rules of
syndicator/defaults/rules.toml. The article is then the one contiguous run of blocks with
the greatest total weight (a maximum-sum segment), so a short subheading or an
advertisement marker inside it is kept in or dropped without splitting it,
and a "Related articles" or "Comments" marker ends it.

The headline is chosen from the lines above that run by the evidence a dump
keeps: the line printed again elsewhere (page title and on-page headline),
the line just before a byline or a date line, the end of a breadcrumb, a line
that matches the record's file name, a Markdown `#` heading, the shape of a
headline, nearness to the text, the words it shares with the text (a headline
says what the text is about; a menu item or another story's headline does
not), and its place above a standfirst. A bullet (a menu item, another story's
headline in a list), a line under a "See also" marker and a slug are never
taken for it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from syndicator.normalize.bylines import byline_names
from syndicator.normalize.dates import find_dates, search_date
from syndicator.normalize.language import detect_language
from syndicator.normalize.linerules import is_boilerplate, is_tail_marker
from syndicator.normalize.rules import LanguageRules, Rules, fold, fold_word, folded

STOPLISTS = Path(__file__).resolve().parents[1] / "defaults" / "stoplists"  # jusText's lists, one word a line

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]{2,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")
_SENTENCE_END = re.compile(r"[.!?…:;。！？」』)\]\"”»’]$")
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*(?:\S{1,12})?$")
_BULLET = re.compile(r"^[-*•▪►–+·◦□■◆o#]\s+|^\d{1,2}[.)]\s+")
_SLUG_WORD = re.compile(r"[^\W_]+")
_CLOCK = re.compile(
    r"\b\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?|uhr|gmt|utc|[ecmp][sd]t|cet|cest)\b|\b\d{1,2}:\d{2}\b", re.I
)
_NUMERIC_DATE = re.compile(
    r"\b(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})\b"
    r"|\b\d+ (?:minutes?|hours?|days?) ago\b"
)
_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+){4,}")
_CRUMB_SEP = re.compile(r"\s+[»›]\s+")
_INNER_SENTENCE = re.compile(r"[^\W\d_]{3,}[.!?]\s+[(\"“‘'«]?[^\W\d_]")
_HEADLINE_WINDOW = 40  # lines above the article looked at for its headline
_HEADLINE_INSIDE = 6  # lines at the top of the run that may still be the headline
_FULL_PARAGRAPH = 2.5  # the weight of a paragraph of running text (about 20 words)
_ABOUT_THE_TEXT = 3.0  # a headline's words are the text's words: what a line gains when all of them are
_BODY_WORDS_UNITS = 8  # the article's first units, whose words its headline shares

BARRIER = -1000.0  # a tail marker: the article never runs across it
_ARTICLE_RUN = 10.0  # the weight of a few paragraphs: what a marker must follow to end the article
_TAIL_DAMPING = 0.4  # what prose below such a marker weighs, relative to the same prose above
# A text is the whole page when this much lies outside the article's run: so
# many units, so many of them furniture. Less than that is the already-trimmed
# kind (a breadcrumb, the title, a byline, the text, a little boilerplate),
# read whole, line by line, so that nothing valid is lost.
PAGE_OUTSIDE_UNITS = 12
PAGE_OUTSIDE_FURNITURE = 6


@dataclass(frozen=True)
class Unit:
    """One block of the dump: a paragraph, a heading, a menu item, a bullet."""

    text: str  # markers removed, as it reads
    bullet: bool  # written as a list item
    heading: bool  # marked as a heading by the tool that made the dump (Markdown `#`)


@dataclass(frozen=True)
class Region:
    """The article's place in the units of a dump."""

    start: int  # first unit of the article's text
    end: int  # one past the last
    title: int | None  # the headline's unit, above start
    language: str | None  # detected from the page's longest blocks
    weights: tuple[float, ...]  # each unit's weight: article text above 0, furniture below
    whole_page: bool  # enough furniture around the run to be the text of a whole page


def find_region(units: list[Unit], rules: Rules, *, name: str = "") -> Region:
    """The article's contiguous run of units and its headline."""
    lang = rules.merged
    language = _language(units)
    stops = _stopwords(rules, language)
    weights = _damp_after_the_tail([weigh(u, rules, lang, stops) for u in units])
    start, end = _best_segment(weights)
    outside = [w for i, w in enumerate(weights) if not start <= i < end]
    whole_page = (
        len(outside) >= PAGE_OUTSIDE_UNITS and sum(w <= -1 for w in outside) >= PAGE_OUTSIDE_FURNITURE
    )
    if not whole_page:
        return Region(0, len(units), None, language, tuple(weights), False)
    title = _headline(units, weights, start, end, rules, name, stops)
    if title is not None and title >= start:
        start = title + 1  # a headline inside the run: the text starts below it
    return Region(start, end, title, language, tuple(weights), True)


def weigh(unit: Unit, rules: Rules, lang: LanguageRules, stops: frozenset[str]) -> float:
    """How much a unit looks like article text (positive) or page furniture (negative)."""
    text = unit.text
    if is_tail_marker(text, lang):
        return BARRIER
    if is_boilerplate(text, rules, lang):
        return -2.0
    chars = len(text)
    cjk = len(_CJK.findall(text))
    words = _WORD.findall(text)
    if cjk * 2 > chars:  # Chinese, Japanese, Korean: no spaces, count characters
        size = cjk / 2.5
        density = 0.35 if re.search(r"[。！？.]", text) else 0.1
    else:
        size = len(words)
        density = (sum(fold_word(w) in stops for w in words) / len(words)) if words and stops else 0.3
    sentence = bool(_SENTENCE_END.search(text))
    if _TEASER_END.search(text) and size < 60:
        return -1.5  # a truncated teaser of another story
    if unit.bullet and (size < 12 or density < 0.15):
        return -1.2  # a menu item or a link in a list
    if size >= 15 and density >= 0.2:
        return min(size, 120) / 12 + (1.0 if sentence else 0.0)
    if size >= 8 and density >= 0.15 and sentence:
        return 0.6
    if size <= 12 and chars <= rules.limits.heading_max_chars:
        return -0.4  # a subheading, a byline, a menu item: neutral-ish
    return -1.0  # long without the language's small words: link text, lists of names


def _damp_after_the_tail(weights: list[float]) -> list[float]:
    """Text below a "Comments" or "Related" marker that follows article text counts for less.

    Comments and other stories' teasers are prose too, and a long discussion
    outweighs a short article; a marker met after an article-like run says
    the article is above it.
    """
    out, run, damped = [], 0.0, False
    for w in weights:
        if w == BARRIER:
            damped = damped or run >= _ARTICLE_RUN
            run = 0.0
        elif w > 0:
            run += w
        out.append(w * _TAIL_DAMPING if damped and w > 0 else w)
    return out


def _best_segment(weights: list[float]) -> tuple[int, int]:
    """The contiguous run of greatest total weight (Kadane); (0, 0) when nothing is positive."""
    best, best_start, best_end = 0.0, 0, 0
    total, start = 0.0, 0
    for i, w in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += w
        if total > best:
            best, best_start, best_end = total, start, i + 1
    return best_start, best_end


def _headline(
    units: list[Unit],
    weights: list[float],
    start: int,
    end: int,
    rules: Rules,
    name: str,
    stops: frozenset[str],
) -> int | None:
    """The unit above the article's text that the most evidence calls its headline."""
    scored = headline_evidence(units, weights, start, end, rules, name, stops)
    return max(scored, key=lambda c: (c[1], -c[0]))[0] if scored else None


def headline_evidence(
    units: list[Unit],
    weights: list[float],
    start: int,
    end: int,
    rules: Rules,
    name: str,
    stops: frozenset[str],
) -> list[tuple[int, float]]:
    """(unit, evidence) for each unit above the article's text that may be its headline.

    The run found by weight may begin with a teaser or a standfirst, so lines
    down to its first full paragraph are candidates too.
    """
    lang = rules.merged
    counts = Counter(fold(u.text) for u in units)
    slug = set(_SLUG_WORD.findall(fold(name.rsplit("/", 1)[-1].rsplit(".", 1)[0])))
    text_start = start
    while text_start < min(end, start + _HEADLINE_INSIDE) and weights[text_start] < _FULL_PARAGRAPH:
        text_start += 1
    low = max(0, start - _HEADLINE_WINDOW)
    stated = [is_byline_or_date(u.text, rules) for u in units[low : text_start + 8]]
    body_words = _content_words(" ".join(u.text for u in units[text_start:end][:_BODY_WORDS_UNITS]), stops)

    def dated(j: int) -> bool:
        return low <= j < low + len(stated) and stated[j - low]

    out: list[tuple[int, float]] = []
    for i in range(low, text_start):
        unit = units[i]
        shape = headline_shape(unit, rules, lang)
        under_byline = any(byline_names(u.text, rules=rules) is not None for u in units[max(0, i - 3) : i])
        if shape is None or under_byline:
            continue  # not shaped like a headline, or below a byline: names, affiliations, a standfirst
        # nearness counts the lines a reader sees between headline and text, not share buttons
        between = sum(weights[j] > -2.0 for j in range(i + 1, text_start))
        evidence = shape - 0.05 * between
        if counts[fold(unit.text)] > 1 and not _SENTENCE_END.search(unit.text):
            evidence += 2.0  # printed twice, as page title and headline (a standfirst ends like a sentence)
        if unit.heading:
            evidence += 2.5
        below = [j for j in range(i + 1, min(len(units), i + 12)) if weights[j] > -2.0][:4]
        above = [j for j in range(i - 1, max(-1, i - 6), -1) if weights[j] > -2.0][:2]
        if any(dated(j) for j in below):
            evidence += 2.5
        elif any(dated(j) for j in above):
            evidence += 1.0
        if sum(dated(j) for j in range(i - 6, i + 7)) >= 3:
            evidence -= 3.0  # headlines and dates in turn: a list of other stories
        words = set(_SLUG_WORD.findall(fold(unit.text)))
        if len(slug) >= 3 and len(words & slug) >= max(3, 0.6 * len(words)):
            evidence += 4.0
        if i > 0 and _ends_breadcrumb(units[i - 1].text, unit.text, lang):
            evidence += 2.0
        j = i - 1
        while j > 0 and BARRIER < weights[j] <= -2.0:
            j -= 1  # share buttons, an image's placeholder
        if j >= 0 and weights[j] == BARRIER:
            evidence -= 3.0  # under "See also", "Related": another story's headline
        follower = below[0] if below else None
        if (
            follower is not None
            and not dated(follower)
            and fold(units[follower].text) != fold(unit.text)
            and shape >= 1.5
            and (headline_shape(units[follower], rules, lang) or 0.0) >= 1.5
            and not (above and (headline_shape(units[above[0]], rules, lang) or 0.0) >= 1.5)
        ):
            evidence += 1.5  # the first of a headline and its standfirst
        own = _content_words(unit.text, stops)
        if own and shape >= 1.0 and not re.search(r"[.!?。]$", unit.text):
            # about what the text is about; not for a standfirst or a caption (sentences that sum the
            # text up), nor for a short name among the photos' captions
            evidence += _ABOUT_THE_TEXT * len(own & body_words) / max(len(own), 4)
        out.append((i, evidence))
    return out


def headline_shape(unit: Unit, rules: Rules, lang: LanguageRules) -> float | None:
    """How much a line is shaped like a headline; None when it cannot be one."""
    text = last_crumb(unit.text)
    if unit.bullet or _BULLET.match(text) or len(text) > rules.limits.title_max_chars:
        return None
    if is_boilerplate(text, rules, lang) or is_tail_marker(text, lang) or is_byline_or_date(text, rules):
        return None
    if _CLOCK.search(text) or _NUMERIC_DATE.search(text):
        return None  # a time or a date: a dateline, a comment's stamp
    if _SLUG.search(text):
        return None  # words-joined-by-hyphens: an address's slug, a tracking label
    if fold(text).startswith(folded((*lang.published_phrases, *lang.updated_phrases))):
        return None
    cjk = len(_CJK.findall(text))
    size = cjk / 2 if cjk * 2 > len(text) else len(text.split())
    if size < 3 or len(text) < 12:
        return None
    score = 1.0
    if 5 <= size <= 25:
        score += 0.5
    if 7 <= size <= 25:
        score += 0.5
    if size <= 4:
        score -= 0.5  # a site's, a section's or a person's name
    if _INNER_SENTENCE.search(text):
        score -= 1.0  # two sentences: a standfirst
    if re.search(r"[.:;,]$", text) and not text.endswith(("...", "…")):
        score -= 1.5 if size >= 8 else 1.0  # a sentence (a caption) or a label, rarely a headline
    if len(text) > 160 or size > 25:
        score -= 1.0  # a standfirst, a caption
    return score


def last_crumb(text: str) -> str:
    """The last part of a breadcrumb ("Home » News » The headline"); the text itself otherwise."""
    parts = [p.strip() for p in _CRUMB_SEP.split(text)]
    return parts[-1] if len(parts) >= 3 and all(parts) else text


def is_byline_or_date(text: str, rules: Rules) -> bool:
    """A short line that names the authors or states a date."""
    if len(text) > rules.limits.date_line_max_chars:
        return False
    if byline_names(text, rules=rules) is not None:
        return True  # names, or the byline word alone ("By") with the names on the next line
    published, updated = find_dates(text, tz=UTC, rules=rules)
    if published is not None or updated is not None:
        return True
    if len(text) <= 100 and (_CLOCK.search(text) or _NUMERIC_DATE.search(text)):
        return True
    return len(text) <= 100 and search_date(text, tz=UTC, rules=rules) is not None


def _ends_breadcrumb(line: str, title: str, lang: LanguageRules) -> bool:
    return any(f" {sep} " in line for sep in lang.breadcrumb_separators) and fold(line).endswith(fold(title))


def _language(units: list[Unit]) -> str | None:
    """The language of the page's longest blocks, where its prose is."""
    longest = sorted((u.text for u in units), key=len, reverse=True)[:12]
    return detect_language("\n".join(longest))


def _stopwords(rules: Rules, language: str | None) -> frozenset[str]:
    """The language's stop words; every configured language's when the language is unknown."""
    names = dict(rules.stoplists)
    if language in names:
        return _stoplist(names[language])
    return _all_stoplists(tuple(sorted(set(names.values()))))


@functools.cache
def _stoplist(name: str) -> frozenset[str]:
    path = STOPLISTS / f"{name}.txt"
    if not re.fullmatch(r"[A-Za-z_]+", name) or not path.is_file():
        return frozenset()
    return frozenset(fold(w.strip()) for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@functools.cache
def _all_stoplists(names: tuple[str, ...]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        out |= _stoplist(name)
    return frozenset(out)


def _content_words(text: str, stops: frozenset[str]) -> frozenset[str]:
    """The words that say what a text is about: not stop words; pairs of characters in unspaced scripts."""
    out = {w for w in (fold_word(w) for w in _WORD.findall(text)) if len(w) >= 3 and w not in stops}
    for run in _CJK_RUN.findall(text):
        out.update(run[k : k + 2] for k in range(len(run) - 1))
    return frozenset(out)
