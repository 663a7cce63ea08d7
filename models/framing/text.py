"""Word tokens with character offsets, lower-cased per language (shared by cues and contrast)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A word: letters/digits with inner apostrophes or hyphens (пов'язали, so-called).
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


@dataclass(frozen=True)
class Token:
    """`text[start:end]` of the source string, and its normalised form `norm`."""

    norm: str
    start: int
    end: int


def normalise(word: str, language: str | None) -> str:
    """Lower-case `word`; Azerbaijani and Turkish dotted/dotless i are mapped first (İ->i, I->ı)."""
    if language == "az":
        word = word.replace("İ", "i").replace("I", "ı")
    return word.lower().replace("’", "'")


def tokenize(text: str, language: str | None) -> list[Token]:
    """Word tokens of `text` in order, with offsets into `text`."""
    return [Token(normalise(m.group(), language), m.start(), m.end()) for m in _WORD.finditer(text)]


def is_content(norm: str) -> bool:
    """Tokens that can carry framing: not numbers, at least 3 characters."""
    return len(norm) >= 3 and not any(ch.isdigit() for ch in norm)
