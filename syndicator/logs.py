"""Logging set-up for the entry points; library modules only log."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from syndicator.redact import scrub_text


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


class RedactingFormatter(logging.Formatter):
    """Any formatter's line with its URLs made public (no userinfo, no secret query value).

    The last guard: urllib3's debug lines (`-vv`) quote request targets with
    their query strings, and a library's message may quote a URL it was given.
    """

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return scrub_text(self.inner.format(record))


def configure_logging(*, level: int, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(RedactingFormatter(JsonFormatter()))
    else:
        handler.setFormatter(
            RedactingFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # waitress logs one line per queued request under load; only its errors matter here.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    # botocore's debug lines carry signed request headers: never at --verbose.
    for name in ("boto3", "botocore", "s3transfer"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
