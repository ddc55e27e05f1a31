"""Fixtures: headless Chromium and a live site to open in it.

CI installs Chromium, so there the tests run or fail; on a machine without it
they are skipped, and only there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromiumkit import CHROMIUM, Chromium
from livesite import LiveSite, publish_live_site


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    return Chromium(CHROMIUM, profile)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSite]:
    site = publish_live_site(tmp_path / "site", count=8)
    yield site
    site.server.close()
