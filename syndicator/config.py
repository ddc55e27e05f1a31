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
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicator.defaults import RULES_PATH, SCHEMA_PATH
from syndicator.errors import ConfigError
from syndicator.redact import public_url
from syndicator.render import FORMATS

# Where a site's configuration is looked for, in order, when none is named:
# `syndicator init` writes the first; a clone of the repository has the second.
CONFIG_CANDIDATES = (Path("syndicator.toml"), Path("config/syndicator.toml"))
CONFIG_ENV = "SYNDICATOR_CONFIG"
STORE_NAME = "state.sqlite3"  # the SQLite store, inside the state directory


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # the site's home page; alternate link, relative-URL base
    feeds_url: str  # public URL under which the output directory is served
    language: str
    timezone: ZoneInfo
    author: str | None = None
    # Feed artwork, configured once and carried by every format where its
    # readers look (absolute URLs; relative ones are resolved against base_url):
    icon: str | None = None  # small square (favicon): Atom <icon>, JSON Feed favicon
    logo: str | None = None  # large square (512x512): JSON Feed icon
    image: str | None = None  # wide banner (at most 144x400): RSS <image>, Atom <logo>


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str  # key in syndicator.sources.SOURCES
    options: Mapping[str, Any]  # the kind's own keys, checked by the kind
    site_url: str = ""  # site.base_url, named in the User-Agent of remote sources
    config_path: str = ""  # the configuration file it is written in
    key: str = ""  # its table there: "sources[2]"

    def error(self, key: str, message: str) -> ConfigError:
        """A mistake in one of this source's keys, named by file and dotted key
        where it is found (the source kinds' checks raise these)."""
        return ConfigError(self.config_path, f"{self.key}.{key}" if self.key else key, message)


CONTENT_MODES = ("full", "excerpt", "title")  # what an item carries besides its title
FEED_KINDS = ("main", "category", "language", "tag", "author")  # the [output.feeds.<kind>] tables


@dataclass(frozen=True)
class FeedPolicy:
    """What one kind of feed holds, from [output] and [output.feeds.<kind>].

    Aggregators cap what they take (Google News: 2 MB a feed), and a
    title-only or excerpt feed sends readers to the site; each kind of feed
    says so on its own.
    """

    content: str = "full"  # "full" (body), "excerpt" (summary), "title" (title only)
    items: int | None = None  # None: output.items
    max_age_days: int | None = None  # items older than this before the feed's newest are left out
    max_bytes: int | None = None  # each format's file at most this size: oldest items dropped first


@dataclass(frozen=True)
class OutputConfig:
    directory: Path
    formats: tuple[str, ...] = field(default_factory=lambda: tuple(FORMATS))  # every registered format
    items: int = 50
    category_feeds: bool = True
    removed: str = "keep"  # an article gone from its source: "keep" (feeds are history) or "retract"
    language_feeds: bool = False  # one feed per language under languages/<tag>/ when there are several
    tag_feeds: bool = False  # one feed per tag under tags/<slug>/
    author_feeds: bool = False  # one feed per author under authors/<slug>/
    archive_page_size: int = 50  # RFC 5005 archive page size (default: items); keep it fixed once published
    # Per kind of feed; a kind absent here takes FeedPolicy's defaults.
    feeds: Mapping[str, FeedPolicy] = field(default_factory=lambda: MappingProxyType({}))

    def policy(self, kind: str) -> FeedPolicy:
        """The policy of one kind of feed ("main", "category", "language")."""
        return self.feeds.get(kind, FeedPolicy())


@dataclass(frozen=True)
class ObjectStorage:
    """`[output] url = "s3://bucket/prefix"`: the output folder mirrored to S3-compatible storage.

    Credentials are never configuration: they come from the standard AWS
    environment variables or shared credentials file, so they never reach the
    file, the store or a report. The endpoint and region fall back to
    AWS_ENDPOINT_URL and AWS_DEFAULT_REGION the same way.
    """

    bucket: str
    prefix: str  # "" or ends with "/": the folder's paths are appended to it
    endpoint_url: str | None = None  # `[output] endpoint_url`, else $AWS_ENDPOINT_URL, else AWS
    region: str | None = None  # `[output] region`, else $AWS_DEFAULT_REGION / $AWS_REGION
    connect_timeout: float = 10.0  # seconds to open one connection
    read_timeout: float = 30.0  # seconds one response may stay silent
    upload_timeout: float = 300.0  # seconds for the whole upload phase of a run, enforced

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class Config:
    path: Path  # the file it was read from, named in every error
    site: SiteConfig
    sources: tuple[SourceConfig, ...]
    output: OutputConfig
    state_directory: Path
    rules_path: Path
    schema_path: Path
    taxonomy_path: Path | None
    hubs: tuple[str, ...] = ()
    normalize_workers: int = 0  # processes for big runs; 0: one per core, 1: none
    typography: str = "broken"  # quotes and apostrophes: "broken" ones only, "full" (curl all), "off"
    hub_timeout: float = 5.0  # seconds per WebSub ping attempt; the whole stage gets 4x
    interval_seconds: int | None = 300
    cron: str | None = None
    server_host: str = "127.0.0.1"
    server_port: int = 8080
    server_request_timeout: float = 10.0  # seconds for a request to arrive whole
    server_connections_per_client: int = 32  # 0: no cap (behind a reverse proxy)
    # `[state] url` or $SYNDICATOR_STATE_URL: a postgresql:// store instead of
    # the SQLite file in state_directory (which still holds the lock and rejected/).
    state_url: str | None = None
    # `[output] url`: the output folder is also uploaded there after each render.
    object_storage: ObjectStorage | None = None
    # `[state] lease`: how long a daemon's hold on a PostgreSQL store lasts
    # unless renewed; another daemon takes over once it has run out.
    lease_seconds: int = 30

    @property
    def store_location(self) -> str | Path:
        """Where the store is: the configured URL, else the SQLite file in the state directory."""
        return self.state_url or self.state_directory / STORE_NAME

    def with_overrides(
        self,
        *,
        sources: tuple[Path | str, ...] = (),
        output: Path | None = None,
        state: Path | None = None,
        items: int | None = None,
    ) -> Config:
        """The CLI's `--source`, `--output`, `--state` and `--items`: a one-off publish of
        any folder or URL. Another output is another set of feeds, so it gets its own
        state (`state`, chosen by the caller, never inside the published folder)."""
        cfg = self
        if sources:
            cfg = replace(
                cfg,
                sources=tuple(
                    SourceConfig(
                        name=public_url(p),
                        kind="url",
                        options={"url": p},
                        site_url=self.site.base_url,
                        config_path=str(self.path),
                        key=f"sources[{i}]",
                    )
                    if isinstance(p, str) and p.startswith(("http://", "https://"))
                    else SourceConfig(
                        name=str(p),
                        kind="directory",
                        options={"path": Path(p).resolve()},
                        config_path=str(self.path),
                        key=f"sources[{i}]",
                    )
                    for i, p in enumerate(sources)
                ),
            )
        if output is not None:
            cfg = replace(cfg, output=replace(cfg.output, directory=output.resolve()))
        if state is not None:
            cfg = replace(cfg, state_directory=state.resolve(), state_url=None)
        if items is not None:
            if items < 1:
                raise ConfigError("--items", "", "must be 1 or more")
            cfg = replace(cfg, output=replace(cfg.output, items=items))
        return cfg


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
    "state": ("directory", "url", "lease"),
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


def load_config(path: Path) -> Config:
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
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
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
    return Config(
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
