"""Defaults shipped inside the package, so that syndicator works wherever it is
installed: the normalisation rules, the article schema, and the commented
configuration `syndicator init` writes.

A site uses these unless its configuration names files of its own
(`[normalize] rules`, `schema`); a site's rules file may also extend these
(`extends = "default"`, see normalize/rules.py).
"""

from __future__ import annotations

from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent
RULES_PATH = DEFAULTS_DIR / "rules.toml"
SCHEMA_PATH = DEFAULTS_DIR / "article.schema.json"
SITE_TEMPLATE_PATH = DEFAULTS_DIR / "syndicator.toml.template"
PROFILES_PATH = DEFAULTS_DIR / "profiles.toml"  # aggregators' published feed requirements
