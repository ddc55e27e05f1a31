"""Atomic writes: a reader gets the whole old file or the whole new one; equal bytes are not rewritten."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sitekit import NOW

from syndicator.errors import OutputError
from syndicator.write import WRITING_NAME, remove_stale_temp_files, write_if_changed, writing


def test_writes_a_new_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "categories" / "monde" / "rss.xml"
    assert write_if_changed(path, b"<rss/>") is True
    assert path.read_bytes() == b"<rss/>"
    assert path.stat().st_mode & 0o777 == 0o644


def test_equal_bytes_are_not_rewritten_and_mtime_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "rss.xml"
    write_if_changed(path, b"<rss>1</rss>")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    inode = path.stat().st_ino
    assert write_if_changed(path, b"<rss>1</rss>") is False
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert path.stat().st_ino == inode


def test_changed_bytes_replace_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rss.xml"
    write_if_changed(path, b"<rss>1</rss>")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert write_if_changed(path, b"<rss>2</rss>") is True
    assert path.read_bytes() == b"<rss>2</rss>"
    assert path.stat().st_mtime_ns != 1_000_000_000


def test_same_size_different_bytes_are_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    write_if_changed(path, b'{"a":1}')
    assert write_if_changed(path, b'{"a":2}') is True
    assert path.read_bytes() == b'{"a":2}'


def test_no_temp_file_is_left_behind(tmp_path: Path) -> None:
    for n in range(3):
        write_if_changed(tmp_path / "rss.xml", f"<rss>{n}</rss>".encode())
    write_if_changed(tmp_path / "rss.xml", b"<rss>2</rss>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rss.xml"]


def test_replace_is_atomic_for_a_reader_holding_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "atom.xml"
    write_if_changed(path, b"old" * 1000)
    with path.open("rb") as reader:
        write_if_changed(path, b"new" * 2000)
        assert reader.read() == b"old" * 1000  # the old inode, whole
    assert path.read_bytes() == b"new" * 2000


def test_concurrent_readers_see_only_whole_files(tmp_path: Path) -> None:
    path = tmp_path / "rss.xml"
    versions = [bytes([65 + n]) * (50_000 + n) for n in range(20)]
    write_if_changed(path, versions[0])
    seen: set[bytes] = set()
    done = threading.Event()

    def read_loop() -> None:
        while not done.is_set():
            seen.add(path.read_bytes())

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        for data in versions[1:]:
            write_if_changed(path, data)
    finally:
        done.set()
        reader.join()
    assert seen <= set(versions)


def test_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "feeds"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        write_if_changed(blocker / "rss.xml", b"<rss/>")
    assert str(blocker / "rss.xml") in str(info.value)
    assert isinstance(info.value.__cause__, OSError)


def test_stale_temp_files_are_removed_and_counted_after_a_writer_died(tmp_path: Path) -> None:
    state = tmp_path / "state"
    output = tmp_path
    (tmp_path / "categories").mkdir()
    (tmp_path / ".rss.xml.tmp-abc123").write_bytes(b"half")
    (tmp_path / "categories" / ".atom.xml.tmp-x").write_bytes(b"half")
    (tmp_path / "rss.xml").write_bytes(b"whole")
    (tmp_path / ".well-known").mkdir()
    (tmp_path / ".htaccess").write_bytes(b"keep")
    assert remove_stale_temp_files(output, state) == 0  # no writer died: nothing is looked for
    with pytest.raises(KeyboardInterrupt), writing(state):
        raise KeyboardInterrupt  # killed mid-write: the mark stays
    assert remove_stale_temp_files(output, state) == 2
    assert not (state / WRITING_NAME).exists()
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        ".htaccess",
        ".well-known",
        "categories",
        "rss.xml",
        "state",
    ]


def test_removing_temp_files_from_a_missing_folder_is_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), writing(tmp_path / "state"):
        raise KeyboardInterrupt
    assert remove_stale_temp_files(tmp_path / "absent", tmp_path / "state") == 0


def test_a_publish_syncs_each_folder_once_after_renaming_its_files_into_it(
    site: Path, add_records: Callable[[str, Any], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sitekit import record

    from syndicator import output
    from syndicator.config import load_config
    from syndicator.pipeline import publish_run

    add_records("a.json", [record(1, categories=["Monde"])])
    synced: list[Path] = []
    real = output.sync_directory

    def sync(directory: Path) -> None:
        # every file the folder will hold is already renamed in, whole
        assert not [p for p in directory.iterdir() if ".tmp-" in p.name]
        synced.append(directory.relative_to(site / "out"))
        real(directory)

    monkeypatch.setattr(output, "sync_directory", sync)
    report = publish_run(load_config(site / "syndicator.toml"), now=NOW)

    folders = [Path(f).parent for f in report.feeds_written]
    assert set(synced) == set(folders)
    # The category's feed in three formats and its pages: one sync.
    assert synced.count(Path("categories/monde")) == 1
    assert sum(f.startswith("categories/monde/") for f in report.feeds_written) > 3
