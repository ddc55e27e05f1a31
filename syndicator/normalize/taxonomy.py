"""The optional category taxonomy (config/taxonomy.toml).

A newsroom files the same section under several spellings (`MONDE`, `World`,
`international`); the taxonomy maps them to one term with one label and an
optional scheme URL, so readers see one category, not three.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from syndicator.errors import ConfigError
from syndicator.model import Category
from syndicator.slugs import category_term


@dataclass(frozen=True)
class Taxonomy:
    categories: Mapping[str, Category] = field(default_factory=lambda: MappingProxyType({}))
    aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # slug → term
    scheme: str | None = None  # default scheme URL for every category

    def categorize(self, label: str) -> Category | None:
        """Map a label as written to its category; None when it is only punctuation."""
        slug = category_term(label)
        if not slug:
            return None
        term = self.aliases.get(slug, slug)
        known = self.categories.get(term)
        if known is not None:
            return known
        return Category(term=term, label=_display_label(label), scheme=self.scheme)


def _display_label(label: str) -> str:
    """`MONDE` and `monde` read as `Monde`; `iPhone`, `Vie locale`, `U.S.` and `EU` stay as written.

    A taxonomy entry overrides this for labels a rule cannot guess.
    """
    text = " ".join(label.split())
    if text.islower():
        return text[:1].upper() + text[1:]
    if text.isupper():
        if "." in text or (" " not in text and sum(c.isalpha() for c in text) <= 3):
            return text  # an acronym: U.S., EU, BBC
        return text[:1] + text[1:].lower()
    return text


_TOP_KEYS = ("scheme", "categories")
_ENTRY_KEYS = ("label", "aliases", "scheme")


def load_taxonomy(path: Path) -> Taxonomy:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(str(path), "", "taxonomy file not found") from e
    except OSError as e:
        raise ConfigError(str(path), "", f"cannot read the taxonomy file: {e.strerror or e}") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), "", f"not valid TOML: {e}") from e
    _known_keys(path, data, "", _TOP_KEYS)
    scheme = data.get("scheme")
    if scheme is not None and not isinstance(scheme, str):
        raise ConfigError(str(path), "scheme", "must be a URL string")
    categories: dict[str, Category] = {}
    aliases: dict[str, str] = {}
    table = data.get("categories", {})
    if not isinstance(table, dict):
        raise ConfigError(str(path), "categories", "must be a table of [categories.<term>]")
    for term, entry in table.items():
        key = f"categories.{term}"
        if category_term(term) != term:
            raise ConfigError(str(path), key, f"term must be a slug, e.g. {category_term(term)!r}")
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise ConfigError(str(path), f"{key}.label", "each category needs a label string")
        _known_keys(path, entry, f"{key}.", _ENTRY_KEYS)
        entry_scheme = entry.get("scheme", scheme)
        if entry_scheme is not None and not isinstance(entry_scheme, str):
            raise ConfigError(str(path), f"{key}.scheme", "must be a URL string")
        categories[term] = Category(term=term, label=entry["label"], scheme=entry_scheme)
        entry_aliases = entry.get("aliases", [])
        # A bare string would otherwise be iterated letter by letter.
        if not isinstance(entry_aliases, list):
            raise ConfigError(str(path), f"{key}.aliases", 'must be a list, e.g. ["tech"]')
        for alias in entry_aliases:
            if not isinstance(alias, str):
                raise ConfigError(str(path), f"{key}.aliases", "aliases must be strings")
            aliases[category_term(alias)] = term
        aliases[category_term(entry["label"])] = term
    return Taxonomy(MappingProxyType(categories), MappingProxyType(aliases), scheme)


def _known_keys(path: Path, table: Mapping[str, object], prefix: str, known: tuple[str, ...]) -> None:
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            raise ConfigError(str(path), f"{prefix}{name}", f"unknown key{hint}")
