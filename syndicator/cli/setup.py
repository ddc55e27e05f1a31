"""`init` and `completion`: the commands that set syndicator up rather than run it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from syndicator.cli._shell import ExitStatus, cli, exit_statuses, handle_errors
from syndicator.config import CONFIG_CANDIDATES, load_config
from syndicator.defaults import SITE_TEMPLATE_PATH
from syndicator.errors import ConfigError

WELCOME_RECORD = {
    "id": "welcome",
    "title": "Welcome to {title}",
    "summary": "The first article of {title}, published by syndicator.",
    "content_html": (
        "<p>This article comes from <code>articles/welcome.json</code>. Put your own"
        " records in that folder (JSON, JSON Lines, plain text or saved HTML pages),"
        " remove this one, and run <code>syndicator publish</code> again.</p>"
    ),
    "category": "News",
    "url": "{base_url}welcome",
}


@cli.command(
    epilog="""\b
Examples:
  syndicator init                       a site in the current folder
  syndicator init mysite --title "My news" --base-url https://news.example.com/
  syndicator init mysite --language fr-FR --timezone Europe/Paris

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.USAGE, ExitStatus.CONFIG),
)
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--title", help="The site's title [default: the folder's name].")
@click.option(
    "--base-url",
    default="https://example.com/",
    show_default=True,
    help="The site's home page; the feeds are served under <base-url>feeds/.",
)
@click.option("--language", default="en", show_default=True, help="The site's language (BCP 47).")
@click.option("--timezone", default="UTC", show_default=True, help="Time zone of dates without offset.")
@click.option("--force", is_flag=True, help="Replace an existing syndicator.toml.")
@handle_errors
def init(
    directory: Path, title: str | None, base_url: str, language: str, timezone: str, force: bool
) -> None:
    """Create a new site: a commented syndicator.toml, an articles/ folder with a
    first record, ready for `syndicator publish`."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("--base-url", "", f"{base_url!r} is not an absolute http(s) URL")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ConfigError("--timezone", "", f"unknown time zone {timezone!r}") from e
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    directory = directory.resolve()
    title = title or directory.name or "My news"
    config_path = directory / CONFIG_CANDIDATES[0]
    if config_path.exists() and not force:
        click.echo(f"syndicator: error: {config_path} exists (use --force to replace it)", err=True)
        sys.exit(ExitStatus.USAGE)
    values = {
        "title": title,
        "title_toml": json.dumps(title, ensure_ascii=False),
        "base_url_toml": json.dumps(base_url),
        "feeds_url_toml": json.dumps(base_url + "feeds/"),
        "language_toml": json.dumps(language),
        "timezone_toml": json.dumps(timezone),
    }
    text = SITE_TEMPLATE_PATH.read_text(encoding="utf-8").format(**values)
    directory.mkdir(parents=True, exist_ok=True)
    articles = directory / "articles"
    articles.mkdir(exist_ok=True)
    welcome = articles / "welcome.json"
    new_files = [config_path]
    if not any(articles.iterdir()):
        record = {k: v.format(title=title, base_url=base_url) for k, v in WELCOME_RECORD.items()}
        record["language"] = language
        welcome.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        new_files.append(welcome)
    config_path.write_text(text, encoding="utf-8")
    load_config(config_path)  # what init writes must load; a bad --language fails here, not later
    for path in new_files:
        click.echo(f"wrote {os.path.relpath(path)}")
    where = "" if directory == Path.cwd().resolve() else f"cd {os.path.relpath(directory)} && "
    click.echo(f"next: {where}syndicator publish   (feeds in public/; `syndicator serve` shows them)")


SHELLS = ("bash", "zsh", "fish")


@cli.command(
    epilog="""\b
Examples:
  syndicator completion bash >> ~/.bashrc
  syndicator completion zsh > "${fpath[1]}/_syndicator"
  syndicator completion fish > ~/.config/fish/completions/syndicator.fish

"""
    + exit_statuses(ExitStatus.OK, ExitStatus.USAGE),
)
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish."""
    from click.shell_completion import get_completion_class

    completer_class = get_completion_class(shell)
    assert completer_class is not None  # click ships all three
    completer = completer_class(cli, {}, "syndicator", "_SYNDICATOR_COMPLETE")
    click.echo(completer.source())
