"""Language detection for records that do not state it."""

from __future__ import annotations

import pytest

from syndicator.normalize.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Selon le média indépendant ASTRA, au moins douze soldats russes sont enfermés dans un sous-sol.",
            "fr",
        ),
        (
            "Tens of thousands of homes were still without electricity on Sunday, two days after the storm.",
            "en",
        ),
        (
            "Der Bundestag hat am Donnerstagabend nach einer hitzigen Debatte das neue Gesetz verabschiedet.",
            "de",
        ),
        ("El Banco Central Europeo ha decidido este jueves mantener sin cambios los tipos de interés.", "es"),
        ("Dopo tre mesi di lavori, la Fontana di Trevi torna visibile in tutto il suo splendore.", "it"),
        ("Portugal recebeu mais de trinta milhões de turistas no ano passado, um novo recorde.", "pt"),
        (
            "Het kabinet trekt de komende tien jaar twee miljard euro extra uit voor de dijken.",
            "nl",
        ),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "Paris", "OK 2024", "12345 67890 !!!"])
def test_too_little_text_gives_no_answer(text: str) -> None:
    assert detect_language(text) is None


def test_forty_letters_are_the_least_that_get_an_answer() -> None:
    # The model is sure of both (0.96); only the count of letters tells them apart,
    # digits, spaces and punctuation not counted.
    assert detect_language("Der Bundestag hat am Donnerstagabend das Geset 2024 !") == "de"
    assert detect_language("Der Bundestag hat am Donnerstagabend das Gese 2024 !") is None
