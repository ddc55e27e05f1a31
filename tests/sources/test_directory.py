"""A folder of records: what each file yields, and what a bad file costs (only itself)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from syndicator.config import SourceConfig
from syndicator.errors import ConfigError, SourceError
from syndicator.model import RawRecord, Rejection
from syndicator.sources.directory import DirectoryOptions, check, list_files, read, read_file


def read_all(folder: Path, *, recursive: bool = True) -> list[RawRecord | Rejection]:
    source = SourceConfig(name="wire", kind="directory", options={"path": folder})
    items = read(source, DirectoryOptions(path=folder, recursive=recursive))
    return [i for i in items if isinstance(i, (RawRecord, Rejection))]


def one_file(path: Path) -> list[RawRecord | Rejection]:
    return list(read_file("wire", path))


def records(items: list[RawRecord | Rejection]) -> list[RawRecord]:
    return [i for i in items if isinstance(i, RawRecord)]


def rejections(items: list[RawRecord | Rejection]) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


# -- JSON files --------------------------------------------------------------------


def test_json_object_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "Bonjour", "url": "https://e.org/1"}), encoding="utf-8")
    [record] = one_file(path)
    assert isinstance(record, RawRecord)
    assert record.kind == "json"
    assert record.payload == {"title": "Bonjour", "url": "https://e.org/1"}
    assert record.source == "wire"
    assert record.locator == ""
    assert Path(record.origin).resolve() == path


def test_json_list_is_one_record_per_object(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"title": "One"}, {"title": "Two"}]), encoding="utf-8")
    items = one_file(path)
    assert [r.payload["title"] for r in records(items)] == ["One", "Two"]
    assert [r.locator for r in records(items)] == ["record 0", "record 1"]


def test_non_object_in_a_json_list_is_rejected_by_position(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"title": "One"}, "oops", {"title": "Three"}]), encoding="utf-8")
    items = one_file(path)
    [rejection] = rejections(items)
    assert rejection.locator == "record 1"
    assert "must be a JSON object, not a string" in rejection.reason
    assert rejection.payload == "oops"
    assert [r.payload["title"] for r in records(items)] == ["One", "Three"]


def test_items_wrapper_object_is_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"items": [{"title": "A"}, {"title": "B"}]}), encoding="utf-8")
    assert [r.payload["title"] for r in records(one_file(path))] == ["A", "B"]


def test_json_scalar_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    path.write_text("42", encoding="utf-8")
    [rejection] = one_file(path)
    assert isinstance(rejection, Rejection)
    assert "not a number" in rejection.reason


def test_not_json_is_rejected_with_the_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"title": "A",\n "url": }', encoding="utf-8")
    [rejection] = one_file(path)
    assert isinstance(rejection, Rejection)
    assert rejection.reason.startswith("not valid JSON")
    assert "line 2" in rejection.reason
    assert Path(rejection.origin).resolve() == path


# -- JSON Lines ----------------------------------------------------------------------


def test_jsonl_bad_line_is_rejected_and_the_good_lines_still_read(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl"
    path.write_text('{"title": "One"}\n{"title": broken}\n\n{"title": "Four"}\n[1, 2]\n', encoding="utf-8")
    items = one_file(path)
    assert [(r.locator, r.payload["title"]) for r in records(items)] == [
        ("line 1", "One"),
        ("line 4", "Four"),
    ]
    bad = rejections(items)
    assert [r.locator for r in bad] == ["line 2", "line 5"]
    assert bad[0].reason.startswith("not valid JSON")
    assert "not an array" in bad[1].reason
    assert str(bad[0]).endswith("wire.jsonl: line 2: /: " + bad[0].reason)


def test_jsonl_line_may_hold_a_line_separator_inside_a_string(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl"
    path.write_text('{"title": "A\u2028B"}\n{"title": "C\x85D"}\n', encoding="utf-8")
    items = one_file(path)
    assert rejections(items) == []
    assert [r.payload["title"] for r in records(items)] == ["A\u2028B", "C\x85D"]


def test_jsonl_with_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl"
    path.write_bytes(b'{"title": "One"}\r\n{"title": "Two"}\r\n')
    assert [r.locator for r in records(one_file(path))] == ["line 1", "line 2"]


# -- whatever the bytes are ----------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    [rejection] = one_file(path)
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "empty file"


def test_binary_file_is_rejected_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    [rejection] = one_file(path)
    assert isinstance(rejection, Rejection)
    assert "binary" in rejection.reason


def test_cp1252_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.json"
    path.write_bytes('{"title": "Café à Montréal – l’été"}'.encode("cp1252"))
    [record] = one_file(path)
    assert isinstance(record, RawRecord)
    assert record.payload["title"] == "Café à Montréal – l’été"


def test_utf8_bom_is_not_part_of_the_record(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"title": "T"}')
    [record] = one_file(path)
    assert isinstance(record, RawRecord)
    assert record.payload == {"title": "T"}


def test_text_file_is_one_text_record(tmp_path: Path) -> None:
    path = tmp_path / "scraped.txt"
    path.write_text("Un titre\n\nUn paragraphe.\n", encoding="utf-8")
    [record] = one_file(path)
    assert isinstance(record, RawRecord)
    assert record.kind == "text"
    assert record.payload.startswith("Un titre")


def test_unreadable_file_is_rejected_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "dir.json"  # a folder where a file is expected
    folder.mkdir()
    [rejection] = one_file(folder)
    assert isinstance(rejection, Rejection)
    assert rejection.reason.startswith("cannot read file")


# -- the folder --------------------------------------------------------------------


def test_files_are_read_in_sorted_order_whatever_the_creation_order(tmp_path: Path) -> None:
    for name in ["c.json", "a.json", "b/z.json", "b/a.json", "B.json"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"title": name}), encoding="utf-8")
    titles = [r.payload["title"] for r in records(read_all(tmp_path))]
    assert titles == sorted(["c.json", "a.json", "b/z.json", "b/a.json", "B.json"])
    assert titles == [r.payload["title"] for r in records(read_all(tmp_path))]


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "a.json").write_text('{"title": "hidden dir"}', encoding="utf-8")
    (tmp_path / ".draft.json").write_text('{"title": "hidden file"}', encoding="utf-8")
    (tmp_path / ".a.json.tmp-123").write_text("{", encoding="utf-8")
    (tmp_path / "seen.json").write_text('{"title": "seen"}', encoding="utf-8")
    assert [r.payload["title"] for r in records(read_all(tmp_path))] == ["seen"]


def test_other_suffixes_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a,b", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "UPPER.JSON").write_text('{"title": "upper"}', encoding="utf-8")
    assert [r.payload["title"] for r in records(read_all(tmp_path))] == ["upper"]


def test_subfolders_are_read_unless_not_recursive(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.json").write_text('{"title": "deep"}', encoding="utf-8")
    (tmp_path / "top.json").write_text('{"title": "top"}', encoding="utf-8")
    assert [r.payload["title"] for r in records(read_all(tmp_path))] == ["deep", "top"]
    assert [r.payload["title"] for r in records(read_all(tmp_path, recursive=False))] == ["top"]


def test_a_bad_file_does_not_stop_the_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"title": "A"}', encoding="utf-8")
    (tmp_path / "b.json").write_text("not json", encoding="utf-8")
    (tmp_path / "c.json").write_text('{"title": "C"}', encoding="utf-8")
    items = read_all(tmp_path)
    assert [r.payload["title"] for r in records(items)] == ["A", "C"]
    assert [Path(r.origin).name for r in rejections(items)] == ["b.json"]


def test_missing_directory_is_a_source_error_naming_the_source(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_all(tmp_path / "absent")
    assert info.value.source == "wire"
    assert info.value.ref == str(tmp_path / "absent")


def test_list_files_of_a_file_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SourceError):
        list_files("wire", DirectoryOptions(path=tmp_path / "a.json"))


# -- options -------------------------------------------------------------------------


def test_check_accepts_path_and_recursive(tmp_path: Path) -> None:
    options = check(SourceConfig("wire", "directory", {"path": str(tmp_path), "recursive": False}))
    assert options == DirectoryOptions(path=tmp_path, recursive=False)


def test_check_unknown_option_suggests_the_nearest() -> None:
    with pytest.raises(ConfigError) as info:
        check(SourceConfig("wire", "directory", {"pth": "in"}))
    assert info.value.key == "pth"
    assert "did you mean 'path'" in info.value.message


def test_check_requires_a_path() -> None:
    with pytest.raises(ConfigError) as info:
        check(SourceConfig("wire", "directory", {}))
    assert info.value.key == "path"


def test_check_recursive_must_be_boolean() -> None:
    with pytest.raises(ConfigError) as info:
        check(SourceConfig("wire", "directory", {"path": "in", "recursive": "yes"}))
    assert info.value.key == "recursive"


def test_a_saved_page_is_read_in_the_encoding_it_declares(tmp_path: Path) -> None:
    page = '<html><head><meta charset="iso-8859-2"><title>Rada miasta przyjęła budżet</title></head></html>'
    path = tmp_path / "budzet.html"
    path.write_bytes(page.encode("iso-8859-2"))

    [record] = one_file(path)

    assert isinstance(record, RawRecord) and record.payload == page


def test_a_text_file_declaring_an_encoding_in_markup_is_not_taken_for_a_page(tmp_path: Path) -> None:
    text = 'Quoted from the page: <meta charset="iso-8859-2"> — naïve café'
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode("cp1252"))

    [record] = one_file(path)

    assert isinstance(record, RawRecord) and record.payload == text


def test_a_jsonl_file_with_a_bom_and_one_legacy_byte_loses_no_record(tmp_path: Path) -> None:
    lines = [json.dumps({"title": f"Story {n}"}) for n in range(3)]
    path = tmp_path / "wire.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + "\n".join(lines[:3]).encode("utf-8") + b'\n{"title": "Caf\xe9 society"}\n'
    )

    found = one_file(path)

    assert [r.payload["title"] for r in records(found)] == [
        "Story 0",
        "Story 1",
        "Story 2",
        "Caf\u00e9 society",
    ]


def test_a_line_separator_inside_a_string_of_a_legacy_encoded_jsonl_file_splits_no_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wire.jsonl"
    text = '{"title": "Caf\u00e9"}\n{"title": "Before\u2028after"}\n{"title": "Last"}\n'
    path.write_bytes(text.encode("utf-8").replace("\u00e9".encode("utf-8"), b"\xe9"))

    found = one_file(path)

    assert rejections(found) == []
    assert [r.locator for r in records(found)] == ["line 1", "line 2", "line 3"]


def test_a_saved_json_feed_is_its_items(tmp_path: Path) -> None:
    feed = Path(__file__).parent / "fixtures" / "feed.json"
    path = tmp_path / "feed.json"
    path.write_bytes(feed.read_bytes())

    found = one_file(path)

    items = json.loads(feed.read_text(encoding="utf-8"))["items"]
    assert [r.payload["title"] for r in records(found)] == [i["title"] for i in items]


@pytest.mark.parametrize("key", ["posts", "data", "articles"])
def test_records_wrapped_in_an_object_are_read_one_by_one(tmp_path: Path, key: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps({key: [{"title": "One"}, {"title": "Two"}], "meta": {"total": 2}}), encoding="utf-8"
    )

    assert [r.payload["title"] for r in records(one_file(path))] == ["One", "Two"]


def test_an_article_holding_a_list_of_its_own_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "chart.json"
    article = {"title": "Rates", "content_html": "<p>Rates rose.</p>", "data": [{"x": 1}, {"x": 2}]}
    path.write_text(json.dumps(article), encoding="utf-8")

    assert [r.payload["title"] for r in records(one_file(path))] == ["Rates"]


def test_html_page_is_one_html_record(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><body><h1>Titre</h1></body></html>", encoding="utf-8")
    [record] = one_file(path)
    assert isinstance(record, RawRecord)
    assert record.kind == "html"
    assert "<h1>Titre</h1>" in record.payload


# -- a JSONL file of any size ----------------------------------------------------------


def test_a_jsonl_file_is_read_a_line_at_a_time_not_held_whole(tmp_path: Path) -> None:
    """A 640 MB export costs the memory of one line, in the reader and in every worker forked after it."""
    line = json.dumps({"title": "Un titre", "content": "é" * 2000}, ensure_ascii=False) + "\n"
    (tmp_path / "big.jsonl").write_text(line * 10_000, encoding="utf-8")  # 40 MB
    source = SourceConfig(name="wire", kind="directory", options={"path": tmp_path})
    tracemalloc.start()
    try:
        count = sum(
            1 for item in read(source, DirectoryOptions(path=tmp_path)) if isinstance(item, RawRecord)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 10_000
    assert peak < 8_000_000, f"{peak} bytes held while reading a 40 MB file"


def test_a_jsonl_file_over_max_file_bytes_is_read_and_only_a_line_over_it_rejected(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    long_line = json.dumps({"title": "Long", "content": "x" * 5000})
    path.write_text(f'{{"title": "One"}}\n{long_line}\n{{"title": "Three"}}\n', encoding="utf-8")
    source = SourceConfig(name="wire", kind="directory", options={"path": tmp_path})
    items = list(read(source, DirectoryOptions(path=tmp_path, max_file_bytes=1000)))
    assert [(r.locator, r.payload["title"]) for r in records(items)] == [
        ("line 1", "One"),
        ("line 3", "Three"),
    ]
    [rejection] = rejections(items)
    assert rejection.locator == "line 2"
    assert rejection.reason == f"line of {len(long_line)} bytes is over max_file_bytes = 1000: not read"


def test_a_jsonl_file_in_a_legacy_encoding_is_still_decoded(tmp_path: Path) -> None:
    (tmp_path / "legacy.jsonl").write_bytes(
        '{"title": "Café à Montréal"}\n{"title": "l’été"}\n'.encode("cp1252")
    )
    assert [r.payload["title"] for r in records(read_all(tmp_path))] == ["Café à Montréal", "l’été"]


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_jsonl_file_is_one_rejection(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "empty.jsonl").write_bytes(content)
    [rejection] = read_all(tmp_path)
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "empty file"


def test_a_jsonl_file_with_a_byte_order_mark_reads_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "bom.jsonl").write_bytes(b'\xef\xbb\xbf{"title": "T"}\n{"title": "U"}\n')
    assert [r.payload for r in records(read_all(tmp_path))] == [{"title": "T"}, {"title": "U"}]


@pytest.mark.parametrize("recursive", [False, True])
def test_the_files_read_are_those_a_glob_of_the_folder_finds_in_the_same_order(
    tmp_path: Path, recursive: bool
) -> None:
    root = tmp_path / "articles"
    for name in (
        "b.json",
        "a.JSONL",
        "c.txt",
        "d.html",
        "e.HTM",
        "f.xml",
        "g.csv",
        "noext",
        "h.",
        ".hidden.json",
        "sub/i.json",
        "sub-a.json",  # after sub/…: paths are ordered part by part, not as text ("-" < "/")
        "sub/deeper/j.txt",
        ".dot/k.json",
        "sub/.l.json",
        "Z.json",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    (root / "folder.json").mkdir()  # a folder, whatever its name says
    (root / "link.json").symlink_to(root / "b.json")  # a link to a file is read
    (root / "linked").symlink_to(root / "sub", target_is_directory=True)  # not gone through
    options = DirectoryOptions(path=root, recursive=recursive)

    globbed = sorted(
        p
        for p in root.glob("**/*" if recursive else "*")
        if p.suffix.lower() in (".json", ".jsonl", ".txt", ".html", ".htm", ".xml")
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    assert list_files("wire", options) == globbed
    assert (root / "sub" / "deeper" / "j.txt" in globbed) is recursive
