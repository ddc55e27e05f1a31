"""Serve the output directory over HTTP to feed readers and browsers.

The publish run writes files; this package only reads them. It answers with
the whole file or a 304, never a partial or foreign one:

- ``_files``: which file a URL path names (no traversal, no dotfiles, no
  listings) and its bytes, cached per file version;
- ``_http``: the request headers honoured (If-None-Match, If-Modified-Since,
  Accept-Encoding), parsed leniently;
- ``_negotiate``: whether a feed request is a browser's navigation, which is
  answered with the feed's readable HTML view instead of the feed;
- ``_app``: the WSGI application (content types, validators, gzip,
  Cache-Control, WebSub Link headers, ``/healthz`` and ``/status``);
- ``_guard``: the limits waitress lacks (a request deadline, a per-client
  cap, eviction at the connection limit), against slowloris and floods;
- ``_keepalive``: a 304 keeps its connection, which waitress closed after
  every answer without a Content-Length;
- ``_run``: waitress, blocking (``syndicator serve``) or in a thread (the daemon);
- ``_status``: ``/status`` of ``serve``, the newest run from the state store.
"""

from __future__ import annotations

from syndicator.errors import ServerError
from syndicator.server._app import ServerSettings, StatusCallback, make_app, media_type
from syndicator.server._run import RunningServer, serve, start_in_thread
from syndicator.server._status import store_status

__all__ = [
    "RunningServer",
    "ServerError",
    "ServerSettings",
    "StatusCallback",
    "make_app",
    "media_type",
    "serve",
    "start_in_thread",
    "store_status",
]
