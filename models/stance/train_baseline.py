"""Fit the fast stance baseline (frozen embeddings + logistic regression) reproducibly."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from models.encoder import Encoder
from models.stance.baseline import EmbeddingStanceClassifier
from models.stance.data import (
    StanceExample,
    gold_labels,
    read_rusentne_tsv,
    read_stance_jsonl,
    stance_files,
)

log = logging.getLogger(__name__)


def train_baseline(
    train_tsv: Path,
    multilingual_jsonl: Path | Sequence[Path] | None,
    out_dir: Path,
    encoder: Encoder,
    C: float = 1.0,
    multilingual_repeat: int = 3,
    encoder_spec: str | None = None,
) -> dict:
    """Fit `EmbeddingStanceClassifier` on RuSentNE train (+ team examples, repeated) and save it.

    Logistic regression with lbfgs is deterministic, so no seed is needed. Returns a report.
    """
    started = time.perf_counter()
    examples: list[StanceExample] = [row.example for row in read_rusentne_tsv(train_tsv)]
    n_rusentne = len(examples)
    for path in stance_files(multilingual_jsonl):
        examples += read_stance_jsonl(path) * multilingual_repeat
    texts = [e.text for e in examples]
    unique = sorted(set(texts))
    index = {t: i for i, t in enumerate(unique)}
    embeddings = encoder.encode(unique, kind="passage")[[index[t] for t in texts]]
    encoded = time.perf_counter()
    model = EmbeddingStanceClassifier(encoder, C=C).fit(
        texts,
        [e.target for e in examples],
        gold_labels(examples),
        passage_embeddings=embeddings,
    )
    model.save(out_dir, encoder_spec=encoder_spec)
    report = {
        "name": model.name,
        "n_rusentne": n_rusentne,
        "n_examples": len(examples),
        "encode_seconds": round(encoded - started, 1),
        "fit_seconds": round(time.perf_counter() - encoded, 1),
    }
    log.info("baseline trained: %s", report)
    return report
