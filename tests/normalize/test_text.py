"""Plain-text typography: every title and paragraph goes through clean_text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.normalize.rules import rules_from_mapping
from syndicator.normalize.text import balance_quotes, clean_text, fix_apostrophes, strip_xml_illegal


def test_a_pair_opened_with_a_closing_mark_becomes_opening_then_closing() -> None:
    assert (
        clean_text("montrer ” une rébellion des mobilisés ” à Kazan")
        == "montrer “une rébellion des mobilisés” à Kazan"
    )


def test_an_apostrophe_before_a_quotation_is_an_apostrophe_and_the_quote_opens() -> None:
    assert clean_text("parce qu'”ils ne sont pas autorisés”.") == "parce qu’“ils ne sont pas autorisés”."


def test_straight_quotes_become_curly() -> None:
    assert clean_text('He said "it is over" and left.') == "He said “it is over” and left."


def test_apostrophes_are_made_consistent() -> None:
    assert fix_apostrophes("L'annexion de l´Ukraine, don`t, students' votes, the '90s") == (
        "L’annexion de l’Ukraine, don’t, students’ votes, the ’90s"
    )


def test_single_quotation_marks_open_and_close() -> None:
    assert fix_apostrophes("a 'weather bomb' hit") == "a ‘weather bomb’ hit"


def test_german_and_guillemet_quotes_are_left_as_written() -> None:
    assert clean_text("Er sagte „Hallo“ und ging.") == "Er sagte „Hallo“ und ging."
    assert (
        clean_text("Il dit\u00a0: «\u00a0bonjour\u00a0»\u00a0!")
        == "Il dit\u00a0: «\u00a0bonjour\u00a0»\u00a0!"
    )


def test_the_configuration_can_ask_for_the_language_own_quotes() -> None:
    rules = rules_from_mapping(
        {"typography": {"language_quotes": True}, "lang": {"fr": {"quotes": ["«\u00a0", "\u00a0»"]}}}, "test"
    )
    assert (
        balance_quotes("il a dit ” oui ” hier", ("«\u00a0", "\u00a0»")) == "il a dit «\u00a0oui\u00a0» hier"
    )
    assert (
        clean_text("il a dit ” oui ” hier", language="fr", rules=rules) == "il a dit «\u00a0oui\u00a0» hier"
    )
    assert clean_text("il a dit ” oui ” hier", language="en", rules=rules) == "il a dit “oui” hier"


def test_mojibake_is_repaired() -> None:
    assert clean_text("le cafÃ© de la gare") == "le café de la gare"
    assert clean_text("Ã€ lire aussi") == "À lire aussi"


def test_xml_illegal_characters_are_removed() -> None:
    assert strip_xml_illegal("a\x00b\x0bc\x1fd\ufffee\ufffff\tg\nh") == "abcdef\tg\nh"
    assert clean_text("a\x00b\x08c") == "abc"


def test_text_is_nfc() -> None:
    assert clean_text("e\u0301te\u0301") == "été"


def test_whitespace_is_collapsed_but_french_no_break_spaces_stay() -> None:
    assert clean_text("  a \t b\n\nc\u200b d ") == "a b c d"
    assert clean_text("Quoi\u00a0?") == "Quoi\u00a0?"


def test_clean_text_leaves_entities_alone() -> None:
    # entity decoding is done once where HTML is read; decoding here again would
    # turn a literal "&amp;" in a plain-text title into "&".
    assert clean_text("R&amp;D") == "R&amp;D"


_TYPOGRAPHIC = st.text(alphabet=st.sampled_from(list("ab é'\"“”„«»‘’`´ \u00a0\t\n.,?Ã©â€")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_TYPOGRAPHIC, st.text(max_size=80)))
def test_clean_text_is_idempotent(s: str) -> None:
    once = clean_text(s)
    assert clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_clean_text_output_is_always_xml_legal(s: str) -> None:
    out = clean_text(s)
    assert strip_xml_illegal(out) == out


def test_printable_text_holds_nothing_the_skipped_scans_would_change() -> None:
    """strip_xml_illegal, clean_text's space collapsing and invisible-character removal,
    canonical_url's whitespace check and encode_controls skip their scans when
    str.isprintable() says yes: no character it accepts is one XML cannot carry, a control,
    an invisible format character, or whitespace other than the plain space."""
    from syndicator.normalize import text, urls

    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    assert len(printable) > 100_000
    assert text._XML_ILLEGAL.search(printable) is None
    assert text._SPACE_TO_FIX.findall(printable) == []  # " " is there, but never twice in a row
    assert urls._CONTROL.search(printable) is None
    assert text._INVISIBLE.search(printable) is None
    assert [c for c in printable if c.isspace()] == [" "]


def test_a_line_with_single_spaces_is_only_trimmed() -> None:
    assert clean_text("  d’été à Paris  ") == "d’été à Paris"
    assert clean_text("a\u00a0\u00a0b\tc\u2028d") == "a\u00a0b c d"
