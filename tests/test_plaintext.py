"""Plain text of content HTML, the one version normalization and the renderers share."""

from __future__ import annotations

import pytest

from syndicator.normalize import sanitize
from syndicator.plaintext import clean, html_to_text
from syndicator.render import _values


def test_normalization_and_rendering_use_the_same_function() -> None:
    assert sanitize.html_to_text is html_to_text
    assert _values.html_to_text is html_to_text
    assert _values.clean is clean


@pytest.mark.parametrize("reference", ["&#8", "&#8;", "&#x1;"])
def test_a_reference_to_a_control_character_is_dropped_not_fatal(reference: str) -> None:
    html = f"<p>Un mot{reference}</p><p>deux</p>{reference}trois<br>quatre{reference}"
    assert html_to_text(html) == "Un mot\n\ndeux\n\ntrois\nquatre"


def test_text_before_a_block_is_not_glued_to_it() -> None:
    assert html_to_text("Menu<ul><li>Home</li><li>News</li></ul>Lead") == "Menu\n\nHome\n\nNews\n\nLead"


def test_a_line_break_followed_by_a_newline_in_the_source_is_one_line_break() -> None:
    assert html_to_text("<p>Resistenza<br>\nhttp://example.org/</p>") == "Resistenza\nhttp://example.org/"


def test_runs_of_blocks_make_one_blank_line() -> None:
    assert html_to_text("<div><p>a</p></div>\n\n<section><h2> b </h2></section>") == "a\n\nb"


def test_script_and_style_say_nothing() -> None:
    assert html_to_text("<p>a<script>var x = 1;</script><style>p {}</style> b</p>") == "a b"


def test_private_use_marks_in_the_input_cannot_forge_breaks() -> None:
    assert html_to_text("<p>a\ue000b\ue001c</p>") == "abc"


def test_clean_drops_what_xml_cannot_carry_and_keeps_the_rest() -> None:
    assert clean("a\x00b\x08c\x85d\ufdd0e\ufffe\tf\u202fg") == "abcde\tf\u202fg"
