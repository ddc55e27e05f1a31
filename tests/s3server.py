"""A real S3-compatible server for the tests: moto's standalone server, as a process.

`python -m moto.server -p 0` listens on 127.0.0.1 at a port the kernel picks
and names it on its output; the fixture reads it from there (no port race).
Each test gets a bucket of its own. A second server, `s3_auth_server`,
checks signatures against its own (empty) set of users, so that every key a
test offers is a wrong key.

Without moto installed the tests that need it are skipped, except in CI ($CI
set), where that is a failure: `.ci/run` installs the `test` extra, which
holds `moto[server]`.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

START_SECONDS = 60.0  # the server must name its port this soon
_RUNNING = re.compile(rb"Running on http://127\.0\.0\.1:(\d+)")
_buckets = itertools.count(1)

# Credentials moto accepts (it checks none unless told to); tests set them in
# the environment as a site would.
TEST_KEY_ID = "AKIDSYNDICATORTEST"
TEST_SECRET = "syndicator-test-secret-value-0123456789"


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log: Path  # what the server printed

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=TEST_KEY_ID,
            aws_secret_access_key=TEST_SECRET,
        )

    def new_bucket(self) -> str:
        """A bucket whose objects anyone may read, as a site's bucket behind a CDN."""
        name = f"site-{os.getpid()}-{next(_buckets)}"
        client = self.client()
        client.create_bucket(Bucket=name)
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{name}/*",
                }
            ],
        }
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return name


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"an S3-compatible server is required in CI: {why}")
    pytest.skip(why)


def start_server(env: dict[str, str] | None = None) -> S3Server:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("boto3") is None:
        _unavailable("moto[server] and boto3 are not installed (pip install -e '.[test]')")
    # Its log goes to a file: a pipe nobody reads would fill and stall the server.
    with tempfile.NamedTemporaryFile(prefix="syndicator-moto-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    deadline = time.monotonic() + START_SECONDS
    while (found := _RUNNING.search(Path(log.name).read_bytes())) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            seen = Path(log.name).read_text(errors="replace")
            pytest.fail(f"moto.server did not start: {seen[-500:]}")
        time.sleep(0.05)
    return S3Server(endpoint=f"http://127.0.0.1:{int(found[1])}", process=process, log=Path(log.name))


def stop_server(server: S3Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def s3_auth_server() -> Iterator[S3Server]:
    """A server that checks every request's signature against users it does not have."""
    server = start_server({"INITIAL_NO_AUTH_ACTION_COUNT": "0"})
    try:
        yield server
    finally:
        stop_server(server)
