"""Prior correction of the fine-tuned stance model, chosen on the training hold-out.

Training weights the classes by inverse-sqrt frequency (and may keep only a share of RuSentNE's
neutral rows, `none_fraction`), so the raw model can over-predict favor / against. A single bias
added to the "none" log-probability undoes that; it is picked to maximise F1_PN on
the same held-out slice of the training data that chose the epoch (never the dev file) and saved
in the artifact's `stance_config.json` as `none_bias`.

The bias is a correction toward the label mix of the text it will score. The training hold-out is
mostly RuSentNE rows; `calibrate_on_dev` picks it instead on a development set of the kind of
text the product scores (`eval/gold/stance_dev_articles.jsonl`: whole news articles, used for
nothing else), and records which data chose it: `none_bias_chosen_on` in words, and
`none_bias_dev_files`, the development files' names (empty when the hold-out chose it).
"""

from __future__ import annotations

import json
from pathlib import Path

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
    from models.stance.data import read_rusentne_tsv
    from models.stance.finetuned import FineTunedStanceModel
    from models.stance.train import split_holdout, split_team_files

    _, holdout = split_holdout(
        [row.example for row in read_rusentne_tsv(train_tsv)], holdout_fraction, seed
    )
    holdout += split_team_files(multilingual_jsonl, holdout_fraction, seed)[1]
    model = FineTunedStanceModel(Path(artifact_dir), Path(e5_dir))
    bias, table = store_none_bias(artifact_dir, unbiased_proba(model, holdout), holdout)
    return {"none_bias": bias, "table": table, "n_holdout": len(holdout)}


def calibrate_on_dev(artifact_dir, dev_jsonl, e5_dir=None) -> dict:
    """Choose `none_bias` on team-written development JSONL files (one path or several) and store
    it in the artifact, replacing the hold-out's choice. The files are read (and a malformed row
    refused, by file and line) before the e5 folder is built or loaded."""
    from models.e5 import build_e5_directory, default_model_dir
    from models.stance.data import read_stance_jsonl, stance_files
    from models.stance.finetuned import FineTunedStanceModel

    paths = stance_files(dev_jsonl)
    examples = [e for path in paths for e in read_stance_jsonl(path)]
    if not examples:
        raise ValueError("no development examples to choose the none bias on")
    e5 = build_e5_directory(Path(e5_dir) if e5_dir else default_model_dir())
    model = FineTunedStanceModel(Path(artifact_dir), e5)
    names = [path.name for path in paths]
    bias, table = store_none_bias(
        artifact_dir, unbiased_proba(model, examples), examples, dev_files=names
    )
    return {"none_bias": bias, "table": table, "n_dev": len(examples),
            "chosen_on": chosen_on(names)}  # fmt: skip


def unbiased_proba(model, examples: list[StanceExample]) -> np.ndarray:
    """The model's probabilities for `examples` before any prior correction (n, 3)."""
    model.config["none_bias"] = 0.0
    return model.predict_proba(
        [e.text for e in examples], [e.target for e in examples], [e.span for e in examples]
    )


def chosen_on(dev_files: list[str]) -> str:
    """Which data chose the bias, in words: the development files, or the training hold-out."""
    return "development set " + ", ".join(dev_files) if dev_files else "training hold-out"


def store_none_bias(
    artifact_dir,
    probabilities: np.ndarray,
    examples: list[StanceExample],
    dev_files: list[str] | None = None,
) -> tuple[float, list[dict]]:
    """Choose the bias on `examples` and write it, its table and which data chose it (the names
    of the development files `dev_files`; none: the training hold-out) into the artifact's
    config."""
    from models.stance.finetuned import CONFIG_FILE

    bias, table = choose_none_bias(probabilities, examples)
    path = Path(artifact_dir) / CONFIG_FILE
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(none_bias=bias, none_bias_table=table,
                  none_bias_chosen_on=chosen_on(dev_files or []),
                  none_bias_dev_files=list(dev_files or []))  # fmt: skip
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return bias, table
