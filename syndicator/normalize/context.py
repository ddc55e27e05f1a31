"""The site facts and rules every normalizer needs, gathered once per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from syndicator.normalize.rules import Rules
from syndicator.normalize.taxonomy import Taxonomy


@dataclass(frozen=True)
class NormalizeContext:
    base_url: str  # site base URL, for relative links and slug URLs
    language: str  # site default language (BCP 47)
    timezone: ZoneInfo  # for dates written without an offset
    rules: Rules  # the rules (defaults/rules.toml): boilerplate, bylines, dates per language
    taxonomy: Taxonomy = field(default_factory=lambda: Taxonomy())
    today: date = date(1970, 1, 1)  # the run's date (from `now`), for ids of undated records
    site_name: str = ""  # stripped from the end of titles ("Title | Site")
    typography: str = "broken"  # normalize.typography: "broken", "full" or "off" (config.TYPOGRAPHY)
