"""Normalisation rules: the defaults shipped in the package (defaults/rules.toml),
or a site's own file, which may extend them (`extends = "default"`).

Boilerplate patterns, breadcrumb separators, byline words, date phrases and
month names differ per site and per language, and publishers need to add their
own without touching code; so they live in a data file and this module only
checks and compiles them. Everything here is read once per run and is frozen.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicator.defaults import RULES_PATH
from syndicator.errors import ConfigError

_LIST_KEYS = (
    "home_crumbs",
    "byline_words",
    "name_joiners",
    "boilerplate",
    "tail_markers",
    "related_prefixes",
    "published_phrases",
    "updated_phrases",
    "time_words",
)
_LANG_KEYS = frozenset((*_LIST_KEYS, "months", "date_order", "quotes", "breadcrumb_separators"))
_TOP_KEYS = frozenset(
    ("extends", "limits", "typography", "timezones", "stoplists", "lead_image", "common", "lang")
)
_DATE_ORDERS = ("dmy", "mdy", "ymd")


@dataclass(frozen=True)
class Limits:
    """Length caps that keep a rule from ever matching a real paragraph."""

    boilerplate_max_chars: int = 400
    heading_max_chars: int = 90
    heading_max_words: int = 12
    title_max_chars: int = 250
    byline_max_chars: int = 160
    date_line_max_chars: int = 160
    # One record's share of the output: each category is a feed the record is
    # rendered into, so an upstream item with 10,000 categories would cost
    # 10,000 feeds. The rest are dropped with a warning naming the record.
    categories_per_record: int = 50
    tags_per_record: int = 100


@dataclass(frozen=True)
class LeadImageRules:
    """Which image of an article's body may stand for the article ([lead_image]).

    A record that names no image gets the first body image these rules keep:
    icons, tracking pixels, avatars, share buttons and the like are told apart
    by their declared size and by the words of their address.
    """

    min_side: int = 100  # px: an image declaring a smaller width or height is furniture
    skip_words: tuple[str, ...] = ()  # a word of the URL's host or path (plural too) that marks furniture
    skip_extensions: tuple[str, ...] = ()  # file types no aggregator shows as a picture (".svg")


@dataclass(frozen=True)
class LanguageRules:
    """The rules of one language, [common] included; or of all languages merged."""

    code: str  # "fr", or "*" for the merged view
    breadcrumb_separators: tuple[str, ...] = ()
    home_crumbs: tuple[str, ...] = ()
    byline_words: tuple[str, ...] = ()
    name_joiners: tuple[str, ...] = ()
    boilerplate: tuple[re.Pattern[str], ...] = ()  # re.fullmatch on a stripped line
    tail_markers: tuple[str, ...] = ()
    related_prefixes: tuple[str, ...] = ()
    published_phrases: tuple[str, ...] = ()
    updated_phrases: tuple[str, ...] = ()
    time_words: tuple[str, ...] = ()
    months: tuple[tuple[str, int], ...] = ()  # (name as written, 1..12)
    date_order: str = "dmy"  # how to read an ambiguous 02/06/2024
    quotes: tuple[str, str] | None = None  # the language's own quotation marks


@dataclass(frozen=True)
class Rules:
    """All normalisation rules: per language, plus a merged view for unknown text."""

    path: str  # where they were read from, for messages
    limits: Limits
    language_quotes: bool  # repair quotes with each language's own marks
    timezones: tuple[tuple[str, str], ...]  # ("CET", "+01:00")
    stoplists: tuple[tuple[str, str], ...]  # ("fr", "French"): jusText's stop list of a language
    languages: tuple[LanguageRules, ...]
    merged: LanguageRules  # every language at once, code "*"
    lead_image: LeadImageRules = LeadImageRules()  # which body image is promoted to the item's image

    def for_language(self, code: str | None) -> LanguageRules:
        """The rules of a BCP 47 language (base code); the merged view when unknown."""
        if code:
            base = code.split("-")[0].split("_")[0].lower()
            for lang in self.languages:
                if lang.code == base:
                    return lang
        return self.merged

    def quotes_for(self, code: str | None) -> tuple[str, str] | None:
        """The quotation marks to repair with, when the configuration asks for them."""
        if not self.language_quotes or not code:
            return None
        lang = self.for_language(code)
        return lang.quotes if lang is not self.merged else None


def fold(text: str) -> str:
    """Case- and accent-insensitive form used to compare rule words with text."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    # Each distinct character is asked once whether it combines, not each occurrence.
    marks = [c for c in set(decomposed) if unicodedata.combining(c)]
    stripped = decomposed.translate(dict.fromkeys(map(ord, marks))) if marks else decomposed
    return unicodedata.normalize("NFC", stripped).replace("’", "'")


@functools.lru_cache(maxsize=16384)
def fold_word(word: str) -> str:
    """fold() of one word, remembered: prose says the same few thousand words again and again."""
    return fold(word)


@functools.lru_cache(maxsize=256)
def folded(words: tuple[str, ...]) -> tuple[str, ...]:
    """fold() of each rule word, longest first (so "Publié le" is tried before "Publié")."""
    return tuple(sorted({fold(w) for w in words}, key=lambda w: (-len(w), w)))


def default_rules_path() -> Path:
    """The rules shipped inside the package."""
    return RULES_PATH


def load_rules(path: Path) -> Rules:
    """Read and check a rules file; every problem names the file and the key."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(where, "", f"cannot read the rules file: {e.strerror or e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(where, "", f"not valid TOML: {e}") from e
    extends = data.get("extends")
    if extends is not None:
        if extends != "default":
            raise ConfigError(where, "extends", f"only 'default' can be extended, not {extends!r}")
        if path.resolve() != RULES_PATH:
            base = tomllib.loads(RULES_PATH.read_text(encoding="utf-8"))
            data = _extended(base, {k: v for k, v in data.items() if k != "extends"})
    return rules_from_mapping(data, where)


def _extended(base: Mapping[str, Any], site: Mapping[str, Any]) -> dict[str, Any]:
    """A site's rules on top of the defaults: tables merged key by key, lists
    appended (the site's words come after the shipped ones), other values replaced."""
    merged = dict(base)
    for key, value in site.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = _extended(old, value)
        elif isinstance(old, list) and isinstance(value, list) and key not in ("months", "quotes"):
            merged[key] = old + [v for v in value if v not in old]
        else:
            merged[key] = value
    return merged


def rules_from_mapping(data: Mapping[str, Any], where: str) -> Rules:
    """Build Rules from parsed TOML (also used by tests that write small rule sets)."""
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(where, key, f"unknown section; known: {', '.join(sorted(_TOP_KEYS))}")
    limits = _limits(_table(data, "limits", where), where)
    typography = _table(data, "typography", where)
    language_quotes = typography.get("language_quotes", False)
    if not isinstance(language_quotes, bool):
        raise ConfigError(where, "typography.language_quotes", "must be true or false")
    timezones = _timezones(_table(data, "timezones", where), where)
    stoplists = _stoplists(_table(data, "stoplists", where), where)
    lead_image = _lead_image(_table(data, "lead_image", where), where)
    common = _table(data, "common", where)
    _check_keys(common, "common", where)
    langs_table = _table(data, "lang", where)
    languages: list[LanguageRules] = []
    for code, table in langs_table.items():
        key = f"lang.{code}"
        if not isinstance(table, Mapping):
            raise ConfigError(where, key, "must be a table")
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise ConfigError(where, key, "language codes are ISO 639 base codes such as 'fr'")
        _check_keys(table, key, where)
        languages.append(_language(code, [(common, "common"), (table, key)], where))
    all_parts = [(common, "common")] + [(t, f"lang.{c}") for c, t in langs_table.items()]
    merged = _language("*", all_parts, where)
    return Rules(
        path=where,
        limits=limits,
        language_quotes=language_quotes,
        timezones=timezones,
        stoplists=stoplists,
        languages=tuple(languages),
        merged=merged,
        lead_image=lead_image,
    )


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(where, key, "must be a table")
    return value


def _check_keys(table: Mapping[str, Any], prefix: str, where: str) -> None:
    for key in table:
        if key not in _LANG_KEYS:
            raise ConfigError(
                where, f"{prefix}.{key}", f"unknown key; known: {', '.join(sorted(_LANG_KEYS))}"
            )


def _limits(table: Mapping[str, Any], where: str) -> Limits:
    defaults = Limits()
    values: dict[str, int] = {}
    for key, value in table.items():
        if not hasattr(defaults, key):
            raise ConfigError(where, f"limits.{key}", "unknown limit")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(where, f"limits.{key}", "must be a positive integer")
        values[key] = value
    return Limits(**values)


def _timezones(table: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for name, offset in table.items():
        if not isinstance(offset, str) or not re.fullmatch(r"[+-](?:0\d|1[0-4]):[0-5]\d", offset):
            raise ConfigError(where, f"timezones.{name}", "must be an offset such as '+01:00'")
        out.append((name.upper(), offset))
    return tuple(out)


def _stoplists(table: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for code, name in table.items():
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise ConfigError(
                where, f"stoplists.{code}", "language codes are ISO 639 base codes such as 'fr'"
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(where, f"stoplists.{code}", "must name a jusText stop list, such as 'French'")
        out.append((code, name.strip()))
    return tuple(out)


def _lead_image(table: Mapping[str, Any], where: str) -> LeadImageRules:
    for key in table:
        if key not in ("min_side", "skip_words", "skip_extensions"):
            raise ConfigError(
                where, f"lead_image.{key}", "unknown key; known: min_side, skip_extensions, skip_words"
            )
    min_side = table.get("min_side", LeadImageRules.min_side)
    if not isinstance(min_side, int) or isinstance(min_side, bool) or min_side <= 0:
        raise ConfigError(where, "lead_image.min_side", "must be a positive integer (pixels)")
    words = (
        _strings(table.get("skip_words", []), "lead_image.skip_words", where)
        if table.get("skip_words")
        else ()
    )
    extensions = (
        _strings(table.get("skip_extensions", []), "lead_image.skip_extensions", where)
        if table.get("skip_extensions")
        else ()
    )
    return LeadImageRules(
        min_side=min_side,
        skip_words=tuple(w.lower() for w in words),
        skip_extensions=tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions),
    )


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(where, key, "must be a list of non-empty strings")
    return tuple(v.strip() if not v.isspace() else v for v in value)


def _language(code: str, parts: Iterable[tuple[Mapping[str, Any], str]], where: str) -> LanguageRules:
    """Merge tables in order: lists are concatenated (duplicates dropped), scalars overridden."""
    lists: dict[str, list[str]] = {k: [] for k in (*_LIST_KEYS, "breadcrumb_separators")}
    patterns: list[re.Pattern[str]] = []
    months: dict[str, int] = {}
    date_order = "dmy"
    quotes: tuple[str, str] | None = None
    for table, prefix in parts:
        for key in (*_LIST_KEYS, "breadcrumb_separators"):
            if key not in table:
                continue
            for item in _strings(table[key], f"{prefix}.{key}", where):
                if key == "boilerplate":
                    patterns.append(_compile(item, f"{prefix}.boilerplate", where))
                elif item not in lists[key]:
                    lists[key].append(item)
        if "months" in table:
            for name, number in _months(table["months"], f"{prefix}.months", where):
                months.setdefault(fold(name), number)  # first language wins in the merged view
        if "date_order" in table:
            order = table["date_order"]
            if order not in _DATE_ORDERS:
                raise ConfigError(where, f"{prefix}.date_order", f"must be one of {', '.join(_DATE_ORDERS)}")
            date_order = order
        if "quotes" in table:
            pair = table["quotes"]
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(q, str) and q for q in pair)
            ):
                raise ConfigError(
                    where, f"{prefix}.quotes", "must be two strings: the opening and closing marks"
                )
            quotes = (pair[0], pair[1])
    unique_patterns = tuple(dict.fromkeys(patterns))
    return LanguageRules(
        code=code,
        breadcrumb_separators=tuple(lists["breadcrumb_separators"]),
        home_crumbs=tuple(lists["home_crumbs"]),
        byline_words=tuple(lists["byline_words"]),
        name_joiners=tuple(lists["name_joiners"]),
        boilerplate=unique_patterns,
        tail_markers=tuple(lists["tail_markers"]),
        related_prefixes=tuple(lists["related_prefixes"]),
        published_phrases=tuple(lists["published_phrases"]),
        updated_phrases=tuple(lists["updated_phrases"]),
        time_words=tuple(lists["time_words"]),
        months=tuple(sorted(months.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
        date_order=date_order,
        quotes=quotes if code != "*" else None,
    )


def _months(value: Any, key: str, where: str) -> Iterable[tuple[str, int]]:
    if not isinstance(value, list) or len(value) != 12:
        raise ConfigError(where, key, "must list the 12 months, each as a list of names")
    for number, names in enumerate(value, start=1):
        for name in _strings(names, f"{key}[{number - 1}]", where):
            yield name.rstrip("."), number


def _compile(pattern: str, key: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise ConfigError(where, key, f"bad regular expression {pattern!r}: {e}") from e
