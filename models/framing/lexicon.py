"""Framing lexicon and stoplists for lexical contrast v2 (data/framing_lexicon.json,
data/stopwords.json).

The lexicon groups framing-bearing wordings into concepts (shootdown, accident, aggression,
provocation, misunderstanding, espionage, occupation ...), each with patterns per language, so a
concept found on both sides of a cross-language pair counts as shared ("shot down" / "сбит"),
and a concept found on one side only is a framing contrast ("shot down" / "crashed"). The
stoplists hold function words and generic discourse markers ("furthermore", "additionally"),
which are never contrast terms.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ConceptMatch:
    """One framing-lexicon hit: `text[start:end]` is the wording, `concept` its group."""

    concept: str
    text: str
    start: int
    end: int


@lru_cache(maxsize=8)
def _patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    raw = json.loads((DATA_DIR / "framing_lexicon.json").read_text(encoding="utf-8"))
    compiled = []
    for concept, by_language in raw["concepts"].items():
        patterns = by_language.get(language) or by_language["en"]
        ordered = sorted(patterns, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)
        compiled.append((concept, pattern))
    return tuple(compiled)


@lru_cache(maxsize=8)
def stopwords(language: str) -> frozenset[str]:
    """Function words and discourse markers of `language` (English for unknown languages)."""
    raw = json.loads((DATA_DIR / "stopwords.json").read_text(encoding="utf-8"))
    return frozenset(raw.get(language, raw["en"]).split())


def find_concepts(text: str, language: str) -> list[ConceptMatch]:
    """Framing-lexicon hits in `text`, in order, non-overlapping (longer and earlier first)."""
    hits = [
        ConceptMatch(concept, m.group(), m.start(), m.end())
        for concept, pattern in _patterns(language)
        for m in pattern.finditer(text)
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[ConceptMatch] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept
