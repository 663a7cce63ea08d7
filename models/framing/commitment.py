"""How far the outlet commits to what a passage says: asserted, attributed or hedged.

- hedged: the claim carries an evidential or modal marker of uncertainty ('reportedly', 'likely',
  'may have', 'по предварительной информации', 'якобы', 'схоже', 'нібито', 'məlumata görə',
  'ehtimal ki'), in the outlet's voice or in reported speech: hedging takes precedence over
  attribution ("investigators said the aircraft had probably been damaged" is hedged);
- attributed: the passage reports a source's words or view (its voice is not the outlet's) with
  no such marker outside its direct quotations;
- asserted: stated as fact in the outlet's voice.

"So-called" ('так называемый', 'так званий') is no hedge: it keeps the outlet at a distance from
a name, not from the claim, and the writers of every voice set labelled such sentences asserted.
Hedge cues inside direct quotations are ignored (they are the speaker's wording, not the
outlet's commitment), and so are hedge cues that overlap the attribution cue itself (az
'bildirilir' is both). `commitment.v2`; v1 labelled every reported passage attributed. The label
comes with the cues that decided it, so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.framing.cues import load_cues
from models.framing.voice import Cue, Voice, _mask, detect_voice, find_quotes

COMMITMENTS = ("asserted", "attributed", "hedged")
METHOD = "commitment.v2"

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
    masked = _mask(text, find_quotes(text))
    attribution = [(c.start, c.end) for c in voice.cues if c.kind in ("speech_verb", "source")]
    hedges = tuple(
        Cue("hedge", m.group(), m.start(), m.end())
        for m in load_cues(language or "en").hedges.finditer(masked)
        if not any(s < m.end() and m.start() < e for s, e in attribution)
    )
    if hedges:
        return Commitment("hedged", hedges)
    if voice.kind == "reported":
        return Commitment("attributed", voice.cues)
    return Commitment("asserted")


def commitment_distance(a: str, b: str) -> float:
    """Distance in [0, 1] between two commitment labels."""
    for label in (a, b):
        if label not in COMMITMENTS:
            raise ValueError(f"unknown commitment {label!r}; use one of {', '.join(COMMITMENTS)}")
    return 0.0 if a == b else COMMITMENT_DISTANCE[frozenset((a, b))]
