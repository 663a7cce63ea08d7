"""Cue lists for voice and commitment, one JSON file per language under `data/`.

Each file holds `speech_verbs`, `source_markers` (patterns with a `speaker` group), `hedges`,
`auxiliaries`, `relatives`, `addressees` and `negations`. Optional lists read long sentences more
closely (data/cues_en.json's `about` says what each holds):

- where a speaker begins and ends: `parentheticals`, `insertions`, `subordinators`,
  `coordinators`, `finite_verbs`, `after_stops`, `subject_stops`;
- when a speech verb reports nothing: `noun_homographs`, `determiners`, `complements`,
  `articles`, `passive_auxiliaries`, `clausal_verbs`, `clausal_complements`;
- verb-final Azerbaijani: `subject_first`, `speaker_heads`, `not_heads`.

They are compiled once per language and process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
SUPPORTED = ("en", "ru", "uk", "az")


@dataclass(frozen=True)
class CueSet:
    language: str
    speech_verbs: re.Pattern[str]
    source_markers: tuple[re.Pattern[str], ...]
    hedges: re.Pattern[str]
    auxiliaries: frozenset[str]
    relatives: frozenset[str]
    addressees: re.Pattern[str]
    negations: frozenset[str]
    parentheticals: re.Pattern[str] | None = None
    subordinators: frozenset[str] = frozenset()
    coordinators: frozenset[str] = frozenset()
    finite_verbs: re.Pattern[str] | None = None
    noun_homographs: frozenset[str] = frozenset()
    determiners: frozenset[str] = frozenset()
    complements: frozenset[str] = frozenset()
    clausal_verbs: re.Pattern[str] | None = None
    clausal_complements: frozenset[str] = frozenset()
    speaker_heads: frozenset[str] = frozenset()
    not_heads: frozenset[str] = frozenset()
    subject_first: bool = False
    articles: frozenset[str] = frozenset()
    passive_auxiliaries: frozenset[str] = frozenset()
    insertions: re.Pattern[str] | None = None
    after_stops: frozenset[str] = frozenset()
    subject_stops: frozenset[str] = frozenset()
    topic_openers: frozenset[str] = frozenset()
    topic_relatives: re.Pattern[str] | None = None
    title_words: frozenset[str] = frozenset()
    not_reports: re.Pattern[str] | None = None


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    # Longest first so that 'по предварительной информации' wins over shorter overlaps.
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=len(SUPPORTED))
def load_cues(language: str) -> CueSet:
    """The compiled cues of `language`; unsupported languages fall back to English."""
    if language not in SUPPORTED:
        language = "en"
    raw = json.loads((DATA_DIR / f"cues_{language}.json").read_text(encoding="utf-8"))
    return CueSet(
        language=language,
        speech_verbs=_alternation(raw["speech_verbs"]),
        source_markers=tuple(
            re.compile(r"(?<!\w)" + p, re.IGNORECASE) for p in raw["source_markers"]
        ),
        hedges=_alternation(raw["hedges"]),
        auxiliaries=frozenset(a.lower() for a in raw["auxiliaries"]),
        relatives=frozenset(r.lower() for r in raw["relatives"]),
        negations=frozenset(n.lower() for n in raw["negations"]),
        addressees=re.compile(
            r"(?:" + "|".join(sorted(raw["addressees"], key=len, reverse=True)) + r")(?!\w)",
            re.IGNORECASE,
        ),
        parentheticals=_full_match(raw.get("parentheticals", [])),
        subordinators=_lowered(raw, "subordinators"),
        coordinators=_lowered(raw, "coordinators"),
        finite_verbs=_full_match(raw.get("finite_verbs", [])),
        noun_homographs=_lowered(raw, "noun_homographs"),
        determiners=_lowered(raw, "determiners"),
        complements=_lowered(raw, "complements"),
        clausal_verbs=_alternation(raw["clausal_verbs"]) if raw.get("clausal_verbs") else None,
        clausal_complements=_lowered(raw, "clausal_complements"),
        speaker_heads=_lowered(raw, "speaker_heads"),
        not_heads=_lowered(raw, "not_heads"),
        subject_first=bool(raw.get("subject_first", False)),
        articles=_lowered(raw, "articles"),
        passive_auxiliaries=_lowered(raw, "passive_auxiliaries"),
        insertions=_full_match(raw.get("insertions", [])),
        after_stops=_lowered(raw, "after_stops"),
        subject_stops=_lowered(raw, "subject_stops"),
        topic_openers=_lowered(raw, "topic_openers"),
        topic_relatives=_full_match(raw.get("topic_relatives", [])),
        title_words=_lowered(raw, "title_words"),
        not_reports=_alternation(raw["not_reports"]) if raw.get("not_reports") else None,
    )


def _lowered(raw: dict, key: str) -> frozenset[str]:
    return frozenset(word.lower() for word in raw.get(key, []))


def _full_match(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern that matches a whole string made of one of `patterns` (None if no patterns)."""
    if not patterns:
        return None
    return re.compile(r"(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")",
                      re.IGNORECASE)  # fmt: skip
