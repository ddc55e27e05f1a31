"""Shared fixtures for the normalize tests: the shipped rules and a site context."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.rules import Rules, default_rules_path, load_rules

CASES = Path(__file__).parent / "cases"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(default_rules_path())


@pytest.fixture(scope="session")
def ctx(rules: Rules) -> NormalizeContext:
    return NormalizeContext(base_url="https://news.example.org/", language="fr", timezone=PARIS, rules=rules)
