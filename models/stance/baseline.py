"""Fast stance baseline: frozen e5 embeddings + scikit-learn logistic regression.

Features of a (passage, target) pair: the passage embedding p ("passage: " + text, unmarked, so the
embeddings the pipeline already computed for alignment can be passed in), the target embedding q
("query: " + target) and their product, [p ; q ; p * q] -> float32 (3 * d,). The mention span is not
used: that is what keeps the baseline nearly free on top of the pipeline, and also why it cannot
tell apart two entities of one sentence (the fine-tuned model can).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from models.encoder import Encoder
from models.stance.labels import LABELS

HEAD_FILE = "baseline_head.npz"
CONFIG_FILE = "baseline_config.json"


def baseline_name(encoder_name: str, tag: str = "") -> str:
    """The name of a baseline head running on the encoder named `encoder_name`; `tag` (the
    digest of a folder other than the shipped one) is appended after a `+`."""
    suffix = f"+{tag}" if tag else ""
    return f"stance-baseline-lr-v1@{encoder_name}{suffix}"


class EmbeddingStanceClassifier:
    """sklearn-style stance head over a frozen `Encoder`: fit, predict(_proba), save, load."""

    #: `score_stance` may pass the pipeline's passage embeddings to `predict_proba`, when they
    #: come from the weights the head was fitted on (`reuses_embeddings_of`).
    accepts_passage_embeddings = True

    def __init__(
        self,
        encoder: Encoder,
        C: float = 1.0,
        max_iter: int = 2000,
        class_weight: str | None = "balanced",
    ) -> None:
        self.encoder = encoder
        self.C = C
        self.max_iter = max_iter
        self.class_weight = class_weight
        #: appended to `name` (`+tag`): `load_stance_model` sets it to the digest of a head
        #: loaded from a folder other than the shipped one
        self.tag = ""

    @property
    def name(self) -> str:
        return baseline_name(self.encoder.name, self.tag)

    def reuses_embeddings_of(self, encoder_name: str) -> bool:
        """Whether passage embeddings from the encoder named `encoder_name` fit this head."""
        from models.encoders import same_weights

        return same_weights(encoder_name, self.encoder.name)

    def features(
        self,
        texts: list[str],
        targets: list[str],
        passage_embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """[p ; q ; p * q] -> float32 (n, 3 * d); `passage_embeddings` (n, d) skips encoding."""
        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
        if passage_embeddings is None:
            passage_embeddings = self.encoder.encode(list(texts), kind="passage")
        elif passage_embeddings.shape[0] != len(texts):
            raise ValueError(
                f"passage_embeddings has {passage_embeddings.shape[0]} rows for {len(texts)} texts"
            )
        unique = sorted(set(targets))
        target_rows = self.encoder.encode(unique, kind="query") if unique else None
        index = {t: i for i, t in enumerate(unique)}
        q = (
            target_rows[[index[t] for t in targets]]
            if target_rows is not None
            else np.zeros_like(passage_embeddings)
        )
        p = np.asarray(passage_embeddings, dtype=np.float32)
        return np.hstack([p, q, p * q]).astype(np.float32)

    def fit(
        self,
        texts: list[str],
        targets: list[str],
        labels: list[str],
        spans: list[tuple[int, int] | None] | None = None,
        passage_embeddings: np.ndarray | None = None,
    ) -> EmbeddingStanceClassifier:
        """Fit the logistic regression on labelled pairs; `spans` is accepted and unused."""
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown labels {unknown}; valid labels: {list(LABELS)}")
        x = self.features(texts, targets, passage_embeddings)
        self.classifier_ = LogisticRegression(
            C=self.C, max_iter=self.max_iter, class_weight=self.class_weight
        ).fit(x, labels)
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(
        self,
        texts: list[str],
        targets: list[str],
        spans: list[tuple[int, int] | None] | None = None,
        passage_embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """float32 (n, 3) in `LABELS` order."""
        self._check_fitted()
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        raw = self.classifier_.predict_proba(self.features(texts, targets, passage_embeddings))
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for column, label in enumerate(self.classifier_.classes_):
            out[:, LABELS.index(label)] = raw[:, column]
        return out

    def predict(self, texts: list[str], targets: list[str], spans=None) -> list[str]:
        """Most probable label per pair."""
        return [LABELS[i] for i in self.predict_proba(texts, targets, spans).argmax(axis=1)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "classifier_"):
            raise RuntimeError("EmbeddingStanceClassifier is not fitted: call fit() or load()")

    def save(self, directory: Path, encoder_spec: str | None = None) -> Path:
        """Write `baseline_head.npz` (coefficients) and `baseline_config.json`; `encoder_spec`
        (`models.encoders.make_encoder`) tells `load_stance_model` which encoder to load."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(
            directory / HEAD_FILE,
            coef=self.classifier_.coef_.astype(np.float32),
            intercept=self.classifier_.intercept_.astype(np.float32),
        )
        config = {
            "method": "stance-baseline-lr-v1",
            "encoder": self.encoder.name,
            **({"encoder_spec": encoder_spec} if encoder_spec else {}),
            "classes": [str(c) for c in self.classifier_.classes_],
            "C": self.C,
            "max_iter": self.max_iter,
            "class_weight": self.class_weight,
        }
        (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path, encoder: Encoder) -> EmbeddingStanceClassifier:
        """Rebuild a fitted head from `save()` output; `encoder` must have the weights it was
        fitted on (any backend or precision of them, `models.encoders.same_weights`)."""
        from models.encoders import same_weights

        directory = Path(directory)
        config_path = directory / CONFIG_FILE
        if not config_path.is_file():
            raise FileNotFoundError(f"{directory} holds no {CONFIG_FILE}: not a baseline head")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if not same_weights(config["encoder"], encoder.name):
            raise ValueError(
                f"{config_path}: head was fitted on encoder {config['encoder']!r}, "
                f"got {encoder.name!r}"
            )
        model = cls(
            encoder, C=config["C"], max_iter=config["max_iter"], class_weight=config["class_weight"]
        )
        arrays = np.load(directory / HEAD_FILE)
        classifier = LogisticRegression(
            C=model.C, max_iter=model.max_iter, class_weight=model.class_weight
        )
        classifier.coef_ = arrays["coef"].astype(np.float64)
        classifier.intercept_ = arrays["intercept"].astype(np.float64)
        classifier.classes_ = np.asarray(config["classes"])
        model.classifier_ = classifier
        model.classes_ = np.asarray(LABELS)
        return model
