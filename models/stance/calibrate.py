"""Prior correction of the fine-tuned stance model, chosen on the training hold-out.

Training weights the classes by inverse-sqrt frequency (and may keep only a share of RuSentNE's
neutral rows, `none_fraction`), so the raw model can over-predict favor / against. A single bias
added to the "none" log-probability undoes that; it is picked to maximise F1_PN on
the same held-out slice of the training data that chose the epoch (never the dev file) and saved
in the artifact's `stance_config.json` as `none_bias`.
"""

from __future__ import annotations

import numpy as np

from models.stance.data import StanceExample, gold_labels
from models.stance.labels import LABEL_INDEX, LABELS
from models.stance.metrics import argmax_labels, stance_scores

GRID = tuple(np.round(np.arange(-1.5, 3.01, 0.25), 2))


def apply_none_bias(probabilities: np.ndarray, none_bias: float) -> np.ndarray:
    """Multiply P(none) by exp(none_bias) and renormalise -> float32 (n, 3)."""
    if not none_bias:
        return probabilities.astype(np.float32)
    scaled = np.asarray(probabilities, dtype=np.float64).copy()
    scaled[:, LABEL_INDEX["none"]] *= np.exp(none_bias)
    return (scaled / scaled.sum(axis=1, keepdims=True)).astype(np.float32)


def choose_none_bias(
    probabilities: np.ndarray, examples: list[StanceExample], grid=GRID
) -> tuple[float, list[dict]]:
    """Bias from `grid` with the best F1_PN on `examples` (ties -> smallest bias), and the table."""
    gold = gold_labels(examples)
    table = []
    for bias in grid:
        scores = stance_scores(gold, argmax_labels(apply_none_bias(probabilities, bias)))
        table.append(
            {"none_bias": float(bias), "f1_pn": scores["f1_pn"], "macro_f1": scores["macro_f1"]}
        )
    best = max(table, key=lambda row: (round(row["f1_pn"], 6), -row["none_bias"]))
    assert LABELS[LABEL_INDEX["none"]] == "none"
    return best["none_bias"], table


def calibrate_artifact(
    artifact_dir,
    train_tsv,
    multilingual_jsonl,
    e5_dir,
    seed: int = 0,
    holdout_fraction: float = 0.05,
) -> dict:
    """Choose `none_bias` on the training hold-out (same split as `train_stance`) and store it."""
    import json
    from pathlib import Path

    from models.stance.data import read_rusentne_tsv
    from models.stance.finetuned import CONFIG_FILE, FineTunedStanceModel
    from models.stance.train import split_holdout, split_team_files

    _, holdout = split_holdout(
        [row.example for row in read_rusentne_tsv(train_tsv)], holdout_fraction, seed
    )
    holdout += split_team_files(multilingual_jsonl, holdout_fraction, seed)[1]
    model = FineTunedStanceModel(Path(artifact_dir), Path(e5_dir))
    model.config["none_bias"] = 0.0
    probabilities = model.predict_proba(
        [e.text for e in holdout], [e.target for e in holdout], [e.span for e in holdout]
    )
    bias, table = choose_none_bias(probabilities, holdout)
    path = Path(artifact_dir) / CONFIG_FILE
    config = json.loads(path.read_text(encoding="utf-8"))
    config["none_bias"] = bias
    config["none_bias_table"] = table
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return {"none_bias": bias, "table": table, "n_holdout": len(holdout)}
