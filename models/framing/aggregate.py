"""Outlet x outlet and camp x camp divergence matrices, per event and over the whole run.

A cell holds the mean divergence of the aligned pairs between two outlets (or camps) within the
same event, the number of pairs, and the pairs themselves (indices into the run's alignment
list), most divergent first, so that every number links back to passages a reader can open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoredPair:
    index: int  # position in the run's alignment list
    article_a: str
    article_b: str
    score: float


def divergence_matrix(
    pairs: Sequence[ScoredPair], key_of: Mapping[str, str], max_links: int = 10
) -> dict:
    """Cells for every unordered pair of keys (outlets or camps) that share aligned pairs.

    Returns {"labels": [...], "cells": [{"a", "b", "mean", "max", "n", "pairs"}]} with a <= b;
    a cell between a key and itself holds pairs of two different articles of that key.
    """
    cells: dict[tuple[str, str], list[ScoredPair]] = {}
    for pair in pairs:
        a, b = sorted((key_of[pair.article_a], key_of[pair.article_b]))
        cells.setdefault((a, b), []).append(pair)
    rows = []
    for (a, b), members in sorted(cells.items()):
        members = sorted(members, key=lambda p: (-p.score, p.index))
        scores = [p.score for p in members]
        rows.append({"a": a, "b": b, "mean": round(sum(scores) / len(scores), 4),
                     "max": round(max(scores), 4), "n": len(members),
                     "pairs": [p.index for p in members[:max_links]]})  # fmt: skip
    return {"labels": sorted(set(key_of[p.article_a] for p in pairs)
                             | set(key_of[p.article_b] for p in pairs)), "cells": rows}  # fmt: skip


def matrices(
    pairs: Sequence[ScoredPair],
    event_of: Mapping[str, str],
    outlet_of: Mapping[str, str],
    camp_of: Mapping[str, str],
) -> dict:
    """{"corpus": {"outlet": ..., "camp": ...}, "events": {event: {"outlet", "camp"}}}.

    Only pairs whose two articles belong to the same event count.
    """
    same = [p for p in pairs if event_of[p.article_a] == event_of[p.article_b]]
    by_event: dict[str, list[ScoredPair]] = {}
    for pair in same:
        by_event.setdefault(event_of[pair.article_a], []).append(pair)
    return {
        "corpus": {"outlet": divergence_matrix(same, outlet_of),
                   "camp": divergence_matrix(same, camp_of)},
        "events": {event: {"outlet": divergence_matrix(members, outlet_of),
                           "camp": divergence_matrix(members, camp_of)}
                   for event, members in sorted(by_event.items())},
    }  # fmt: skip
