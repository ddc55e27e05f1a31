"""One exception tree, rooted at SyndicatorError, all of it in this module.

Each exception carries the identity of what failed, given where it is raised
(never left blank for a caller to fill in), so the CLI can print one line a
user can act on. Third-party exceptions are translated at the edge that meets
them and chained with ``raise ... from``.

    SyndicatorError
    ├── ConfigError(path, key)         the configuration, a rules or schema file
    ├── RecordError(origin, locator, field)
    ├── SourceError(source, ref)       a whole source could not be read
    ├── FetchError(url)                one URL (a page, a feed) could not be fetched
    ├── StoreError ── StoreLockedError
    ├── OutputError ── UploadError     object storage
    ├── ServerError(host, port)        `serve` could not start
    └── RunCancelled                   a shutdown stopped the run at a safe point
"""

from __future__ import annotations


class SyndicatorError(Exception):
    """Base class of every error syndicator raises on purpose."""


class ConfigError(SyndicatorError):
    """The configuration is unusable; nothing has been written."""

    def __init__(self, path: str, key: str, message: str) -> None:
        self.path = path
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: {self.key}" if self.key else self.path
        return f"{where}: {self.message}"


class RecordError(SyndicatorError):
    """One record is unusable; the run goes on without it."""

    def __init__(self, origin: str, locator: str, field: str, message: str) -> None:
        self.origin = origin
        self.locator = locator
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.origin]
        if self.locator:
            parts.append(self.locator)
        parts.append(self.field or "/")
        parts.append(self.message)
        return ": ".join(parts)


class SourceError(SyndicatorError):
    """A whole source could not be read (missing directory, unreachable URL)."""

    def __init__(self, source: str, ref: str, message: str) -> None:
        self.source = source
        self.ref = ref
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"source {self.source!r}: {self.ref}: {self.message}"


class StoreError(SyndicatorError):
    """The state store failed (corrupt file, disk full, locked)."""


class StoreLockedError(StoreError):
    """Another publish holds the writer lock."""


class LeaseLostError(StoreLockedError):
    """The publish lease ran out or was taken over: this process writes nothing more."""


class OutputError(SyndicatorError):
    """Feeds could not be written to the output directory."""


class UploadError(OutputError):
    """The output could not be uploaded to object storage; the next run tries again.

    Its message names the bucket, the key and what the server or the network
    said, never a credential.
    """


class FetchError(SyndicatorError):
    """One URL could not be fetched; `reason` never holds credentials."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class ServerError(SyndicatorError):
    """The server could not start (address in use, unknown host, bad port)."""

    def __init__(self, host: str, port: int, message: str) -> None:
        self.host = host
        self.port = port
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        authority = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        return f"cannot serve on {authority}: {self.message}"


class RunCancelled(SyndicatorError):
    """A shutdown cut the run short at a safe point: every file whole, the
    store consistent; the next run reads and writes what this one did not."""
