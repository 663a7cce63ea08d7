"""Prior correction and temperature of the fine-tuned stance model, chosen on held-out data.

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

The bias fixes which label wins; it does not make the probabilities honest. The fine-tuned model
is overconfident (on RuSentNE's dev file its mean top probability is about 0.87 where it is right
about 0.77 of the time), and its probabilities are what users read from `/v1/stance` and what
the framing divergence compares. Temperature scaling (Guo et al., 2017, "On Calibration of Modern
Neural Networks") divides the log-probabilities by one number T, chosen after the bias on the
same data to minimise the log-loss (`choose_temperature`), and saved as
`calibration_temperature` (not the distillation temperature among the training hyperparameters).
T > 1 softens; the most probable label never changes, so F1 is untouched. The artifact records
the log-loss and expected calibration error (`models.stance.metrics.probability_scores`) of that
data before and after (`calibration_temperature_fit`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.stance.data import StanceExample, gold_labels
from models.stance.labels import LABEL_INDEX, LABELS
from models.stance.metrics import argmax_labels, probability_scores, stance_scores

GRID = tuple(np.round(np.arange(-1.5, 3.01, 0.25), 2))
TEMPERATURE_GRID = tuple(np.round(np.arange(0.5, 4.001, 0.05), 2))


def apply_none_bias(probabilities: np.ndarray, none_bias: float) -> np.ndarray:
    """Multiply P(none) by exp(none_bias) and renormalise -> float32 (n, 3)."""
    if not none_bias:
        return probabilities.astype(np.float32)
    scaled = np.asarray(probabilities, dtype=np.float64).copy()
    scaled[:, LABEL_INDEX["none"]] *= np.exp(none_bias)
    return (scaled / scaled.sum(axis=1, keepdims=True)).astype(np.float32)


def soften(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities as if their logits were divided by `temperature` -> float32 (n, 3), rows
    summing to 1: T > 1 flattens them, T < 1 sharpens them, the order within a row stays."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, None))
    logits = logits / temperature
    logits -= logits.max(axis=1, keepdims=True)
    soft = np.exp(logits)
    return (soft / soft.sum(axis=1, keepdims=True)).astype(np.float32)


def calibrated_proba(probabilities: np.ndarray, config: dict) -> np.ndarray:
    """A model's raw (member-mean) probabilities with its artifact's `none_bias`, then its
    `calibration_temperature` applied -> float32 (n, 3): what `FineTunedStanceModel.predict_proba`
    returns."""
    biased = apply_none_bias(probabilities, float(config.get("none_bias", 0.0)))
    temperature = float(config.get("calibration_temperature", 1.0))
    return biased if temperature == 1.0 else soften(biased, temperature)


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


def choose_temperature(
    probabilities: np.ndarray, examples: list[StanceExample], grid=TEMPERATURE_GRID
) -> tuple[float, dict]:
    """The temperature from `grid` with the lowest log-loss of `examples`' labels under
    `soften(probabilities, T)` (ties -> the one nearest 1), and the fit: the data's log-loss and
    expected calibration error before and after, and how many examples chose it."""
    gold = gold_labels(examples)
    losses = [probability_scores(gold, soften(probabilities, t))["log_loss"] for t in grid]
    best = min(range(len(grid)), key=lambda i: (round(losses[i], 6), abs(grid[i] - 1.0)))
    temperature = float(grid[best])
    before = probability_scores(gold, probabilities)
    after = probability_scores(gold, soften(probabilities, temperature))
    fit = {"n": len(gold),
           "log_loss_before": round(before["log_loss"], 4),
           "log_loss_after": round(after["log_loss"], 4),
           "ece_before": round(before["ece"], 4), "ece_after": round(after["ece"], 4)}  # fmt: skip
    return temperature, fit


def calibrate_artifact(
    artifact_dir,
    train_tsv,
    multilingual_jsonl,
    e5_dir,
    seed: int = 0,
    holdout_fraction: float = 0.05,
) -> dict:
    """Choose `none_bias`, then `temperature`, on the training hold-out (same split as
    `train_stance`) and store them."""
    from models.stance.data import read_rusentne_tsv
    from models.stance.finetuned import FineTunedStanceModel
    from models.stance.train import split_holdout, split_team_files

    _, holdout = split_holdout(
        [row.example for row in read_rusentne_tsv(train_tsv)], holdout_fraction, seed
    )
    holdout += split_team_files(multilingual_jsonl, holdout_fraction, seed)[1]
    model = FineTunedStanceModel(Path(artifact_dir), Path(e5_dir))
    report = calibrate(artifact_dir, raw_proba(model, holdout), holdout)
    return report | {"n_holdout": len(holdout)}


def calibrate_on_dev(artifact_dir, dev_jsonl, e5_dir=None) -> dict:
    """Choose `none_bias`, then `temperature`, on team-written development JSONL files (one path
    or several) and store them in the artifact, replacing the hold-out's choice. The files are
    read (and a malformed row refused, by file and line) before the e5 folder is built or
    loaded."""
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
    report = calibrate(artifact_dir, raw_proba(model, examples), examples, dev_files=names)
    return report | {"n_dev": len(examples), "chosen_on": chosen_on(names)}


def raw_proba(model, examples: list[StanceExample]) -> np.ndarray:
    """The model's probabilities for `examples` before its prior correction and temperature
    (n, 3): the mean of its members'."""
    return model.mean_proba(
        [e.text for e in examples], [e.target for e in examples], [e.span for e in examples]
    )


def chosen_on(dev_files: list[str]) -> str:
    """Which data chose the bias and the temperature, in words: the development files, or the
    training hold-out."""
    return "development set " + ", ".join(dev_files) if dev_files else "training hold-out"


def calibrate(
    artifact_dir,
    probabilities: np.ndarray,
    examples: list[StanceExample],
    dev_files: list[str] | None = None,
) -> dict:
    """Choose and store the bias on `probabilities` (raw), then the temperature on the biased
    probabilities; both on `examples`, from `dev_files` (none: the training hold-out)."""
    bias, table = store_none_bias(artifact_dir, probabilities, examples, dev_files)
    temperature, fit = store_temperature(
        artifact_dir, apply_none_bias(probabilities, bias), examples, dev_files
    )
    return {"none_bias": bias, "table": table, "calibration_temperature": temperature,
            "calibration_temperature_fit": fit}  # fmt: skip


def store_none_bias(
    artifact_dir,
    probabilities: np.ndarray,
    examples: list[StanceExample],
    dev_files: list[str] | None = None,
) -> tuple[float, list[dict]]:
    """Choose the bias on `examples` and write it, its table and which data chose it (the names
    of the development files `dev_files`; none: the training hold-out) into the artifact's
    config."""
    bias, table = choose_none_bias(probabilities, examples)
    _update_config(artifact_dir, none_bias=bias, none_bias_table=table,
                   none_bias_chosen_on=chosen_on(dev_files or []),
                   none_bias_dev_files=list(dev_files or []))  # fmt: skip
    return bias, table


def store_temperature(
    artifact_dir,
    probabilities: np.ndarray,
    examples: list[StanceExample],
    dev_files: list[str] | None = None,
) -> tuple[float, dict]:
    """Choose the temperature on `examples` (`probabilities` after the bias) and write it, its
    fit and which data chose it into the artifact's config."""
    temperature, fit = choose_temperature(probabilities, examples)
    _update_config(artifact_dir, calibration_temperature=temperature,
                   calibration_temperature_fit=fit,
                   calibration_temperature_chosen_on=chosen_on(dev_files or []),
                   calibration_temperature_dev_files=list(dev_files or []))  # fmt: skip
    return temperature, fit


def _update_config(artifact_dir, **values) -> None:
    from models.stance.finetuned import CONFIG_FILE

    path = Path(artifact_dir) / CONFIG_FILE
    config = json.loads(path.read_text(encoding="utf-8"))
    config.update(values)
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
