"""Fixtures shared by the whole suite: a real site on disk, real files, a fixed clock."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sitekit import SEED, write_config

from syndicator.config import STATE_URL_ENV

# Property tests draw the same examples on every run, so CI is repeatable;
# HYPOTHESIS_PROFILE=explore draws new ones (run it when changing normalization).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

pytest_plugins = ["postgres", "s3server"]  # real PostgreSQL and S3 servers: postgres_server, s3_server


@pytest.fixture(autouse=True)
def state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One-off outputs keep their state under $SYNDICATOR_STATE_HOME: a fresh one
    per test, never the user's own ~/.local/state."""
    home = tmp_path_factory.mktemp("state-home")
    monkeypatch.setenv("SYNDICATOR_STATE_HOME", str(home))
    return home


@pytest.fixture(params=["sqlite", "postgresql"])
def each_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store a test's sites publish into, once each: the SQLite file, then a
    PostgreSQL server (`[state] url` by its environment variable)."""
    if request.param == "postgresql":
        monkeypatch.setenv(STATE_URL_ENV, request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv(STATE_URL_ENV, raising=False)
    return str(request.param)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder: syndicator.toml, an empty articles/ source, out/ and state/ to come."""
    write_config(tmp_path)
    return tmp_path


@pytest.fixture
def add_records(site: Path) -> Callable[[str, Any], Path]:
    def add(name: str, records: Any) -> Path:
        path = site / "articles" / name
        if isinstance(records, (bytes, str)):
            path.write_bytes(records if isinstance(records, bytes) else records.encode("utf-8"))
        elif name.endswith(".jsonl"):
            path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        else:
            path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        return path

    return add


@pytest.fixture
def seed_copy(site: Path) -> Path:
    return Path(shutil.copy(SEED, site / "articles" / SEED.name))
