from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.stance.baseline import EmbeddingStanceClassifier
from tests.stance_fakes import HashEncoder

TEXTS = [
    "Russia praised the good deal",
    "Russia welcomed the good news",
    "great good support for Russia",
    "Russia condemned the bad attack",
    "bad terrible Russia blamed",
    "Russia criticised the bad move",
    "Russia met on Tuesday",
    "the weather in Russia today",
    "Russia published statistics",
]
LABELS_ = ["favor"] * 3 + ["against"] * 3 + ["none"] * 3


def fitted() -> EmbeddingStanceClassifier:
    return EmbeddingStanceClassifier(HashEncoder(), C=10.0).fit(TEXTS, ["Russia"] * 9, LABELS_)


def test_fit_returns_self_and_sets_learned_attributes() -> None:
    model = EmbeddingStanceClassifier(HashEncoder())
    assert not hasattr(model, "classifier_")
    assert model.fit(TEXTS, ["Russia"] * 9, LABELS_) is model
    assert list(model.classes_) == ["favor", "against", "none"]


def test_predict_proba_shape_order_and_training_fit() -> None:
    model = fitted()
    proba = model.predict_proba(TEXTS, ["Russia"] * 9)
    assert proba.shape == (9, 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert model.predict(TEXTS, ["Russia"] * 9) == LABELS_
    assert model.predict_proba([], []).shape == (0, 3)


def test_features_concatenate_passage_target_and_product() -> None:
    model = fitted()
    x = model.features(["a b"], ["c"])
    p = model.encoder.encode(["a b"], "passage")
    q = model.encoder.encode(["c"], "query")
    np.testing.assert_allclose(x, np.hstack([p, q, p * q]))


def test_precomputed_passage_embeddings_skip_encoding() -> None:
    model = fitted()
    embeddings = model.encoder.encode(TEXTS[:2], "passage")
    before = model.encoder.calls
    proba = model.predict_proba(TEXTS[:2], ["Russia", "Russia"], passage_embeddings=embeddings)
    assert model.encoder.calls - before == 1  # only the one distinct target
    np.testing.assert_allclose(proba, model.predict_proba(TEXTS[:2], ["Russia"] * 2), atol=1e-6)


def test_unfitted_and_bad_labels_fail_clearly() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        EmbeddingStanceClassifier(HashEncoder()).predict_proba(["x"], ["y"])
    with pytest.raises(ValueError, match="unknown labels"):
        EmbeddingStanceClassifier(HashEncoder()).fit(["x"], ["y"], ["positive"])


def test_save_load_round_trip(tmp_path: Path) -> None:
    model = fitted()
    model.save(tmp_path / "head")
    loaded = EmbeddingStanceClassifier.load(tmp_path / "head", HashEncoder())
    np.testing.assert_allclose(
        loaded.predict_proba(TEXTS, ["Russia"] * 9), model.predict_proba(TEXTS, ["Russia"] * 9),
        atol=1e-5,
    )  # fmt: skip
    other = HashEncoder()
    other.name = "another-encoder"
    with pytest.raises(ValueError, match="fitted on encoder"):
        EmbeddingStanceClassifier.load(tmp_path / "head", other)
    with pytest.raises(FileNotFoundError, match="not a baseline head"):
        EmbeddingStanceClassifier.load(tmp_path, HashEncoder())
