"""Decoding: declared and undeclared encodings, BOMs, and what is not text at all."""

from __future__ import annotations

import pytest

from pipeline.stages.s2_text.decode import DecodeError, decode

FRENCH = "Coopération avec Liège : l’été “jumelé” — œuvre…"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-16"])
def test_declared_encodings_round_trip(encoding: str) -> None:
    head = f'<html><head><meta charset="{encoding}"></head><body><p>' if encoding != "utf-16" else "<p>"
    data = (head + FRENCH + "</p>").encode(encoding)
    text, _ = decode(data)
    assert FRENCH in text


def test_undeclared_windows_1252_is_not_read_as_latin1_controls() -> None:
    data = ("<html><body><p>" + FRENCH * 5 + "</p></body></html>").encode("cp1252")
    text, encoding = decode(data)
    assert "l’été" in text and "\x85" not in text and "\x92" not in text, encoding


def test_iso_8859_1_label_is_read_as_windows_1252() -> None:
    data = b'<meta charset="iso-8859-1"><p>l\x92\xe9t\xe9</p>'
    text, _ = decode(data)
    assert "l’été" in text


def test_http_charset_wins_over_guessing() -> None:
    text, encoding = decode("Coopération".encode("cp1252"), http_charset="windows-1252")
    assert text == "Coopération" and encoding == "cp1252"


def test_wrong_declaration_falls_back_to_utf8() -> None:
    data = '<meta charset="ascii"><p>Coopération</p>'.encode()
    assert "Coopération" in decode(data.replace(b"ascii", b"utf-8"))[0]
    text, _ = decode(data)
    assert "Coop" in text


@pytest.mark.parametrize("data", [b"", b"   \n\t ", bytes(range(256)) * 8])
def test_empty_and_binary_are_errors(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(data)


def test_undeclared_western_text_is_not_read_as_central_european() -> None:
    text = "La commune est jumelée avec la ville de Fès (Maroc) depuis 1998 – « œuvre » commune."
    assert decode(text.encode("cp1252"))[0] == text


def test_utf8_with_a_few_broken_bytes_stays_utf8() -> None:
    data = "<p>Jumelée avec Fès depuis 1998</p>".encode().replace(b"depuis", b"\xff\xfe depuis")
    text, encoding = decode(data)
    assert encoding == "utf-8" and "Fès" in text and "Jumelée" in text
