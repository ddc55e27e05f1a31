"""One-off outputs: `publish --source DIR --output OUT` with no configuration.

Such an output is a site of its own: it gets a neutral identity (a title from
`--title` or the source folder's name, `--base-url`, each record's own
language) and a state directory outside the folder that gets published, so
that `history`, `retract`, `discover` and `serve` can reach it later with
`--output OUT`. The identity is written there as an ordinary configuration
file, `syndicator.toml`, so a later run (or a person) reads exactly what the
first run assumed, and the feeds keep their title and ids.

Where the state lives, in order: `--state DIR`; `OUT/.syndicator` when an
earlier version of syndicator left a store there; otherwise
`$SYNDICATOR_STATE_HOME` (default `$XDG_STATE_HOME/syndicator`, else
`~/.local/state/syndicator`) `/outputs/<folder>-<hash of the path>/`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from syndicator.config import STORE_NAME, Config, load_config, parse_config
from syndicator.errors import ConfigError

STATE_HOME_ENV = "SYNDICATOR_STATE_HOME"
CONFIG_NAME = "syndicator.toml"  # the one-off output's own configuration, in its state directory
LEGACY_STATE = ".syndicator"  # where versions up to 0.1 kept a one-off output's state
DEFAULT_BASE_URL = "http://localhost:8080/"  # where `syndicator serve` serves the folder


@dataclass(frozen=True)
class OneOff:
    """A one-off output's configuration, and what was assumed to build it."""

    config: Config
    assumed: tuple[str, ...]  # one line each, shown to the user on the first run
    first_run: bool  # no earlier run wrote this output


def state_home() -> Path:
    explicit = os.environ.get(STATE_HOME_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "syndicator"


def state_for_output(output: Path) -> Path:
    """The state directory of an output folder (see the module docstring)."""
    directory = output.resolve()
    legacy = directory / LEGACY_STATE
    if (legacy / STORE_NAME).is_file():
        return legacy
    digest = hashlib.sha256(str(directory).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", directory.name).strip("-.") or "output"
    return state_home() / "outputs" / f"{name}-{digest}"


def foreign_files(output: Path, state: Path) -> list[str]:
    """Files in `output` that syndicator did not write: all of them, before its first run there."""
    if (state / STORE_NAME).is_file() or not output.is_dir():
        return []
    return sorted(p.name for p in output.iterdir() if p.name != LEGACY_STATE)


def one_off_config(
    *,
    output: Path,
    state: Path | None = None,
    sources: tuple[Path | str, ...] = (),
    title: str | None = None,
    base_url: str | None = None,
    items: int | None = None,
) -> OneOff:
    """The configuration of a one-off output, created on its first run and kept
    in its state directory; `title`, `base_url` and `items` given again replace
    what was kept."""
    state_dir = (state or state_for_output(output)).resolve()
    path = state_dir / CONFIG_NAME
    kept = _read(path)
    site = dict(kept.get("site", {}))
    out = dict(kept.get("output", {}))
    assumed: list[str] = []
    if title is not None:
        site["title"] = title
    elif "title" not in site:
        site["title"] = _default_title(sources, output)
        assumed.append(f"title {site['title']!r} (from the folder name; set it with --title)")
    if base_url is not None:
        site["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
        site["feeds_url"] = site["base_url"]
    elif "base_url" not in site:
        site["base_url"] = site["feeds_url"] = DEFAULT_BASE_URL
        assumed.append(
            f"served at {DEFAULT_BASE_URL} (`syndicator serve --output`); set the public URL with --base-url"
        )
    if "language" not in site:
        site["language"] = ""
        assumed.append("each article's language from the record or its text")
    site.setdefault("timezone", "UTC")
    out["directory"] = str(output.resolve())
    if items is not None:
        out["items"] = items
    # Archive pages keep the length they were first written with, whatever --items says later.
    out.setdefault("archive_page_size", out.get("items", 50))
    text = _toml(site, out)
    state_dir.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    config = load_config(path).with_overrides(sources=sources)
    first = not (state_dir / STORE_NAME).is_file()
    if first:
        assumed.append(f"state kept in {state_dir}")
    return OneOff(config=config, assumed=tuple(assumed) if first else (), first_run=first)


def existing_one_off(output: Path | None, state: Path | None) -> Config:
    """The configuration of an output a one-off publish already wrote."""
    if output is None and state is None:
        raise ConfigError("--output", "", "name the output folder (--output DIR) or its state (--state DIR)")
    state_dir = (state or state_for_output(output or Path("."))).resolve()
    path = state_dir / CONFIG_NAME
    if not path.is_file():
        where = str(output) if output is not None else str(state_dir)
        raise ConfigError(where, "", "no one-off publish has written here (nothing to read)")
    return load_config(path)


def _default_title(sources: tuple[Path | str, ...], output: Path) -> str:
    for source in sources:
        if isinstance(source, str):
            host = urlsplit(source).hostname
            if host:
                return host
        else:
            name = Path(source).resolve().name
            if name:
                return name
    return output.resolve().name or "Feed"


def _read(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(str(path), "", f"cannot read the kept configuration: {e}") from e
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def _toml(site: dict[str, object], output: dict[str, object]) -> str:
    """A small TOML writer for flat tables of strings and integers: JSON string
    escapes are valid TOML basic strings."""
    lines = [
        "# The configuration of a one-off output, written by `syndicator publish --output`.",
        "# Edit it or pass --title / --base-url again; sources are given with --source each time.",
        "",
    ]
    for name, table in (("site", site), ("output", output)):
        lines.append(f"[{name}]")
        for key, value in table.items():
            rendered = str(value) if isinstance(value, int) else json.dumps(str(value), ensure_ascii=False)
            lines.append(f"{key} = {rendered}")
        lines.append("")
    lines += ["[state]", 'directory = "."', ""]
    return "\n".join(lines)


def neutral_config(sources: tuple[Path | str, ...] = ()) -> Config:
    """A site with no configuration at all, for `validate` of any folder: nothing is written."""
    data = {
        "site": {
            "title": _default_title(sources, Path.cwd()),
            "base_url": DEFAULT_BASE_URL,
            "language": "",
            "timezone": "UTC",
        },
        "output": {"directory": "public"},
    }
    return parse_config(data, Path.cwd() / CONFIG_NAME, folders=False).with_overrides(
        sources=sources, folders=False
    )
