"""The article body found in real pages, measured against bodies marked by hand.

The development corpus (tests/normalize/page_corpus.py: the scrapinghub pages,
codelucas/newspaper's and goose3's test pages, each with its licence beside it) is
read as a publish reads it, and each body compared with its reference. The floors
sit just under the figures measured when they were set, for the English pages and
for the others, so a change that makes extraction worse in either fails here.
bench/extractors.py gives the same figures beside trafilatura's and readability-lxml's.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from page_corpus import Page, language_group, pages
from textscore import Score, mean_score, score

from syndicator.model import Article, RawRecord
from syndicator.normalize import normalize
from syndicator.normalize.context import NormalizeContext

FLOORS = {  # group: (F1, precision, recall); measured 0.956 / 0.964 / 0.963 and 0.936 / 0.919 / 0.967
    "en": (0.95, 0.955, 0.955),
    "other": (0.93, 0.91, 0.96),
}
CORPUS = [p for p in pages() if p.reference is not None]


@pytest.fixture(scope="module")
def scores(ctx: NormalizeContext) -> dict[str, tuple[Page, Score]]:
    out = {}
    for page in CORPUS:
        got = normalize(RawRecord("pages", page.key, "", "html", page.html), ctx)
        body = got.content_text if isinstance(got, Article) else ""
        out[page.key] = (page, score(body, page.reference or ""))
    return out


def test_the_corpus_is_large_varied_and_multilingual() -> None:
    assert len(CORPUS) >= 200
    assert len({p.key.rsplit("-", 1)[0] for p in CORPUS}) >= 100  # distinct sites
    assert len({p.language for p in CORPUS if language_group(p.language) == "other"}) >= 10
    assert all(p.language for p in CORPUS)


@pytest.mark.parametrize("group", sorted(FLOORS))
def test_mean_body_f1_is_above_the_floor(scores: dict[str, tuple[Page, Score]], group: str) -> None:
    mine = {k: s for k, (p, s) in scores.items() if language_group(p.language) == group}
    for key, s in sorted(mine.items(), key=lambda kv: kv[1].f1)[:15]:
        print(f"{key:56} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f}")
    by_language: dict[str, list[Score]] = defaultdict(list)
    for page, s in scores.values():
        if language_group(page.language) == group:
            by_language[page.language or "?"].append(s)
    for language, items in sorted(by_language.items()):
        m = mean_score(items)
        print(f"{language:4} {len(items):4} pages  P={m.precision:.3f} R={m.recall:.3f} F1={m.f1:.3f}")
    mean = mean_score(mine.values())
    print(f"{group} mean over {len(mine)} pages: P={mean.precision:.3f} R={mean.recall:.3f} F1={mean.f1:.3f}")
    f1, precision, recall = FLOORS[group]
    assert mean.f1 >= f1
    assert mean.precision >= precision
    assert mean.recall >= recall


def test_every_page_yields_a_body(scores: dict[str, tuple[Page, Score]]) -> None:
    assert [key for key, (_, s) in scores.items() if s.recall == 0] == []
