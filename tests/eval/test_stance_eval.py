from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.stance import evaluate_stance, evaluate_stance_gold, format_report
from tests.stance_fakes import KeywordStanceModel

HEADER = "sentence\tentity\tentity_tag\tentity_pos_start_rel\tentity_pos_end_rel\tlabel\n"
ROWS = [
    ("Russia is good", "Russia", 1),
    ("Russia is bad", "Russia", -1),
    ("Russia is good", "Russia", -1),
    ("Russia is here", "Russia", 0),
]


def test_evaluate_writes_predictions_and_metrics(tmp_path: Path) -> None:
    data = tmp_path / "dev.tsv"
    data.write_text(
        HEADER + "".join(f"{s}\t{e}\tCOUNTRY\t0\t6\t{y}\n" for s, e, y in ROWS), encoding="utf-8"
    )
    out = tmp_path / "pred" / "out.tsv"
    report = evaluate_stance(data, KeywordStanceModel(), predictions_out=out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER.strip() + "\tpredicted"
    assert [line.split("\t")[-1] for line in lines[1:]] == ["1", "-1", "1", "0"]
    assert [line.split("\t")[:-1] for line in lines[1:]] == [
        [s, e, "COUNTRY", "0", "6", str(y)] for s, e, y in ROWS
    ]
    # favor: p=1/2 r=1 f=2/3; against: p=1 r=1/2 f=2/3
    assert report["f1_pn"] == pytest.approx(2 / 3)
    assert report["n"] == 4
    assert "F1_PN 0.6667" in format_report(report)
    # every top probability is 0.8 and three of four are right: the gap is 0.05
    assert report["calibration"]["ece"] == pytest.approx(0.05, abs=1e-6)
    assert report["calibration"]["log_loss"] == pytest.approx(
        -(3 * math.log(0.8) + math.log(0.1)) / 4, rel=1e-5
    )
    assert "probabilities: ECE 0.050" in format_report(report)


def test_evaluate_without_labels_gives_predictions_only(tmp_path: Path) -> None:
    data = tmp_path / "test.tsv"
    data.write_text(HEADER.replace("\tlabel", "") + "Russia is bad\tRussia\tC\t0\t6\n", "utf-8")
    report = evaluate_stance(data, KeywordStanceModel(), predictions_out=tmp_path / "o.tsv")
    assert "f1_pn" not in report
    assert (tmp_path / "o.tsv").read_text("utf-8").splitlines()[1].endswith("\t-1")


def test_gold_report_per_language(tmp_path: Path) -> None:
    records = [
        {"id": "1", "language": "en", "text": "good", "target": "X", "start": None, "end": None,
         "label": "favor"},
        {"id": "2", "language": "az", "text": "bad", "target": "X", "start": None, "end": None,
         "label": "favor"},
    ]  # fmt: skip
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    report = evaluate_stance_gold(gold, KeywordStanceModel())
    assert report["languages"]["en"]["accuracy"] == 1.0
    assert report["languages"]["az"]["accuracy"] == 0.0
    assert report["overall"]["n"] == 2
    assert report["overall"]["calibration"]["ece"] == pytest.approx(0.3, abs=1e-6)
    assert "az: macro-F1" in format_report(report)
