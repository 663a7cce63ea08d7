"""The stance precision benchmark runs on the shipped artifact, a single model or an ensemble."""

from __future__ import annotations

from eval.bench_stance_quant import ARTIFACT, main, skip_reason


def test_the_shipped_artifact_is_benchmarked(tmp_path):
    data = tmp_path / "validation.tsv"
    data.write_text(
        "sentence\tentity\tentity_tag\tentity_pos_start_rel\tentity_pos_end_rel\tlabel\n"
    )
    assert skip_reason(data, ARTIFACT) is None
    assert "not found" in (skip_reason(tmp_path / "missing.tsv", ARTIFACT) or "")
    assert "no stance artifact" in (skip_reason(data, tmp_path) or "")


def test_missing_inputs_skip_with_a_message(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "missing.tsv")]) == 0
    assert "RuSentNE validation not found" in capsys.readouterr().err
