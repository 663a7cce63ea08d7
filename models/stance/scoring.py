"""Stance for the pipeline: per-passage scores for several targets and an article aggregate.

`score_stance` runs one batched `predict_proba` over every (passage, target) pair. The mention
of a target is located by `find_mention` (actor lexicon, else plain text search); only the first
occurrence is marked. A target that names a lexicon actor in another language or form ("Россия",
"Russian Federation") reaches the model as the actor's canonical name ("Russia"), the form its
training data gives, so the scores do not depend on how the user spelled the target; the results
stay keyed by the target as given.

Article aggregate (`aggregate_stance`, method "stance-aggregate-v1"): for each target, the mean
of the passage distributions weighted by relevance, where a passage that mentions the target
weighs 1 and one that does not weighs `unmentioned_weight` (0.2): stance is mostly carried by
passages that name the actor, but pronoun references ("its air defences") in neighbouring
passages still count a little.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from models.stance.actors import canonical_actor
from models.stance.inputs import find_mention
from models.stance.labels import LABELS

DEFAULT_TARGETS: tuple[str, ...] = ("Russia", "Azerbaijan")
AGGREGATE_METHOD = "stance-aggregate-v1"


class StanceModel(Protocol):
    """What the pipeline needs of a stance model."""

    @property
    def name(self) -> str:
        """Identity of the model (weights, version, dtype)."""
        ...

    def predict_proba(
        self,
        texts: list[str],
        targets: list[str],
        spans: list[tuple[int, int] | None] | None = None,
    ) -> np.ndarray:
        """-> float32 (n, 3), columns in `LABELS` order (favor, against, none), rows sum to 1."""
        ...


def score_stance(
    passages: list[str],
    targets: list[str],
    model: StanceModel,
    passage_embeddings: np.ndarray | None = None,
    embeddings_from: str | None = None,
) -> list[dict[str, dict[str, float]]]:
    """For each passage, {target: {"favor": p, "against": p, "none": p}} (one batched call).

    `passage_embeddings` float32 (len(passages), d): the pipeline's passage embeddings, made by
    the encoder named `embeddings_from`, reused by models that can (the baseline) when they come
    from the weights the model was fitted on; otherwise the model encodes the passages itself.
    """
    texts = [getattr(p, "text", p) for p in passages]
    model_targets = [canonical_actor(target) or target for target in targets]
    pair_texts, pair_targets, pair_spans = [], [], []
    for text in texts:
        for target in model_targets:
            pair_texts.append(text)
            pair_targets.append(target)
            pair_spans.append(find_mention(text, target))
    if not pair_texts:
        return [{} for _ in texts]
    reusable = getattr(model, "accepts_passage_embeddings", False) and (
        embeddings_from is None or model.reuses_embeddings_of(embeddings_from)  # type: ignore[attr-defined]
    )
    if passage_embeddings is not None and reusable:
        repeated = np.repeat(np.asarray(passage_embeddings), len(targets), axis=0)
        probabilities = model.predict_proba(  # type: ignore[call-arg]
            pair_texts, pair_targets, pair_spans, passage_embeddings=repeated
        )
    else:
        probabilities = model.predict_proba(pair_texts, pair_targets, pair_spans)
    results: list[dict[str, dict[str, float]]] = []
    row = 0
    for _ in texts:
        scores = {}
        for target in targets:
            scores[target] = {label: float(probabilities[row, i]) for i, label in enumerate(LABELS)}
            row += 1
        results.append(scores)
    return results


def aggregate_stance(
    passages: list[str],
    passage_stances: list[dict[str, dict[str, float]]],
    targets: list[str],
    unmentioned_weight: float = 0.2,
) -> dict[str, dict[str, float]]:
    """Article-level {target: {favor, against, none, mentions}} from `score_stance` output."""
    if len(passages) != len(passage_stances):
        raise ValueError(f"{len(passages)} passages but {len(passage_stances)} stance rows")
    texts = [getattr(p, "text", p) for p in passages]
    article: dict[str, dict[str, float]] = {}
    for target in targets:
        mentioned = np.array([find_mention(t, target) is not None for t in texts], dtype=bool)
        weights = np.where(mentioned, 1.0, unmentioned_weight)
        dist = np.array([[s[target][label] for label in LABELS] for s in passage_stances]).reshape(
            -1, len(LABELS)
        )
        if len(texts) == 0:
            mean = np.array([0.0, 0.0, 1.0])
        else:
            mean = (dist * weights[:, None]).sum(axis=0) / weights.sum()
        article[target] = {label: float(mean[i]) for i, label in enumerate(LABELS)}
        article[target]["mentions"] = int(mentioned.sum())
    return article
