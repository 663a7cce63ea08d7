from __future__ import annotations

import numpy as np
import pytest

from models import neighbors
from models.calibration import (
    DATA_DIR,
    DEFAULT_PATH,
    FEATURES,
    SHORT_FEATURES,
    SUPPORT_FEATURES,
    TRANSLATION_FEATURES,
    LinkCalibration,
    reliability,
)


def synthetic_links(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Right links have higher similarity and margin on average than wrong ones."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    similarity = 0.78 + 0.06 * labels + rng.normal(0, 0.03, n)
    margin = 1.02 + 0.06 * labels + rng.normal(0, 0.03, n)
    context = 0.2 + 0.3 * labels + rng.normal(0, 0.2, n)
    mutual = (rng.random(n) < 0.3 + 0.5 * labels).astype(float)
    overlap = rng.poisson(0.3 + 0.8 * labels).clip(0, 3).astype(float)
    agreement = (rng.random(n) < 0.95 + 0.05 * labels).astype(float)
    diagonal = rng.binomial(2, 0.1 + 0.3 * labels).astype(float)
    parallel = (0.1 + 0.2 * labels + rng.normal(0, 0.1, n)).clip(0, 1)
    article = 0.86 + 0.08 * labels + rng.normal(0, 0.03, n)
    cross = (rng.random(n) < 0.3 + 0.3 * labels).astype(float)
    columns = [similarity, margin, context, mutual, overlap, agreement, diagonal, parallel, article,
               cross]  # fmt: skip
    assert len(columns) == len(FEATURES)
    return np.stack(columns, axis=1), labels


def test_calibration_is_monotone_and_a_probability(tmp_path) -> None:
    features, labels = synthetic_links()
    calibration = LinkCalibration(version="t1").fit(features, labels)
    grid = np.linspace(0.5, 1.3, 41)
    for column in range(len(FEATURES)):
        probe = np.tile(features.mean(axis=0), (len(grid), 1))
        probe[:, column] = grid
        confidences = calibration.predict_proba(probe)
        assert np.all(np.diff(confidences) >= 0)
        assert confidences.min() >= 0 and confidences.max() <= 1
    calibration.save(tmp_path / "c.json", command="test")
    again = LinkCalibration.load(tmp_path / "c.json")
    assert np.allclose(
        again.predict_proba(features), calibration.predict_proba(features), atol=1e-3
    )


def test_calibration_drops_a_feature_that_would_lower_confidence() -> None:
    features, labels = synthetic_links()
    features[:, 0] = 0.9 - 0.05 * labels + np.random.default_rng(1).normal(0, 0.01, len(labels))
    calibration = LinkCalibration().fit(features, labels)
    assert calibration.coef_[0] == 0 and np.all(calibration.coef_[1:] > 0)


def test_calibration_is_reliable_on_held_out_synthetic_data() -> None:
    features, labels = synthetic_links(seed=0)
    calibration = LinkCalibration().fit(features, labels)
    held_features, held_labels = synthetic_links(seed=2)
    ece, table = reliability(calibration.predict_proba(held_features), held_labels)
    assert ece < 0.05
    assert sum(row["count"] for row in table) == len(held_labels)


def test_calibration_needs_both_classes_and_a_fit() -> None:
    with pytest.raises(ValueError, match="both right"):
        LinkCalibration().fit(np.ones((3, len(FEATURES))), np.ones(3))
    with pytest.raises(RuntimeError, match="not fitted"):
        LinkCalibration().predict_proba(np.ones((1, len(FEATURES))))


def test_packaged_calibration_loads_and_is_monotone() -> None:
    calibration = LinkCalibration.load(DEFAULT_PATH)
    assert np.all(calibration.coef_ >= 0) and calibration.coef_.sum() > 0


def random_unit(n: int, d: int = 64, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_knn_matches_brute_force_across_blocks(monkeypatch) -> None:
    queries, keys = random_unit(50, seed=1), random_unit(300, seed=2)
    monkeypatch.setattr(neighbors, "EXACT_BLOCK_FLOATS", 300 * 7)  # 7 rows per block
    sims, idx = neighbors.exact_knn(queries, keys, 5)
    full = queries @ keys.T
    assert np.array_equal(idx, np.argsort(-full, axis=1)[:, :5])
    assert np.allclose(sims, np.take_along_axis(full, idx, axis=1))
    assert neighbors.exact_knn(queries, keys[:3], 5)[1].shape == (50, 3)


@pytest.mark.parametrize("backend", ["faiss", "usearch"])
def test_approximate_knn_recall_against_exact(backend: str) -> None:
    if not neighbors.available(backend):
        pytest.skip(f"{backend} is not installed")
    queries, keys = random_unit(300, d=24, seed=3), random_unit(3000, d=24, seed=4)
    _, exact = neighbors.exact_knn(queries, keys, 10)
    sims, approx = neighbors.knn(queries, keys, 10, backend=backend)
    assert neighbors.recall_at_k(approx, exact) >= 0.99
    assert np.allclose(sims, np.take_along_axis(queries @ keys.T, approx, axis=1), atol=1e-4)


def test_auto_backend_is_exact_for_small_inputs_and_names_are_checked() -> None:
    assert neighbors.choose_backend(100) == "exact"
    with pytest.raises(ValueError, match="use one of"):
        neighbors.available("annoy")


def test_support_stage_round_trips_and_feature_names_are_checked(tmp_path) -> None:
    features, labels = synthetic_links()
    calibration = LinkCalibration(version="t2").fit(features, labels)
    support = features[:, 1:2] + np.random.default_rng(3).normal(0, 0.01, (len(labels), 1))
    stage2 = LinkCalibration(features=SUPPORT_FEATURES)
    calibration.support_ = stage2.fit(np.column_stack([features, support]), labels)
    calibration.save(tmp_path / "c.json")
    again = LinkCalibration.load(tmp_path / "c.json")
    assert again.support_ is not None and again.support_.features == SUPPORT_FEATURES
    probe = np.column_stack([features, support])
    assert np.allclose(
        again.support_.predict_proba(probe), calibration.support_.predict_proba(probe), atol=1e-3
    )
    with pytest.raises(ValueError, match="features must be"):
        LinkCalibration(features=("similarity",))
    with pytest.raises(ValueError, match=rf"\(n, {len(SUPPORT_FEATURES)}\)"):
        again.support_.predict_proba(features)


def test_packaged_calibration_has_a_monotone_support_stage() -> None:
    calibration = LinkCalibration.load(DEFAULT_PATH)
    assert calibration.support_ is not None
    assert np.all(calibration.support_.coef_ >= 0) and calibration.support_.coef_[-1] > 0


def test_translation_map_round_trips_beside_the_support_stage(tmp_path) -> None:
    features, labels = synthetic_links()
    calibration = LinkCalibration(version="t3").fit(features, labels)
    path = features[:, [0, 1, 3, 4, 5, 7]]  # similarity, margin, mutual, anchors, coverage-like
    assert path.shape[1] == len(TRANSLATION_FEATURES)
    calibration.translation_ = LinkCalibration(features=TRANSLATION_FEATURES).fit(path, labels)
    calibration.save(tmp_path / "c.json")
    again = LinkCalibration.load(tmp_path / "c.json")
    assert again.support_ is None and again.translation_ is not None
    assert np.allclose(
        again.translation_.predict_proba(path), calibration.translation_.predict_proba(path),
        atol=1e-3,
    )  # fmt: skip
    document = again.to_dict()
    document["translation"]["features"] = list(FEATURES)
    with pytest.raises(ValueError, match="translation map's features"):
        LinkCalibration.from_dict(document)


def test_short_map_round_trips_and_its_features_are_checked(tmp_path) -> None:
    features, labels = synthetic_links()
    calibration = LinkCalibration(version="t4").fit(features, labels)
    short = features[:, [0, 1, 3, 4, 5, 8, 9]]
    assert short.shape[1] == len(SHORT_FEATURES)
    calibration.short_ = LinkCalibration(features=SHORT_FEATURES).fit(short, labels)
    calibration.save(tmp_path / "c.json")
    again = LinkCalibration.load(tmp_path / "c.json")
    assert again.short_ is not None and again.translation_ is None
    assert np.allclose(again.short_.predict_proba(short), calibration.short_.predict_proba(short),
                       atol=1e-3)  # fmt: skip
    document = again.to_dict()
    document["short"]["features"] = list(TRANSLATION_FEATURES)
    with pytest.raises(ValueError, match="short map's features"):
        LinkCalibration.from_dict(document)


@pytest.mark.parametrize(
    "path", [DEFAULT_PATH, DATA_DIR / "alignment_calibration.e5-facts-lora-v3.json"]
)
def test_packaged_short_maps_are_monotone_and_lean_on_similarity(path) -> None:
    short = LinkCalibration.load(path).short_
    assert short is not None and np.all(short.coef_ >= 0)
    assert short.coef_[SHORT_FEATURES.index("similarity")] == short.coef_.max()


def test_packaged_translation_map_is_monotone_and_trusts_covered_pairs() -> None:
    translation = LinkCalibration.load(DEFAULT_PATH).translation_
    assert translation is not None and np.all(translation.coef_ >= 0)
    assert translation.coef_[TRANSLATION_FEATURES.index("coverage")] > 0


@pytest.mark.parametrize("seed", range(6))
def test_fit_stays_monotone_when_refitting_turns_another_weight_negative(seed: int) -> None:
    # similarity carries the signal; the other columns are noise, some correlated with it, so
    # dropping the negative ones can turn another weight negative in the refit
    rng = np.random.default_rng(seed)
    n = 300
    labels = rng.integers(0, 2, n)
    signal = labels + rng.normal(0, 1.0, n)
    noise = rng.normal(0, 1.0, (n, len(FEATURES) - 1)) + 0.5 * signal[:, None]
    calibration = LinkCalibration(C=100.0).fit(np.column_stack([signal, noise]), labels)
    assert np.all(calibration.coef_ >= 0)
    assert calibration.coef_[0] > 0
