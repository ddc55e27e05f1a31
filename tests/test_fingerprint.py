"""What shapes the output and what shapes normalization is every setting but the
few named as irrelevant: a new setting can cost a needless re-render, never
stale feeds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from sitekit import write_config

from syndicator.config import Config, OutputConfig, SiteConfig, load_config
from syndicator.fingerprint import NOT_NORMALIZING, NOT_RENDERING
from syndicator.intake import normalizer_fingerprint
from syndicator.output import output_fingerprint


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path))


def changed(value: Any) -> Any:
    """Another value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, "x") if not value else value[:-1]
    if isinstance(value, Path):
        return value / "x"
    if isinstance(value, Mapping):
        return {**value, "x": None}
    from zoneinfo import ZoneInfo

    if isinstance(value, ZoneInfo):
        return ZoneInfo("Asia/Tokyo")
    raise AssertionError(f"no other value for {value!r}")


@pytest.mark.parametrize("name", [f.name for f in fields(SiteConfig)])
def test_every_site_setting_shapes_both_the_output_and_normalization(config: Config, name: str) -> None:
    other = replace(config, site=replace(config.site, **{name: changed(getattr(config.site, name) or "")}))

    assert output_fingerprint(other) != output_fingerprint(config)
    assert normalizer_fingerprint(other) != normalizer_fingerprint(config)


@pytest.mark.parametrize("name", [f.name for f in fields(OutputConfig)])
def test_every_output_setting_shapes_the_output(config: Config, name: str) -> None:
    other = replace(config, output=replace(config.output, **{name: changed(getattr(config.output, name))}))

    assert output_fingerprint(other) != output_fingerprint(config)
    assert normalizer_fingerprint(other) == normalizer_fingerprint(config)  # records read the same


def test_an_edited_rules_file_is_a_changed_setting(config: Config, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('extends = "default"\n')
    before = normalizer_fingerprint(replace(config, rules_path=rules))
    rules.write_text('extends = "default"\n[lang.en]\nboilerplate = ["Sponsored"]\n')

    assert normalizer_fingerprint(replace(config, rules_path=rules)) != before


def test_only_the_settings_named_as_irrelevant_are_left_out(config: Config) -> None:
    for field in fields(Config):
        if field.name in ("path", "sources", "output", "site"):
            continue
        value = getattr(config, field.name)
        if value is None or (isinstance(value, Path) and field.name.endswith("_path")):
            continue
        other = replace(config, **{field.name: changed(value)})
        assert (output_fingerprint(other) != output_fingerprint(config)) == (field.name not in NOT_RENDERING)
        assert (normalizer_fingerprint(other) != normalizer_fingerprint(config)) == (
            field.name not in NOT_NORMALIZING
        )


def test_moving_the_store_to_postgresql_neither_reads_the_sources_again_nor_renders_again(
    config: Config,
) -> None:
    moved = replace(config, state_url="postgresql://publisher:secret@db.internal/news", lease_seconds=90)

    assert normalizer_fingerprint(moved) == normalizer_fingerprint(config)
    assert output_fingerprint(moved) == output_fingerprint(config)


@pytest.mark.parametrize("field, value", [("interval_seconds", 3600), ("cron", "0 * * * *")])
def test_the_schedule_is_a_rendering_setting(config: Config, field: str, value: object) -> None:
    """The schedule is in the feeds: RSS <ttl> and sy:updatePeriod/updateFrequency
    come from the interval (none with a cron), so changing it renders every feed again."""
    assert output_fingerprint(replace(config, **{field: value})) != output_fingerprint(config)
