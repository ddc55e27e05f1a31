"""Dates as records and scraped pages write them, to aware datetimes.

Three families, tried in order: ISO 8601 / RFC 3339 (CMS exports), RFC 822
(RSS and e-mail, via email.utils), then dates in words or numbers as articles
print them, in every language of the rules (defaults/rules.toml) ("Publié le 17 janvier 2024
à 9h30", "21.11.2024, 07:15 Uhr", "3 de febrero de 2024"). A date written
without an offset is in the site's time zone. Relative dates ("2 hours ago")
are not read: they need the clock, which this stage never reads.
"""

from __future__ import annotations

import email.utils
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from syndicator.normalize.rules import LanguageRules, Rules, fold

_SEPARATORS = "|·•—–-,;(["


@dataclass(frozen=True)
class _Patterns:
    months: dict[str, int]
    text_date: re.Pattern[str]  # day month year, month day year, numeric
    time: re.Pattern[str]  # a time right after a date
    published: re.Pattern[str] | None
    updated: re.Pattern[str] | None


@dataclass(frozen=True)
class DateMatch:
    """A date found in a line, with where it stood (for removing it from bylines)."""

    value: datetime
    start: int
    end: int


def parse_date(value: str, *, tz: tzinfo, rules: Rules, language: str | None = None) -> datetime | None:
    """The first date in `value`, aware; None when there is none or it is impossible.

    Impossible includes an offset of a day or more (`+24:00`, `+9999`) and a
    date that has no UTC equivalent (year 1 at +05:00): the caller drops the
    date, it never reaches the store.
    """
    text = ascii_digits(value.strip())
    if not text:
        return None
    whole = _whole_date(text, tz, rules.timezones)
    if whole is not None:
        return whole if isinstance(whole, datetime) else None
    match = search_date(text, tz=tz, rules=rules, language=language)
    return match.value if match else None


def _whole_date(text: str, tz: tzinfo, zones: tuple[tuple[str, str], ...]) -> datetime | bool | None:
    """A text that is one machine-written date (ISO 8601, RFC 822, C asctime): the date,
    False when it is one but has no UTC moment, None when it is none of them."""
    for parse in (_parse_iso, _parse_rfc822, _parse_ctime):
        found = parse(text, tz, zones)
        if found is not None:
            return found if in_range(found) else False
    return None


def ascii_digits(text: str) -> str:
    """Digits of every script (Bengali ২০২৪, Arabic-Indic ٢٠٢٤, fullwidth ２０２４) as ASCII,
    one character for one, so positions in the result are positions in text."""
    if text.isascii():
        return text
    return "".join(_ascii_digit(c) for c in text)


@functools.lru_cache(maxsize=1024)
def _ascii_digit(c: str) -> str:
    return str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c


def in_range(value: datetime) -> bool:
    """Whether the store can write it: as UTC, between year 1 and 9999."""
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True


def search_date(line: str, *, tz: tzinfo, rules: Rules, language: str | None = None) -> DateMatch | None:
    """The first date written in words or numbers in a line, with its span."""
    pats = _patterns(rules.for_language(language), rules.timezones)
    lang = rules.for_language(language)
    folded = _fold_in_place(line)
    for m in pats.text_date.finditer(folded):
        parts = _date_parts(m, pats, lang.date_order)
        if parts is None:
            continue
        year, month, day = parts
        end = m.end()
        hour = minute = second = 0
        offset: timedelta | None = None
        t = pats.time.match(folded, end)
        if t and t.group(0).strip():
            clock = _time_parts(t)
            if clock is not None:
                hour, minute, second = clock
                try:
                    offset = _offset(t.group("zone"), rules.timezones)
                except ValueError:
                    continue  # "+24:00", "+9999": no such offset, so no such moment
                end = t.end()
        try:
            naive = datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue
        value = naive.replace(tzinfo=timezone(offset)) if offset is not None else naive.replace(tzinfo=tz)
        if not in_range(value):
            continue
        return DateMatch(value, m.start(), end)
    return None


def find_dates(
    line: str, *, tz: tzinfo, rules: Rules, language: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """(published, updated) stated on one short line.

    A phrase ("Publié le", "Updated", "Stand:") counts only at the start of the
    line or after a separator, so "le rapport publié le 3 mars" inside a
    sentence is not taken for the article's own date. A date with no phrase
    counts as published when the line is little more than that date (a
    dateline, or "By Jane Roe | June 2, 2024").
    """
    if len(line) > rules.limits.date_line_max_chars:
        return None, None
    lang = rules.for_language(language)
    pats = _patterns(lang, rules.timezones)
    folded = _fold_in_place(line)
    candidates: list[tuple[int, int, str]] = []
    for kind, pattern in (("published", pats.published), ("updated", pats.updated)):
        if pattern is None:
            continue
        candidates.extend((m.start(), m.end(), kind) for m in pattern.finditer(folded))
    marks: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(candidates):
        if marks and start < marks[-1][1]:
            continue  # inside the previous phrase ("Mise à jour" within "Dernière mise à jour")
        before = folded[:start].rstrip()
        if (
            before == ""
            or before[-1] in _SEPARATORS
            or (marks and _only_date(line[marks[-1][1] : start], pats))
        ):
            # "Publié le 3 mars 2024 à 9h30 Mis à jour le 4 mars": a phrase right
            # after the date of the one before it starts a new statement.
            marks.append((start, end, kind))
    published: datetime | None = None
    updated: datetime | None = None
    if not marks:
        found = search_date(line, tz=tz, rules=rules, language=language)
        if found is not None:
            rest = (line[: found.start] + " " + line[found.end :]).strip(" " + _SEPARATORS + ":.")
            if len(re.findall(r"\w+", rest)) <= 5:
                published = found.value
        else:  # a dateline as a machine writes it: "Tue Jan 28 15:28:56 CET 2020"
            whole = _whole_date(ascii_digits(line.strip(" " + _SEPARATORS)), tz, rules.timezones)
            published = whole if isinstance(whole, datetime) else None
        return published, updated
    for k, (_start, end, kind) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(line)
        found = search_date(line[end:stop], tz=tz, rules=rules, language=language)
        if found is None:
            whole = _whole_date(ascii_digits(line[end:stop].strip(" :" + _SEPARATORS)), tz, rules.timezones)
            value = whole if isinstance(whole, datetime) else None
        else:
            value = found.value
        if value is None:
            continue
        if kind == "published" and published is None:
            published = value
        elif kind == "updated" and updated is None:
            updated = value
    return published, updated


def _only_date(text: str, pats: _Patterns) -> bool:
    """Whether text is a date (and time), with nothing but punctuation after it."""
    folded = _fold_in_place(text)
    for m in pats.text_date.finditer(folded):
        end = m.end()
        t = pats.time.match(folded, end)
        if t and t.group(0).strip() and _time_parts(t) is not None:
            end = t.end()
        return not folded[end:].strip(" " + _SEPARATORS + ":.")
    return False


def _fold_in_place(line: str) -> str:
    """fold() character by character, so positions in the result are positions in line."""
    return "".join(_fold_char(c) for c in line)


@functools.lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if not c.isascii() and c.isdecimal():
        return _ascii_digit(c)
    f = fold(c)
    return f if len(f) == 1 else c


def _parse_iso(text: str, tz: tzinfo, zones: tuple[tuple[str, str], ...] = ()) -> datetime | None:
    if not re.fullmatch(r"\d{4}-?\d{2}-?\d{2}(?:[T ][\d:.,]+(?:Z|[+-]\d{2}(?::?\d{2})?)?)?", text, re.I):
        return None
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _parse_rfc822(text: str, tz: tzinfo, zones: tuple[tuple[str, str], ...] = ()) -> datetime | None:
    # RFC 822 §5 / RFC 2822 §3.3: "Sun, 02 Jun 2024 10:00:00 +0200"
    if not re.search(r"\d{1,2} [A-Za-z]{3} \d{2,4} \d{1,2}:\d{2}", text):
        return None
    # email.utils knows only the US zones of RFC 822; "CET", "CEST"... come from rules.toml
    last = text.rsplit(None, 1)[-1]
    table = {name.casefold(): off.replace(":", "") for name, off in zones}
    if last.casefold() in table and not re.fullmatch(r"(?i)UT|GMT|Z|[ECMP][SD]T", last):
        text = text[: len(text) - len(last)] + table[last.casefold()]
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # RFC 2822 §3.3: "-0000" means the offset is unknown; read it as the site's zone
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


_CTIME = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?(?P<m>[A-Za-z]{3})\s+(?P<d>\d{1,2})\s+"
    r"(?P<t>\d{1,2}:\d{2}(?::\d{2})?)\s+(?:(?P<zone>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2})\s+)?(?P<y>\d{4})"
)
_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _parse_ctime(text: str, tz: tzinfo, zones: tuple[tuple[str, str], ...] = ()) -> datetime | None:
    """C's asctime and Unix `date`: "Tue Jan 28 15:28:56 CET 2020", "Tue Jan 28 15:28:56 2020"."""
    m = _CTIME.fullmatch(text)
    if m is None or m.group("m").lower() not in _MONTHS_EN:
        return None
    hour, minute, second = ([int(part) for part in m.group("t").split(":")] + [0])[:3]
    try:
        offset = _offset(m.group("zone"), zones)
        month = _MONTHS_EN.index(m.group("m").lower()) + 1
        naive = datetime(int(m.group("y")), month, int(m.group("d")), hour, minute, second)
    except ValueError:
        return None
    if m.group("zone") and offset is None:
        return None  # a zone we do not know: the moment is unknown, not the site's
    return naive.replace(tzinfo=timezone(offset) if offset is not None else tz)


@functools.lru_cache(maxsize=64)
def _patterns(lang: LanguageRules, zones: tuple[tuple[str, str], ...]) -> _Patterns:
    months = {name: number for name, number in lang.months}
    month_alt = "|".join(re.escape(name) for name, _ in lang.months) or r"(?!x)x"
    day = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|º|°|\.)?"
    date = (
        rf"\b(?:{day}\s+(?:de\s+|del\s+)?(?P<m>{month_alt})\.?,?\s+(?:de\s+|del\s+)?(?P<y>\d{{4}})"
        rf"|(?P<m2>{month_alt})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
        r"|(?P<y3>\d{4})[-/.](?P<m3>[01]?\d)[-/.](?P<d3>[0-3]?\d)(?![\d.])"
        r"|(?P<a>[0-3]?\d)[./-](?P<b>[0-3]?\d)[./-](?P<y4>\d{4}|\d{2})(?![\d])"
        r")(?!\d)"
        # East Asian year-month-day with its unit signs (Japanese and Chinese 年月日, Korean 년월일),
        # often written right after a word with no space: "公開日2024年3月12日"
        r"|(?<!\d)(?P<y5>\d{4})\s*[年년]\s*(?P<m5>[01]?\d)\s*[月월]\s*(?P<d5>[0-3]?\d)\s*[日일]"
    )
    words = "|".join(re.escape(fold(w)) for w in sorted(lang.time_words, key=len, reverse=True))
    zone_alt = "|".join(re.escape(z.casefold()) for z, _ in sorted(zones, key=lambda z: -len(z[0])))
    zone = rf"(?P<zone>[+-]\d{{2}}:?\d{{2}}|(?:{zone_alt})\b)" if zone_alt else r"(?P<zone>[+-]\d{2}:?\d{2})"
    time = (rf"(?:\s*[,|·-]?\s*(?:(?:{words})\s+)?)" if words else r"(?:\s*[,|·-]?\s*)") + (
        r"(?:t\s*)?(?P<h>[0-2]?\d)\s*(?:(?P<sep>[:h.])\s*(?P<min>[0-5]\d)?(?::(?P<s>[0-5]\d))?)?"
        r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?:uhr|h\b|hrs\b)?"
        rf"(?:\s*\(?{zone}\)?)?"
    )
    return _Patterns(
        months=months,
        text_date=re.compile(date),
        time=re.compile(time),
        published=_phrases(lang.published_phrases),
        updated=_phrases(lang.updated_phrases),
    )


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alt = "|".join(re.escape(fold(p)) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alt})(?!\w)\s*:?")


def _date_parts(m: re.Match[str], pats: _Patterns, order: str) -> tuple[int, int, int] | None:
    g = m.groupdict()
    if g["m"]:
        return int(g["y"]), pats.months[g["m"]], int(g["d"])
    if g["m2"]:
        return int(g["y2"]), pats.months[g["m2"]], int(g["d2"])
    if g["y3"]:
        return int(g["y3"]), int(g["m3"]), int(g["d3"])
    if g["y5"]:
        return int(g["y5"]), int(g["m5"]), int(g["d5"])
    a, b = int(g["a"]), int(g["b"])
    year = int(g["y4"])
    if len(g["y4"]) == 2:
        year += 2000
    day, month = (b, a) if order == "mdy" and a <= 12 else (a, b)
    if month > 12 and day <= 12:
        day, month = month, day  # the order the site uses is the other one
    return year, month, day


def _time_parts(t: re.Match[str]) -> tuple[int, int, int] | None:
    hour = int(t.group("h"))
    minute = int(t.group("min") or 0)
    second = int(t.group("s") or 0)
    ampm = t.group("ampm")
    sep = t.group("sep")
    has_marker = bool(ampm) or bool(re.search(r"uhr|h\b", t.group(0))) or (sep == ":" and t.group("min"))
    if sep == "." and not t.group("min"):
        return None
    if not has_marker and not (sep and t.group("min")):
        return None  # a bare number after a date is not a time
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23:
        return None
    return hour, minute, second


def _offset(zone: str | None, zones: tuple[tuple[str, str], ...]) -> timedelta | None:
    if not zone:
        return None
    table = {name.casefold(): off for name, off in zones}
    text = table.get(zone.casefold(), zone)
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not m:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    if delta >= timedelta(hours=24) or int(m.group(3)) >= 60:
        raise ValueError(f"no such UTC offset: {zone}")
    return -delta if m.group(1) == "-" else delta
