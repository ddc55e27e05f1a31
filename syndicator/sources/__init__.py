"""Sources: where article records come from, one module per kind.

A registry, not if/elif: a new kind is one module and one line here. Each
kind checks its own options (so a typo is a ConfigError naming the key) and
yields RawRecord for what it read or Rejection for what it could not.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syndicator.config import Config, SourceConfig
from syndicator.errors import ConfigError
from syndicator.model import RawRecord, Rejection
from syndicator.sources.limits import check_limits
from syndicator.sources.memory import SourceNews

if TYPE_CHECKING:
    from syndicator.sources.context import ReadContext


@dataclass(frozen=True)
class SourceKind:
    check: Callable[[SourceConfig], Any]  # validated options, or ConfigError
    # Records and rejections, with what it learnt (file stamps, validators) between them.
    read: Callable[[SourceConfig, Any, ReadContext], Iterator[RawRecord | Rejection | SourceNews]]


# kind → the module holding its `check` and `read`, imported when a configured
# source names it: a site of folders never imports the HTTP client.
MODULES: Mapping[str, str] = {
    "directory": "syndicator.sources.directory",
    "json_api": "syndicator.sources.json_api",
    "feed": "syndicator.sources.feed",
    "pages": "syndicator.sources.pages",
    "url": "syndicator.sources.detect",  # recognised when fetched
}
SOURCES = MODULES  # the kinds a configuration may name


def source_kind(kind: str) -> SourceKind:
    module = importlib.import_module(MODULES[kind])
    return SourceKind(check=module.check, read=module.read)


def check_sources(config: Config) -> list[tuple[SourceConfig, SourceKind, Any]]:
    """Resolve every configured source before anything runs."""
    checked = []
    for i, source in enumerate(config.sources):
        if source.kind not in MODULES:
            close = difflib.get_close_matches(source.kind, list(SOURCES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(SOURCES)})"
            raise ConfigError(
                str(config.path), f"sources[{i}].kind", f"unknown source kind {source.kind!r}{hint}"
            )
        kind = source_kind(source.kind)
        options = kind.check(source)  # a mistake is a ConfigError naming file and key
        check_limits(source)
        checked.append((source, kind, options))
    return checked
