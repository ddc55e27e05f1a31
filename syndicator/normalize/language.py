"""Language of a text, for records that do not state it.

py3langid is small (a naive Bayes model shipped in the wheel), offline and
deterministic. Short or mixed text is where such detectors guess, so we answer
only when the text is long enough and the model is confident; the caller then
falls back to the site's language.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

MIN_LETTERS = 40  # below this, a few words decide and detectors guess
MIN_CONFIDENCE = 0.90
_SAMPLE_CHARS = 4000  # enough for a stable answer, bounded cost on long articles
_LETTER = re.compile(r"[^\W\d_]")


@functools.cache
def _identifier() -> Any:
    # Imported here: py3langid brings numpy (a tenth of a second), which a run
    # whose records all state their language never needs.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 base code ("fr") when the text says so clearly, else None."""
    sample = text[:_SAMPLE_CHARS]
    # Counted only up to the bar: listing every letter of 4,000 characters cost a
    # third of the detection.
    if sum(1 for _ in itertools.islice(_LETTER.finditer(sample), MIN_LETTERS)) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or not isinstance(code, str) or code == "und":
        return None
    return code.split("-")[0].lower()
