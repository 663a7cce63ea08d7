"""Stance evaluation: RuSentNE-format TSV (official F1_PN) and the team's multilingual gold.

    evaluate_stance(data_tsv, model, predictions_out=None) -> dict
    evaluate_stance_gold(gold_jsonl, model) -> dict   # macro-F1 per language

`predictions_out` receives the input columns plus `predicted` in RuSentNE's -1 / 0 / 1. Both
reports also say how well the probabilities are calibrated (`calibration`: expected calibration
error, log-loss and mean top probability; `models.stance.metrics.probability_scores`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from models.stance.data import gold_labels, read_rusentne_tsv, read_stance_jsonl
from models.stance.labels import LABEL_TO_RUSENTNE
from models.stance.metrics import argmax_labels, probability_scores, stance_scores
from models.stance.scoring import StanceModel

log = logging.getLogger(__name__)


def evaluate_stance(
    data_tsv: Path, model: StanceModel, predictions_out: Path | None = None
) -> dict:
    """Predict every row of a RuSentNE-format TSV; metrics when the file has labels."""
    rows = read_rusentne_tsv(data_tsv, require_label=False)
    examples = [row.example for row in rows]
    started = time.perf_counter()
    probabilities = model.predict_proba(
        [e.text for e in examples], [e.target for e in examples], [e.span for e in examples]
    )
    seconds = time.perf_counter() - started
    predicted = argmax_labels(probabilities)
    if predictions_out is not None:
        write_predictions(rows, predicted, Path(predictions_out))
    report: dict = {
        "data": str(data_tsv),
        "model": model.name,
        "n": len(rows),
        "seconds": round(seconds, 2),
        "ms_per_row": round(1000 * seconds / max(len(rows), 1), 2),
    }
    if examples and all(e.label is not None for e in examples):
        gold = gold_labels(examples)
        report.update(stance_scores(gold, predicted))
        report["calibration"] = probability_scores(gold, probabilities)
    else:
        log.warning("%s has no (complete) label column: predictions only, no metrics", data_tsv)
    return report


def write_predictions(rows, predicted: list[str], path: Path) -> None:
    """Input columns + `predicted` (-1 / 0 / 1), tab-separated, same row order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [*rows[0].columns, "predicted"] if rows else ["predicted"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\t".join(header) + "\n")
        for row, label in zip(rows, predicted, strict=True):
            values = [*row.columns.values(), str(LABEL_TO_RUSENTNE[label])]
            handle.write("\t".join(values) + "\n")


def evaluate_stance_gold(gold_jsonl: Path, model: StanceModel) -> dict:
    """Scores on the team's multilingual gold: overall and per language (macro-F1, F1_PN)."""
    examples = read_stance_jsonl(gold_jsonl)
    probabilities = model.predict_proba(
        [e.text for e in examples], [e.target for e in examples], [e.span for e in examples]
    )
    predicted = argmax_labels(probabilities)
    gold = gold_labels(examples)
    overall = stance_scores(gold, predicted)
    overall["calibration"] = probability_scores(gold, probabilities)
    report: dict = {"data": str(gold_jsonl), "model": model.name, "overall": overall}
    languages = sorted({e.language or "?" for e in examples})
    report["languages"] = {}
    for language in languages:
        idx = [i for i, e in enumerate(examples) if (e.language or "?") == language]
        scores = stance_scores([gold[i] for i in idx], [predicted[i] for i in idx])
        report["languages"][language] = scores
    return report


def format_report(report: dict) -> str:
    """Human-readable summary of `evaluate_stance` / `evaluate_stance_gold` output."""
    lines = [f"model: {report['model']}", f"data:  {report['data']}"]
    if "f1_pn" in report:
        lines += _score_lines(report)
    for language, scores in report.get("languages", {}).items():
        lines.append(
            f"  {language}: macro-F1 {scores['macro_f1']:.3f}  F1_PN {scores['f1_pn']:.3f}"
            f"  (n={scores['n']})"
        )
    if "overall" in report:
        lines += _score_lines(report["overall"])
    if "ms_per_row" in report:
        lines.append(f"time: {report['seconds']} s, {report['ms_per_row']} ms per row")
    return "\n".join(lines)


def _score_lines(scores: dict) -> list[str]:
    lines = [
        f"F1_PN {scores['f1_pn']:.4f}   macro-F1 {scores['macro_f1']:.4f}   "
        f"accuracy {scores['accuracy']:.4f}   n={scores['n']}"
    ]
    for label, s in scores["per_label"].items():
        lines.append(
            f"  {label:8s} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
            f"F1 {s['f1']:.3f}  support {s['support']}"
        )
    if "calibration" in scores:
        c = scores["calibration"]
        lines.append(
            f"probabilities: ECE {c['ece']:.3f}   log-loss {c['log_loss']:.3f}   "
            f"mean top probability {c['mean_confidence']:.3f}"
        )
    return lines
