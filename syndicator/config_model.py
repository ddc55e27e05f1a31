"""The configuration as values: what `config.load_config` makes of syndicator.toml.

Frozen dataclasses, one per table, handed to every stage; parsing and checking
them is `syndicator.config`'s work, which re-exports these names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from syndicator.errors import ConfigError
from syndicator.redact import public_url, shareable_url
from syndicator.render import FORMATS

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
    # `[state] history`: the runs whose events, report and kept rejections the store
    # keeps (the newest; 0 keeps all): a daemon's history must not grow without end.
    history_runs: int = 10_000

    @property
    def advertised_hubs(self) -> tuple[str, ...]:
        """The WebSub hubs as feeds and the server's Link headers name them to readers:
        without the credentials a hub URL may carry for the publisher's pings."""
        return tuple(shareable_url(hub) for hub in self.hubs)

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
        folders: bool = True,
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
        if folders:  # off for `validate`, which writes and serves nothing
            check_folders(cfg)
        return cfg


def check_folders(config: Config) -> None:
    """The output folder is published whole (`serve`, the daemon, a bucket): it must
    hold neither the store, nor the configuration file, nor a source's records
    (drafts and embargoed ones too), but in a dot-folder, which is never served
    nor uploaded (older one-off outputs kept their state in `.syndicator`); and no
    source may read the feeds as records."""
    output = config.output.directory.resolve()

    def within(path: Path, folder: Path) -> bool:
        inside = path.resolve()
        if not inside.is_relative_to(folder):
            return False
        return not any(part.startswith(".") for part in inside.relative_to(folder).parts)

    where = str(config.path)
    if config.state_url is None and within(config.state_directory, output):
        raise ConfigError(
            where,
            "state.directory",
            f"{config.state_directory} is inside output.directory ({output}): the store would be"
            " published with the feeds; put the state beside the output folder",
        )
    if config.path.name and within(config.path, output):
        raise ConfigError(
            where,
            "output.directory",
            f"{output} holds this configuration file, which would be published with the feeds;"
            " publish into a folder of its own",
        )
    for source in config.sources:
        folder = source.options.get("path") if source.kind == "directory" else None
        if not isinstance(folder, Path):
            continue
        if within(folder, output):
            raise source.error(
                "path",
                f"{folder} is inside output.directory ({output}): its records would be published as files",
            )
        if within(output, folder.resolve()):
            raise source.error(
                "path",
                f"{folder} holds output.directory ({output}): the source would read the feeds as records",
            )
