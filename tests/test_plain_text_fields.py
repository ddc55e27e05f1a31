"""plain_text: what titles, summaries, labels and names become, for readers that take them as HTML."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xsskit import PAYLOADS, markup_in

from syndicator.normalize.assemble import clean_title
from syndicator.plaintext import plain_text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_leaves_markup_in_a_title(payload: str) -> None:
    title = clean_title(f"Budget {payload} vote")
    assert markup_in(title) is None
    assert title.startswith("Budget")


def test_control_characters_go_before_the_markup_so_a_nul_cannot_hide_a_tag() -> None:
    assert clean_title("Budget <scr\x00ipt>alert(1)</scr\x00ipt> vote") == "Budget alert(1) vote"
    assert clean_title("Budget <img\x00 src=x onerror=alert(1)> vote") == "Budget vote"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("<svg/onload=alert(1)>Budget vote", "Budget vote"),
        ("<img/src=x/onerror=alert(1)>Budget vote", "Budget vote"),
        ("&lt;svg/onload=alert(1)&gt;Budget vote", "Budget vote"),
        ("&amp;lt;em&amp;gt;Budget&amp;lt;/em&amp;gt; vote", "Budget vote"),
        ('<img alt=">" src=x onerror=alert(1)>Budget vote', "Budget vote"),
        ("Budget vote <a hr", "Budget vote"),  # an excerpt cut inside a tag
    ],
)
def test_tags_are_read_as_a_browser_reads_them(written: str, read: str) -> None:
    assert clean_title(written) == read


@pytest.mark.parametrize(
    "text", ["3 < 5 > 2", "AT&T earnings", "Fish & chips", "x <= y", "I <3 Paris", "a << b"]
)
def test_text_that_only_looks_like_markup_is_kept(text: str) -> None:
    assert clean_title(text) == text


@given(st.text(alphabet=st.sampled_from(list("<>/!?=\"'& ;#x3Cltgamp svgonload\x00\x0c")), max_size=60))
def test_any_text_comes_out_without_markup_and_a_second_pass_changes_nothing(text: str) -> None:
    once = plain_text(text)
    assert markup_in(once) is None
    assert plain_text(once) == once
