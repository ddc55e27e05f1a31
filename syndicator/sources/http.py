"""HTTP for remote sources: the one module that imports requests.

Every remote source fetches through a Fetcher, so politeness is decided once:
one session per run (connections reused across sources), a User-Agent naming
syndicator, connect and read timeouts, a streamed size limit, a bounded number
of redirects, a few retries with backoff on connection errors, 429 and 5xx
(honouring Retry-After, RFC 9110 §10.2.3, up to a cap), conditional GET
(RFC 9110 §13.1), robots.txt (RFC 9309) and a per-host limit on concurrent
requests and on their rate. Every requests, urllib3 and OSError exception is
translated here into a FetchError with a reason a user can act on; callers
turn it into a SourceError (the whole source) or a Rejection (one page).

Credentials and configured headers are held out of every repr, sent only to
the configured URL's origin (scheme, host and port: never to a redirect
target elsewhere, nor over http when configured for https), and every URL
in a message goes through public_url (no userinfo, no secret query value).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import requests

from syndicator.errors import FetchError
from syndicator.redact import public_url
from syndicator.sources._http_answers import (
    Response,
    caused_by,
    innermost,
    known_validators,
    reason_phrase,
    remember,
    retry_after,
)
from syndicator.sources._http_deadline import Budget, WatchedAdapter, watchdog
from syndicator.sources._http_limits import ROBOTS_TOKEN, HostGate
from syndicator.sources.http_options import (
    HTTP_KEYS,
    HttpOptions,
    Secret,
    check_http,
    check_url,
    origin,
)
from syndicator.sources.memory import SourceMemory

__all__ = [
    "HTTP_KEYS",
    "ROBOTS_TOKEN",
    "FetchError",
    "Fetcher",
    "HttpOptions",
    "Response",
    "Secret",
    "check_http",
    "check_url",
    "public_url",
    "remember",
    "retry_after",
]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Fetcher:
    """A requests.Session with per-host limits, robots.txt answers and retries.

    One per run, made and closed by whoever runs the sources (intake) and
    handed to each source in its `ReadContext`: connections are reused across
    sources and the per-host limits hold across them.
    """

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = True  # proxies from the environment, as users expect
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, WatchedAdapter())  # total_timeout, enforced
        self._gate = HostGate()
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------

    def get(
        self, url: str, options: HttpOptions, *, accept: str, memory: SourceMemory | None = None
    ) -> Response | None:
        """The answer to a GET, or None for 304 Not Modified (nothing to parse).

        With `memory`, the validators of the last answer are sent back; the
        caller yields what `remember` gives once it has used the answer, so a
        document that failed to parse is fetched whole again next time.
        """
        headers = {"Accept": accept}
        known = known_validators(memory, url)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        response = self.fetch(url, options, headers)
        if response.status == 304:
            if known is None:
                raise FetchError(public_url(url), "304 Not Modified to a request that was not conditional")
            return None
        if not 200 <= response.status < 300:
            raise FetchError(public_url(url), f"HTTP {response.status} {reason_phrase(response.status)}")
        return response

    def get_fresh(self, url: str, options: HttpOptions, *, accept: str) -> Response:
        """A GET without validators: any answer but 2xx is a FetchError."""
        response = self.get(url, options, accept=accept)
        if response is None:  # get() raises on a 304 it did not ask for
            raise FetchError(public_url(url), "304 Not Modified to a request that was not conditional")
        return response

    def allowed(self, url: str, options: HttpOptions) -> bool:
        """RFC 9309: may `pages` fetch this URL? robots.txt read once per host and run."""
        return self._gate.allowed(url, options, self.fetch)

    # -- requests ----------------------------------------------------------------------

    def fetch(self, url: str, options: HttpOptions, headers: Mapping[str, str]) -> Response:
        """Any final answer (4xx included), after redirects and retries.

        All of it, pauses included, within `total_timeout`: a watchdog cuts
        the connection when the budget runs out, whatever the server sends.
        """
        budget = Budget(options.total_timeout)
        attempt = 0
        while True:
            try:
                response = self._follow(url, options, headers, budget)
            except _Retryable as e:
                if attempt >= options.retries:
                    raise FetchError(public_url(url), e.reason) from e.__cause__
                _pause(options.backoff * 2**attempt, budget, url, e.reason)
                attempt += 1
                continue
            if response.status not in _RETRY_STATUSES:
                return response
            wait = retry_after(response.header("retry-after"), response.header("date"))
            phrase = f"HTTP {response.status} {reason_phrase(response.status)}"
            if wait is not None and wait > options.retry_after_max:
                raise FetchError(
                    public_url(url),
                    f"{phrase}, asked to retry after {wait:.0f}s (more than retry_after_max ="
                    f" {options.retry_after_max:g}s)",
                )
            if attempt >= options.retries:
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise FetchError(public_url(url), f"{phrase}{tries}")
            _pause(wait if wait is not None else options.backoff * 2**attempt, budget, url, phrase)
            attempt += 1

    def _follow(self, url: str, options: HttpOptions, headers: Mapping[str, str], budget: Budget) -> Response:
        chain = [url]
        while True:
            response = self._once(chain[-1], options, headers, budget)
            location = response.header("location")
            if response.status not in _REDIRECTS or not location:
                return response
            target = urljoin(chain[-1], location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(public_url(url), f"redirected to a non-HTTP URL {public_url(target)}")
            if target in chain:
                hops = " → ".join(public_url(u) for u in [*chain[chain.index(target) :], target])
                raise FetchError(public_url(url), f"redirect loop: {hops}")
            if len(chain) > options.max_redirects:
                raise FetchError(public_url(url), f"more than {options.max_redirects} redirects")
            chain.append(target)

    def _once(self, url: str, options: HttpOptions, extra: Mapping[str, str], budget: Budget) -> Response:
        parts = urlsplit(url)
        headers = {"User-Agent": options.user_agent, "Accept-Encoding": "gzip, deflate"}
        own_origin = bool(options.auth_origin) and origin(url) == options.auth_origin
        if own_origin:  # configured headers may hold a key: they follow the credential's rule
            headers.update(options.headers)
        headers.update(extra)
        if options.credential is not None and own_origin:
            headers[options.auth_header] = options.credential.value
        with self._gate.slot(parts.netloc.lower(), options):
            budget.begin()
            left = budget.remaining()
            if left <= 0:
                raise FetchError(public_url(url), _over_total(options))
            with watchdog(left) as dog:
                try:
                    with _translated(url, options):
                        response = self._request(url, options, headers, left)
                except Exception as e:
                    if dog.fired:  # whatever the cut connection raised, the deadline is the reason
                        raise FetchError(public_url(url), _over_total(options)) from e
                    raise
            if dog.fired:  # a body without a length seems to end when its connection is cut
                raise FetchError(public_url(url), _over_total(options))
            return response

    def _request(self, url: str, options: HttpOptions, headers: Mapping[str, str], left: float) -> Response:
        self.requests_sent += 1
        raw = self.session.get(
            url,
            headers=headers,
            # The watchdog bounds the whole answer; a connect not yet under its
            # watch is kept inside the budget by its own timeout.
            timeout=(min(options.connect_timeout, left), options.read_timeout),
            allow_redirects=False,
            stream=True,
        )
        with raw:
            body = _read_limited(raw, url, options) if 200 <= raw.status_code < 300 else b""
            media, _, params = (raw.headers.get("Content-Type") or "").partition(";")
            charset = next(
                (
                    p.split("=", 1)[1].strip().strip('"')
                    for p in params.split(";")
                    if p.strip().lower().startswith("charset=")
                ),
                None,
            )
            return Response(
                url=url,
                status=raw.status_code,
                content_type=media.strip().lower(),
                charset=charset,
                body=body,
                etag=raw.headers.get("ETag"),
                last_modified=raw.headers.get("Last-Modified"),
                links=tuple(
                    (rel, urljoin(url, link["url"]))
                    for link in raw.links.values()
                    for rel in str(link.get("rel", "")).split()
                    if link.get("url")
                ),
                headers=tuple((k.lower(), v) for k, v in raw.headers.items()),
            )


class _Retryable(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _read_limited(raw: requests.Response, url: str, options: HttpOptions) -> bytes:
    """The body, streamed: a response over max_bytes (after decompression) is refused."""
    declared = raw.headers.get("Content-Length", "")
    if (
        declared.isdigit()
        and int(declared) > options.max_bytes
        and "gzip" not in raw.headers.get("Content-Encoding", "")
    ):
        raise FetchError(
            public_url(url), f"response of {declared} bytes is over max_bytes = {options.max_bytes}"
        )
    chunks: list[bytes] = []
    total = 0
    # The read ends at max_bytes, at the end of the body, or when the
    # fetch's watchdog cuts the connection at total_timeout.
    for chunk in raw.iter_content(chunk_size=65536):
        total += len(chunk)
        if total > options.max_bytes:
            raise FetchError(public_url(url), f"response is over max_bytes = {options.max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _over_total(options: HttpOptions) -> str:
    return f"response not complete within total_timeout = {options.total_timeout:g}s"


def _pause(seconds: float, budget: Budget, url: str, why: str) -> None:
    """Wait before a retry, unless the wait would outlast the fetch's total budget."""
    if seconds >= budget.remaining():
        raise FetchError(
            public_url(url), f"{why}; no time left to retry within total_timeout = {budget.seconds:g}s"
        )
    time.sleep(seconds)


@contextmanager
def _translated(url: str, options: HttpOptions) -> Iterator[None]:
    """requests, urllib3 and socket exceptions → FetchError or _Retryable, cause kept."""
    shown = public_url(url)
    exc = requests.exceptions
    try:
        yield
    except FetchError:
        raise
    except exc.ConnectTimeout as e:
        raise _Retryable(f"no connection within {options.connect_timeout:g}s (connect timeout)") from e
    except exc.ReadTimeout as e:
        raise FetchError(shown, f"no answer within {options.read_timeout:g}s (read timeout)") from e
    except exc.SSLError as e:
        raise FetchError(shown, f"TLS error: {innermost(e)}") from e
    except exc.ConnectionError as e:
        if caused_by(e, socket.gaierror):
            raise FetchError(shown, f"cannot resolve host {urlsplit(url).hostname!r}") from e
        if "Read timed out" in str(e):  # a timeout while streaming the body
            raise FetchError(shown, f"no data within {options.read_timeout:g}s (read timeout)") from e
        if caused_by(e, ConnectionRefusedError):
            raise _Retryable("connection refused") from e
        raise _Retryable(f"connection failed: {innermost(e)}") from e
    except (exc.InvalidURL, exc.MissingSchema, exc.InvalidSchema, exc.InvalidHeader) as e:
        raise FetchError(shown, f"not a usable http(s) URL or header: {e.__class__.__name__}") from e
    except (exc.ChunkedEncodingError, exc.ContentDecodingError) as e:
        raise FetchError(shown, f"broken response: {e.__class__.__name__}") from e
    except exc.RequestException as e:
        raise FetchError(shown, f"request failed: {e.__class__.__name__}") from e
    except OSError as e:
        raise FetchError(shown, f"network error: {e.strerror or e.__class__.__name__}") from e
