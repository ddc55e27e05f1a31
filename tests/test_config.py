"""The configuration: every mistake is one ConfigError naming the file and the dotted key."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sitekit import write_config as write_site

from syndicator.config import (
    Config,
    load_config,
    resolve_config_path,
)
from syndicator.defaults import RULES_PATH, SCHEMA_PATH
from syndicator.errors import ConfigError
from syndicator.sources import check_sources, source_kind

SHIPPED = Path(__file__).resolve().parents[1] / "config" / "syndicator.toml"

MINIMAL = """
[site]
title = "Example News"
base_url = "https://news.example.org/"
"""


def write_config(tmp_path: Path, text: str, name: str = "syndicator.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> ConfigError:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == str(path)
    return info.value


# -- the shipped configuration ------------------------------------------------


def test_shipped_configuration_loads() -> None:
    config = load_config(SHIPPED)
    assert config.site.title == "Le Monde en Bref"
    assert config.site.base_url == "https://news.example.org/"
    assert config.site.feeds_url == "https://news.example.org/feeds/"
    assert config.site.language == "fr"
    assert config.site.timezone == ZoneInfo("Europe/Paris")
    assert [(s.name, s.kind) for s in config.sources] == [("samples", "directory")]
    assert config.output.formats == ("rss", "atom", "json")
    assert config.interval_seconds == 15 * 60


def test_shipped_configuration_points_at_files_that_exist() -> None:
    config = load_config(SHIPPED)
    assert config.rules_path.is_file()
    assert config.schema_path.is_file()
    assert config.taxonomy_path is not None and config.taxonomy_path.is_file()
    assert Path(config.sources[0].options["path"]).is_dir()


def test_minimal_configuration_takes_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL))
    assert config.site.feeds_url == "https://news.example.org/feeds/"
    assert config.site.language == "en"
    assert config.site.timezone == ZoneInfo("UTC")
    assert config.site.author is None
    assert config.sources == ()
    assert config.output.items == 50
    assert config.output.category_feeds is True
    assert config.interval_seconds == 300
    assert config.cron is None
    assert (config.server_host, config.server_port) == ("127.0.0.1", 8080)
    assert config.taxonomy_path is None
    assert (config.rules_path, config.schema_path) == (RULES_PATH, SCHEMA_PATH)  # shipped defaults


def test_feeds_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL + 'feeds_url = "https://cdn.example.org/f"\n'))
    assert config.site.feeds_url == "https://cdn.example.org/f/"


# -- unknown keys ---------------------------------------------------------------


def test_unknown_key_names_file_dotted_key_and_suggests_the_nearest(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + 'titel = "Typo"\n')
    assert error.key == "site.titel"
    assert "did you mean 'title'" in error.message
    assert str(error).startswith(f"{tmp_path / 'syndicator.toml'}: site.titel: ")


def test_unknown_top_level_table_suggests_the_nearest(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + "[outptu]\nitems = 3\n")
    assert error.key == "outptu"
    assert "did you mean 'output'" in error.message


def test_unknown_key_far_from_any_known_key_gets_no_suggestion(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + "[server]\nzzzzzz = 1\n")
    assert error.key == "server.zzzzzz"
    assert "did you mean" not in error.message


def test_unknown_output_format_suggests_the_nearest(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + '[output]\nformats = ["rss", "aton"]\n')
    assert error.key == "output.formats[1]"
    assert "did you mean 'atom'" in error.message


# -- types and values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ('[output]\nitems = "fifty"\n', "output.items", "whole number"),
        ("[output]\nitems = 0\n", "output.items", "1 or more"),
        ("[output]\nitems = true\n", "output.items", "whole number"),
        ('[output]\ncategory_feeds = "yes"\n', "output.category_feeds", "true or false"),
        ('[output]\nformats = "rss"\n', "output.formats", "list of strings"),
        ("[server]\nport = 70000\n", "server.port", "port number"),
        ('[server]\nport = "80"\n', "server.port", "port number"),
        ("[server]\nrequest_timeout = 0\n", "server.request_timeout", "above 0"),
        ("[server]\nconnections_per_client = -1\n", "server.connections_per_client", "0 or more"),
        ('[websub]\nhubs = ["not a url"]\n', "websub.hubs[0]", "absolute http(s) URL"),
        ("output = 3\n", "output", "must be a table"),
    ],
)
def test_wrong_types_name_the_dotted_key(tmp_path: Path, extra: str, key: str, words: str) -> None:
    # Top-level keys must come before [site]; table sections can follow it.
    text = extra + MINIMAL if not extra.startswith("[") else MINIMAL + extra
    error = config_error(tmp_path, text)
    assert error.key == key
    assert words in error.message


def test_title_must_be_a_string(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[site]\ntitle = 3\nbase_url = "https://news.example.org/"\n')
    assert error.key == "site.title"
    assert "must be a string, not int" in error.message


def test_missing_site_table_is_an_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[output]\nitems = 3\n")
    assert error.key == "site"
    assert "missing" in error.message


def test_missing_title_is_an_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[site]\nbase_url = "https://news.example.org/"\n')
    assert error.key == "site.title"


def test_blank_title_is_an_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[site]\ntitle = "  "\nbase_url = "https://news.example.org/"\n')
    assert error.key == "site.title"
    assert "empty" in error.message


@pytest.mark.parametrize("url", ["news.example.org", "ftp://news.example.org/", "https://", "/feeds/"])
def test_base_url_must_be_an_absolute_http_url(tmp_path: Path, url: str) -> None:
    error = config_error(tmp_path, f'[site]\ntitle = "T"\nbase_url = "{url}"\n')
    assert error.key == "site.base_url"
    assert "absolute http(s) URL" in error.message
    assert url in error.message


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe", "", "../etc/passwd"])
def test_unknown_time_zone_is_a_config_error(tmp_path: Path, zone: str) -> None:
    error = config_error(tmp_path, MINIMAL + f'timezone = "{zone}"\n')
    assert error.key == "site.timezone"
    assert "unknown time zone" in error.message
    assert error.__cause__ is not None


def test_not_toml_is_a_config_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[site\ntitle = ")
    assert error.key == ""
    assert "not valid TOML" in error.message


def test_missing_file_suggests_the_config_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.toml")
    assert "--config" in info.value.message


# -- schedule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "seconds"),
    [("90s", 90), ("5m", 300), ("2h", 7200), ("1d", 86400), ("45", 45), (" 10M ", 600)],
)
def test_interval_units(tmp_path: Path, interval: str, seconds: int) -> None:
    config = load_config(write_config(tmp_path, MINIMAL + f'[schedule]\ninterval = "{interval}"\n'))
    assert config.interval_seconds == seconds


@pytest.mark.parametrize("interval", ["0m", "-5m", "1.5h", "soon", "", "5w"])
def test_bad_interval_is_a_config_error(tmp_path: Path, interval: str) -> None:
    error = config_error(tmp_path, MINIMAL + f'[schedule]\ninterval = "{interval}"\n')
    assert error.key == "schedule.interval"
    assert "is not an interval" in error.message


# -- sources ----------------------------------------------------------------------


def test_duplicate_source_names_are_an_error(tmp_path: Path) -> None:
    error = config_error(
        tmp_path,
        MINIMAL + '[[sources]]\nname = "wire"\npath = "a"\n[[sources]]\nname = "wire"\npath = "b"\n',
    )
    assert error.key == "sources[1].name"
    assert "'wire' is used twice" in error.message


def test_source_without_name_is_an_error(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + '[[sources]]\npath = "a"\n')
    assert error.key == "sources[0].name"


def test_sources_must_be_an_array_of_tables(tmp_path: Path) -> None:
    error = config_error(tmp_path, MINIMAL + '[sources]\nname = "a"\n')
    assert error.key == "sources"


def test_source_kind_defaults_to_directory(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL + '[[sources]]\nname = "a"\npath = "in"\n'))
    assert config.sources[0].kind == "directory"


# -- paths ------------------------------------------------------------------------


def test_paths_are_relative_to_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc" / "syndicator"
    folder.mkdir(parents=True)
    path = write_config(
        folder,
        MINIMAL
        + '[[sources]]\nname = "wire"\npath = "incoming"\n'
        + '[output]\ndirectory = "../public"\n'
        + '[state]\ndirectory = "state"\n'
        + '[normalize]\nrules = "my-rules.toml"\ntaxonomy = "sections.toml"\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(path)
    assert Path(config.sources[0].options["path"]).resolve() == folder / "incoming"
    assert config.output.directory.resolve() == tmp_path / "etc" / "public"
    assert config.state_directory.resolve() == folder / "state"
    assert config.rules_path.resolve() == folder / "my-rules.toml"
    assert config.taxonomy_path is not None
    assert config.taxonomy_path.resolve() == folder / "sections.toml"
    assert config.schema_path == SCHEMA_PATH  # not named: the one shipped in the package


def test_absolute_paths_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "abs-out"
    config = load_config(write_config(tmp_path, MINIMAL + f'[output]\ndirectory = "{target}"\n'))
    assert config.output.directory == target


def test_config_path_comes_from_option_then_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNDICATOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="syndicator init"):
        resolve_config_path(None)  # none anywhere: the error says how to make one
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "syndicator.toml").write_text("")
    assert resolve_config_path(None) == Path("config/syndicator.toml")  # a clone of the repository
    (tmp_path / "syndicator.toml").write_text("")
    assert resolve_config_path(None) == Path("syndicator.toml")  # what `syndicator init` writes
    monkeypatch.setenv("SYNDICATOR_CONFIG", str(tmp_path / "env.toml"))
    assert resolve_config_path(None) == tmp_path / "env.toml"
    assert resolve_config_path(tmp_path / "cli.toml") == tmp_path / "cli.toml"


# -- command-line overrides ----------------------------------------------------------


def loaded(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, MINIMAL + '[[sources]]\nname = "wire"\npath = "in"\n'))


def test_source_override_replaces_the_configured_sources(tmp_path: Path) -> None:
    config = loaded(tmp_path).with_overrides(sources=(Path("a"), tmp_path / "b"))
    assert [s.kind for s in config.sources] == ["directory", "directory"]
    assert [s.options["path"] for s in config.sources] == [Path("a").resolve(), tmp_path / "b"]
    assert len({s.name for s in config.sources}) == 2


def test_output_override_replaces_the_directory_only(tmp_path: Path) -> None:
    base = loaded(tmp_path)
    config = base.with_overrides(output=tmp_path / "out")
    assert config.output.directory == tmp_path / "out"
    assert config.output.items == base.output.items
    assert config.sources == base.sources


def test_items_override(tmp_path: Path) -> None:
    config = loaded(tmp_path).with_overrides(items=7)
    assert config.output.items == 7


def test_items_override_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        loaded(tmp_path).with_overrides(items=0)
    assert info.value.path == "--items"


def test_no_overrides_is_the_same_config(tmp_path: Path) -> None:
    base = loaded(tmp_path)
    assert base.with_overrides() == base


def wire_source(tmp_path: Path, keys: str) -> Config:
    sources = (
        '[[sources]]\nname = "articles"\nkind = "directory"\npath = "articles"\n'
        f'[[sources]]\nname = "wire"\nkind = "feed"\n{keys}'
    )
    return load_config(write_site(tmp_path, sources=sources))


def test_a_source_kind_names_the_file_and_dotted_key_where_it_finds_the_mistake(tmp_path: Path) -> None:
    config = wire_source(tmp_path, 'url = "wire.example/rss.xml"\n')

    with pytest.raises(ConfigError) as info:
        source_kind("feed").check(config.sources[1])  # the kind itself, not only check_sources

    assert (info.value.path, info.value.key) == (str(config.path), "sources[1].url")


def test_a_record_limit_mistake_names_the_source_s_key(tmp_path: Path) -> None:
    config = wire_source(tmp_path, 'url = "https://wire.example/rss.xml"\nmax_record_bytes = 0\n')

    with pytest.raises(ConfigError) as info:
        check_sources(config)

    assert (info.value.path, info.value.key) == (str(config.path), "sources[1].max_record_bytes")


# -- folders: what the published output folder must not hold ------------------


@pytest.mark.parametrize(
    ("tables", "key", "words"),
    [
        ('[output]\ndirectory = "public"\n[state]\ndirectory = "public/state"\n', "state.directory", "store"),
        (
            '[output]\ndirectory = "."\n[state]\ndirectory = "../state"\n',
            "output.directory",
            "configuration file",
        ),
        (
            '[[sources]]\nname = "a"\nkind = "directory"\npath = "public/articles"\n'
            '[output]\ndirectory = "public"\n',
            "sources[0].path",
            "records would be published",
        ),
        (
            '[[sources]]\nname = "a"\nkind = "directory"\npath = "."\n[output]\ndirectory = "public"\n',
            "sources[0].path",
            "read the feeds as records",
        ),
    ],
)
def test_the_published_folder_never_holds_the_store_the_configuration_or_the_records(
    tmp_path: Path, tables: str, key: str, words: str
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    error = config_error(site, MINIMAL + tables)
    assert error.key == key and words in error.message


def test_a_one_off_output_over_its_source_is_refused(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL))
    with pytest.raises(ConfigError, match="read the feeds as records"):
        config.with_overrides(
            sources=(tmp_path,), output=tmp_path / "public", state=tmp_path.parent / "state"
        )


def test_a_store_in_a_dot_folder_of_the_output_is_accepted_as_it_is_never_served(tmp_path: Path) -> None:
    # Where one-off outputs of older versions kept their state.
    site = tmp_path / "site"
    site.mkdir()
    config = load_config(
        write_config(
            site, MINIMAL + '[output]\ndirectory = "public"\n[state]\ndirectory = "public/.syndicator"\n'
        )
    )
    assert config.state_directory == site / "public" / ".syndicator"
