"""Fingerprints of "what shapes the result", computed from the settings values
themselves.

A run re-reads source files when what normalizes them changed, and renders the
output again when what shapes it changed. Both are decided by comparing a
fingerprint with the one stored by the last run. Listing the settings that
matter by hand goes stale silently when a setting is added; so the fingerprint
takes every field of the configuration, and each use names only the fields
that cannot matter to it. A new setting is part of both until said otherwise:
at worst one needless re-read or re-render, never stale output.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path

from syndicator import __version__
from syndicator.config import Config

# Fields of Config that never change what normalization makes of a record.
NOT_NORMALIZING = frozenset(
    {
        "path",
        "sources",  # each source's files are tracked by themselves
        "output",
        "state_directory",
        "hubs",
        "hub_timeout",
        "interval_seconds",
        "cron",
        "server_host",
        "server_port",
        "server_request_timeout",
        "server_connections_per_client",
        "normalize_workers",  # the same records come out, in the same order, however many
        "state_url",  # where the store is: a store moved to PostgreSQL reads no file again
        "lease_seconds",
        "history_runs",  # how much history the store keeps
        "object_storage",
    }
)
# Fields of Config that never change a rendered byte.
NOT_RENDERING = frozenset(
    {
        "path",
        "sources",  # what they held is in the store, and the store's changes are tracked
        "state_directory",
        "rules_path",
        "schema_path",
        "taxonomy_path",
        "normalize_workers",
        "hub_timeout",
        "server_host",
        "server_port",
        "server_request_timeout",
        "server_connections_per_client",
        "state_url",  # where the store is
        "lease_seconds",
        "history_runs",  # how much history the store keeps
        "object_storage",  # where the bytes go, not what they are
    }
)


def config_fingerprint(config: Config, *, leave_out: frozenset[str], salt: str = "") -> str:
    """A short hash of every configuration field but `leave_out`; a file a field
    names counts by its contents, so an edited rules file is a changed setting."""
    digest = hashlib.sha256(f"{__version__}|{salt}".encode())
    for field in fields(config):
        if field.name in leave_out:
            continue
        value = getattr(config, field.name)
        digest.update(f"|{field.name}=".encode())
        if isinstance(value, Path) and field.name.endswith("_path"):
            digest.update(value.read_bytes() if value.is_file() else b"-")
        else:
            digest.update(repr(value).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]
