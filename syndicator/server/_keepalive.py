"""Keep-alive after an answer without a body: a 304 does not cost a connection.

waitress keeps an HTTP/1.1 connection open only when the answer says how long
its body is (Content-Length). A 304 Not Modified and a 204 have no body and
must not carry that header (RFC 9110 §8.6), so waitress closed the connection
after each of them, and a feed reader polling with If-None-Match, whose answer
is a 304 nearly every time, paid a new TCP connection (and, behind TLS, a new
handshake) for each poll. Such an answer ends with its header section
(RFC 9112 §6.3, rule 1), so the connection can carry the next request; this
task keeps it open then. Every other reason to close stays: the client's
``Connection: close``, HTTP/1.0, an error, a body of unknown length.
"""

from __future__ import annotations

from typing import Any

from waitress.task import WSGITask


class KeepAliveTask(WSGITask):  # type: ignore[misc]  # waitress ships no types
    """waitress's WSGI task, keeping the connection open after a bodiless HTTP/1.1 answer."""

    version: str
    wrote_header: bool
    status: str
    request: Any

    def set_close_on_finish(self) -> None:
        if self._framed_by_its_headers():
            return
        super().set_close_on_finish()

    def _framed_by_its_headers(self) -> bool:
        """An HTTP/1.1 204 or 304, whose client did not ask to close. (Not a 1xx: a
        final answer in the 1xx range would leave the client waiting for another.)"""
        connection = {
            token.strip() for token in self.request.headers.get("CONNECTION", "").lower().split(",")
        }
        return (
            not self.wrote_header
            and self.version == "1.1"
            and self.status[:3] in ("204", "304")
            and "close" not in connection
        )
