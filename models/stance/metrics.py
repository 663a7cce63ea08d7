"""Stance metrics (shared by training-time model selection and `eval/stance.py`)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from models.stance.labels import LABELS


def stance_scores(gold: list[str], predicted: list[str]) -> dict:
    """F1_PN (macro F1 over favor and against, RuSentNE's official metric), macro-F1 over all
    three labels, and per-label precision / recall / F1 / support."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    labels = list(LABELS)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    per_label = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    return {
        "f1_pn": float(
            f1_score(gold, predicted, labels=["favor", "against"], average="macro", zero_division=0)
        ),
        "macro_f1": float(
            f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "accuracy": float(np.mean(np.asarray(gold) == np.asarray(predicted))) if gold else 0.0,
        "n": len(gold),
        "per_label": per_label,
    }


def argmax_labels(probabilities: np.ndarray) -> list[str]:
    """float (n, 3) in `LABELS` order -> n label names."""
    return [LABELS[i] for i in np.asarray(probabilities).argmax(axis=1)]
