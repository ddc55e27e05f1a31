"""Bytes of a text file to str: BOMs, legacy encodings, mojibake, binary files."""

from __future__ import annotations

import codecs
import random

import pytest

from syndicator.normalize.encoding import declared_charset, decode_report, decode_text

TEXT = "L’été à Zürich : « déjà vu »"


def test_utf8_without_bom() -> None:
    assert decode_text(TEXT.encode("utf-8")) == TEXT


def test_utf8_with_bom_loses_the_bom() -> None:
    assert decode_text(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == TEXT


def test_utf16_with_bom() -> None:
    assert decode_text(TEXT.encode("utf-16")) == TEXT


def test_cp1252_bytes_fall_back_to_cp1252() -> None:
    assert decode_text(TEXT.encode("cp1252")) == TEXT


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    assert decode_text(b"caf\xe9 \x81") == "café \x81"


def test_mojibake_is_repaired() -> None:
    broken = TEXT.encode("utf-8").decode("cp1252")  # "Lâ€™Ã©tÃ© …"
    assert decode_text(broken.encode("utf-8")) == TEXT


def test_crlf_line_ends_become_lf() -> None:
    assert decode_text(b"a\r\nb\r\n") == "a\nb\n"


@pytest.mark.parametrize(
    "data",
    [
        b"abc\x00\x00\x00def\x00\x01\x02",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"%PDF-1.7\n",
        b"PK\x03\x04rest",
        bytes(range(1, 32)) * 4,
        random.Random(7).randbytes(4096),  # what an unknown binary format looks like
    ],
)
def test_binary_data_is_rejected(data: bytes) -> None:
    with pytest.raises(ValueError, match="binary file"):
        decode_text(data)


@pytest.mark.parametrize("stray", [b"\x00", b"\x0b", b"\x01", b"\x7f"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_text_file_with_one_stray_control_byte_is_text_with_the_byte_removed(
    stray: bytes, encoding: str
) -> None:
    data = ("Un titre\n\nLe premier paragraphe de l’été." + "\n\nUn autre paragraphe." * 3).encode(encoding)
    decoded = decode_report(data[:20] + stray + data[20:])
    assert decoded.text == data.decode(encoding)
    assert decoded.removed_controls == 1


def test_utf16_text_saved_without_a_byte_order_mark_is_text() -> None:
    assert decode_text(TEXT.encode("utf-16-le")) == TEXT
    assert decode_text(TEXT.encode("utf-16-be")) == TEXT


POLISH = '<html><head><meta charset="iso-8859-2"><title>Rada miasta przyjęła budżet</title></head>'


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        ('<meta charset="iso-8859-2">', "iso8859-2"),
        ("<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=windows-1250'>", "cp1250"),
        ('<meta charset="ISO-8859-1">', "cp1252"),  # WHATWG: that label means windows-1252
        ('<meta charset="utf-16">', None),  # ignored, as HTML's prescan ignores it
        ('<meta charset="klingon">', None),
        ("<title>no declaration</title>", None),
    ],
)
def test_a_page_declares_its_encoding_in_its_head(head: str, codec: str | None) -> None:
    assert declared_charset(f"<html><head>{head}</head>".encode("ascii")) == codec


def test_a_saved_page_in_its_declared_legacy_encoding_is_read_in_it() -> None:
    data = POLISH.encode("iso-8859-2")

    assert decode_report(data).text != POLISH  # cp1252 guesses wrong: "przyjê³a bud¿et"
    assert decode_report(data, declared=declared_charset(data)).text == POLISH


def test_a_page_in_valid_utf8_is_utf8_whatever_it_declares() -> None:
    data = POLISH.encode("utf-8")  # re-saved by a tool that kept the old declaration

    assert decode_report(data, declared=declared_charset(data)).text == POLISH
