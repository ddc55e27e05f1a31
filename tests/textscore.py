"""How close an extracted article body is to a reference body.

The measure is the one the article-extraction benchmarks use (scrapinghub's
article-extraction-benchmark, trafilatura's evaluation): lowercase word tokens
compared as multisets, so a paragraph kept twice or a menu left in costs
precision and a dropped paragraph costs recall, while differences in spacing,
punctuation or paragraph breaks cost nothing. Pages are averaged with equal
weight, so one long page cannot hide many short failures. Chinese, Japanese
and Thai are written without spaces between words, so there each character of
those scripts is a token of its own (the usual character-level measure for them):
the tokens are syndicator's own word count (`syndicator.normalize.words`).

Used by the tests and the benchmarks only, so it lives beside them, not in
the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from syndicator.normalize.words import tokens


@dataclass(frozen=True)
class Score:
    precision: float  # share of extracted tokens that are in the reference
    recall: float  # share of reference tokens that were extracted
    f1: float


def score(extracted: str, reference: str) -> Score:
    """Bag-of-tokens precision, recall and F1; two empty texts agree perfectly."""
    got, want = tokens(extracted), tokens(reference)
    overlap = sum((got & want).values())
    n_got, n_want = sum(got.values()), sum(want.values())
    if n_got == 0 and n_want == 0:
        return Score(1.0, 1.0, 1.0)
    precision = overlap / n_got if n_got else 0.0
    recall = overlap / n_want if n_want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def mean_score(scores: Iterable[Score]) -> Score:
    """Per-page figures averaged with equal weight."""
    items = list(scores)
    if not items:
        return Score(0.0, 0.0, 0.0)
    n = len(items)
    return Score(
        sum(s.precision for s in items) / n,
        sum(s.recall for s in items) / n,
        sum(s.f1 for s in items) / n,
    )
