"""Raw scraped text to a Draft: golden cases in several languages, then single behaviours.

Each case is `cases/<name>.txt` with `cases/<name>.expected.json` beside it:
title, categories, author names, published / updated (RFC 3339), the body as
[tag, text] blocks, related titles, and strings that must not appear anywhere
in the body (the page furniture).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from syndicator.errors import ConfigError
from syndicator.normalize.context import NormalizeContext
from syndicator.normalize.draft import Draft
from syndicator.normalize.encoding import decode_text
from syndicator.normalize.rawtext import extract_text_article
from syndicator.normalize.rules import Rules, default_rules_path, load_rules

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.txt"))


def blocks(content_html: str | None) -> list[list[str]]:
    """[tag, text] per top-level block, as a reader would see them."""
    if not content_html:
        return []
    out = []
    for el in lxml_html.fragments_fromstring(content_html):
        if el.tag == "ul":
            out.append(["ul", "\n".join(li.text_content() for li in el)])
        else:
            out.append([el.tag, el.text_content()])
    return out


def as_expected(draft: Draft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "categories": list(draft.categories),
        "authors": [a.name for a in draft.authors],
        "published": draft.published.isoformat() if draft.published else None,  # type: ignore[union-attr]
        "updated": draft.updated.isoformat() if draft.updated else None,  # type: ignore[union-attr]
        "blocks": blocks(draft.content_html),
        "related_titles": list(draft.related_titles),
    }


def test_there_are_golden_cases_in_at_least_six_languages() -> None:
    languages = {p.name.split("_")[0] for p in CASE_FILES}
    assert {"fr", "en", "de", "es", "it", "nl", "pt"} <= languages
    for path in CASE_FILES:
        assert path.with_suffix(".expected.json").exists(), f"{path.name} has no expected record"


WHOLE_PAGE_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "sv", "tr", "ja")


@pytest.mark.parametrize("language", WHOLE_PAGE_LANGUAGES)
def test_each_language_has_a_whole_page_case_with_share_bar_caption_teasers_and_dated_byline(
    language: str,
) -> None:
    """A share bar on one line, a caption and other stories' teasers to drop; a byline with its date on one line."""
    cases = [p for p in CASE_FILES if p.name.split("_")[0] == language]
    assert any(
        (expected := json.loads(p.with_suffix(".expected.json").read_text(encoding="utf-8")))["authors"]
        and expected["published"]
        and len(expected["absent"]) >= 4  # the share bar, the caption, the teasers, the byline line
        and expected["related_titles"]
        for p in cases
    ), language


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_golden_case(path: Path, ctx: NormalizeContext) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    draft = extract_text_article(decode_text(path.read_bytes()), ctx=ctx)
    got = as_expected(draft)
    for key in ("title", "categories", "authors", "published", "updated", "blocks", "related_titles"):
        assert got[key] == expected[key], key
    for text in expected["absent"]:
        assert text.casefold() not in (draft.content_html or "").casefold(), text
    assert "<p></p>" not in (draft.content_html or "")


def test_seed_gives_the_exact_title_category_and_no_author(ctx: NormalizeContext) -> None:
    seed = Path(__file__).resolve().parents[2] / "config" / "samples" / "000_1b07a81e69550a1b.txt"
    draft = extract_text_article(decode_text(seed.read_bytes()), ctx=ctx)
    assert draft.title == (
        "Poutine se prépare à une mutinerie alors que des centaines de soldats russes sont arrêtés "
        "pour avoir défié les ordres."
    )
    assert draft.categories == ("MONDE",)
    assert draft.authors == ()
    assert draft.language is None
    html = draft.content_html or ""
    assert html.count(draft.title) == 0
    for furniture in ("LIRE LA SUITE", "Related Articles", "cookies", "opt-out"):
        assert furniture not in html
    assert [b[1] for b in blocks(html) if b[0] == "h2"] == [
        "Poutine mutinerie",
        "Les soldats russes",
        "L’annexion de l’Ukraine",
    ]
    assert "“une rébellion des mobilisés”" in html
    assert "qu’“ils ne sont pas autorisés" in html
    assert "'" not in html and "”ils" not in html
    assert ("title", "breadcrumb") in draft.inferred
    assert ("categories", "breadcrumb") in draft.inferred
    assert ("authors", "byline line") in draft.inferred


def test_text_dates_in_the_header_go_to_published_and_updated(ctx: NormalizeContext) -> None:
    text = (
        "Accueil › Politique › Le budget adopté\n\nLe budget adopté\n\n"
        "Publié le 17 janvier 2024 à 9h30\n\nMis à jour le 18 janvier 2024 à 10h05\n\n"
        "Les députés ont adopté le budget après une longue nuit de débats, sans recours au 49.3 cette fois.\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert draft.published is not None and draft.published.isoformat() == "2024-01-17T09:30:00+01:00"  # type: ignore[union-attr]
    assert draft.updated is not None and draft.updated.isoformat() == "2024-01-18T10:05:00+01:00"  # type: ignore[union-attr]
    assert "Publié" not in (draft.content_html or "") and "Mis à jour" not in (draft.content_html or "")
    assert ("published", "text date") in draft.inferred and ("updated", "text date") in draft.inferred


def test_a_date_inside_a_sentence_is_body_text_not_the_article_date(ctx: NormalizeContext) -> None:
    text = (
        "Un titre\n\nPar Jean Dupont\n\n"
        "Le rapport publié le 3 mars 2023 montre une hausse nette des prix de l’énergie "
        "dans toute la région.\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert draft.published is None
    assert "publié le 3 mars 2023" in (draft.content_html or "")
    assert [a.name for a in draft.authors] == ["Jean Dupont"]


def test_a_boilerplate_word_inside_a_paragraph_is_kept(ctx: NormalizeContext) -> None:
    paragraph = (
        "Publicité mensongère : la société a été condamnée pour avoir vanté des cookies « sans sucre » "
        "qui en contenaient, et doit désormais afficher un avertissement. Read more about it later."
    )
    draft = extract_text_article(f"Un titre\n\n{paragraph}\n\nPublicité\n", ctx=ctx)
    assert blocks(draft.content_html) == [["p", paragraph]]


def test_a_tail_marker_does_not_eat_the_paragraphs_after_it(ctx: NormalizeContext) -> None:
    long_paragraph = (
        "The council met again on Monday evening and, after three hours of debate, "
        "voted to keep the library open on Sundays through the summer."
    )
    text = (
        "Council keeps the library open\n\n"
        "First paragraph of the story, long enough to be running text here.\n\n"
        f"Related Articles\n\nLibrary hours cut last year\n\n{long_paragraph}\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert blocks(draft.content_html)[-1] == ["p", long_paragraph]
    assert draft.related_titles == ("Library hours cut last year",)
    assert "Related Articles" not in (draft.content_html or "")


def test_read_more_lines_become_related_titles(ctx: NormalizeContext) -> None:
    text = (
        "Un titre\n\nUn premier paragraphe assez long pour compter comme du texte courant, vraiment.\n\n"
        "À lire aussi : « Le gouvernement présente son plan »\n\n"
        "Read more: Storm leaves thousands without power\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert draft.related_titles == (
        "Le gouvernement présente son plan",
        "Storm leaves thousands without power",
    )
    assert "lire aussi" not in (draft.content_html or "").casefold()


def test_a_line_starting_like_a_byline_word_is_not_a_byline(ctx: NormalizeContext) -> None:
    text = "Un titre\n\nPar ailleurs, la ville a annoncé la fermeture du pont pendant deux semaines.\n"
    draft = extract_text_article(text, ctx=ctx)
    assert draft.authors == ()
    assert blocks(draft.content_html)[0][1].startswith("Par ailleurs")


def test_hard_wrapped_lines_are_joined_into_one_paragraph(ctx: NormalizeContext) -> None:
    text = (
        "A title\n\nThe first line of a paragraph that a mail client wrapped at a\n"
        "fixed width, so every line is about as long as the one before\n"
        "it, and the last one is short.\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert len(blocks(draft.content_html)) == 1


def test_bullet_lines_become_a_list(ctx: NormalizeContext) -> None:
    text = (
        "A title\n\nWhat changes:\n\n- lower fares\n- more trains\n\n"
        "The rest of the story follows in a longer paragraph here.\n"
    )
    draft = extract_text_article(text, ctx=ctx)
    assert "<ul><li>lower fares</li><li>more trains</li></ul>" in (draft.content_html or "")


def test_markup_in_text_is_escaped(ctx: NormalizeContext) -> None:
    draft = extract_text_article("A <b>title</b>\n\nUse <script>alert(1)</script> & enjoy it.\n", ctx=ctx)
    assert "<script>" not in (draft.content_html or "")
    assert "&lt;script&gt;" in (draft.content_html or "")


def test_empty_text_gives_an_empty_draft(ctx: NormalizeContext) -> None:
    draft = extract_text_article("\n\n   \n", ctx=ctx)
    assert draft.title is None and draft.content_html is None


def _as_text(draft: Draft) -> str:
    """A draft written back as plain text, the way a scraper would save it."""
    lines = [draft.title or ""]
    for tag, text in blocks(draft.content_html):
        lines.append("\n".join(f"- {item}" for item in text.split("\n")) if tag == "ul" else text)
    return "\n\n".join(lines) + "\n"


_LINES = st.sampled_from(
    [
        "Home » MONDE » Un titre d'essai",
        "par",
        "By Jane Roe | June 2, 2024",
        "Publié le 17 janvier 2024 à 9h30",
        "Les soldats russes",
        "LIRE LA SUITE :",
        "Related Articles",
        "Read more: Another story",
        "Publicité",
        "- a bullet point",
        'He said "it is over" and left the room, closing the door behind him quietly.',
        "Il a qualifié les soldats d'”avant-poste de notre indépendance”, selon la présidence.",
        "This website uses cookies to improve your experience. Accept Read More",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            _LINES,
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=120),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_extracting_a_text_written_from_an_extraction_changes_nothing(
    lines: list[str], ctx: NormalizeContext
) -> None:
    first = extract_text_article("\n\n".join(lines), ctx=ctx)
    if first.title is None:
        return
    second = extract_text_article(_as_text(first), ctx=ctx)
    assert second.title == first.title
    assert blocks(second.content_html) == blocks(first.content_html)


# The rules are data (syndicator/defaults/rules.toml); a bad rules file is one clear error.


def test_the_shipped_rules_cover_the_main_european_languages(rules: Rules) -> None:
    codes = {lang.code for lang in rules.languages}
    assert {"en", "fr", "de", "es", "it", "pt", "nl"} <= codes
    for code in ("en", "fr", "de", "es", "it", "pt", "nl"):
        lang = rules.for_language(code)
        assert lang.byline_words and lang.tail_markers and lang.related_prefixes and lang.published_phrases
        assert {n for _name, n in lang.months} == set(range(1, 13))
    assert rules.for_language("fr-CA").code == "fr"
    assert rules.for_language("xx") is rules.merged


def test_a_publisher_rule_added_in_data_removes_a_line(tmp_path: Path, ctx: NormalizeContext) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        default_rules_path().read_text(encoding="utf-8") + "\n[lang.da]\nboilerplate = ['annonce']\n",
        encoding="utf-8",
    )
    custom = replace(ctx, rules=load_rules(path))
    text = "Overskrift\n\nEn lang sætning, der er brødtekst, og som ikke skal forsvinde, helt enkelt.\n\nAnnonce\n"
    assert "Annonce" not in (extract_text_article(text, ctx=custom).content_html or "")
    assert "Annonce" in (extract_text_article(text, ctx=ctx).content_html or "")


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[lang.fr]\nboilerplate = ['(unclosed']\n", "lang.fr.boilerplate"),
        ("[lang.fr]\nbyline_word = ['par']\n", "lang.fr.byline_word"),
        ("[lang.fr]\nmonths = [['janvier']]\n", "lang.fr.months"),
        ("[limits]\nheading_max_chars = -1\n", "limits.heading_max_chars"),
        ("[timezones]\nCET = 'one hour'\n", "timezones.CET"),
        ("[lang.fr]\ndate_order = 'ydm'\n", "lang.fr.date_order"),
        ("[typo]\n", "typo"),
    ],
)
def test_bad_rules_name_the_file_and_key(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert info.value.key == key
    assert str(path) in str(info.value)


def test_rules_that_are_not_toml_are_one_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[lang.fr\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules(path)


def test_an_address_below_the_breadcrumb_is_not_the_title(ctx: NormalizeContext) -> None:
    draft = extract_text_article("Home » MONDE » Un titre d'essai\n\nhttp://0\n", ctx=ctx)
    assert draft.title == "Un titre d’essai"
