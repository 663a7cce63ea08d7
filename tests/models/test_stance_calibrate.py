from __future__ import annotations

import numpy as np
import pytest

from models.stance.calibrate import apply_none_bias, choose_none_bias
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
