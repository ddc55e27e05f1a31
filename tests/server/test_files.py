"""Only public files under the served directory are ever sent.

Most attempts are sent over a raw socket: HTTP clients normalise dot segments
and encodings before sending, which would hide what the server does with them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from server_testlib import SECRET, fetch, raw_get

from syndicator.server import RunningServer
from syndicator.server._files import Redirect, Target, resolve

TRAVERSALS = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/categories/../../secret.txt",
    "/categories/tech/../../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/categories%2f..%2f..%2fsecret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/..%5Csecret.txt",
    "/categories\\..\\..\\secret.txt",
    "/%252e%252e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/..;/secret.txt",
    "/./../secret.txt",
    "//etc/passwd",
    "///etc/passwd",
    "/%2fetc%2fpasswd",
    "/etc/passwd",
    "/rss.xml%00",
    "/rss.xml%00.html",
    "/%00/../secret.txt",
    "/..%00/secret.txt",
    "http://127.0.0.1/../secret.txt",
    "http://127.0.0.1/%2e%2e/secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_attempts_are_not_found_and_leak_nothing(server: RunningServer, target: str) -> None:
    status, response = raw_get(server.port, target)
    assert status == 404, response
    assert SECRET not in response
    assert b"root:" not in response


@pytest.mark.parametrize("target", [b"/\xff\xfe/secret.txt", b"/rss\x01.xml", b"/%ff%fe"])
def test_undecodable_or_control_character_paths_are_refused(server: RunningServer, target: bytes) -> None:
    status, response = raw_get(server.port, target)
    assert status in (400, 404)
    assert SECRET not in response


def test_a_symlink_pointing_outside_is_not_followed(server: RunningServer, feeds_dir: Path) -> None:
    (feeds_dir / "leak.xml").symlink_to(feeds_dir.parent / "secret.txt")
    (feeds_dir / "outside").symlink_to(feeds_dir.parent, target_is_directory=True)
    (feeds_dir / "etc").symlink_to("/etc", target_is_directory=True)
    for path in ("/leak.xml", "/outside/secret.txt", "/etc/passwd"):
        response, body = fetch(server, path)
        assert response.status == 404, path
        assert SECRET not in body


def test_a_symlink_inside_the_directory_is_served(server: RunningServer, feeds_dir: Path) -> None:
    (feeds_dir / "latest.xml").symlink_to(feeds_dir / "categories" / "tech" / "rss.xml")
    response, body = fetch(server, "/latest.xml")
    assert response.status == 200
    assert body == (feeds_dir / "categories" / "tech" / "rss.xml").read_bytes()


def test_dotfiles_and_the_writers_temp_files_are_not_found(server: RunningServer, feeds_dir: Path) -> None:
    (feeds_dir / ".hidden").mkdir()
    (feeds_dir / ".hidden" / "rss.xml").write_bytes(SECRET)
    (feeds_dir / "visible.xml").symlink_to(feeds_dir / ".rss.xml.tmp-3f2a")
    for path in ("/.rss.xml.tmp-3f2a", "/.hidden/rss.xml", "/%2ehidden/rss.xml", "/visible.xml"):
        response, body = fetch(server, path)
        assert response.status == 404, path
        assert SECRET not in body


def test_an_index_html_symlinked_outside_is_not_served(server: RunningServer, feeds_dir: Path) -> None:
    (feeds_dir / "index.html").unlink()
    (feeds_dir / "index.html").symlink_to(feeds_dir.parent / "secret.txt")
    response, body = fetch(server, "/")
    assert response.status == 404
    assert SECRET not in body


def test_a_fifo_is_not_opened(server: RunningServer, feeds_dir: Path) -> None:
    os.mkfifo(feeds_dir / "pipe.xml")
    response, _ = fetch(server, "/pipe.xml")
    assert response.status == 404


def test_resolve_names_the_file_and_its_url_path(feeds_dir: Path) -> None:
    root = os.path.realpath(feeds_dir)
    found = resolve(root, "/categories/tech/rss.xml", "/categories/tech/rss.xml")
    assert found == Target(
        path=os.path.join(root, "categories", "tech", "rss.xml"),
        url_path="categories/tech/rss.xml",
        name="rss.xml",
    )
    assert resolve(root, "/", "/") == Target(
        path=os.path.join(root, "index.html"), url_path="index.html", name="index.html"
    )


def test_resolve_redirects_a_directory_with_an_index_to_its_slash(feeds_dir: Path) -> None:
    (feeds_dir / "categories" / "tech" / "index.html").write_bytes(b"<h1>Tech</h1>")
    root = os.path.realpath(feeds_dir)
    assert resolve(root, "/categories/tech", None) == Redirect(url_path="categories/tech/")


def test_resolve_decodes_utf8_paths(feeds_dir: Path) -> None:
    (feeds_dir / "categories" / "café").mkdir()
    (feeds_dir / "categories" / "café" / "rss.xml").write_bytes(b"<rss/>")
    root = os.path.realpath(feeds_dir)
    wsgi_path = "/categories/café/rss.xml".encode().decode("latin-1")  # PEP 3333
    found = resolve(root, wsgi_path, "/categories/caf%C3%A9/rss.xml")
    assert isinstance(found, Target)
    assert found.url_path == "categories/café/rss.xml"
