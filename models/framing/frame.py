"""`frame_result`: voice, commitment, pair divergence, fact groups, coverage and matrices for a
compare run, over the typed `CompareResult`; `apply_framing` writes them into `result.json`.

Stance is an input (precomputed per passage: {target: {favor, against, none}}), so any stance
model, or gold labels as one-hot distributions, plugs in. Alignment confidence is read from the
alignments (`confidence` attribute) or from a mapping; without it the semantic residual falls
back to the cosine's rank among the run's aligned pairs (see divergence.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from corpus.schema import Passage
from models.framing import aggregate, coverage, events
from models.framing.commitment import METHOD as COMMITMENT_METHOD
from models.framing.commitment import Commitment, commitment_distance, detect_commitment
from models.framing.contrast import (
    Contrast,
    LanguageBackground,
    contrast_pair,
    contrast_pair_v2,
    contrast_pair_v3,
)
from models.framing.divergence import (
    CONTESTED_MIN,
    EVIDENCE_MIN,
    METHOD,
    METHOD_V1,
    METHOD_V2,
    METHOD_V3,
    METHOD_V4,
    METHOD_V5,
    METHOD_V6,
    METHOD_V7,
    METHODS,
    WEIGHTS,
    WITH_SOURCING,
    PairDivergence,
    StanceDistribution,
    commitment_distance_v2,
    framing_evidence,
    score_pair,
    semantic_residual,
    sourcing_distance,
)
from models.framing.lexicon import LEXICON_V2, LEXICON_V3, LEXICON_V4, LEXICON_V5
from models.framing.voice import Cue, Voice, attributions, continue_quotations, detect_voice

logger = logging.getLogger(__name__)
CONTRAST_OF = {METHOD_V1: "contrast.v1", METHOD_V2: "contrast.v2", METHOD_V3: "contrast.v3",
               METHOD_V4: "contrast.v4", METHOD_V5: "contrast.v5",
               METHOD_V6: "contrast.v5", METHOD_V7: "contrast.v5"}  # fmt: skip
LEXICON_OF = {METHOD_V2: LEXICON_V2, METHOD_V3: LEXICON_V3, METHOD_V4: LEXICON_V4,
              METHOD_V5: LEXICON_V5, METHOD_V6: LEXICON_V5, METHOD_V7: LEXICON_V5}  # fmt: skip
# methods whose pairs carry the evidence of a framing difference
WITH_EVIDENCE = (METHOD_V3, METHOD_V4, METHOD_V5, METHOD_V6, METHOD_V7)


@dataclass(frozen=True)
class PassageFraming:
    voice: Voice
    commitment: Commitment
    attributions: tuple[Cue, ...] = ()  # every attribution in the outlet's words (voice.py)


@dataclass(frozen=True)
class PairFraming:
    index: int  # position in the run's alignment list
    a: str
    b: str
    divergence: PairDivergence
    contrast: Contrast
    same_event: bool


@dataclass
class Framing:
    method: dict[str, Any]
    passages: dict[str, PassageFraming]
    pairs: list[PairFraming]
    events: dict[str, str]  # article id -> event
    fact_groups: list[coverage.FactGroup] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)
    matrices: dict[str, Any] = field(default_factory=dict)


def frame_passages(passages: Mapping[str, Passage], language_of: Mapping[str, str | None]
                   ) -> dict[str, PassageFraming]:  # fmt: skip
    """Voice and commitment of every passage (`language_of`: article id -> language)."""
    by_article: dict[str, list[Passage]] = {}
    for passage in passages.values():
        by_article.setdefault(passage.article_id, []).append(passage)
    framed = {}
    for article_id, article_passages in by_article.items():
        language = language_of.get(article_id) or "en"
        article_passages.sort(key=lambda p: p.index)
        texts = [p.text for p in article_passages]
        voices = continue_quotations(texts, [detect_voice(t, language) for t in texts])
        for passage, voice in zip(article_passages, voices, strict=True):
            commitment = detect_commitment(passage.text, language, voice)
            framed[passage.id] = PassageFraming(
                voice, commitment, attributions(passage.text, language)
            )
    return {pid: framed[pid] for pid in passages}


def annotate_passages(texts: list[str], language: str) -> list[PassageFraming]:
    """Voice and commitment of one article's passages, given as texts in article order."""
    voices = continue_quotations(texts, [detect_voice(text, language) for text in texts])
    return [PassageFraming(voice, detect_commitment(text, language, voice),
                           attributions(text, language))
            for text, voice in zip(texts, voices, strict=True)]  # fmt: skip


def fit_background(passages: Mapping[str, Passage], language_of: Mapping[str, str | None]
                   ) -> LanguageBackground:  # fmt: skip
    """The lexical-contrast prior: word counts of all passages, per language."""
    texts: dict[str, list[str]] = {}
    for passage in passages.values():
        texts.setdefault(language_of.get(passage.article_id) or "en", []).append(passage.text)
    return LanguageBackground().fit(texts)


def divergence_of_pair(
    pa: Passage,
    pb: Passage,
    *,
    language_of: Mapping[str, str | None],
    framed: Mapping[str, PassageFraming],
    background: LanguageBackground,
    similarity: float,
    reference_similarities: np.ndarray | None,
    confidence: float | None = None,
    stance: Mapping[str, StanceDistribution] | None = None,
    weights: Mapping[str, float] | None = None,
    top_k: int = 5,
    sources: Mapping[str, str] | None = None,
    method: str = METHOD,
) -> tuple[PairDivergence, Contrast]:
    """Divergence and contrast terms of two passages (aligned or not).

    `sources` (article id -> text) switches lexical contrast to source-level word statistics.
    `method` is one of METHODS (default `METHOD`); `weights` default to its own. From v3 on the
    divergence carries its `evidence` (divergence.py).
    """
    if method not in METHODS:
        raise ValueError(f"unknown divergence method {method!r}; use one of {', '.join(METHODS)}")
    weights = WEIGHTS[method] if weights is None else weights
    lang_a = language_of.get(pa.article_id) or "en"
    lang_b = language_of.get(pb.article_id) or "en"
    fa, fb = framed[pa.id], framed[pb.id]
    source_a = sources.get(pa.article_id) if sources else None
    source_b = sources.get(pb.article_id) if sources else None
    exclude_a, exclude_b = _attribution_spans(fa), _attribution_spans(fb)
    if method in WITH_EVIDENCE:
        contrast = contrast_pair_v3(
            pa.text, lang_a, pb.text, lang_b, background, top_k, source_a=source_a,
            source_b=source_b, exclude_a=exclude_a, exclude_b=exclude_b,
            cues_a=_hedge_spans(fa, fb), cues_b=_hedge_spans(fb, fa), lexicon=LEXICON_OF[method],
        )  # fmt: skip
    else:
        contrast_fn = contrast_pair if method == METHOD_V1 else contrast_pair_v2
        contrast = contrast_fn(pa.text, lang_a, pb.text, lang_b, background, top_k,
                               source_a=source_a, source_b=source_b, exclude_a=exclude_a,
                               exclude_b=exclude_b)  # fmt: skip
    if method == METHOD_V1:
        commitment = commitment_distance(fa.commitment.label, fb.commitment.label)
    else:
        same_claim = 1.0 if confidence is None else min(max(confidence, 0.0), 1.0)
        commitment = _commitment_part(fa, fb, method) * same_claim
    divergence = score_pair(
        commitment_distance=commitment,
        contrast=contrast.value,
        residual=semantic_residual(similarity, reference_similarities, confidence),
        stance_a=stance.get(pa.id) if stance else None,
        stance_b=stance.get(pb.id) if stance else None,
        reported="reported" in (fa.voice.kind, fb.voice.kind),
        weights=weights,
    )
    divergence.details.update({
        "voice": {"a": fa.voice.label, "b": fb.voice.label},
        "commitment": {"a": fa.commitment.label, "b": fb.commitment.label},
    })  # fmt: skip
    if method != METHOD_V1:
        divergence.details["commitment_label_distance"] = commitment_distance_v2(
            fa.commitment.label, fb.commitment.label)  # fmt: skip
        divergence.details["same_claim"] = None if confidence is None else round(confidence, 4)
        divergence.details["quoted"] = {
            "a": any(c.kind == "quote" for c in fa.voice.cues),
            "b": any(c.kind == "quote" for c in fb.voice.cues),
        }  # fmt: skip
    if method in WITH_SOURCING:
        divergence.details["attributions"] = {"a": len(fa.attributions),
                                              "b": len(fb.attributions)}  # fmt: skip
    if method in WITH_EVIDENCE:
        divergence = _with_evidence(divergence, contrast, fa, fb, confidence, weights, method)
    return divergence, contrast


def _commitment_part(fa: PassageFraming, fb: PassageFraming, method: str) -> float:
    """The commitment label distance (v2 on), or with sourcing (v6 on) the larger of it and the
    sourcing distance; the same-claim factor is applied by the caller."""
    distance = commitment_distance_v2(fa.commitment.label, fb.commitment.label)
    if method in WITH_SOURCING:
        distance = max(distance, sourcing_distance(len(fa.attributions), len(fb.attributions)))
    return distance


def _with_evidence(divergence: PairDivergence, contrast: Contrast, fa: PassageFraming,
                   fb: PassageFraming, confidence: float | None,
                   weights: Mapping[str, float], method: str) -> PairDivergence:  # fmt: skip
    """The divergence with its v3 `evidence` and the one-sided lexicon concepts in details."""
    same_fact = 1.0 - divergence.components["residual"] if confidence is None else confidence
    evidence = framing_evidence(
        same_fact=min(max(same_fact, 0.0), 1.0),
        commitment_label_distance=_commitment_part(fa, fb, method),
        concepts_a=len(contrast.only_a), concepts_b=len(contrast.only_b),
        reported_a=fa.voice.kind == "reported", reported_b=fb.voice.kind == "reported",
        stance=divergence.components.get("stance"), weights=weights,
    )  # fmt: skip
    divergence.details["concepts_only"] = {"a": list(contrast.only_a), "b": list(contrast.only_b)}
    return replace(divergence, evidence=evidence)


def _hedge_spans(own: PassageFraming, other: PassageFraming) -> list[tuple[int, int]]:
    """Spans of `own`'s hedge cues when hedging sets it apart from `other` (else none)."""
    if own.commitment.label != "hedged" or other.commitment.label == "hedged":
        return []
    return [(c.start, c.end) for c in own.commitment.cues if c.kind == "hedge"]


def _attribution_spans(framed: PassageFraming) -> list[tuple[int, int]]:
    """Speaker and speech-verb/source-marker spans: attribution, not lexical framing."""
    voice = framed.voice
    spans = [(c.start, c.end) for c in voice.cues if c.kind in ("speech_verb", "source")]
    if voice.speaker_start is not None and voice.speaker_end is not None:
        spans.append((voice.speaker_start, voice.speaker_end))
    return spans


def frame_result(
    result: Any,
    stance: Mapping[str, StanceDistribution] | None = None,
    *,
    embeddings: Mapping[str, np.ndarray] | None = None,
    confidence: Mapping[tuple[str, str], float] | None = None,
    event_of: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    top_k: int = 5,
    source_contrast: bool = True,
    method: str = METHOD,
) -> Framing:
    """Framing of a `models.pipeline.CompareResult`.

    stance: passage id -> {target: {favor, against, none}} (None: no stance component).
    embeddings: article id -> (n_passages, d) float32, used to cluster articles into events.
    confidence: (passage a, passage b) -> calibrated confidence in [0, 1] overriding the
        alignments' own `confidence`.
    event_of: article id -> event; when absent, the articles' `event` metadata if every article
        has one, else events are found by clustering (events.py).
    source_contrast: score a same-language pair's words article against article (contrast.py).
    """
    passages = result.passage_index()
    sources = {a.id: a.text for a in result.articles} if source_contrast else None
    language_of = {a.id: a.language for a in result.articles}
    framed = frame_passages(passages, language_of)
    background = fit_background(passages, language_of)
    event_of, event_source = _events(result, embeddings, event_of)
    reference = np.array([al.similarity for al in result.alignments], dtype=np.float64)
    pairs = []
    for index, al in enumerate(result.alignments):
        pa, pb = passages[al.a], passages[al.b]
        conf = (confidence or {}).get((al.a, al.b), getattr(al, "confidence", None))
        divergence, contrast = divergence_of_pair(
            pa, pb, language_of=language_of, framed=framed, background=background,
            similarity=al.similarity, reference_similarities=reference, confidence=conf,
            stance=stance, weights=weights, top_k=top_k, sources=sources, method=method,
        )  # fmt: skip
        same = event_of[pa.article_id] == event_of[pb.article_id]
        pairs.append(PairFraming(index, al.a, al.b, divergence, contrast, same))
    article_of = {pid: p.article_id for pid, p in passages.items()}
    pair_ids = [(p.a, p.b) for p in pairs]
    facts = [(f.id, f.passages) for f in getattr(result, "facts", None) or []]
    if facts:
        groups = coverage.groups_from_facts(facts, pair_ids, article_of, event_of)
    else:
        groups = coverage.fact_groups(pair_ids, article_of, event_of)
    camp_of = {a.id: a.camp for a in result.articles}
    near = [(link.a, link.b, link.confidence) for link in getattr(result, "near_links", None) or []
            if link.a in article_of and link.b in article_of]  # fmt: skip
    outlet_of = {a.id: a.outlet for a in result.articles}
    scored = [aggregate.ScoredPair(p.index, article_of[p.a], article_of[p.b], p.divergence.score)
              for p in pairs]  # fmt: skip
    described: dict[str, Any] = {
        "divergence": method, "weights": dict(WEIGHTS[method] if weights is None else weights),
        "contrast": CONTRAST_OF[method], "commitment": COMMITMENT_METHOD, "events": event_source,
        "stance": "given" if stance else "absent",
    }  # fmt: skip
    if method != METHOD_V1:
        described["lexicon"] = LEXICON_OF[method]
    if method in WITH_EVIDENCE:
        described["evidence_min"] = EVIDENCE_MIN
    if method in WITH_SOURCING:
        described["contested_min_attributions"] = CONTESTED_MIN
    return Framing(
        method=described, passages=framed, pairs=pairs, events=dict(event_of), fact_groups=groups,
        coverage=coverage.coverage(groups, event_of, camp_of, near, article_of),
        matrices=aggregate.matrices(scored, event_of, outlet_of, camp_of),
    )  # fmt: skip


def _events(
    result: Any, embeddings: Mapping[str, np.ndarray] | None, event_of: Mapping[str, str] | None
) -> tuple[dict[str, str], str]:
    ids = [a.id for a in result.articles]
    if event_of is not None:
        missing = [a for a in ids if a not in event_of]
        if missing:
            raise ValueError(f"event_of lacks articles {missing[:5]}")
        return {a: event_of[a] for a in ids}, "given"
    if ids and all(a.extra.get("event") for a in result.articles):
        return {a.id: a.extra["event"] for a in result.articles}, "metadata"
    if embeddings is not None and all(a in embeddings for a in ids):
        languages = {a.id: a.language for a in result.articles}
        vectors = events.article_vectors(ids, embeddings, languages)
        labels = events.cluster_articles(1.0 - vectors @ vectors.T)
        return events.name_events(ids, labels), "clustering-embeddings.v1"
    sizes = {a: len(result.passages[a]) for a in ids}
    article_of = {pid: p.article_id for pid, p in result.passage_index().items()}
    article_pairs = [(article_of[al.a], article_of[al.b]) for al in result.alignments]
    labels = events.cluster_articles(events.alignment_distances(ids, article_pairs, sizes))
    return events.name_events(ids, labels), "clustering-alignments.v1"
