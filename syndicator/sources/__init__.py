"""Sources: where article records come from, one module per kind.

A registry, not if/elif: a new kind is one module and one line here. Each
kind checks its own options (so a typo is a ConfigError naming the key) and
yields RawRecord for what it read or Rejection for what it could not.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from syndicator.config import Config, SourceConfig
from syndicator.errors import ConfigError
from syndicator.model import RawRecord, Rejection
from syndicator.sources import detect, directory, feed, json_api, pages
from syndicator.sources.context import ReadContext
from syndicator.sources.limits import check_limits
from syndicator.sources.memory import SourceNews


@dataclass(frozen=True)
class SourceKind:
    check: Callable[[SourceConfig], Any]  # validated options, or ConfigError
    # Records and rejections, with what it learnt (file stamps, validators) between them.
    read: Callable[[SourceConfig, Any, ReadContext], Iterator[RawRecord | Rejection | SourceNews]]


SOURCES: Mapping[str, SourceKind] = {
    "directory": SourceKind(check=directory.check, read=directory.read),
    "json_api": SourceKind(check=json_api.check, read=json_api.read),
    "feed": SourceKind(check=feed.check, read=feed.read),
    "pages": SourceKind(check=pages.check, read=pages.read),
    "url": SourceKind(check=detect.check, read=detect.read),  # recognised when fetched
}


def check_sources(config: Config) -> list[tuple[SourceConfig, SourceKind, Any]]:
    """Resolve every configured source before anything runs."""
    checked = []
    for i, source in enumerate(config.sources):
        kind = SOURCES.get(source.kind)
        if kind is None:
            close = difflib.get_close_matches(source.kind, list(SOURCES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(SOURCES)})"
            raise ConfigError(
                str(config.path), f"sources[{i}].kind", f"unknown source kind {source.kind!r}{hint}"
            )
        options = kind.check(source)  # a mistake is a ConfigError naming file and key
        check_limits(source)
        checked.append((source, kind, options))
    return checked
