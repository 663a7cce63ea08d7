from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.stance.data import read_rusentne_tsv, read_stance_jsonl
from models.stance.labels import LABEL_TO_RUSENTNE, LABELS, RUSENTNE_TO_LABEL, label_index

HEADER = "sentence\tentity\tentity_tag\tentity_pos_start_rel\tentity_pos_end_rel\tlabel\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_label_order_and_rusentne_mapping() -> None:
    assert LABELS == ("favor", "against", "none")
    assert RUSENTNE_TO_LABEL == {1: "favor", -1: "against", 0: "none"}
    assert {LABEL_TO_RUSENTNE[label] for label in LABELS} == {1, -1, 0}
    assert [label_index(label) for label in LABELS] == [0, 1, 2]
    with pytest.raises(ValueError, match="valid labels"):
        label_index("positive")


def test_reads_rusentne_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "d.tsv",
        HEADER
        + "Путин похвалил Россию.\tРоссию\tCOUNTRY\t15\t21\t1\nКот спит.\tКот\tX\t0\t3\t-1\n",
    )
    rows = read_rusentne_tsv(path)
    assert [r.example.label for r in rows] == ["favor", "against"]
    first = rows[0].example
    assert first.text[first.span[0] : first.span[1]] == "Россию" == first.target
    assert rows[0].columns["entity_tag"] == "COUNTRY"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Кот спит.\tКот\tX\t0\t3\n", r"d\.tsv:3: expected 6 tab-separated fields, got 5"),
        ("Кот спит.\tКот\tX\ta\t3\t0\n", r"d\.tsv:3: entity offsets must be integers"),
        ("Кот спит.\tКот\tX\t5\t40\t0\n", r"d\.tsv:3: entity span \[5, 40\) outside"),
        ("Кот спит.\tКот\tX\t0\t3\t2\n", r"d\.tsv:3: label '2' not one of -1, 0, 1"),
    ],
)
def test_malformed_rusentne_rows_name_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path / "d.tsv", HEADER + "Кот спит.\tКот\tX\t0\t3\t0\n" + row)
    with pytest.raises(ValueError, match=message):
        read_rusentne_tsv(path)


def test_missing_columns_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path / "d.tsv", "sentence\tentity\n")
    with pytest.raises(ValueError, match=r"d\.tsv:1: missing columns"):
        read_rusentne_tsv(path)
    with pytest.raises(FileNotFoundError, match=r"nope\.tsv"):
        read_rusentne_tsv(tmp_path / "nope.tsv")


def test_unlabelled_tsv_is_allowed_when_labels_not_required(tmp_path: Path) -> None:
    path = write(tmp_path / "d.tsv", HEADER.replace("\tlabel", "") + "Кот спит.\tКот\tX\t0\t3\n")
    rows = read_rusentne_tsv(path, require_label=False)
    assert rows[0].example.label is None


def test_reads_stance_jsonl_and_rejects_bad_records(tmp_path: Path) -> None:
    good = {"id": "en-1", "language": "en", "text": "Russia said no.", "target": "Russia",
            "start": 0, "end": 6, "label": "against"}  # fmt: skip
    no_span = {**good, "id": "en-2", "start": None, "end": None, "label": "none"}
    path = write(tmp_path / "g.jsonl", json.dumps(good) + "\n\n" + json.dumps(no_span) + "\n")
    examples = read_stance_jsonl(path)
    assert [(e.span, e.label, e.language) for e in examples] == [
        ((0, 6), "against", "en"),
        (None, "none", "en"),
    ]
    write(path, json.dumps(good) + "\n" + json.dumps({**good, "label": "pro"}) + "\n")
    with pytest.raises(ValueError, match=r"g\.jsonl:2: label 'pro'"):
        read_stance_jsonl(path)
    write(path, "{not json\n")
    with pytest.raises(ValueError, match=r"g\.jsonl:1: bad record"):
        read_stance_jsonl(path)
