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


def probability_scores(gold: list[str], probabilities: np.ndarray, bins: int = 10) -> dict:
    """How far the probabilities can be taken at their word, for `gold` label names and float
    (n, 3) probabilities in `LABELS` order: `log_loss` (mean negative log-probability of the gold
    label, probabilities clipped at 1e-12), `ece` (expected calibration error of the top label,
    over `bins` equal-width bins of the top probability: `models.calibration.reliability`, as for
    alignment's link confidences) and `mean_confidence` (the mean top probability)."""
    from models.calibration import reliability

    probabilities = np.asarray(probabilities, dtype=np.float64)
    if len(gold) != len(probabilities):
        raise ValueError(f"{len(gold)} gold labels but {len(probabilities)} probability rows")
    if not gold:
        return {"log_loss": 0.0, "ece": 0.0, "mean_confidence": 0.0, "n": 0}
    truth = np.array([LABELS.index(label) for label in gold])
    picked = probabilities[np.arange(len(truth)), truth]
    confidence = probabilities.max(axis=1)
    ece, _ = reliability(confidence, probabilities.argmax(axis=1) == truth, bins)
    return {
        "log_loss": float(-np.mean(np.log(np.clip(picked, 1e-12, None)))),
        "ece": ece,
        "mean_confidence": float(confidence.mean()),
        "n": len(gold),
    }
