"""Cue lists for voice and commitment, one JSON file per language under `data/`.

Each file holds `speech_verbs`, `source_markers` (patterns with a `speaker` group), `hedges`,
`auxiliaries`, `relatives`, `addressees` and `negations` (see data/cues_en.json). They are
compiled once per language and process.
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
    )
