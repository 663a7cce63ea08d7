"""How far the outlet commits to what a passage says: asserted, attributed or hedged.

- attributed: the passage reports a source's words or view (its voice is not the outlet's);
- hedged: the outlet's own claim carries an evidential or modal marker without a source
  ('reportedly', 'likely', 'по предварительной информации', 'схоже', 'məlumata görə');
- asserted: stated as fact in the outlet's voice.

Hedge cues inside quotations are ignored (they belong to the speaker). The label comes with the
cues that decided it, so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.framing.cues import load_cues
from models.framing.voice import Cue, Voice, _mask, detect_voice, find_quotes

COMMITMENTS = ("asserted", "attributed", "hedged")

# Distance between commitment levels (symmetric, 0 on the diagonal). Attributing and hedging
# both keep the outlet at a distance from a claim, so they are closer to each other than either
# is to asserting it.
COMMITMENT_DISTANCE = {
    frozenset(("asserted", "attributed")): 1.0,
    frozenset(("asserted", "hedged")): 1.0,
    frozenset(("attributed", "hedged")): 0.5,
}


@dataclass(frozen=True)
class Commitment:
    label: str
    cues: tuple[Cue, ...] = field(default_factory=tuple)


def detect_commitment(text: str, language: str | None, voice: Voice | None = None) -> Commitment:
    """Commitment of passage `text`; pass its `voice` when already detected."""
    voice = voice or detect_voice(text, language)
    if voice.kind == "reported":
        return Commitment("attributed", voice.cues)
    masked = _mask(text, find_quotes(text))
    hedges = tuple(
        Cue("hedge", m.group(), m.start(), m.end())
        for m in load_cues(language or "en").hedges.finditer(masked)
    )
    if hedges:
        return Commitment("hedged", hedges)
    return Commitment("asserted")


def commitment_distance(a: str, b: str) -> float:
    """Distance in [0, 1] between two commitment labels."""
    for label in (a, b):
        if label not in COMMITMENTS:
            raise ValueError(f"unknown commitment {label!r}; use one of {', '.join(COMMITMENTS)}")
    return 0.0 if a == b else COMMITMENT_DISTANCE[frozenset((a, b))]
