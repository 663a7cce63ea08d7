"""Distillation of a stance model from a teacher (train.py): soft targets, loss, CLI checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.stance.calibrate import soften
from models.stance.train import _soft_loss
from tests.cli_output import unboxed

PROBABILITIES = np.array([[0.7, 0.2, 0.1], [0.05, 0.15, 0.8], [1 / 3, 1 / 3, 1 / 3]])


def _entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(p)).sum(axis=1)


def test_soften_keeps_the_ranking_and_flattens_with_temperature() -> None:
    np.testing.assert_allclose(soften(PROBABILITIES, 1.0), PROBABILITIES, atol=1e-6)
    soft = soften(PROBABILITIES, 2.0)
    assert soft.dtype == np.float32
    np.testing.assert_allclose(soft.sum(axis=1), 1.0, atol=1e-6)
    assert (soft.argmax(axis=1)[:2] == PROBABILITIES.argmax(axis=1)[:2]).all()
    assert (_entropy(soft)[:2] > _entropy(PROBABILITIES)[:2]).all()
    np.testing.assert_allclose(soft[2], 1 / 3, atol=1e-6)
    # at T = 2 the softened odds are the square roots of the teacher's odds
    assert soft[0, 0] / soft[0, 1] == pytest.approx(np.sqrt(0.7 / 0.2), rel=1e-5)
    assert np.isfinite(soften(np.array([[1.0, 0.0, 0.0]]), 2.0)).all()
    with pytest.raises(ValueError, match="temperature"):
        soften(PROBABILITIES, 0.0)


def test_soft_loss_is_cross_entropy_against_the_teacher() -> None:
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    labels = torch.tensor([0, 2])
    one_hot = torch.nn.functional.one_hot(labels, 3).float()
    expected = torch.nn.functional.cross_entropy(logits, labels)
    assert float(_soft_loss(logits, one_hot, 1.0)) == pytest.approx(float(expected), rel=1e-6)
    # the loss is lowest where the student's softened distribution equals the teacher's
    teacher = torch.softmax(logits / 2.0, dim=-1)
    at_teacher = float(_soft_loss(logits, teacher, 2.0))
    for shift in (torch.tensor([0.5, 0.0, 0.0]), torch.tensor([0.0, -0.7, 0.3])):
        assert float(_soft_loss(logits + shift, teacher, 2.0)) > at_teacher


def test_train_command_checks_the_teacher(tmp_path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    train = tmp_path / "train.tsv"
    train.write_text("sentence\tentity\tentity_tag\tentity_pos_start_rel\t"
                     "entity_pos_end_rel\tlabel\n", encoding="utf-8")  # fmt: skip
    runner = CliRunner()
    base = ["models", "train-stance", "--train", str(train), "--out", str(tmp_path / "out")]
    missing = runner.invoke(app, [*base, "--teacher", str(tmp_path)])
    assert missing.exit_code == 2
    assert "--teacher" in unboxed(missing.output)
    assert "not a fine-tuned stance artifact" in unboxed(missing.output)
    (tmp_path / "stance_config.json").write_text("{}", encoding="utf-8")
    baseline = runner.invoke(app, [*base, "--model", "baseline", "--teacher", str(tmp_path)])
    assert baseline.exit_code == 2
    assert "only the finetuned model is distilled" in unboxed(baseline.output)
    assert not (tmp_path / "out").exists()
