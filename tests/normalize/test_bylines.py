"""Author names out of bylines in many languages."""

from __future__ import annotations

import pytest

from syndicator.model import Author
from syndicator.normalize.bylines import byline_names, split_authors
from syndicator.normalize.rules import Rules


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("par", []),
        ("Par :", []),
        ("By Jane Roe | June 2, 2024", ["Jane Roe"]),
        ("By Jane Roe, June 2, 2024", ["Jane Roe"]),
        (
            "Von Max Mustermann, Erika Musterfrau und Hans Beispiel",
            ["Max Mustermann", "Erika Musterfrau", "Hans Beispiel"],
        ),
        ("Por Ana García y Luis Pérez", ["Ana García", "Luis Pérez"]),
        ("Por Maria Silva e João Costa", ["Maria Silva", "João Costa"]),
        ("di Mario Rossi e Giulia Bianchi", ["Mario Rossi", "Giulia Bianchi"]),
        ("door Jan de Vries en Piet van der Berg", ["Jan de Vries", "Piet van der Berg"]),
        ("Jean Dupont, envoyé spécial à Kyiv", ["Jean Dupont"]),
        ("Jane Roe and John Smith", ["Jane Roe", "John Smith"]),
        ("Jean Dupont avec AFP", ["Jean Dupont", "AFP"]),
        ("文：佐藤花子 | 2024年3月12日 10:15", ["佐藤花子"]),
        ("By Jane Roe and Jane Roe", ["Jane Roe"]),
    ],
)
def test_split_authors(text: str, names: list[str], rules: Rules) -> None:
    assert [a.name for a in split_authors(text, rules=rules)] == names


def test_an_email_in_a_byline_is_kept_with_its_author(rules: Rules) -> None:
    assert split_authors("By John Smith <john@example.org>", rules=rules) == (
        Author(name="John Smith", email="john@example.org"),
    )


@pytest.mark.parametrize(
    "line",
    [
        "Par ailleurs, la ville a annoncé la fermeture du pont.",
        "By the end of the year, prices fell.",
        "Di qui, si vede il mare.",
    ],
)
def test_a_sentence_starting_with_a_byline_word_is_not_a_byline(line: str, rules: Rules) -> None:
    assert byline_names(line, rules=rules) is None


def test_an_empty_byline_is_a_byline_with_nobody(rules: Rules) -> None:
    assert byline_names("par", rules=rules) == ()


def test_a_line_without_a_byline_word_is_not_a_byline(rules: Rules) -> None:
    assert byline_names("Jean Dupont", rules=rules) is None


def test_a_japanese_byline_with_its_date_on_one_line_names_the_author(rules: Rules) -> None:
    assert byline_names("文：佐藤花子 | 2024年3月12日 10:15", rules=rules) == (Author(name="佐藤花子"),)
    assert byline_names("文化庁によると、サケの数は増えた。", rules=rules) is None
