"""`compare`: load-free composition of the Parallax steps over typed values.

articles -> passages (segment) -> embeddings (encode) -> alignments (align) -> stance per passage
and target (when a stance model is given) -> framing (voice, commitment, divergence, coverage).
Callers that already hold embeddings (batch jobs with a cache) pass them in. The result
serialises to the documented `result.json` schema with `result_to_dict`; fields of steps that
did not run are absent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from corpus.schema import Article, Passage
from corpus.segment import split_passages
from models import alignment
from models.calibration import LinkCalibration
from models.encoder import Encoder
from models.framing import Framing, apply_framing, frame_result
from models.stance.actors import LEXICON_VERSION, resolve_targets
from models.stance.scoring import (
    AGGREGATE_METHOD,
    DEFAULT_TARGETS,
    StanceModel,
    aggregate_stance,
    score_stance,
)

logger = logging.getLogger(__name__)

SEGMENTATION_METHOD = "sentences-razdel-sentencex.v1"


@dataclass
class CompareResult:
    articles: list[Article]
    passages: dict[str, list[Passage]]  # article id -> its passages in order
    alignments: list[alignment.Alignment]
    method: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    facts: list[alignment.Fact] = field(default_factory=list)  # groups of aligned passages
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)  # article id -> (n, d)
    # passage id -> {target: {favor, against, none}}; article id -> aggregate per target
    stance: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    article_stance: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    framing: Framing | None = None
    # article pairs aligned as translations, with what only one side has
    translations: list[alignment.Translation] = field(default_factory=list)
    # candidate links refused for confidence, from `alignment.NEAR_MIN` on (coverage's hints)
    near_links: list[alignment.Alignment] = field(default_factory=list)

    def passage_index(self) -> dict[str, Passage]:
        return {p.id: p for ps in self.passages.values() for p in ps}


def segment_articles(articles: list[Article], window: int = 1) -> dict[str, list[Passage]]:
    """Passages of every article, keyed by article id."""
    return {article.id: split_passages(article, window) for article in articles}


def compare(
    articles: list[Article],
    encoder: Encoder,
    window: int = 1,
    embeddings: dict[str, np.ndarray] | None = None,
    calibration: LinkCalibration | None = None,
    threshold: float = alignment.MIN_CONFIDENCE,
    frame: bool = True,
    stance_model: StanceModel | None = None,
    targets: tuple[str, ...] = DEFAULT_TARGETS,
) -> CompareResult:
    """Segment, embed, align, score stance (with `stance_model`) and framing (when `frame`).

    `embeddings` optionally maps article id -> precomputed (n_passages, d) float32 embeddings.
    `targets` are the actors stance is scored toward; `"auto"` among them stands for the states
    the articles are about (`models.stance.actors.resolve_targets`: named in two passages or
    more, the most named first, at most four). The targets scored are `method.stance_targets`.
    `calibration` maps link features to confidence (default: the packaged one fitted on
    `encoder`'s embeddings, `LinkCalibration.for_encoder`); links with
    confidence below `threshold` (in [0, 1]) are dropped.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold is a confidence in [0, 1], got {threshold}")
    calibration = calibration or LinkCalibration.for_encoder(encoder.name)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    passages = segment_articles(articles, window)
    timings["segment_s"] = time.perf_counter() - started

    started = time.perf_counter()
    vectors = dict(embeddings or {})
    missing = [a.id for a in articles if a.id not in vectors]
    texts = [p.text for aid in missing for p in passages[aid]]
    encoded = encoder.encode(texts, "passage") if texts else np.zeros((0, encoder.dim), np.float32)
    offset = 0
    for aid in missing:
        count = len(passages[aid])
        vectors[aid] = encoded[offset : offset + count]
        offset += count
    timings["encode_s"] = time.perf_counter() - started

    started = time.perf_counter()
    groups = [
        alignment.PassageGroup(a.id, [p.id for p in passages[a.id]], vectors[a.id],
                               [p.text for p in passages[a.id]], a.language)
        for a in articles
    ]  # fmt: skip
    aligned = alignment.align_passages(groups, calibration, threshold)
    timings["align_s"] = time.perf_counter() - started

    method = {
        "segmentation": SEGMENTATION_METHOD,
        "passage_window": window,
        "encoder": encoder.name,
        "alignment": alignment.METHOD,
        "alignment_calibration": calibration.version,
        "alignment_threshold": threshold,
    }
    result = CompareResult(articles, passages, aligned.alignments, method, timings,
                           facts=aligned.facts, embeddings=vectors,
                           translations=aligned.translations,
                           near_links=aligned.near)  # fmt: skip
    if stance_model is not None:
        started = time.perf_counter()
        texts = [p.text for article in articles for p in passages[article.id]]
        resolved = list(resolve_targets(targets, texts))
        if resolved:
            score_articles_stance(result, stance_model, resolved)
        else:  # 'auto' found no actor and none was named: there is nothing to score toward
            result.method.update({"stance": stance_model.name, "stance_targets": []})
        timings["stance_s"] = time.perf_counter() - started
    if frame:
        started = time.perf_counter()
        result.framing = frame_result(result, result.stance or None, embeddings=vectors)
        timings["frame_s"] = time.perf_counter() - started
    return result


def score_articles_stance(result: CompareResult, model: StanceModel, targets: list[str]) -> None:
    """Fill `result.stance` (every passage, one batched call) and `result.article_stance`."""
    ordered = [p for article in result.articles for p in result.passages[article.id]]
    embeddings = [result.embeddings[a.id] for a in result.articles if a.id in result.embeddings]
    stacked = np.concatenate(embeddings) if len(embeddings) == len(result.articles) else None
    scores = score_stance([p.text for p in ordered], targets, model, passage_embeddings=stacked,
                          embeddings_from=result.method.get("encoder"))  # fmt: skip
    result.stance = {p.id: s for p, s in zip(ordered, scores, strict=True)}
    for article in result.articles:
        own = result.passages[article.id]
        result.article_stance[article.id] = aggregate_stance(
            [p.text for p in own], [result.stance[p.id] for p in own], targets
        )
    result.method.update({"stance": model.name, "stance_targets": targets,
                          "stance_mentions": LEXICON_VERSION,
                          "stance_aggregate": AGGREGATE_METHOD})  # fmt: skip


def result_to_dict(result: CompareResult) -> dict[str, Any]:
    """The `result.json` document."""
    document = _base_document(result)
    return apply_framing(document, result.framing) if result.framing else document


def _base_document(result: CompareResult) -> dict[str, Any]:
    camps = {a.id: a.camp for a in result.articles}
    return {
        "method": result.method,
        "articles": [
            {
                "id": a.id, "outlet": a.outlet, "camp": a.camp, "country": a.country,
                "language": a.language, "date": a.date, "title": a.title, "source": a.source,
                "passages": [_passage_dict(p, result) for p in result.passages[a.id]],
                **({"stance": result.article_stance[a.id]} if a.id in result.article_stance
                   else {}),
            }
            for a in result.articles
        ],
        "alignments": [
            {"a": al.a, "b": al.b, "similarity": round(al.similarity, 4),
             "margin": round(al.margin, 4), "confidence": round(al.confidence, 4),
             "kind": al.kind}
            for al in result.alignments
        ],
        "facts": [
            {"id": f.id, "passages": list(f.passages), "articles": list(f.articles),
             "camps": sorted({camps[a] for a in f.articles}),
             "confidence": round(f.confidence, 4)}
            for f in result.facts
        ],
        "translations": [
            {"a": t.a, "b": t.b, "coverage": round(t.coverage, 4), "links": t.links,
             "only_a": list(t.only_a), "only_b": list(t.only_b)}
            for t in result.translations
        ],
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
    }  # fmt: skip


def _passage_dict(passage: Passage, result: CompareResult) -> dict[str, Any]:
    out: dict[str, Any] = {"id": passage.id, "start": passage.start, "end": passage.end,
                           "text": passage.text}  # fmt: skip
    if passage.id in result.stance:
        out["stance"] = {target: {label: round(p, 4) for label, p in dist.items()}
                         for target, dist in result.stance[passage.id].items()}  # fmt: skip
    return out
