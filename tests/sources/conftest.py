"""Fixtures of the remote source tests: a real HTTP server on 127.0.0.1 (see webkit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from webkit import HostileWeb, LocalWeb


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    server = LocalWeb()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def hostile() -> Iterator[HostileWeb]:
    server = HostileWeb()
    try:
        yield server
    finally:
        server.close()
