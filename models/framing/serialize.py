"""The framing additions to `result.json`, and merging them into a result document.

Additions: each alignment gets `divergence` ({score, components, details}, and `evidence` with
divergence.v3) and `contrast_terms`
({a: [{term, z, spans}], b: [...]}, spans are offsets into that passage's text); each passage
gets `voice` ({kind, label, speaker, start, end, attributions: every source marker and speech
verb in the outlet's words, [{kind, text, start, end}]}) and `commitment` ({label, cues}); the
result gets `events`, `fact_groups` (with their divergence: the most divergent pair and the mean),
`coverage` and `matrices`, and `method.divergence`.
"""

from __future__ import annotations

import copy
from typing import Any

from models.framing.contrast import ContrastTerm
from models.framing.divergence import PairDivergence
from models.framing.frame import Framing, PassageFraming


def _terms(terms: tuple[ContrastTerm, ...]) -> list[dict[str, Any]]:
    return [{"term": t.term, "z": round(t.z, 3), "spans": [list(s) for s in t.spans]}
            for t in terms]  # fmt: skip


def _divergence(divergence: PairDivergence) -> dict[str, Any]:
    out: dict[str, Any] = {"score": divergence.score, "components": divergence.components,
                           "details": divergence.details}  # fmt: skip
    if divergence.evidence is not None:
        out["evidence"] = divergence.evidence
    return out


def passage_to_dict(framed: PassageFraming) -> dict[str, Any]:
    voice, commitment = framed.voice, framed.commitment
    return {
        "voice": {"kind": voice.kind, "label": voice.label, "speaker": voice.speaker,
                  "start": voice.speaker_start, "end": voice.speaker_end,
                  "attributions": [{"kind": c.kind, "text": c.text, "start": c.start,
                                    "end": c.end} for c in framed.attributions]},
        "commitment": {"label": commitment.label,
                       "cues": [{"kind": c.kind, "text": c.text, "start": c.start, "end": c.end}
                                for c in commitment.cues]},
    }  # fmt: skip


def framing_to_dict(framing: Framing) -> dict[str, Any]:
    """The additions as plain JSON-ready values (see the module docstring)."""
    by_index = {p.index: p for p in framing.pairs}
    groups = []
    for group in framing.fact_groups:
        scores = [(by_index[i].divergence.score, i) for i in group.alignments]
        top = max(scores) if scores else (0.0, None)
        groups.append({
            "id": group.id, "event": group.event, "passages": list(group.passages),
            "articles": list(group.articles), "alignments": list(group.alignments),
            "divergence": {"max": top[0], "mean": round(sum(s for s, _ in scores)
                                                        / max(len(scores), 1), 4),
                           "driving_alignment": top[1]},
        })  # fmt: skip
    return {
        "method": framing.method,
        "passages": {pid: passage_to_dict(f) for pid, f in framing.passages.items()},
        "alignments": [
            {"divergence": _divergence(p.divergence),
             "contrast_terms": {"a": _terms(p.contrast.terms_a), "b": _terms(p.contrast.terms_b)},
             "same_event": p.same_event}
            for p in sorted(framing.pairs, key=lambda p: p.index)
        ],
        "events": framing.events,
        "fact_groups": groups,
        "coverage": framing.coverage,
        "matrices": framing.matrices,
    }  # fmt: skip


def apply_framing(result: dict[str, Any], framing: Framing) -> dict[str, Any]:
    """A copy of the `result.json` document (from `result_to_dict`) with the framing merged in."""
    additions = framing_to_dict(framing)
    merged = copy.deepcopy(result)
    if len(merged.get("alignments", [])) != len(additions["alignments"]):
        raise ValueError("framing was computed for a different result: alignment counts differ")
    merged.setdefault("method", {})["divergence"] = additions["method"]
    for article in merged.get("articles", []):
        article["event"] = additions["events"].get(article["id"])
        for passage in article.get("passages", []):
            passage.update(additions["passages"].get(passage["id"], {}))
    for alignment, extra in zip(merged["alignments"], additions["alignments"], strict=True):
        alignment.update(extra)
    for key in ("fact_groups", "coverage", "matrices"):
        merged[key] = additions[key]
    members: dict[str, list[str]] = {}
    for article_id, event in additions["events"].items():
        members.setdefault(event, []).append(article_id)
    merged["events"] = [{"id": event, "articles": ids} for event, ids in sorted(members.items())]
    return merged
