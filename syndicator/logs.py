"""Logging set-up for the entry points; library modules only log."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers (`--log-format json`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        report = getattr(record, "report", None)
        if report is not None:
            entry["report"] = report
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = repr(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False, sort_keys=True)


def configure_logging(*, level: int, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # waitress logs one line per queued request under load; only its errors matter here.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
