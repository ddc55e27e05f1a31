"""The HTTP server under load, beside nginx serving the same directory.

Both listen on 127.0.0.1 only. The load generator is wrk, bounded twice: by
duration (-d) and by a per-thread request cap enforced in its Lua script; the
script also counts responses whose status is not the one expected, so a 200
run that quietly returned 500s, or a 304 run that got 200s, shows up as failed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0; n = 0 end
local expect = tonumber(os.getenv("WRK_EXPECT"))
local cap = tonumber(os.getenv("WRK_MAX"))
function response(status, headers, body)
  n = n + 1
  if status == expect then ok = ok + 1 else bad = bad + 1 end
  if n >= cap then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
  io.write(string.format("EXPECTED %d UNEXPECTED %d\\n", o, b))
end
"""

NGINX_CONF = """\
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/rss+xml rss; application/atom+xml atom; application/feed+json json; }}
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    etag on;
    gzip on;
    gzip_types application/rss+xml application/atom+xml application/xml text/xml application/feed+json
               application/json;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # unexpected status, socket errors, timeouts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@contextmanager
def _process(argv: list[str], port: int, cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(port)
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def syndicator_server(python: str, root: Path, tmp: Path) -> Iterator[str]:
    port = free_port()
    env_cwd = tmp / "syndicator-cwd"
    env_cwd.mkdir(parents=True, exist_ok=True)
    # wrk's connections all come from 127.0.0.1: the per-client cap is off,
    # as it is behind a reverse proxy (nginx here has no such cap either).
    config = env_cwd / "syndicator.toml"
    config.write_text(
        '[site]\ntitle = "Load"\nbase_url = "http://127.0.0.1/"\n\n[server]\nconnections_per_client = 0\n',
        encoding="utf-8",
    )
    argv = [
        python,
        "-m",
        "syndicator",
        "serve",
        "--config",
        str(config),
        "--output",
        str(root),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with _process(argv, port, env_cwd, tmp / "syndicator-server.log"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def nginx_server(root: Path, tmp: Path) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf_dir = tmp / "nginx"
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=conf_dir, port=port, root=root), encoding="utf-8")
    with _process([nginx, "-c", str(conf), "-p", str(conf_dir)], port, conf_dir, conf_dir / "stdout.log"):
        yield f"http://127.0.0.1:{port}"


def probe(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """One request, to learn the ETag and check the response is what the load run expects.

    Header names come back lowercased: servers differ in how they spell ETag.
    """
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(output: str) -> Load:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    failed = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        failed += sum(int(x) for x in m.groups())
    if m := re.search(r"UNEXPECTED (\d+)", output):
        failed += int(m.group(1))
    return Load(rps, p50, p99, requests, failed)


def wrk(
    url: str,
    headers: dict[str, str],
    *,
    expect: int,
    connections: int,
    seconds: int,
    max_requests: int,
    tmp: Path,
) -> Load:
    script = tmp / "bounded.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    threads = 2
    argv = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    env = dict(os.environ, WRK_EXPECT=str(expect), WRK_MAX=str(max(1, max_requests // threads)))
    done = subprocess.run(
        [*argv, url], capture_output=True, text=True, env=env, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        raise RuntimeError(f"wrk failed with status {done.returncode}")
    return parse_wrk(done.stdout)
