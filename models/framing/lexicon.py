"""Framing lexicon and stoplists for lexical contrast v2 (data/framing_lexicon.json,
data/stopwords.json).

The lexicon groups framing-bearing wordings into concepts (shootdown, accident, aggression,
provocation, misunderstanding, espionage, occupation ...), each with patterns per language, so a
concept found on both sides of a cross-language pair counts as shared ("shot down" / "сбит"),
and a concept found on one side only is a framing contrast ("shot down" / "crashed"). The
stoplists hold function words and generic discourse markers ("furthermore", "additionally"),
which are never contrast terms.

Four versions: `framing-lexicon.v2` (contrast.v2); `framing-lexicon.v3` (contrast.v3), which is
v2 with the removals and additions listed under "v3" in the JSON (neutral names of the event
such as "crash", and words whose frame is not their concept's, are no longer framing terms);
`framing-lexicon.v4` (contrast.v4), v3 with the general concepts listed under "v4" (the loaded
labels and judgements of political news at large: "crackdown", "sham", "puppet", "historic
breakthrough", "capitulation" ...), where v2 and v3 held the vocabulary of one story; and
`framing-lexicon.v5` (contrast.v5), v4 with two appraisal concepts under "v5", the words by which
a text judges favourably ("landmark", "long-overdue") or unfavourably ("blow to", "reckless").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LEXICON_V2 = "framing-lexicon.v2"
LEXICON_V3 = "framing-lexicon.v3"
LEXICON_V4 = "framing-lexicon.v4"
LEXICON_V5 = "framing-lexicon.v5"
LEXICONS = (LEXICON_V2, LEXICON_V3, LEXICON_V4, LEXICON_V5)


@dataclass(frozen=True)
class ConceptMatch:
    """One framing-lexicon hit: `text[start:end]` is the wording, `concept` its group."""

    concept: str
    text: str
    start: int
    end: int


def concept_patterns(language: str, version: str = LEXICON_V2) -> dict[str, list[str]]:
    """concept -> the regular expressions of `language` (English where it has none) in `version`."""
    if version not in LEXICONS:
        raise ValueError(f"unknown lexicon {version!r}; use one of {', '.join(LEXICONS)}")
    raw = json.loads((DATA_DIR / "framing_lexicon.json").read_text(encoding="utf-8"))
    patterns = {concept: list(by_language.get(language) or by_language["en"])
                for concept, by_language in raw["concepts"].items()}  # fmt: skip
    if version != LEXICON_V2:  # v3 and every later version build on v3's changes
        for concept, by_language in raw["v3"]["remove"].items():
            dropped = set(by_language.get(language) or by_language["en"])
            patterns[concept] = [p for p in patterns[concept] if p not in dropped]
        for concept, by_language in raw["v3"]["add"].items():
            patterns[concept] += by_language.get(language) or by_language["en"]
    additions = {LEXICON_V4: ("v4",), LEXICON_V5: ("v4", "v5")}.get(version, ())
    for section in additions:
        for concept, by_language in raw[section]["concepts"].items():
            patterns[concept] = list(by_language.get(language) or by_language["en"])
    return patterns


@lru_cache(maxsize=16)
def _patterns(language: str, version: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for concept, patterns in concept_patterns(language, version).items():
        if not patterns:
            continue
        ordered = sorted(patterns, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)
        compiled.append((concept, pattern))
    return tuple(compiled)


@lru_cache(maxsize=8)
def stopwords(language: str) -> frozenset[str]:
    """Function words and discourse markers of `language` (English for unknown languages)."""
    raw = json.loads((DATA_DIR / "stopwords.json").read_text(encoding="utf-8"))
    return frozenset(raw.get(language, raw["en"]).split())


def find_concepts(text: str, language: str, version: str = LEXICON_V2) -> list[ConceptMatch]:
    """Framing-lexicon hits in `text`, in order, non-overlapping (longer and earlier first)."""
    hits = [
        ConceptMatch(concept, m.group(), m.start(), m.end())
        for concept, pattern in _patterns(language, version)
        for m in pattern.finditer(text)
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[ConceptMatch] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept
