"""Loading and checking the configuration (syndicator.toml).

Everything is checked before anything is written: an unknown key, a wrong type
or an impossible value is one ConfigError naming the file and the dotted key,
with the nearest known key suggested for a typo.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The values, defined in config_model and named from here by the rest of syndicator.
from syndicator.config_model import CONTENT_MODES as CONTENT_MODES
from syndicator.config_model import FEED_KINDS as FEED_KINDS
from syndicator.config_model import STORE_NAME as STORE_NAME
from syndicator.config_model import Config as Config
from syndicator.config_model import FeedPolicy as FeedPolicy
from syndicator.config_model import ObjectStorage as ObjectStorage
from syndicator.config_model import OutputConfig as OutputConfig
from syndicator.config_model import SiteConfig as SiteConfig
from syndicator.config_model import SourceConfig as SourceConfig
from syndicator.config_model import check_folders
from syndicator.defaults import RULES_PATH, SCHEMA_PATH
from syndicator.errors import ConfigError
from syndicator.redact import public_url
from syndicator.render import FORMATS

# Where a site's configuration is looked for, in order, when none is named:
# `syndicator init` writes the first; a clone of the repository has the second.
CONFIG_CANDIDATES = (Path("syndicator.toml"), Path("config/syndicator.toml"))
CONFIG_ENV = "SYNDICATOR_CONFIG"


# The keys each table accepts; a key not listed is an error with a suggestion.
# normalize.typography: what is done to quotes and apostrophes. "broken" repairs
# only marks that are wrong (a quotation opened with a closing mark, an odd one
# out) and keeps straight quotes as written; "full" curls every one; "off"
# leaves them all alone. Mojibake is repaired in every mode.
TYPOGRAPHY = ("broken", "full", "off")

_KNOWN: dict[str, tuple[str, ...]] = {
    "": ("site", "output", "state", "normalize", "sources", "schedule", "server", "websub"),
    "site": (
        "title",
        "description",
        "base_url",
        "feeds_url",
        "language",
        "timezone",
        "author",
        "icon",
        "logo",
        "image",
    ),
    "output": (
        "directory",
        "formats",
        "items",
        "category_feeds",
        "removed",
        "archive_page_size",
        "language_feeds",
        "tag_feeds",
        "author_feeds",
        "content",
        "max_age_days",
        "max_bytes",
        "feeds",
        "url",
        "endpoint_url",
        "region",
        "connect_timeout",
        "read_timeout",
        "upload_timeout",
    ),
    "output.feeds": FEED_KINDS,
    **{f"output.feeds.{kind}": ("content", "items", "max_age_days", "max_bytes") for kind in FEED_KINDS},
    "state": ("directory", "url", "lease", "history"),
    "normalize": ("rules", "taxonomy", "schema", "workers", "typography"),
    "schedule": ("interval", "cron"),
    "server": ("host", "port", "request_timeout", "connections_per_client"),
    "websub": ("hubs", "timeout"),
}
_SOURCE_KEYS = ("name", "kind")


def named_config_path(cli_path: Path | None) -> Path | None:
    """The configuration the user named: `--config`, then $SYNDICATOR_CONFIG."""
    if cli_path is not None:
        return cli_path
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else None


def find_config_path(cli_path: Path | None) -> Path | None:
    """The named configuration, else the first of CONFIG_CANDIDATES that exists."""
    named = named_config_path(cli_path)
    if named is not None:
        return named
    return next((p for p in CONFIG_CANDIDATES if p.is_file()), None)


def resolve_config_path(cli_path: Path | None) -> Path:
    """find_config_path, or an error that says how to make one."""
    path = find_config_path(cli_path)
    if path is None:
        raise ConfigError(
            "syndicator.toml",
            "",
            "no configuration here: run `syndicator init` to create one, pass --config PATH,"
            " or publish a folder with `syndicator publish --source DIR --output DIR`",
        )
    return path


def load_config(path: Path, *, folders: bool = True) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(str(path), "", "configuration file not found (use --config PATH)") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(path), "", f"cannot read: {e}") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), "", f"not valid TOML: {e}") from e
    return parse_config(data, path, folders=folders)


def parse_config(data: Mapping[str, Any], path: Path, *, folders: bool = True) -> Config:
    """Check every key, then build the frozen Config; paths relative to the file's folder."""
    check = _Checker(path)
    check.known_keys(data, "")
    root = path.parent

    def under_root(relative: str) -> Path:
        return Path(os.path.normpath(root / relative))

    site_t = check.table(data, "site", required=True)
    check.known_keys(site_t, "site")
    base_url = check.url(site_t, "site.base_url", required=True)
    feeds_url = check.url(site_t, "site.feeds_url", required=False) or base_url.rstrip("/") + "/feeds/"
    check.site_url = base_url
    site = SiteConfig(
        title=check.string(site_t, "site.title", required=True),
        description=check.string(site_t, "site.description", default=""),
        base_url=base_url,
        feeds_url=feeds_url if feeds_url.endswith("/") else feeds_url + "/",
        language=check.string(site_t, "site.language", default="en"),
        timezone=check.timezone(site_t, "site.timezone"),
        author=check.string(site_t, "site.author", default="") or None,
        icon=check.site_image(site_t, "site.icon", base_url),
        logo=check.site_image(site_t, "site.logo", base_url),
        image=check.site_image(site_t, "site.image", base_url),
    )
    out_t = check.table(data, "output")
    check.known_keys(out_t, "output")
    formats = tuple(check.string_list(out_t, "output.formats", default=list(FORMATS)))
    for i, fmt in enumerate(formats):
        if fmt not in FORMATS:
            check.fail(f"output.formats[{i}]", f"unknown format {fmt!r}{_suggest(fmt, list(FORMATS))}")
    items = check.positive_int(out_t, "output.items", default=50)
    output = OutputConfig(
        directory=under_root(check.string(out_t, "output.directory", default="../feeds")),
        formats=formats,
        items=items,
        category_feeds=check.boolean(out_t, "output.category_feeds", default=True),
        removed=check.choice(out_t, "output.removed", ("keep", "retract"), default="keep"),
        language_feeds=check.boolean(out_t, "output.language_feeds", default=False),
        tag_feeds=check.boolean(out_t, "output.tag_feeds", default=False),
        author_feeds=check.boolean(out_t, "output.author_feeds", default=False),
        feeds=check.feed_policies(out_t),
        # Pages as long as the feed: the feed then holds `items` articles and every
        # older one is in a full archive page (a longer page lengthens the feed).
        archive_page_size=check.positive_int(out_t, "output.archive_page_size", default=items),
    )
    state_t = check.table(data, "state")
    check.known_keys(state_t, "state")
    norm_t = check.table(data, "normalize")
    check.known_keys(norm_t, "normalize")
    taxonomy = check.string(norm_t, "normalize.taxonomy", default="")
    sched_t = check.table(data, "schedule")
    check.known_keys(sched_t, "schedule")
    server_t = check.table(data, "server")
    check.known_keys(server_t, "server")
    websub_t = check.table(data, "websub")
    check.known_keys(websub_t, "websub")
    config = Config(
        path=path,
        site=site,
        sources=check.sources(data.get("sources", []), root),
        output=output,
        state_directory=under_root(check.string(state_t, "state.directory", default="../.syndicator")),
        rules_path=_file_or_default(check.string(norm_t, "normalize.rules"), root, RULES_PATH),
        schema_path=_file_or_default(check.string(norm_t, "normalize.schema"), root, SCHEMA_PATH),
        taxonomy_path=under_root(taxonomy) if taxonomy else None,
        hubs=tuple(
            check.url_value(h, f"websub.hubs[{i}]")
            for i, h in enumerate(check.string_list(websub_t, "websub.hubs", default=[]))
        ),
        normalize_workers=check.whole_number(norm_t, "normalize.workers", default=0),
        typography=check.choice(norm_t, "normalize.typography", TYPOGRAPHY, default="broken"),
        state_url=_state_url(path, check.string(state_t, "state.url", default="")),
        object_storage=_object_storage(out_t, check),
        lease_seconds=parse_interval(
            check.string(state_t, "state.lease", default="30s"), check, "state.lease"
        ),
        history_runs=check.whole_number(state_t, "state.history", default=10_000),
        hub_timeout=check.positive_number(websub_t, "websub.timeout", default=5.0),
        interval_seconds=parse_interval(
            check.string(sched_t, "schedule.interval", default="5m"), check, "schedule.interval"
        ),
        cron=check.string(sched_t, "schedule.cron", default="") or None,
        server_host=check.string(server_t, "server.host", default="127.0.0.1"),
        server_port=check.port(server_t, "server.port", default=8080),
        server_request_timeout=check.positive_number(server_t, "server.request_timeout", default=10.0),
        server_connections_per_client=check.whole_number(
            server_t, "server.connections_per_client", default=32
        ),
    )
    if folders:  # `check_folders`; off for `validate`, which writes and serves nothing
        check_folders(config)
    return config


def _file_or_default(relative: str, root: Path, default: Path) -> Path:
    """A site's own rules or schema file, or the one shipped in the package."""
    return Path(os.path.normpath(root / relative)) if relative else default


def parse_interval(text: str, check: _Checker, key: str) -> int:
    return parse_interval_text(text, str(check.path), key)


def parse_interval_text(text: str, path: str, key: str) -> int:
    """`90s`, `5m`, `2h`, `1d` or a bare number of seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    factor = units.get(value[-1:], 0)
    number = value[:-1] if factor else value
    if not factor:
        factor = 1
    if not number.isdigit() or int(number) == 0:
        raise ConfigError(path, key, f"{text!r} is not an interval such as '90s', '5m', '2h' or '1d'")
    return int(number) * factor


def _suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Typed reads from the TOML tables, each failure naming file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.site_url = ""  # set once [site] is read; remote sources name it in their User-Agent

    def fail(self, key: str, message: str) -> NoReturn:
        raise ConfigError(str(self.path), key, message)

    def known_keys(self, table: Mapping[str, Any], prefix: str) -> None:
        known = _KNOWN[prefix]
        for key in table:
            if key not in known:
                dotted = f"{prefix}.{key}" if prefix else key
                self.fail(dotted, f"unknown key{_suggest(key, known)}")

    def table(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, f"missing table [{key}]")
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"must be a table [{key}]")
        return value

    def string(self, table: Mapping[str, Any], key: str, *, required: bool = False, default: str = "") -> str:
        name = key.rsplit(".", 1)[-1]
        value = table.get(name)
        if value is None:
            if required:
                self.fail(key, "missing (a string is required)")
            return default
        if not isinstance(value, str):
            self.fail(key, f"must be a string, not {type(value).__name__}")
        if required and not value.strip():
            self.fail(key, "must not be empty")
        return str(value)

    def string_list(self, table: Mapping[str, Any], key: str, *, default: list[str]) -> list[str]:
        value = table.get(key.rsplit(".", 1)[-1])
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
        return list(value)

    def choice(self, table: Mapping[str, Any], key: str, choices: tuple[str, ...], *, default: str) -> str:
        value = self.string(table, key, default=default)
        if value not in choices:
            self.fail(
                key,
                f"must be one of {', '.join(map(repr, choices))}, not {value!r}{_suggest(value, choices)}",
            )
        return value

    def whole_number(self, table: Mapping[str, Any], key: str, *, default: int) -> int:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(key, f"must be a whole number of 0 or more, not {value!r}")
        return int(value)

    def positive_number(self, table: Mapping[str, Any], key: str, *, default: float) -> float:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(key, f"must be a number of seconds above 0, not {value!r}")
        return float(value)

    def feed_policies(self, output: Mapping[str, Any]) -> Mapping[str, FeedPolicy]:
        """[output]'s content, max_age_days and max_bytes, overridden per kind by [output.feeds.<kind>]."""
        base = self.feed_policy(output, "output", FeedPolicy())
        feeds = self.table(output, "feeds")
        self.known_keys(feeds, "output.feeds")
        policies = {}
        for kind in FEED_KINDS:
            table = self.table(feeds, kind)
            self.known_keys(table, f"output.feeds.{kind}")
            policy = self.feed_policy(table, f"output.feeds.{kind}", base)
            if "items" in table:
                count = self.positive_int(table, f"output.feeds.{kind}.items", default=1)
                policy = replace(policy, items=count)
            policies[kind] = policy
        return MappingProxyType(policies)

    def feed_policy(self, table: Mapping[str, Any], prefix: str, base: FeedPolicy) -> FeedPolicy:
        def optional(key: str, current: int | None) -> int | None:
            return self.positive_int(table, f"{prefix}.{key}", default=1) if key in table else current

        return FeedPolicy(
            content=self.choice(table, f"{prefix}.content", CONTENT_MODES, default=base.content),
            items=base.items,
            max_age_days=optional("max_age_days", base.max_age_days),
            max_bytes=optional("max_bytes", base.max_bytes),
        )

    def positive_int(self, table: Mapping[str, Any], key: str, *, default: int) -> int:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(key, f"must be a whole number of 1 or more, not {value!r}")
        return int(value)

    def port(self, table: Mapping[str, Any], key: str, *, default: int) -> int:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
            self.fail(key, f"must be a port number from 0 to 65535, not {value!r}")
        return int(value)

    def boolean(self, table: Mapping[str, Any], key: str, *, default: bool) -> bool:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, not {value!r}")
        return bool(value)

    def url(self, table: Mapping[str, Any], key: str, *, required: bool) -> str:
        value = self.string(table, key, required=required)
        return self.url_value(value, key) if value else ""

    def site_image(self, table: Mapping[str, Any], key: str, base_url: str) -> str | None:
        """An image URL, relative ones taken from the site's home page; None when unset."""
        value = self.string(table, key)
        return self.url_value(urljoin(base_url, value), key) if value else None

    def url_value(self, value: str, key: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(key, f"{value!r} is not an absolute http(s) URL")
        return value

    def timezone(self, table: Mapping[str, Any], key: str) -> ZoneInfo:
        name = self.string(table, key, default="UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError) as e:
            # OSError: a tz database folder name such as "Europe" (IsADirectoryError).
            raise ConfigError(str(self.path), key, f"unknown time zone {name!r}") from e

    def sources(self, value: Any, root: Path) -> tuple[SourceConfig, ...]:
        if not isinstance(value, list):
            self.fail("sources", "must be an array of tables [[sources]]")
        result: list[SourceConfig] = []
        seen: set[str] = set()
        for i, entry in enumerate(value):
            key = f"sources[{i}]"
            if not isinstance(entry, dict):
                self.fail(key, "must be a table")
            name = entry.get("name")
            kind = entry.get("kind", "directory")
            if not isinstance(name, str) or not name:
                self.fail(f"{key}.name", "each source needs a name")
            if name in seen:
                self.fail(f"{key}.name", f"source name {name!r} is used twice")
            seen.add(name)
            if not isinstance(kind, str):
                self.fail(f"{key}.kind", "must be a string")
            options = {k: v for k, v in entry.items() if k not in _SOURCE_KEYS}
            if kind == "directory" and isinstance(options.get("path"), str):
                options["path"] = Path(os.path.normpath(root / options["path"]))
            for k, v in options.items():  # token_file, password_file: beside the configuration
                if k.endswith("_file") and isinstance(v, str):
                    options[k] = Path(os.path.normpath(root / v))
            result.append(
                SourceConfig(
                    name=name,
                    kind=kind,
                    options=options,
                    site_url=self.site_url,
                    config_path=str(self.path),
                    key=key,
                )
            )
        return tuple(result)


STATE_URL_ENV = "SYNDICATOR_STATE_URL"


def _object_storage(out_t: Mapping[str, Any], check: _Checker) -> ObjectStorage | None:
    """`[output] url` and its settings; None keeps the local folder as the only output."""
    url = check.string(out_t, "output.url", default="").strip()
    if not url:
        for key in ("endpoint_url", "region", "connect_timeout", "read_timeout", "upload_timeout"):
            if key in out_t:
                check.fail(f"output.{key}", 'is for object storage: set output.url = "s3://bucket/prefix"')
        return None
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        check.fail("output.url", f"{public_url(url)!r} must be s3://bucket or s3://bucket/prefix")
    prefix = parts.path.strip("/")
    endpoint = check.string(out_t, "output.endpoint_url", default="").strip()
    if endpoint:
        endpoint = check.url_value(endpoint, "output.endpoint_url")
    return ObjectStorage(
        bucket=parts.netloc,
        prefix=f"{prefix}/" if prefix else "",
        endpoint_url=endpoint or None,
        region=check.string(out_t, "output.region", default="").strip() or None,
        connect_timeout=check.positive_number(out_t, "output.connect_timeout", default=10.0),
        read_timeout=check.positive_number(out_t, "output.read_timeout", default=30.0),
        upload_timeout=check.positive_number(out_t, "output.upload_timeout", default=300.0),
    )


def _state_url(path: Path, configured: str) -> str | None:
    """$SYNDICATOR_STATE_URL, else `[state] url`: the environment wins, so a
    password need not be written in the file. Only postgresql:// is a URL here."""
    url = os.environ.get(STATE_URL_ENV, "").strip() or configured.strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(str(path), "state.url", f"{public_url(url)!r} must be a postgresql:// URL")
    return url
