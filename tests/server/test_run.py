"""The server keeps serving: bad requests, slow clients, many readers, publishes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from server_testlib import ServerFactory, fetch, raw_get, raw_request
from waitress import wasyncore

from syndicator.server import RunningServer, ServerError, ServerSettings, start_in_thread


def test_port_zero_binds_a_real_port_before_returning(feeds_dir: Path) -> None:
    running = start_in_thread(ServerSettings(directory=feeds_dir, port=0))
    try:
        assert running.port > 0
        assert running.url == f"http://127.0.0.1:{running.port}"
        assert requests.get(running.url + "/healthz", timeout=10).text.strip() == "ok"
    finally:
        running.close()


def test_close_stops_listening_and_can_be_called_twice(feeds_dir: Path) -> None:
    running = start_in_thread(ServerSettings(directory=feeds_dir, port=0))
    port = running.port
    running.close()
    running.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_close_ends_open_keep_alive_connections(feeds_dir: Path) -> None:
    running = start_in_thread(ServerSettings(directory=feeds_dir, port=0))
    idle = socket.create_connection(("127.0.0.1", running.port), timeout=10)
    try:
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while not answer.endswith(b"\r\n\r\nok\n"):  # headers and body may come in two reads
            chunk = idle.recv(65536)
            assert chunk, "the server closed before answering"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        running.close()
        assert idle.recv(65536) == b""  # the server closed its side
    finally:
        idle.close()


def test_a_busy_port_is_a_server_error_naming_the_address(feeds_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerError, match=rf"cannot serve on 127\.0\.0\.1:{port}: "):
            start_in_thread(ServerSettings(directory=feeds_dir, port=port))


def test_serve_runs_until_interrupted(feeds_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from syndicator.server import ServerSettings, serve\n"
        "ready = threading.Event()\n"
        "threading.Thread(target=lambda: (ready.wait(), print('ready', flush=True))).start()\n"
        f"serve(ServerSettings(directory=Path(sys.argv[1]), port={port}), ready=ready)\n"
        "print('stopped', flush=True)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(feeds_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        body = requests.get(f"http://127.0.0.1:{port}/rss.xml", timeout=10).content
        assert body == (feeds_dir / "rss.xml").read_bytes()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert process.stdout.read().strip() == "stopped"
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    ("garbage", "status"),
    [
        (b"\x00\xff\xfe GARBAGE \x01\r\n\r\n", b"400"),
        (b"GET\r\n\r\n", b"400"),
        (b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"400"),
        (
            b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
            b"400",
        ),
        (b"GET /rss.xml HTTP/1.1\r\nBad Header Without Colon\r\n\r\n", b"400"),
        (b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"431"),
        (b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n", b"431"),
    ],
)
def test_a_malformed_request_is_refused_and_the_server_goes_on(
    server: RunningServer, feeds_dir: Path, garbage: bytes, status: bytes
) -> None:
    response = raw_request(server.port, garbage)
    assert response.split(b"\r\n", 1)[0].split(b" ")[1] == status
    code, after = raw_get(server.port, "/rss.xml")
    assert code == 200
    assert after.endswith((feeds_dir / "rss.xml").read_bytes())


def test_a_client_that_hangs_up_mid_request_does_not_stop_the_server(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
            sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n")
    for _ in range(20):  # asks for the feed, then leaves without reading the answer
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
            sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
    assert fetch(running, "/rss.xml")[0].status == 200


def test_slow_clients_do_not_block_other_readers(feeds_dir: Path, start_server: ServerFactory) -> None:
    # All from one address, so the per-client cap (tested on its own) is off.
    running = start_server(feeds_dir, threads=2, connections_per_client=0)
    stalled: list[socket.socket] = []
    try:
        for _ in range(30):  # more stalled clients than worker threads
            sock = socket.create_connection(("127.0.0.1", running.port), timeout=10)
            sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            stalled.append(sock)
        for sock in stalled[:10]:  # asked for a feed, never read it
            sock.sendall(b"1\r\n\r\n" + b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n" * 50)
        for _ in range(20):
            assert fetch(running, "/rss.xml")[0].status == 200
    finally:
        for sock in stalled:
            sock.close()


def test_a_stalled_connection_is_closed_after_the_channel_timeout(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir, channel_timeout_seconds=1)
    with socket.create_connection(("127.0.0.1", running.port), timeout=60) as sock:
        sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\n")
        # waitress checks idle channels every cleanup_interval; recv returns b"" once closed.
        assert sock.recv(65536) == b""


def test_many_concurrent_readers_all_get_the_whole_feed(server: RunningServer, feeds_dir: Path) -> None:
    expected = (feeds_dir / "rss.xml").read_bytes()
    failures: list[str] = []
    counts: list[int] = []

    def reader() -> None:
        count = 0
        with requests.Session() as session:
            for n in range(40):
                response = session.get(server.url + "/rss.xml", timeout=10)
                if response.status_code != 200 or response.content != expected:
                    failures.append(f"request {n}: {response.status_code}")
                count += 1
        counts.append(count)

    threads = [threading.Thread(target=reader) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert counts == [40] * 24


def test_the_server_loop_waits_while_workers_send_large_answers(
    tmp_path: Path, start_server: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker thread sends the answer it is making itself; meanwhile the loop
    must not poll that connection for writing, or it turns without end (its own
    flush cannot take the worker's lock) and holds the interpreter lock the
    worker needs to finish: many readers of a large feed then got a tenth of the
    answers a second. Counted in turns of the loop, the real one, per answer."""
    turns = [0]
    poll = wasyncore.poll2

    def counted(*args: object, **kwargs: object) -> None:
        turns[0] += 1
        poll(*args, **kwargs)

    monkeypatch.setattr(wasyncore, "poll2", counted)
    (tmp_path / "rss.xml").write_bytes(os.urandom(2 << 20))
    server = start_server(tmp_path, connections_per_client=0)
    answers: list[int] = []

    def reader() -> None:
        with requests.Session() as session:
            for _ in range(3):
                answers.append(len(session.get(server.url + "/rss.xml", timeout=30).content))

    threads = [threading.Thread(target=reader) for _ in range(32)]
    turns[0] = 0
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert answers == [2 << 20] * 96
    assert turns[0] / len(answers) < 4  # about 0.4; 8 to 10 when the loop spun


def test_readers_during_atomic_replaces_get_a_whole_old_or_new_file(
    server: RunningServer, feeds_dir: Path
) -> None:
    """The writer's temp file + os.replace, raced by readers: no partial bytes."""
    feed = feeds_dir / "rss.xml"
    versions = [feed.read_bytes(), feed.read_bytes().replace(b"Home", b"Home, edited") * 3]
    gzip_etags = {'"' + hashlib.blake2b(v, digest_size=16).hexdigest() + '-gz"' for v in versions}
    readers_done = threading.Event()
    bad: list[str] = []
    seen: list[bytes] = []
    replaced: list[int] = []

    def writer() -> None:
        for n in range(20_000):  # until the readers are done; bounded all the same
            if readers_done.is_set():
                break
            temp = feeds_dir / f".rss.xml.tmp-{n}"
            temp.write_bytes(versions[n % 2])
            os.replace(temp, feed)
            replaced.append(n)

    def reader() -> None:
        with requests.Session() as session:
            for _ in range(150):
                response = session.get(
                    server.url + "/rss.xml", headers={"Accept-Encoding": "gzip"}, timeout=10
                )
                if response.content not in versions:
                    bad.append(f"{response.status_code}: {len(response.content)} bytes")
                elif response.headers["ETag"] not in gzip_etags:
                    bad.append(f"ETag {response.headers['ETag']}")
                seen.append(response.content)

    readers = [threading.Thread(target=reader) for _ in range(6)]
    writing = threading.Thread(target=writer)
    writing.start()
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join(timeout=120)
    readers_done.set()
    writing.join(timeout=120)
    assert bad == []
    assert len(seen) == 6 * 150
    assert len(replaced) > 1


def test_a_head_and_a_get_from_one_keep_alive_connection(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir)
    response = raw_request(
        running.port,
        b"HEAD /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /atom.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert response.count(b"HTTP/1.1 200 OK") == 2
    assert response.endswith((feeds_dir / "atom.xml").read_bytes())
    assert (feeds_dir / "rss.xml").read_bytes() not in response


def test_at_the_connection_limit_an_idle_keep_alive_connection_gives_way_to_a_reader(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    """RFC 9112 §9.5: an idle persistent connection may be closed at any time;
    a new reader must not wait for the idle ones to time out."""
    running = start_server(feeds_dir, connection_limit=20, connections_per_client=0)
    idle: list[socket.socket] = []
    try:
        for n in range(20):
            sock = socket.create_connection(("127.0.0.1", running.port), timeout=10)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while not answer.endswith(b"ok\n"):
                answer += sock.recv(65536)
            idle.append(sock)
            if n == 0:
                # waitress dates a connection's last activity when the worker thread
                # ends the request, just after the answer is sent: on a busy machine
                # that can come after the next connections' answers. A second apart,
                # the first connection is the one idle longest, whatever the load.
                time.sleep(1.0)
        response, body = fetch(running, "/rss.xml")
        assert response.status == 200
        assert body == (feeds_dir / "rss.xml").read_bytes()
        # The longest idle connection was the one let go.
        assert idle[0].recv(65536) == b""
    finally:
        for sock in idle:
            sock.close()


def test_a_reader_polling_with_its_etag_keeps_its_connection(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    """A 304 has no body and ends with its headers (RFC 9112 §6.3): the next poll goes
    over the same connection, as it does after a 200, instead of a new one each time."""
    running = start_server(feeds_dir)
    etag = fetch(running, "/rss.xml")[0].headers["ETag"].encode()
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
        sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + b"\r\n\r\n")
        first = b""
        while not first.endswith(b"\r\n\r\n"):
            chunk = sock.recv(65536)
            assert chunk, "closed before the end of the 304's headers"
            first += chunk
        # The server has answered; a connection it means to close is closed by now.
        time.sleep(0.3)
        sock.sendall(b"GET /atom.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        second = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                second += chunk

    assert first.startswith(b"HTTP/1.1 304 Not Modified\r\n")
    assert b"\r\nConnection: close\r\n" not in first
    assert second.startswith(b"HTTP/1.1 200 OK\r\n")
    assert second.endswith((feeds_dir / "atom.xml").read_bytes())


def test_a_304_still_closes_when_the_reader_asks_or_speaks_http_1_0(
    feeds_dir: Path, start_server: ServerFactory
) -> None:
    running = start_server(feeds_dir)
    etag = fetch(running, "/rss.xml")[0].headers["ETag"].encode()
    for request in (
        b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + b"\r\nConnection: close\r\n\r\n",
        b"GET /rss.xml HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag + b"\r\nConnection: TE, Close\r\n\r\n",
        b"GET /rss.xml HTTP/1.0\r\nIf-None-Match: " + etag + b"\r\n\r\n",
    ):
        response = raw_request(running.port, request)  # reads until the server closes
        assert response.split(b"\r\n", 1)[0].endswith(b"304 Not Modified")
        assert b"\r\nConnection: close\r\n" in response
