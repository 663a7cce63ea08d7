from __future__ import annotations

import numpy as np
import pytest

from models.stance.metrics import argmax_labels, stance_scores


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
