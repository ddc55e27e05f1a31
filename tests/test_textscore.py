"""Bag-of-tokens scoring of an extracted text against a reference."""

from __future__ import annotations

import pytest
from textscore import Score, mean_score, score


def test_identical_texts_score_one_whatever_the_spacing_and_case() -> None:
    assert score("Hello,  world!\n\nAgain.", "hello world again") == Score(1.0, 1.0, 1.0)


def test_extra_words_cost_precision_and_missing_words_cost_recall() -> None:
    s = score("a b c d", "a b")
    assert (s.precision, s.recall) == (0.5, 1.0)
    s = score("a b", "a b c d")
    assert (s.precision, s.recall) == (1.0, 0.5)
    assert s.f1 == pytest.approx(2 / 3)


def test_repeated_words_count_as_often_as_they_appear() -> None:
    assert score("the the the", "the").precision == pytest.approx(1 / 3)


def test_nothing_extracted_scores_zero_and_two_empty_texts_agree() -> None:
    assert score("", "some words") == Score(0.0, 0.0, 0.0)
    assert score("", "") == Score(1.0, 1.0, 1.0)


def test_pages_are_averaged_with_equal_weight() -> None:
    mean = mean_score([Score(1.0, 1.0, 1.0), Score(0.0, 0.0, 0.0)])
    assert mean == Score(0.5, 0.5, 0.5)
