"""Real headless Chromium (Debian's `chromium` package), run once per page.

Imported as `chromiumkit` by the browser tests and their conftest.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Phone-sized window: the pages must read well where most feed links are opened.
PHONE = "412,915"


@dataclass(frozen=True)
class Chromium:
    """Runs one headless Chromium per call, with a fresh profile, nothing from the network."""

    executable: Path
    profile: Path

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        command = [
            str(self.executable),
            "--headless",
            "--no-sandbox",  # root in CI containers; the pages are our own, served locally
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={self.profile}",
            *args,
        ]
        return subprocess.run(command, capture_output=True, timeout=120, check=True)

    def dump_dom(self, url: str, *, settle_ms: int = 0) -> str:
        """The DOM after load, serialized: what the page shows, not what was sent.

        `settle_ms` lets timers and load/error events of the page run first
        (virtual time: it costs no real waiting when nothing is pending).
        """
        settle = (f"--virtual-time-budget={settle_ms}",) if settle_ms else ()
        return self._run(*settle, "--dump-dom", url).stdout.decode("utf-8")

    def screenshot(self, url: str, path: Path, window: str = PHONE) -> Path:
        self._run(f"--screenshot={path}", f"--window-size={window}", "--hide-scrollbars", url)
        return path
