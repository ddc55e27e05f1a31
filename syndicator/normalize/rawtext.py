"""Raw scraped text (`.txt`) to a Draft.

Scrapers flatten a page into lines: a breadcrumb, the title (often twice), a
byline, dates, the paragraphs with their subheadings, then the page's
furniture (related links, share prompts, a cookie banner). Each line is
classified with the rules (syndicator/defaults/rules.toml), read with every language
merged, because a page's language is not known before its text is cleaned.
The rules are written so that no rule can take a real paragraph: they match
whole short lines only.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from syndicator.model import Author
from syndicator.normalize.bylines import byline_names
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.dates import find_dates, search_date
from syndicator.normalize.draft import Draft
from syndicator.normalize.language import detect_language
from syndicator.normalize.linerules import (
    SENTENCE_END,
    is_boilerplate,
    is_real_paragraph,
    is_tail_marker,
    related_reference,
)
from syndicator.normalize.rules import LanguageRules, Rules, fold, folded
from syndicator.normalize.text import clean_text
from syndicator.normalize.textregion import Region, Unit, find_region

_BULLET = re.compile(r"^[-*•▪►–]\s+")
_DUMP_BULLET = re.compile(r"^(?:[-*•▪►–+·◦□■◆○☆o]|\d{1,2}[.)])\s+(?=\S)")
_MD_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_CJK_EDGE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff01-\uff9f]")
_DATE_START = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")  # a dateline under a wrapped headline
_WRAP_WIDTH = 110  # a block whose lines are all shorter may be hard-wrapped text
_WRAP_SLACK = 25  # a wrapped line stops at most a long word short of the width
_LINK_LIST_RUN = 3  # this many link-list bullets in a row are a list of links, not the article's list
_URL_LINE = re.compile(r"https?://\S+")
_QUOTES = "\"“”„«»‹›'‘’ \u00a0"
_HEADER_PARAGRAPHS = 2  # bylines and datelines are looked for before the 2nd paragraph


@dataclass
class _State:
    """What the line scan has found so far (local to one extraction)."""

    authors: tuple[Author, ...] | None = None
    published: datetime | None = None
    updated: datetime | None = None
    related: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    in_tail: bool = False
    paragraphs_seen: int = 0


def extract_text_article(text: str, *, ctx: NormalizeContext, name: str = "") -> Draft:
    """Title, categories, byline, dates, body and related references of a scraped text.

    `name` is the record's file name or URL, one piece of evidence for the headline.
    """
    rules = ctx.rules
    merged = rules.merged
    quote_language = detect_language(text) or ctx.language
    units = []
    for u in _units(text):
        cleaned = clean_text(u.text, language=quote_language, rules=rules)
        if cleaned:
            units.append(Unit(cleaned, u.bullet, u.heading))
    inferred: list[tuple[str, str]] = []
    url: str | None = None
    if units and _URL_LINE.fullmatch(units[0].text):
        url = units.pop(0).text
        inferred.append(("url", "url line"))
    region = find_region(units, rules, name=name)
    title, categories, rest, how = _head([u.text for u in units], rules)
    start, end, header = region.start, region.end, len(units) - len(rest)
    headline_elsewhere = (
        region.title is not None
        and how in ("breadcrumb", "title line")
        and title is not None
        and not _same_title(title, units[region.title].text)
    )  # the first line of a whole page is a breadcrumb of feeds or menus, the headline is further down
    if region.whole_page and (how not in ("breadcrumb", "title line") or headline_elsewhere):
        title, categories, header = None, [], start
        if region.title is not None:
            title, how = units[region.title].text, "headline evidence"
            header = region.title + 1
            categories = _crumbs_above(units, region.title, rules)
            crumbs = _breadcrumb(title, merged)
            if crumbs is not None and len(crumbs) >= 3:  # the headline as the end of a breadcrumb
                title, categories = crumbs[-1], [c for c in crumbs[1:-1] if _is_section(c)]
        elif start < end and _can_be_title(units[start].text, rules):
            title, how, header = units[start].text, "first line of the text", start + 1
            start += 1  # no headline above the text: its first line stands for one
    elif not region.whole_page:
        start = header  # the trimmed kind: every line after the title is read
    if title is not None:
        inferred.append(("title", how))
    if categories:
        inferred.append(("categories", "breadcrumb"))

    state = _State()
    for i in range(header, len(units)):
        unit = units[i]
        if i >= end:
            _classify_tail(unit.text, state, rules, merged)
        elif i < start or (region.whole_page and _in_link_list(units, region, i)):
            _classify(unit.text, state, rules, merged, ctx, keep=False)
        else:
            _classify(_as_line(unit), state, rules, merged, ctx, keep=True)
    body = state.body
    while title is not None and body and fold(body[0]) == fold(title):
        body = body[1:]  # the title printed again above the text

    if state.authors is not None:
        inferred.append(("authors", "byline line"))
    if state.published is not None:
        inferred.append(("published", "text date"))
    if state.updated is not None:
        inferred.append(("updated", "text date"))
    if state.related:
        inferred.append(("related_titles", "read-more line"))
    content = _to_html(body, rules)
    if content:
        inferred.append(("content_html", "text paragraphs"))
    return Draft(
        title=title,
        url=url,
        content_html=content or None,
        authors=state.authors or (),
        published=state.published,
        updated=state.updated,
        categories=tuple(dict.fromkeys(categories)),
        related_titles=tuple(dict.fromkeys(state.related)),
        inferred=tuple(inferred),
    )


def _as_line(unit: Unit) -> str:
    """A unit as the line scan reads it: list items keep a bullet, so they become <li>."""
    return f"• {unit.text}" if unit.bullet else unit.text


def _in_link_list(units: list[Unit], region: Region, i: int) -> bool:
    """A bullet among several link-shaped bullets in a row: a list of links, not the article's list."""

    def linkish(j: int) -> bool:
        return 0 <= j < len(units) and units[j].bullet and region.weights[j] <= -1.0

    if not linkish(i):
        return False
    run = 1
    j = i - 1
    while linkish(j):
        run, j = run + 1, j - 1
    j = i + 1
    while linkish(j):
        run, j = run + 1, j + 1
    return run >= _LINK_LIST_RUN


def _crumbs_above(units: list[Unit], title: int, rules: Rules) -> list[str]:
    """Sections of a breadcrumb printed just above the headline."""
    for j in range(title - 1, max(-1, title - 4), -1):
        crumbs = _breadcrumb(units[j].text, rules.merged)
        if crumbs is None:
            continue
        has_home = _is_home(crumbs[0], rules.merged)
        sections = crumbs[1:] if has_home else crumbs
        if sections and _same_title(sections[-1], units[title].text):
            sections = sections[:-1]
        return [c for c in sections if _is_section(c)]
    return []


def _units(text: str) -> list[Unit]:
    """Blocks between blank lines, split into paragraphs, list items and headings.

    A block's lines are joined only when they are hard-wrapped: each stops
    near the block's width and the next one neither opens a list item nor a
    heading. Markdown heading and emphasis marks (html2text) are read and
    removed.
    """
    units: list[Unit] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        width = max(len(ln) for ln in lines)
        wrapped = len(lines) > 1 and width <= _WRAP_WIDTH and _wrapped(lines)
        current: list[str] = []
        bullet = heading = False
        previous = ""
        for line in lines:
            marked_heading = _MD_HEADING.match(line)
            if marked_heading:
                line = line[marked_heading.end() :]
            marked_bullet = _DUMP_BULLET.match(line)
            if marked_bullet:
                line = line[marked_bullet.end() :]
                inner = _MD_HEADING.match(line)
                if inner:
                    line = line[inner.end() :]
            line = _MD_EMPHASIS.sub("", line).strip()
            if not line:
                continue
            joins = (
                current
                and not marked_heading
                and not marked_bullet
                and not _DATE_START.match(line)
                and (wrapped or (width <= _WRAP_WIDTH and len(previous) >= max(40, width - _WRAP_SLACK)))
            )
            if joins:
                current.append(line)
            else:
                if current:
                    units.append(Unit(_join(current), bullet, heading))
                current = [line]
                bullet, heading = bool(marked_bullet), bool(marked_heading)
            previous = line
        if current:
            units.append(Unit(_join(current), bullet, heading))
    return units


def _join(lines: list[str]) -> str:
    joined = lines[0]
    for ln in lines[1:]:
        if re.search(r"[^\W\d_]-$", joined) and ln[:1].islower():
            joined = joined[:-1] + ln  # a word hyphenated at the wrap
        elif _CJK_EDGE.match(joined[-1:]) and _CJK_EDGE.match(ln[:1]):
            joined += ln  # no spaces between CJK characters
        else:
            joined += " " + ln
    return joined


def _wrapped(lines: list[str]) -> bool:
    """Lines cut at a fixed width: all but the last of similar, paragraph-like length."""
    if any(_BULLET.match(ln) for ln in lines):
        return False
    widths = [len(ln) for ln in lines[:-1]]
    return min(widths) >= 40 and max(widths) <= 100 and max(widths) - min(widths) <= 30


def _head(units: list[str], rules: Rules) -> tuple[str | None, list[str], list[str], str]:
    """(title, categories, remaining units, how the title was found)."""
    if not units:
        return None, [], units, ""
    merged = rules.merged
    crumbs = _breadcrumb(units[0], merged)
    if crumbs is None:
        first = units[0]
        if _can_be_title(first, rules):
            return first, [], units[1:], "first line"
        return None, [], units, ""
    has_home = _is_home(crumbs[0], merged)
    middle = crumbs[1:-1] if has_home else crumbs[:-1]
    last = crumbs[-1]
    rest = units[1:]
    following = rest[0] if rest and _breadcrumb(rest[0], merged) is None else None
    if following is not None and _same_title(last, following):
        return following, middle, rest[1:], "breadcrumb"
    if following is not None and _is_section(last) and _can_be_title(following, rules):
        return following, [*middle, last], rest[1:], "title line"
    if not middle and has_home and _is_section(last):
        return None, [last], rest, ""
    return last, middle, rest, "breadcrumb"


def _can_be_title(line: str, rules: Rules) -> bool:
    """A line that is not page furniture, a byline or a paragraph of running text."""
    lang = rules.merged
    return (
        len(line) <= rules.limits.title_max_chars
        and not _is_boilerplate(line, rules, lang)
        and not is_tail_marker(line, lang)
        and related_reference(line, rules, lang) is None
        and byline_names(line, rules=rules) is None
        and not _BULLET.match(line)
        and not _URL_LINE.fullmatch(line)  # an address is the record's link, never its title
    )


def _breadcrumb(line: str, lang: LanguageRules) -> list[str] | None:
    for sep in lang.breadcrumb_separators:
        if f" {sep} " in line:
            parts = [p.strip() for p in line.split(f" {sep} ")]
        elif sep in "»›→" and sep in line:
            parts = [p.strip() for p in line.split(sep)]
        else:
            continue
        parts = [p for p in parts if p]
        if len(parts) < 2:
            continue
        if _is_home(parts[0], lang):
            return parts
        if len(parts) >= 3 and all(_is_section(p) for p in parts[:-1]):
            return parts
    return None


def _is_home(crumb: str, lang: LanguageRules) -> bool:
    return fold(re.sub(r"^\W+|\W+$", "", crumb)) in folded(lang.home_crumbs)


def _is_section(crumb: str) -> bool:
    return 0 < len(crumb) <= 40 and len(crumb.split()) <= 4 and not SENTENCE_END.search(crumb)


def _same_title(crumb: str, line: str) -> bool:
    a, b = fold(crumb), fold(line)
    if a == b:
        return True
    for ellipsis in ("…", "..."):
        if a.endswith(ellipsis) and len(a) > 20 and b.startswith(a[: -len(ellipsis)].rstrip()):
            return True
    return False


def _classify_tail(unit: str, state: _State, rules: Rules, lang: LanguageRules) -> None:
    """Below the article: only references to other articles are read."""
    if is_tail_marker(unit, lang):
        state.in_tail = True
        return
    related = related_reference(unit, rules, lang)
    if related:
        state.related.append(related)
    elif related == "":
        state.in_tail = True
    elif state.in_tail and not _is_boilerplate(unit, rules, lang):
        if (
            not is_real_paragraph(unit)
            and not re.search(r"[.!。！]$", unit)  # a remark, a comment: not another article's title
            and len(unit) <= rules.limits.title_max_chars
        ):
            state.related.append(unit.strip(_QUOTES))
        else:
            state.in_tail = False


def _classify(
    unit: str, state: _State, rules: Rules, lang: LanguageRules, ctx: NormalizeContext, *, keep: bool
) -> None:
    """Decide what one line is and record it in state; `keep` is false above the article's text."""
    if _is_boilerplate(unit, rules, lang):
        return
    if is_tail_marker(unit, lang):
        state.in_tail = True
        return
    related = related_reference(unit, rules, lang)
    if related is not None:
        if related:
            state.related.append(related)
        else:
            state.in_tail = True  # "À lire aussi :" alone: titles follow
        return
    if state.in_tail:
        if not is_real_paragraph(unit):
            if len(unit.split()) >= 3 and len(unit) <= rules.limits.title_max_chars:
                state.related.append(unit.strip(_QUOTES))
            return
        state.in_tail = False
    in_header = state.paragraphs_seen < _HEADER_PARAGRAPHS
    authors = byline_names(unit, rules=rules)
    if authors == () and not in_header:
        return  # an empty byline ("par" alone) is page furniture wherever it stands
    if in_header and authors is not None:
        if state.authors is None:
            state.authors = authors
        published, updated = find_dates(unit, tz=ctx.timezone, rules=rules)
        if published is None and updated is None:
            found = search_date(unit, tz=ctx.timezone, rules=rules)
            published = found.value if found else None
        if published is not None and state.published is None:
            state.published = published
        if updated is not None and state.updated is None:
            state.updated = updated
        return
    if len(unit) <= rules.limits.date_line_max_chars:
        published, updated = find_dates(unit, tz=ctx.timezone, rules=rules)
        labelled = published is not None or updated is not None
        if labelled and (in_header or _starts_with_phrase(unit, lang)):
            if published is not None and state.published is None:
                state.published = published
            if updated is not None and state.updated is None:
                state.updated = updated
            return
    if not keep:
        return
    state.body.append(unit)
    if is_real_paragraph(unit) or len(unit) > rules.limits.heading_max_chars:
        state.paragraphs_seen += 1


def _is_boilerplate(unit: str, rules: Rules, lang: LanguageRules) -> bool:
    """A boilerplate line, read without the bullet a dump writes before a list item."""
    return is_boilerplate(_BULLET.sub("", unit), rules, lang)


def _starts_with_phrase(unit: str, lang: LanguageRules) -> bool:
    return fold(unit).startswith(folded((*lang.published_phrases, *lang.updated_phrases)))


def _is_heading_like(unit: str, rules: Rules) -> bool:
    limits = rules.limits
    return (
        len(unit) <= limits.heading_max_chars
        and len(unit.split()) <= limits.heading_max_words
        and not re.search(r"[.,;:…。、，；：]$", unit)
        and not _BULLET.match(unit)
        and _capital_or_caseless(unit.lstrip("¿¡\"“„«‘'(「『")[:1])
    )


def _capital_or_caseless(first: str) -> bool:
    """A capital, or a letter of a script without case (Japanese, Chinese, Korean...)."""
    return first.isupper() or (first.isalpha() and not first.islower())


def _to_html(body: list[str], rules: Rules) -> str:
    """<p> per paragraph, <h2> for a short title-like line that leads into a paragraph, <ul> for bullets."""
    out: list[str] = []
    items: list[str] = []
    heading = [_is_heading_like(u, rules) for u in body]
    for i, unit in enumerate(body):
        bullet = _BULLET.match(unit)
        if bullet:
            items.append(f"<li>{_esc(unit[bullet.end() :])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        prev_heading = i > 0 and heading[i - 1]
        next_paragraph = i + 1 < len(body) and not heading[i + 1] and not _BULLET.match(body[i + 1])
        if heading[i] and next_paragraph and not prev_heading and i > 0:
            out.append(f"<h2>{_esc(unit)}</h2>")
        else:
            out.append(f"<p>{_esc(unit)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "\n".join(out)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)
