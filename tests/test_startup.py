"""Commands import only what they use: `--version` loads no heavy library, and
a publish with nothing new loads neither the renderers nor the extractors."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sitekit import REPO, record

from syndicator.cli import COMMAND_MODULES, cli

HEAVY = ("feedgen", "lxml.html", "readability", "trafilatura", "rich", "jsonschema", "psycopg", "apscheduler")


# `syndicator ARGV`, then the names of every module loaded, as the process ends
# (`-X importtime` does not list a module imported through importlib.import_module,
# as the group imports a command's module).
PROBE = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("\\nloaded: " + " ".join(sorted(sys.modules)) + "\\n"))
sys.argv = ["syndicator", *sys.argv[1:]]
from syndicator.__main__ import run
run()
"""


def imported(argv: list[str], cwd: Path) -> set[str]:
    """The modules a fresh `syndicator ARGV` imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 4), done.stderr[-2000:]
    return set(done.stderr.rsplit("\nloaded: ", 1)[1].split())


def test_version_imports_no_heavy_library_and_no_command() -> None:
    loaded = imported(["--version"], REPO)
    assert "click" in loaded  # the measure sees the command line's own imports
    assert not loaded & {*HEAVY, "requests", "syndicator.pipeline", "syndicator.store"}
    # Neither the commands nor the configuration they read.
    assert not loaded & {*COMMAND_MODULES.values(), "syndicator.config", "syndicator.model"}


def test_a_command_imports_its_own_module_and_no_other_command() -> None:
    loaded = imported(["init", "--help"], REPO)
    assert "syndicator.cli.setup" in loaded
    assert not loaded & (set(COMMAND_MODULES.values()) - {"syndicator.cli.setup"})


def test_every_command_is_found_in_the_module_the_group_imports_for_it() -> None:
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(module)
    assert sorted(cli.commands) == sorted(COMMAND_MODULES)
    for name, command in cli.commands.items():
        assert command.callback is not None and command.callback.__module__ == COMMAND_MODULES[name], name


def test_a_publish_with_nothing_new_loads_neither_renderers_nor_extractors(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1), record(2)])
    first = imported(["publish", "--quiet"], site)
    assert "feedgen" in first  # the first run renders
    again = imported(["publish", "--quiet"], site)
    assert not again & {
        *HEAVY,
        "requests",
        "syndicator.render.rss",
        "syndicator.normalize.json_record",
        "syndicator.objectstore",  # only where `[output] url` names a bucket
        "syndicator.server",
    }


def test_a_publish_of_new_records_from_a_folder_loads_no_http_client(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1)])
    imported(["publish", "--quiet"], site)
    add_records("b.json", [record(2)])
    loaded = imported(["publish", "--quiet"], site)
    assert "syndicator.normalize.json_record" in loaded  # the new record was read
    assert not loaded & {"requests", "urllib3", "syndicator.sources.http", "syndicator.server"}


def test_records_that_state_their_language_in_clean_text_load_no_detector_and_no_mojibake_fixer(
    site: Path, add_records: Callable[..., Path]
) -> None:
    add_records("a.json", [record(1, language="fr"), record(2, language="en")])
    loaded = imported(["publish", "--quiet"], site)
    assert "syndicator.normalize.json_record" in loaded  # the records were read
    assert not loaded & {"py3langid", "numpy", "ftfy"}
    add_records("b.json", [record(3, language=None, title="Ã©tÃ© " * 3, content_html="<p>" + "word " * 60)])
    assert {"py3langid", "numpy", "ftfy"} <= imported(["publish", "--quiet"], site)
