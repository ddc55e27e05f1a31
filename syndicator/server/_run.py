"""Running the application under waitress, blocking or in a thread.

waitress is the production server: an asyncore loop owns every socket and
buffers responses, so slow clients hold a buffer, not a worker thread; worker
threads only run the application; idle connections are closed after
``channel_timeout``; malformed requests are answered with 400 by the parser
and never reach the application. What waitress does not bound (a request
trickled in forever, one address holding every slot) ``_guard`` does.

waitress has no public "stop" for a server it did not start itself, so
stopping runs inside the loop: a thunk pulled through the server's trigger
closes every socket of its map, and the loop ends when the map is empty.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from typing import Any

from waitress import server as waitress_server
from waitress import trigger as waitress_trigger
from waitress import wasyncore

from syndicator.errors import ServerError
from syndicator.server._app import ServerSettings, StatusCallback, make_app
from syndicator.server._guard import guard, guarded_channel_class

logger = logging.getLogger(__name__)

# Requests carry no body here; anything larger is refused by waitress with 413.
_MAX_REQUEST_BODY = 64 * 1024
_MAX_REQUEST_HEADERS = 64 * 1024
_SHUTDOWN_TIMEOUT_SECONDS = 5.0
# waitress's own limit stops accepting (new clients wait in the backlog); ours
# evicts or refuses first (see _guard), so waitress's sits above it unused.
_WAITRESS_LIMIT_HEADROOM = 64


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _create(settings: ServerSettings, status: StatusCallback | None) -> Any:
    app = make_app(settings, status=status)
    try:
        server = waitress_server.create_server(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            connection_limit=settings.connection_limit + _WAITRESS_LIMIT_HEADROOM,
            channel_timeout=settings.channel_timeout_seconds,
            # Idle channels are only looked for every cleanup_interval seconds.
            cleanup_interval=max(1, min(30, settings.channel_timeout_seconds)),
            # poll(), not select(): select cannot watch a descriptor above 1023.
            asyncore_use_poll=True,
            max_request_body_size=_MAX_REQUEST_BODY,
            max_request_header_size=_MAX_REQUEST_HEADERS,
            ident="syndicator",
            expose_tracebacks=False,
        )
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        reason = reason.rstrip(".")
        raise ServerError(
            settings.host, settings.port, f"{reason}; choose another host or port in [server]"
        ) from error
    channel_class = guarded_channel_class(
        request_timeout=settings.request_timeout_seconds,
        per_client=settings.connections_per_client,
        connection_limit=settings.connection_limit,
    )
    # One listening server per address the host name resolves to, each in the map.
    for listener in list(_socket_map(server).values()):
        if isinstance(listener, waitress_server.BaseWSGIServer):
            guard(listener, channel_class)
    return server


def _bound_port(server: Any) -> int:
    """The port the kernel gave us (differs from the setting when it is 0)."""
    if hasattr(server, "effective_port"):
        return int(server.effective_port)
    # Several sockets (a name resolving to IPv4 and IPv6): report the first.
    return int(server.effective_listen[0][1])


def _socket_map(server: Any) -> dict[int, Any]:
    socket_map: dict[int, Any] = server._map if hasattr(server, "_map") else server.map
    return socket_map


def _finish(server: Any) -> None:
    """Close whatever sockets are left and let the worker threads end."""
    wasyncore.close_all(_socket_map(server), ignore_all=True)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=_SHUTDOWN_TIMEOUT_SECONDS)


def serve(
    settings: ServerSettings,
    *,
    status: StatusCallback | None = None,
    ready: threading.Event | None = None,
) -> None:
    """Serve ``settings.directory`` until interrupted (Ctrl-C or SystemExit).

    ``ready`` is set once the socket is bound and listening, so a caller can
    start clients without racing the bind. A directory that does not exist
    is refused before binding: ``serve`` alone never publishes, so it would
    answer 404 to every reader while looking healthy.
    """
    if not settings.directory.is_dir():
        what = "is not a folder" if settings.directory.exists() else "does not exist"
        raise ServerError(
            settings.host,
            settings.port,
            f"{settings.directory} {what}; publish into it first or pass --output DIR",
        )
    server = _create(settings, status)
    logger.info(
        "serving directory=%s url=http://%s",
        settings.directory,
        _authority(settings.host, _bound_port(server)),
    )
    if threading.current_thread() is threading.main_thread():
        _stop_on_signals()
    if ready is not None:
        ready.set()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        _finish(server)


def _stop_on_signals() -> None:
    """SIGINT and SIGTERM end serve() cleanly, even when the process started with
    them ignored (a background job of a non-interactive shell inherits an
    ignored SIGINT, and systemd stops services with SIGTERM)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


class RunningServer:
    """A server running in a background thread; ``close()`` stops it."""

    def __init__(self, server: Any, host: str) -> None:
        self._server = server
        self._host = host
        self._port = _bound_port(server)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"syndicator-server-{self._port}", daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        """The bound port: the real one when the settings asked for 0."""
        return self._port

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://{_authority(self._host, self._port)}"

    def _run(self) -> None:
        try:
            self._server.run()
        except Exception:
            logger.exception("server loop failed url=%s", self.url)
        finally:
            _finish(self._server)

    def close(self, timeout: float = 10.0) -> None:
        """Stop accepting, close every connection and wait for the loop to end.

        Safe to call more than once and from any thread but the server's own.
        """
        if self._closed.is_set():
            return
        self._closed.set()
        socket_map = _socket_map(self._server)
        triggers = [item for item in socket_map.values() if isinstance(item, waitress_trigger.trigger)]
        # IndexError, OSError: the loop has already ended and closed its trigger.
        with contextlib.suppress(IndexError, OSError):
            # Runs in the loop's thread, so no socket is closed under its feet.
            triggers[0].pull_trigger(lambda: wasyncore.close_all(socket_map, ignore_all=True))
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.warning("server thread did not stop in %.0fs url=%s", timeout, self.url)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def start_in_thread(settings: ServerSettings, *, status: StatusCallback | None = None) -> RunningServer:
    """Bind now, serve in a daemon thread; for the daemon and for tests."""
    server = _create(settings, status)
    running = RunningServer(server, settings.host)
    logger.info("serving directory=%s url=%s", settings.directory, running.url)
    return running
