from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.framing_pairs import (
    evaluate_framing_pairs,
    read_framing_pairs,
    summarise,
    term_match,
)

# Our own sentences, in the sets' format: two framed differently, two alike.
PAIRS = [
    {"id": "t-1", "language_a": "en", "language_b": "en",
     "a": "Border guards detained twelve fishermen near the island on Monday.",
     "b": "Occupation forces abducted twelve fishermen near the island on Monday.",
     "framing": "different", "difference": "wording", "terms_a": ["detained"],
     "terms_b": ["Occupation forces", "abducted"]},
    {"id": "t-2", "language_a": "en", "language_b": "en",
     "a": "The dam burst after a week of heavy rain, flooding four villages.",
     "b": "The dam reportedly burst, possibly after sabotage, flooding four villages.",
     "framing": "different", "difference": "certainty", "terms_a": [],
     "terms_b": ["reportedly", "possibly after sabotage"]},
    {"id": "t-3", "language_a": "en", "language_b": "en",
     "a": "The court fined the newspaper for its report on the mayor.",
     "b": "A court ordered the newspaper to pay a fine over its story on the mayor.",
     "framing": "alike", "difference": None, "terms_a": [], "terms_b": []},
    {"id": "t-4", "language_a": "ru", "language_b": "en",
     "a": "Парламент одобрил бюджет на следующий год в среду.",
     "b": "Parliament approved next year's budget on Wednesday.",
     "framing": "alike", "difference": None, "terms_a": [], "terms_b": []},
]  # fmt: skip


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_pairs_are_read_and_bad_rows_are_named_by_file_and_line(tmp_path: Path) -> None:
    pairs = read_framing_pairs(write(tmp_path / "ok.jsonl", PAIRS))
    assert [p.id for p in pairs] == ["t-1", "t-2", "t-3", "t-4"]
    assert pairs[0].different and pairs[0].terms_b == ("Occupation forces", "abducted")
    broken = [
        ({**PAIRS[0], "terms_a": ["arrested"]}, "every term of side a must occur"),
        ({**PAIRS[2], "difference": "wording"}, "null for an 'alike' one"),
        ({**PAIRS[0], "difference": None}, "difference is one of"),
        ({**PAIRS[0], "framing": "maybe"}, "framing must be"),
        ({**PAIRS[3], "language_b": "de"}, "languages must be among"),
        ({k: v for k, v in PAIRS[0].items() if k != "terms_b"}, "exactly the keys"),
    ]
    for row, message in broken:
        path = write(tmp_path / "bad.jsonl", [PAIRS[1], {**row, "id": "bad"}])
        with pytest.raises(ValueError, match=rf"bad\.jsonl:2: .*{message}"):
            read_framing_pairs(path)
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: duplicate id"):
        read_framing_pairs(write(tmp_path / "bad.jsonl", [PAIRS[0], PAIRS[0]]))


def test_term_match_compares_word_stems_and_skips_sides_without_gold() -> None:
    match = term_match(["abduction", "island"], ("Occupation forces", "abducted"), "en")
    assert match == {"found": 2, "found_right": 1, "gold": 2, "gold_found": 1}
    assert term_match(["похищены"], ("похищение",), "ru")["found_right"] == 1
    assert term_match(["island"], (), "en") is None


def test_summary_aucs_follow_the_labels() -> None:
    rows = [
        {"different": True, "difference": "wording", "languages": "en-en", "score": 0.9,
         "evidence": 0.5, "components": {"contrast": 0.8, "residual": 0.1}, "cosine_residual": 0.2,
         "term_match": {"a": {"found": 2, "found_right": 1, "gold": 1, "gold_found": 1},
                        "b": None}},
        {"different": False, "difference": None, "languages": "en-ru", "score": 0.2,
         "evidence": 0.6, "components": {"contrast": 0.1, "residual": 0.4}, "cosine_residual": 0.9,
         "term_match": {"a": None, "b": None}},
        {"different": True, "difference": "certainty", "languages": "ru-ru", "score": 0.7,
         "evidence": 0.1, "components": {"contrast": 0.3, "residual": 0.9}, "cosine_residual": 0.1,
         "term_match": {"a": None, "b": {"found": 1, "found_right": 0, "gold": 2,
                                         "gold_found": 0}}},
    ]  # fmt: skip
    summary = summarise(rows)
    assert summary["auc"]["all"]["score_auc"] == 1.0
    assert summary["auc"]["all"]["evidence_auc"] == 0.0
    assert summary["auc"]["all"]["contrast_auc"] == 1.0
    assert summary["auc"]["all"]["residual_auc"] == 0.5
    assert summary["auc"]["all"]["cosine_residual_auc"] == 0.0
    assert summary["auc"]["all"]["stance_auc"] is None  # not scored
    assert summary["auc"]["same language"]["pairs"] == 2
    assert summary["auc"]["cross-language"]["score_auc"] is None  # one class only
    assert summary["auc"]["certainty against alike"]["pairs"] == 2
    assert summary["terms"] == {"sides": 2, "top_precision": round(1 / 3, 4),
                                "gold_recall": round(1 / 3, 4), "sides_hit": 0.5}  # fmt: skip


def test_pairs_are_scored_with_the_product_divergence(tmp_path: Path, fake_encoder) -> None:
    report = evaluate_framing_pairs(write(tmp_path / "pairs.jsonl", PAIRS), fake_encoder)
    rows = {row["id"]: row for row in report["rows"]}
    assert set(rows) == {"t-1", "t-2", "t-3", "t-4"}
    for row in rows.values():
        assert 0.0 <= row["score"] <= 1.0 and 0.0 <= row["evidence"] <= 1.0
        assert set(row["components"]) == {"commitment", "contrast", "residual"}
        assert row["components"]["residual"] == 0.0  # the set gives the fact as shared
        assert 0.0 <= row["cosine_residual"] < 1.0
    # the hedged side of t-2 is told apart from the asserted one, and shown as its terms
    assert rows["t-2"]["components"]["commitment"] > 0
    assert "reportedly" in rows["t-2"]["terms"]["b"]
    assert rows["t-3"]["components"]["commitment"] == 0
    assert report["auc"]["all"]["pairs"] == 4 and report["terms"]["sides"] == 3


def test_stance_is_asked_pair_by_pair(tmp_path: Path, fake_encoder) -> None:
    asked: list[list[str]] = []

    def stance(passages):  # favor for side a, against for side b, toward one target
        asked.append(sorted(passages))
        side = {pid: pid.endswith("/a") for pid in passages}
        return {pid: {"X": {"favor": float(a), "against": float(not a), "none": 0.0}}
                for pid, a in side.items()}  # fmt: skip

    report = evaluate_framing_pairs(write(tmp_path / "pairs.jsonl", PAIRS), fake_encoder, stance)
    assert asked == [[f"{p['id']}/a", f"{p['id']}/b"] for p in PAIRS]
    assert all(row["components"]["stance"] == 1.0 for row in report["rows"])


def test_several_methods_share_one_pass_over_the_pairs(tmp_path: Path, fake_encoder) -> None:
    from eval.framing_pairs import evaluate_framing_pairs_methods

    asked: list[str] = []

    def stance(passages):
        asked.extend(passages)
        return {pid: {"X": {"favor": 0.0, "against": 0.0, "none": 1.0}} for pid in passages}

    path = write(tmp_path / "pairs.jsonl", PAIRS)
    methods = ("divergence.v5", "divergence.v3")
    reports = evaluate_framing_pairs_methods(path, fake_encoder, stance, methods)
    assert [r["method"] for r in reports] == ["divergence.v5", "divergence.v3"]
    assert len(asked) == 2 * len(PAIRS) and fake_encoder.calls == 2 * len(PAIRS)
    assert all(len(r["rows"]) == len(PAIRS) for r in reports)
