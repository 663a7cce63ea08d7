from __future__ import annotations

import numpy as np
import pytest

from models.stance.metrics import argmax_labels, probability_scores, stance_scores


def test_f1_pn_is_macro_over_favor_and_against_only() -> None:
    gold = ["favor", "favor", "against", "against", "none", "none"]
    pred = ["favor", "none", "against", "favor", "none", "none"]
    scores = stance_scores(gold, pred)
    # favor: p=1/2 r=1/2 f=1/2; against: p=1 r=1/2 f=2/3
    assert scores["f1_pn"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert scores["per_label"]["none"]["precision"] == pytest.approx(2 / 3)
    assert scores["per_label"]["none"]["recall"] == pytest.approx(1.0)
    assert scores["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)
    assert scores["accuracy"] == pytest.approx(4 / 6)


def test_argmax_labels_and_length_check() -> None:
    assert argmax_labels(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])) == ["against", "favor"]
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        stance_scores(["none", "none"], ["none"])


def test_probability_scores_measure_calibration() -> None:
    sure = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    perfect = probability_scores(["favor", "none"], sure)
    assert perfect["ece"] == pytest.approx(0.0) and perfect["log_loss"] == pytest.approx(0.0)
    # a top probability of 0.9 that is right half the time: ECE 0.4
    proud = np.array([[0.9, 0.05, 0.05]] * 4)
    scores = probability_scores(["favor", "favor", "against", "none"], proud)
    assert scores["ece"] == pytest.approx(0.4)
    assert scores["mean_confidence"] == pytest.approx(0.9)
    expected = -(2 * np.log(0.9) + 2 * np.log(0.05)) / 4
    assert scores["log_loss"] == pytest.approx(expected)
    # two bins: 0.55 right once of two (gap 0.05), 0.95 right twice of two (gap 0.05)
    mixed = np.array([[0.55, 0.45, 0.0], [0.55, 0.45, 0.0], [0.95, 0.05, 0.0], [0.95, 0.0, 0.05]])
    two_bins = probability_scores(["favor", "against", "favor", "favor"], mixed)
    assert two_bins["ece"] == pytest.approx(0.05)
    # a wrong label at probability 0 costs a finite amount
    assert np.isfinite(probability_scores(["none"], sure[:1])["log_loss"])
    with pytest.raises(ValueError, match="1 gold labels but 2 probability rows"):
        probability_scores(["none"], sure)
