from __future__ import annotations

import numpy as np
import pytest

from models.stance.calibrate import (
    apply_none_bias,
    calibrated_proba,
    choose_none_bias,
    choose_temperature,
    soften,
)
from models.stance.data import StanceExample


def test_apply_none_bias_scales_none_and_renormalises() -> None:
    proba = np.array([[0.4, 0.2, 0.4]], dtype=np.float32)
    out = apply_none_bias(proba, np.log(2.0))
    np.testing.assert_allclose(out, [[0.4 / 1.4, 0.2 / 1.4, 0.8 / 1.4]], rtol=1e-6)
    np.testing.assert_allclose(apply_none_bias(proba, 0.0), proba)


def test_choose_none_bias_maximises_f1_pn() -> None:
    # the first two rows are truly "none" but the raw model leans favor: a positive bias fixes them
    proba = np.array(
        [[0.5, 0.1, 0.4], [0.45, 0.1, 0.45], [0.1, 0.8, 0.1], [0.7, 0.1, 0.2]], dtype=np.float32
    )
    labels = ("none", "none", "against", "favor")
    examples = [StanceExample("t", "x", None, label) for label in labels]
    bias, table = choose_none_bias(proba, examples, grid=(0.0, 0.5, 1.0))
    assert bias == pytest.approx(0.5)
    assert [row["none_bias"] for row in table] == [0.0, 0.5, 1.0]


def test_store_none_bias_writes_the_choice_and_its_source(tmp_path) -> None:
    import json

    from models.stance.calibrate import store_none_bias

    config = tmp_path / "stance_config.json"
    config.write_text(json.dumps({"name": "m", "none_bias": -0.75}), encoding="utf-8")
    proba = np.array([[0.5, 0.1, 0.4], [0.1, 0.8, 0.1], [0.7, 0.1, 0.2]], dtype=np.float32)
    examples = [StanceExample("t", "x", None, label) for label in ("none", "against", "favor")]
    bias, table = store_none_bias(tmp_path, proba, examples, dev_files=["dev.jsonl"])
    written = json.loads(config.read_text(encoding="utf-8"))
    assert written["name"] == "m"
    assert written["none_bias"] == bias and written["none_bias_table"] == table
    assert written["none_bias_chosen_on"] == "development set dev.jsonl"
    assert written["none_bias_dev_files"] == ["dev.jsonl"]
    # chosen on the training hold-out: no development files
    store_none_bias(tmp_path, proba, examples)
    written = json.loads(config.read_text(encoding="utf-8"))
    assert written["none_bias_chosen_on"] == "training hold-out"
    assert written["none_bias_dev_files"] == []
    # the first row is "none" but leans favor without a correction
    assert bias > 0


def _overconfident(n: int, seed: int = 0) -> tuple[np.ndarray, list[StanceExample]]:
    """Labels drawn from true probabilities, and a model that reports them sharpened twice
    over (the true probabilities are its own at temperature 2)."""
    rng = np.random.default_rng(seed)
    truth = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    labels = [("favor", "against", "none")[rng.choice(3, p=row)] for row in truth]
    examples = [StanceExample("t", "x", None, label) for label in labels]
    return soften(truth, 0.5), examples


def test_choose_temperature_undoes_overconfidence() -> None:
    proba, examples = _overconfident(4000)
    temperature, fit = choose_temperature(proba, examples)
    assert temperature == pytest.approx(2.0, abs=0.2)
    assert fit["n"] == 4000
    assert fit["log_loss_after"] < fit["log_loss_before"]
    assert fit["ece_after"] < fit["ece_before"] / 2
    # a model that is already calibrated keeps a temperature near 1
    honest, _ = _overconfident(4000)
    assert choose_temperature(soften(honest, 2.0), examples)[0] == pytest.approx(1.0, abs=0.15)


def test_calibrated_proba_applies_the_bias_then_the_temperature() -> None:
    proba = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]], dtype=np.float32)
    biased = apply_none_bias(proba, 0.5)
    np.testing.assert_allclose(calibrated_proba(proba, {"none_bias": 0.5}), biased)
    both = calibrated_proba(proba, {"none_bias": 0.5, "calibration_temperature": 2.0})
    np.testing.assert_allclose(both, soften(biased, 2.0), rtol=1e-6)
    assert (both.argmax(axis=1) == biased.argmax(axis=1)).all()  # no label changes
    assert (both.max(axis=1) < biased.max(axis=1)).all()  # softer
    np.testing.assert_allclose(both.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(calibrated_proba(proba, {}), proba)


def test_calibrate_stores_bias_and_temperature_with_their_source(tmp_path) -> None:
    import json

    from models.stance.calibrate import calibrate

    config = tmp_path / "stance_config.json"
    config.write_text(json.dumps({"name": "m"}), encoding="utf-8")
    proba, examples = _overconfident(600, seed=1)
    report = calibrate(tmp_path, proba, examples, dev_files=["dev.jsonl"])
    written = json.loads(config.read_text(encoding="utf-8"))
    assert written["none_bias"] == report["none_bias"]
    assert written["calibration_temperature"] == report["calibration_temperature"] > 1.0
    assert written["calibration_temperature_fit"] == report["calibration_temperature_fit"]
    assert written["calibration_temperature_chosen_on"] == "development set dev.jsonl"
    assert written["calibration_temperature_dev_files"] == ["dev.jsonl"]
    # the temperature is fitted to the probabilities after the bias
    biased = apply_none_bias(proba, report["none_bias"])
    assert choose_temperature(biased, examples)[0] == report["calibration_temperature"]
