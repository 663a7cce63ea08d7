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
