"""The WSGI application that serves a feeds directory to feed readers.

Feed readers poll, so most requests should cost a ``stat`` and a 304: every
file carries a strong ETag and a Last-Modified, and conditional requests are
answered from them (RFC 7232). Everything else here is about never serving
what is not a whole, public file (see ``_files``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, cast
from urllib.parse import quote
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from syndicator.render import FORMATS
from syndicator.server._files import FileCache, Redirect, Target, Version, gzip_etag, resolve
from syndicator.server._http import accepts_gzip, http_date, parse_entity_tags, parse_http_date
from syndicator.server._negotiate import VARY, view_name, wants_html

logger = logging.getLogger(__name__)

StatusCallback = Callable[[], Mapping[str, object]]

_ALLOWED_METHODS: Final = ("GET", "HEAD")
_ONE_YEAR: Final = 31_536_000
# Characters left as they are when a configured URL goes into a Link header:
# everything RFC 3986 allows, so only spaces, controls and non-ASCII get escaped
# (a CR or LF from a configuration file must never split a header).
_URL_SAFE: Final = ":/?#[]@!$&'()*+,;=%~"
# The HTML views and index hold no script, no image and no form, and style
# themselves inline: nothing else may load, run, frame them or rebase links.
_HTML_POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_STREAM_BLOCK: Final = 256 * 1024  # bytes per block when a large file is streamed


@dataclass(frozen=True)
class ServerSettings:
    """How the feeds directory is served; built by the caller from ``[server]``."""

    directory: Path  # the publish output directory
    host: str = "127.0.0.1"
    port: int = 8080  # 0 binds a free port (tests, the daemon's ephemeral runs)
    max_age_seconds: int = 300  # Cache-Control max-age for feeds, from the publish schedule
    hubs: tuple[str, ...] = ()  # WebSub hubs, each sent as Link: <hub>; rel="hub"
    public_url: str | None = None  # public base URL of the directory, for rel="self"
    threads: int = 8  # worker threads; slow clients are buffered by waitress, not by these
    connection_limit: int = 500  # open connections; past it a new one evicts a stalled one (_guard)
    channel_timeout_seconds: int = 60  # an idle keep-alive connection is closed after this
    request_timeout_seconds: float = 10.0  # a request must arrive whole this soon (_guard)
    connections_per_client: int = 32  # per client address; 0 turns the cap off (behind a proxy)
    validators: Path | None = None  # the writer's record of ETags (state directory's validators.json)


@dataclass(frozen=True)
class _MediaType:
    content_type: str
    is_feed: bool  # gets the WebSub Link headers


_BY_SUFFIX: Final[Mapping[str, _MediaType]] = {
    ".html": _MediaType("text/html; charset=utf-8", is_feed=False),
    ".opml": _MediaType("text/x-opml; charset=utf-8", is_feed=False),
    ".xml": _MediaType("application/xml; charset=utf-8", is_feed=False),
    ".xsl": _MediaType("application/xslt+xml; charset=utf-8", is_feed=False),
    ".json": _MediaType("application/json; charset=utf-8", is_feed=False),
    ".css": _MediaType("text/css; charset=utf-8", is_feed=False),
    ".txt": _MediaType("text/plain; charset=utf-8", is_feed=False),
}
_OCTETS: Final = _MediaType("application/octet-stream", is_feed=False)
_HTML_VIEW: Final = _BY_SUFFIX[".html"]


def media_type(name: str) -> _MediaType:
    """The media type of a published file, from its name.

    Feeds are named by format (``rss.xml``, ``atom.xml``, ``feed.json``: each
    registered format's file name), and archive-style names keep the format's
    stem as first word (``rss-2.xml``, ``atom.2024-05.xml``), so the format
    registry picks the feed type; other files go by suffix.
    """
    fmt = FORMATS.for_file(name)
    if fmt is not None:
        return _MediaType(f"{fmt.media_type}; charset=utf-8", is_feed=True)
    _, dot, suffix = name.lower().rpartition(".")
    return _BY_SUFFIX.get("." + suffix, _OCTETS) if dot else _OCTETS


class FeedsApp:
    """Serves the files of one directory, plus ``/healthz`` and ``/status``."""

    def __init__(self, settings: ServerSettings, status: StatusCallback | None) -> None:
        self._settings = settings
        self._root = os.path.realpath(settings.directory)
        self._status = status
        self._cache = FileCache()
        if settings.validators is not None:
            self._cache.written_validators(self._root, str(settings.validators))
        self._hub_links = tuple(
            ("Link", f'<{quote(hub, safe=_URL_SAFE)}>; rel="hub"') for hub in settings.hubs
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        if method not in _ALLOWED_METHODS:
            # RFC 7231 §6.5.5: a 405 lists the methods that would work.
            headers = [("Allow", ", ".join(_ALLOWED_METHODS))]
            return _plain(start_response, "405 Method Not Allowed", "method not allowed", headers)
        head = method == "HEAD"
        path_info = environ.get("PATH_INFO", "")
        if path_info == "/healthz":
            return self._health(start_response, head)
        if path_info == "/status":
            return self._status_response(start_response, head)

        found = resolve(self._root, path_info, environ.get("REQUEST_URI"))
        if isinstance(found, Redirect):
            location = environ.get("SCRIPT_NAME", "") + "/" + quote(found.url_path)
            headers = [("Location", location), ("Cache-Control", self._cache_control(found))]
            return _plain(start_response, "301 Moved Permanently", "moved", headers, head)
        if found is None:
            return _not_found(start_response, head)
        kind = media_type(found.name)
        if kind.is_feed:
            view_path = self._html_view(environ, found, kind)
            if view_path is not None:
                return self._file_response(environ, start_response, found, view_path, _HTML_VIEW, head)
        return self._file_response(environ, start_response, found, found.path, kind, head)

    def _html_view(self, environ: WSGIEnvironment, feed: Target, kind: _MediaType) -> str | None:
        """The path of the feed's readable view, for a browser's navigation (see ``_negotiate``).

        None (serve the feed) for any other request, and when the view was
        not written (an archive page, a site published without pages).
        """
        feed_type = kind.content_type.split(";", 1)[0]
        if not wants_html(environ.get("HTTP_SEC_FETCH_DEST"), environ.get("HTTP_ACCEPT"), feed_type):
            return None
        directory, _, _ = feed.url_path.rpartition("/")
        url_path = (directory + "/" if directory else "") + view_name(feed.name)
        # Resolved like a request (PATH_INFO is latin-1 text of UTF-8 bytes, PEP 3333),
        # so the view obeys the same containment rules as the feed.
        found = resolve(self._root, "/" + url_path.encode("utf-8").decode("latin-1"), None)
        if not isinstance(found, Target):
            return None
        logger.debug("path=%s variant=html sec_fetch_dest=document", feed.url_path)
        return found.path

    def _file_response(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        target: Target,
        path: str,
        kind: _MediaType,
        head: bool,
    ) -> Iterable[bytes]:
        """``target`` is the requested file; the file at ``path``, of ``kind``, answers it.

        A feed URL answers with the feed or its HTML view: each keeps its own
        ETag (a hash of its own bytes, RFC 9110 §8.8.3), and both carry the
        Vary that tells caches what chose between them. A 304 is decided on
        the cached validators alone: a ``stat``, no read, no hash.
        """
        use_gzip = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        try:
            version = self._cache.version(path)
            if _precondition_failed(environ, _etag(version, use_gzip), version.mtime):
                return _plain(start_response, "412 Precondition Failed", "precondition failed", [], head)
            if _not_modified(environ, _etag(version, use_gzip), version.mtime, time.time()):
                # RFC 7232 §4.1: a 304 carries the validators and caching headers
                # a 200 would have, and no body.
                start_response("304 Not Modified", self._headers(target, kind, version, use_gzip))
                return []
            body = self._cache.body(path, gzipped=use_gzip)
        except OSError:
            # Gone between resolve and open (a publish removed it) or unreadable.
            return _not_found(start_response, head)
        # The validators of the bytes actually sent: a publish may have
        # replaced the file since ``version`` was looked up.
        headers = self._headers(target, kind, body.version, use_gzip)
        if use_gzip:
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Type", kind.content_type))
        headers.append(("Content-Length", str(body.length)))
        start_response("200 OK", headers)
        if body.stream is None:
            return [] if head else [body.data or b""]
        if head:
            body.stream.close()
            return []
        file_wrapper = environ.get("wsgi.file_wrapper")
        if file_wrapper is not None:
            # PEP 3333: the server sends the open file in blocks and closes it.
            return cast(Iterable[bytes], file_wrapper(body.stream, _STREAM_BLOCK))
        return _stream(body.stream)

    def _headers(
        self, target: Target, kind: _MediaType, version: Version, use_gzip: bool
    ) -> list[tuple[str, str]]:
        headers = [
            ("ETag", _etag(version, use_gzip)),
            ("Last-Modified", http_date(version.mtime)),
            ("Cache-Control", self._cache_control(target)),
            ("Vary", VARY if media_type(target.name).is_feed else "Accept-Encoding"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if kind is _HTML_VIEW:
            headers.append(("Content-Security-Policy", _HTML_POLICY))
        if kind.is_feed:
            headers.extend(self._links(target))
        return headers

    def _cache_control(self, target: Target | Redirect) -> str:
        # Archive pages never change once written, so caches may keep them a
        # year without asking again (RFC 8246 `immutable`).
        if target.url_path.startswith("archive/"):
            return f"public, max-age={_ONE_YEAR}, immutable"
        return f"public, max-age={self._settings.max_age_seconds}"

    def _links(self, target: Target) -> list[tuple[str, str]]:
        """WebSub discovery (W3C WebSub §4): the hubs and the feed's own URL."""
        links = list(self._hub_links)
        if self._settings.public_url:
            base = self._settings.public_url.rstrip("/")
            self_url = quote(base, safe=_URL_SAFE) + "/" + quote(target.url_path)
            links.append(("Link", f'<{self_url}>; rel="self"'))
        return links

    def _health(self, start_response: StartResponse, head: bool) -> Iterable[bytes]:
        """``ok`` only when there is a folder to serve: a load balancer or a
        container health check must not send readers to a server that can
        answer nothing but 404 (before the daemon's first publish, or after
        the folder was removed)."""
        headers = [("Cache-Control", "no-store")]
        if os.path.isdir(self._root):
            return _plain(start_response, "200 OK", "ok", headers, head)
        return _plain(start_response, "503 Service Unavailable", "output folder missing", headers, head)

    def _status_response(self, start_response: StartResponse, head: bool) -> Iterable[bytes]:
        if self._status is None:
            return _not_found(start_response, head)
        body = json.dumps(dict(self._status()), sort_keys=True, indent=2, default=str) + "\n"
        data = body.encode("utf-8")
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ]
        start_response("200 OK", headers)
        return [] if head else [data]


def _etag(version: Version, use_gzip: bool) -> str:
    return gzip_etag(version.etag) if use_gzip else version.etag


def _stream(handle: BinaryIO) -> Iterator[bytes]:
    """An open file in blocks, closed at the end or when the server drops the answer."""
    with handle:
        while block := handle.read(_STREAM_BLOCK):
            yield block


def _precondition_failed(environ: WSGIEnvironment, etag: str, mtime: int) -> bool:
    """Whether If-Match or If-Unmodified-Since fails (RFC 9110 §13.2.2, steps 1 and 2):
    the client holds another version than the one served now."""
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match is not None:
        tags = parse_entity_tags(if_match, strong=True)
        return tags is not None and "*" not in tags and etag.strip('"') not in tags
    if_unmodified_since = environ.get("HTTP_IF_UNMODIFIED_SINCE")
    if if_unmodified_since is not None:
        since = parse_http_date(if_unmodified_since)  # an invalid date is ignored (§13.1.4)
        return since is not None and mtime > since
    return False


def _not_modified(environ: WSGIEnvironment, etag: str, mtime: int, now: float) -> bool:
    """Whether a conditional GET or HEAD is answered with 304 (RFC 7232 §6)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        # RFC 7232 §3.3: If-Modified-Since is ignored when If-None-Match is sent.
        tags = parse_entity_tags(if_none_match)
        return tags is not None and ("*" in tags or etag.strip('"') in tags)
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since is None:
        return False
    since = parse_http_date(if_modified_since)
    # RFC 7232 §3.3: a date later than the server's current time is invalid,
    # and an invalid If-Modified-Since is ignored (a client clock in the future,
    # or a forged year 9999, must not pin an old copy in a cache).
    return since is not None and since <= now and mtime <= since


def _plain(
    start_response: StartResponse,
    status: str,
    text: str,
    extra: list[tuple[str, str]],
    head: bool = False,
) -> Iterable[bytes]:
    body = (text + "\n").encode("utf-8")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
        *extra,
    ]
    start_response(status, headers)
    return [] if head else [body]


def _not_found(start_response: StartResponse, head: bool) -> Iterable[bytes]:
    # Not cached: a feed that does not exist yet may appear at the next publish.
    headers = [("Cache-Control", "no-cache")]
    return _plain(start_response, "404 Not Found", "not found", headers, head)


def make_app(settings: ServerSettings, *, status: StatusCallback | None = None) -> WSGIApplication:
    """The WSGI application serving ``settings.directory``.

    ``status`` is called for each ``GET /status`` and its mapping is sent as
    JSON (values that are not JSON types are sent as their ``str``); without
    it ``/status`` is 404.
    """
    return FeedsApp(settings, status)
