"""Fact sets: one event's facts, each told by several outlets (the fact encoder's training data).

A file holds one event:

    {"event": "slug", "summary": "...",
     "facts": [{"id": "f01", "renderings": [{"outlet": "western-en", "text": "..."}, ...]}, ...]}

The outlet name ends with the rendering's language (`-en`, `-ru`, `-uk`, `-az`). A set may also
list `near_misses`, `[["f01", "f02", "why"], ...]`: pairs of different facts written to look alike
(two analysts' verdicts on one question, one figure for two years), which training keeps in one
batch group so that each is the other's hard negative.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("en", "ru", "uk", "az")


@dataclass(frozen=True)
class Rendering:
    outlet: str
    text: str

    @property
    def language(self) -> str:
        return self.outlet.rsplit("-", 1)[-1]


@dataclass(frozen=True)
class Fact:
    id: str
    renderings: tuple[Rendering, ...]


@dataclass(frozen=True)
class FactSet:
    event: str
    facts: tuple[Fact, ...]
    near_misses: tuple[tuple[int, int], ...] = ()  # fact indices

    @property
    def n_texts(self) -> int:
        return sum(len(fact.renderings) for fact in self.facts)


class FactSetError(ValueError):
    """A fact-set file that cannot be used; the message names the file and the fact."""


def read_fact_set(path: Path) -> FactSet:
    """Read and check one event file (at least two facts, each told at least twice)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FactSetError(f"{path}: cannot read a JSON fact set ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
        raise FactSetError(f"{path}: expected an object with a 'facts' list")
    facts = []
    for number, fact in enumerate(data["facts"], start=1):
        where = f"{path}: fact {fact.get('id', number) if isinstance(fact, dict) else number}"
        renderings = fact.get("renderings") if isinstance(fact, dict) else None
        if not isinstance(renderings, list) or len(renderings) < 2:
            raise FactSetError(f"{where}: needs a 'renderings' list of at least two")
        parsed = []
        for rendering in renderings:
            text = rendering.get("text") if isinstance(rendering, dict) else None
            outlet = rendering.get("outlet") if isinstance(rendering, dict) else None
            if not isinstance(text, str) or not text.strip() or not isinstance(outlet, str):
                raise FactSetError(f"{where}: every rendering needs an 'outlet' and a 'text'")
            if outlet.rsplit("-", 1)[-1] not in LANGUAGES:
                raise FactSetError(f"{where}: outlet {outlet!r} does not end in one of {LANGUAGES}")
            parsed.append(Rendering(outlet, text.strip()))
        facts.append(Fact(str(fact.get("id", number)), tuple(parsed)))
    if len(facts) < 2:
        raise FactSetError(f"{path}: needs at least two facts (the others are the negatives)")
    index = {fact.id: i for i, fact in enumerate(facts)}
    near_misses = []
    for entry in data.get("near_misses", []):
        if (not isinstance(entry, list) or len(entry) < 2
                or not all(isinstance(fact_id, str) for fact_id in entry[:2])
                or entry[0] == entry[1]):  # fmt: skip
            raise FactSetError(f"{path}: near miss {entry!r} is not a pair of two fact ids")
        unknown = [fact_id for fact_id in entry[:2] if fact_id not in index]
        if unknown:
            raise FactSetError(f"{path}: near miss {entry!r} names unknown facts {unknown}")
        near_misses.append((index[entry[0]], index[entry[1]]))
    return FactSet(str(data.get("event", path.stem)), tuple(facts), tuple(near_misses))


def read_fact_sets(folder: Path) -> list[FactSet]:
    """Every `*.json` event file of `folder`, in name order."""
    paths = sorted(Path(folder).glob("*.json"))
    if not paths:
        raise FactSetError(f"{folder}: no *.json fact sets")
    return [read_fact_set(path) for path in paths]
