"""The built wheel, installed into a fresh virtual environment and run in a
folder outside the checkout: what a user gets from `pip install syndicator`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `syndicator` command of a fresh virtual environment holding only the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next((root / "dist").glob("syndicator-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    subprocess.run(
        [str(root / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True
    )
    return root / "venv" / "bin" / "syndicator"


Runner = Callable[..., subprocess.CompletedProcess[str]]


def use(command: Path, home: Path) -> Runner:
    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("SYNDICATOR_CONFIG", "PYTHONPATH")}
        return subprocess.run(
            [str(command), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**env, "HOME": str(home), "XDG_STATE_HOME": str(home / ".state")},
            timeout=120,
        )

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_installed_wheel_works_in_any_folder(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run = use(installed, home)
    work = tmp_path / "work"
    work.mkdir()
    assert not str(work).startswith(str(REPO))

    steps = {
        "init": run("init", "--title", "Harbour News", cwd=work),
        "publish": run("publish", cwd=work),
        "validate": run("validate", "articles", cwd=work),
        "history": run("history", cwd=work),
    }
    for name, result in steps.items():
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr, name
    assert feedparser.parse((work / "public" / "atom.xml").read_bytes()).feed.title == "Harbour News"

    port = free_port()
    server = subprocess.Popen(
        [str(installed), "serve", "--port", str(port)], cwd=work, stderr=subprocess.PIPE, text=True
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/rss.xml", timeout=5) as answer:
                    body = answer.read()
                break
            except OSError:
                time.sleep(0.1)
        assert feedparser.parse(body).entries[0].title == "Welcome to Harbour News"
    finally:
        server.terminate()
        server.wait(timeout=10)

    loose = tmp_path / "loose"
    (loose / "notes").mkdir(parents=True)
    (loose / "notes" / "quay.txt").write_text(
        "New quay opens\n\nThe new quay opened to ferries on Tuesday morning.\n", encoding="utf-8"
    )
    one_off = run("publish", "--source", "notes", "--output", "site", cwd=loose)
    assert one_off.returncode == 0, one_off.stdout + one_off.stderr
    item = json.loads((loose / "site" / "feed.json").read_text())["items"][0]
    retracted = run("retract", "--output", "site", item["id"], cwd=loose)
    assert retracted.returncode == 0, retracted.stderr
    assert json.loads((loose / "site" / "feed.json").read_text())["items"] == []
    assert not list((loose / "site").rglob("*.sqlite3"))
