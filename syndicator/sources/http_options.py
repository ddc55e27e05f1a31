"""The options every remote source kind accepts: HTTP behaviour and credentials.

Checked before a run starts, so a typo or a missing credential is a
ConfigError naming the key. Credentials are read here (from the environment
or a file named in the configuration) into Secret, whose repr and str hide
the value, so no log line or report can show it.
"""

from __future__ import annotations

import base64
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from syndicator import __version__
from syndicator.config import SourceConfig
from syndicator.redact import public_url
from syndicator.sources.limits import LIMIT_KEYS

HTTP_KEYS = (
    "user_agent",
    "timeout",
    "total_timeout",
    "max_bytes",
    "max_redirects",
    "retries",
    "retry_after_max",
    "delay",
    "per_host",
    "robots",
    "headers",
    "token_env",
    "token_file",
    "auth_scheme",
    "auth_header",
    "username",
    "password_env",
    "password_file",
)


@dataclass(frozen=True)
class Secret:
    """A credential: usable, but never shown by repr, str or a report."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***"


@dataclass(frozen=True)
class HttpOptions:
    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 120.0  # a server trickling bytes is cut off here
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    retries: int = 2
    retry_after_max: float = 30.0  # a longer Retry-After is respected by not retrying
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    delay: float = 0.25  # seconds between two requests to one host
    per_host: int = 2  # requests in flight to one host
    robots: bool = True  # honoured by `pages`; APIs and feeds are meant to be fetched
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # may hold an API key
    auth_header: str = "Authorization"
    credential: Secret | None = None  # the header's whole value
    # Credentials and `headers` go to this origin only (RFC 6454 §4: scheme,
    # host and port), never to a redirect target on another port, scheme or host.
    auth_origin: str = ""


def origin(url: str) -> str:
    """`scheme://host:port`, the port made explicit, so that http://h and http://h:80 match."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    port = port if port is not None else {"http": 80, "https": 443}.get(scheme, 0)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def check_http(
    source: SourceConfig, own_keys: tuple[str, ...], kind: str, *, url: str | None = None
) -> HttpOptions:
    """The HTTP keys every remote kind accepts; an unknown key names the nearest known one.

    Credentials and headers are sent to the origin of `url` (default: the
    `url` option) only. A user:password@ in that URL is a Basic credential
    (RFC 7617) like `username`, and is never kept in the URL.
    """
    options = source.options
    known = own_keys + HTTP_KEYS + LIMIT_KEYS
    for key in options:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            raise source.error(key, f"unknown key for a {kind} source ({hint})")
    site = source.site_url
    default_agent = f"syndicator/{__version__}" + (f" (+{site})" if site else "")
    timeout = options.get("timeout", [5.0, 20.0])
    if _number(timeout):
        timeout = [timeout, timeout]
    if not (isinstance(timeout, list) and len(timeout) == 2 and all(_number(t) and t > 0 for t in timeout)):
        raise source.error("timeout", "must be seconds, or [connect, read] seconds, above 0")
    headers = options.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise source.error("headers", "must be a table of header names and string values")
    url = url if url is not None else options.get("url")
    return HttpOptions(
        user_agent=_string(source, "user_agent", default_agent),
        connect_timeout=float(timeout[0]),
        read_timeout=float(timeout[1]),
        total_timeout=_seconds(source, "total_timeout", 120.0),
        max_bytes=int(_seconds(source, "max_bytes", 20_000_000, whole=True)),
        max_redirects=int(_seconds(source, "max_redirects", 5, whole=True, zero=True)),
        retries=int(_seconds(source, "retries", 2, whole=True, zero=True)),
        retry_after_max=_seconds(source, "retry_after_max", 30.0, zero=True),
        delay=_seconds(source, "delay", 0.25, zero=True),
        per_host=int(_seconds(source, "per_host", 2, whole=True)),
        robots=_boolean(source, "robots", True),
        headers=tuple(sorted((str(k), v) for k, v in headers.items())),
        auth_header=_string(source, "auth_header", "Authorization"),
        credential=_credential(source) or (_userinfo(url) if isinstance(url, str) else None),
        auth_origin=origin(url) if isinstance(url, str) else "",
    )


def check_url(source: SourceConfig, value: Any, key: str = "url") -> str:
    """An absolute http(s) URL, without its user:password@ (check_http makes that a credential)."""
    if not isinstance(value, str):
        raise source.error(key, 'needs an http(s) URL, such as "https://example.org/feed.xml"')
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as e:
        raise source.error(key, f"{public_url(value)!r} is not a usable URL: {e}") from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise source.error(key, f"{public_url(value)!r} is not an absolute http(s) URL")
    if "@" in parts.netloc:
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    return value


def _userinfo(url: str) -> Secret | None:
    """https://user:password@host/ as the Basic credential it stands for (RFC 3986 §3.2.1)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.username is None:
        return None
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return Secret("Basic " + base64.b64encode(pair).decode("ascii"))  # RFC 7617 §2


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(source: SourceConfig, key: str, default: str) -> str:
    value = source.options.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise source.error(key, "must be a non-empty string")
    return value


def _boolean(source: SourceConfig, key: str, default: bool) -> bool:
    value = source.options.get(key, default)
    if not isinstance(value, bool):
        raise source.error(key, "must be true or false")
    return value


def _seconds(
    source: SourceConfig, key: str, default: float, *, whole: bool = False, zero: bool = False
) -> float:
    value = source.options.get(key, default)
    ok = (isinstance(value, int) if whole else _number(value)) and not isinstance(value, bool)
    if not ok or value < 0 or (value == 0 and not zero):
        kind = "a whole number" if whole else "a number"
        raise source.error(key, f"must be {kind} of {'0' if zero else '1'} or more, not {value!r}")
    return float(value)


def _secret(source: SourceConfig, env_key: str, file_key: str) -> str | None:
    options = source.options
    if env_key in options:
        name = options[env_key]
        if not isinstance(name, str) or name not in os.environ:
            raise source.error(env_key, f"environment variable {name!r} is not set")
        return os.environ[name].strip()
    if file_key in options:
        path = options[file_key]
        if not isinstance(path, (str, Path)):
            raise source.error(file_key, "must be the path of a file holding the secret")
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise source.error(file_key, f"cannot read {str(path)!r}: {e.__class__.__name__}") from e
    return None


def _credential(source: SourceConfig) -> Secret | None:
    options = source.options
    token = _secret(source, "token_env", "token_file")
    if token is not None:
        if options.get("auth_header", "Authorization").lower() != "authorization":
            return Secret(token)  # an API-key header takes the bare token
        return Secret(f"{_string(source, 'auth_scheme', 'Bearer')} {token}")
    if "username" in options:
        password = _secret(source, "password_env", "password_file") or ""
        pair = f"{_string(source, 'username', '')}:{password}".encode()
        return Secret("Basic " + base64.b64encode(pair).decode("ascii"))  # RFC 7617 §2
    return None
