"""Seed ensembles of stance models: building the artifact, checking its members, averaging."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from models.stance import finetuned
from models.stance.calibrate import soften
from models.stance.ensemble import build_ensemble
from models.stance.finetuned import (
    CONFIG_FILE,
    FineTunedStanceModel,
    member_dirs,
    model_name,
    read_config,
)
from models.stance.labels import LABELS
from tests.cli_output import unboxed


def _member(folder: Path, name: str, seed: int = 0, **overrides) -> Path:
    """A folder with a single model's config and stand-in weight files."""
    folder.mkdir(parents=True)
    config = {"name": name, "labels": list(LABELS), "max_length": 96, "max_chars": 600,
              "none_bias": 0.5, "hyperparameters": {"seed": seed}, **overrides}  # fmt: skip
    (folder / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    (folder / "head.safetensors").write_bytes(b"head")
    (folder / "README.md").write_text("card", encoding="utf-8")
    return folder


def test_build_ensemble_copies_members_and_resets_the_bias(tmp_path):
    a = _member(tmp_path / "a", "m-seed0", seed=0)
    b = _member(tmp_path / "b", "m-seed1", seed=1)
    config = build_ensemble([a, b], tmp_path / "ens", "m-x2")
    assert config["members"] == ["m-seed0", "m-seed1"] and config["seeds"] == [0, 1]
    assert config["none_bias"] == 0.0 and config["none_bias_dev_files"] == []
    written = read_config(tmp_path / "ens")
    assert written == config
    assert (tmp_path / "ens" / "m-seed1" / "head.safetensors").read_bytes() == b"head"
    assert not (tmp_path / "ens" / "m-seed0" / "README.md").exists()  # the ensemble has one card
    assert member_dirs(tmp_path / "ens", written) == [
        tmp_path / "ens" / n for n in config["members"]
    ]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"name": "m-seed0"}, "distinct names"),
        ({"name": "m-seed1", "max_length": 128}, "max_length 128"),
        ({"name": "m-seed1", "members": ["x"]}, "itself an ensemble"),
        ({"name": "m-seed1", "labels": ["none", "favor", "against"]}, "labels"),
    ],
)
def test_build_ensemble_refuses_members_that_do_not_fit(tmp_path, second, message):
    a = _member(tmp_path / "a", "m-seed0")
    b = _member(tmp_path / "b", **second)
    with pytest.raises(ValueError, match=message):
        build_ensemble([a, b], tmp_path / "ens", "m-x2")
    assert not (tmp_path / "ens").exists()


def test_build_ensemble_needs_two_members_and_a_new_folder(tmp_path):
    a = _member(tmp_path / "a", "m-seed0")
    b = _member(tmp_path / "b", "m-seed1")
    with pytest.raises(ValueError, match="at least two"):
        build_ensemble([a], tmp_path / "ens", "m-x2")
    with pytest.raises(FileNotFoundError, match="not a stance artifact"):
        build_ensemble([a, tmp_path / "missing"], tmp_path / "ens", "m-x2")
    (tmp_path / "ens").mkdir()
    with pytest.raises(FileExistsError):
        build_ensemble([a, b], tmp_path / "ens", "m-x2")


def test_loading_refuses_a_member_that_reads_text_differently(tmp_path):
    build_ensemble(
        [_member(tmp_path / "a", "m-seed0"), _member(tmp_path / "b", "m-seed1")],
        tmp_path / "ens",
        "m-x2",
    )
    path = tmp_path / "ens" / "m-seed1" / CONFIG_FILE
    changed = json.loads(path.read_text(encoding="utf-8")) | {"max_chars": 300}
    path.write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(ValueError, match="max_chars 300 != the ensemble's 600"):
        member_dirs(tmp_path / "ens", read_config(tmp_path / "ens"))


def test_ensemble_averages_member_probabilities_before_its_own_bias(monkeypatch):
    members = {
        "first": np.array([[0.6, 0.2, 0.2], [0.1, 0.1, 0.8]], dtype=np.float32),
        "second": np.array([[0.2, 0.6, 0.2], [0.1, 0.3, 0.6]], dtype=np.float32),
    }
    monkeypatch.setattr(finetuned, "predict_network_proba", lambda net, *a, **k: members[net])
    model = object.__new__(FineTunedStanceModel)  # the combination only, without real networks
    model.networks, model.tokenizer, model.batch_size = ["first", "second"], None, 8
    model.device, model.name = "cpu", "stance-m-x2"
    model.config = {"max_length": 96, "max_chars": 600, "none_bias": 0.0}
    mean = model.predict_proba(["x", "y"], ["Russia", "Russia"])
    np.testing.assert_allclose(mean, [[0.4, 0.4, 0.2], [0.1, 0.2, 0.7]], atol=1e-6)
    assert mean.dtype == np.float32
    model.config["none_bias"] = float(np.log(2.0))  # doubles P(none), then renormalises
    biased = model.predict_proba(["x", "y"], ["Russia", "Russia"])
    np.testing.assert_allclose(biased[0], np.array([0.4, 0.4, 0.4]) / 1.2, atol=1e-6)
    # a student is distilled from the mean before the bias
    np.testing.assert_allclose(model.mean_proba(["x", "y"], ["Russia", "Russia"]), mean)
    # then softened: the same labels, lower top probabilities
    model.config["calibration_temperature"] = 2.0
    softened = model.predict_proba(["x", "y"], ["Russia", "Russia"])
    np.testing.assert_allclose(softened, soften(biased, 2.0), rtol=1e-6)
    np.testing.assert_allclose(model.mean_proba(["x", "y"], ["Russia", "Russia"]), mean)
    with pytest.raises(AttributeError, match="ensemble of 2"):
        _ = model.network


def test_ensemble_command_names_the_bad_option(tmp_path):
    from typer.testing import CliRunner

    from service.cli import app

    a = _member(tmp_path / "a", "m-seed0")
    b = _member(tmp_path / "b", "m-seed1")
    runner = CliRunner()
    args = ["models", "ensemble-stance", "--member", str(a), "--member", str(b), "--name", "m-x2"]
    ok = runner.invoke(app, [*args, "--out", str(tmp_path / "ens")])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["members"] == ["m-seed0", "m-seed1"]
    again = runner.invoke(app, [*args, "--out", str(tmp_path / "ens")])
    assert again.exit_code == 2 and "--out" in unboxed(again.output)
    assert "exists; choose a new folder" in unboxed(again.output)
    missing = runner.invoke(
        app, [*args, "--member", str(tmp_path / "c"), "--out", str(tmp_path / "x")]
    )
    assert missing.exit_code == 2 and "--member" in unboxed(missing.output)
    assert "not a stance artifact" in unboxed(missing.output)


def test_each_fine_tuned_kind_loads_its_shipped_artifact(monkeypatch, tmp_path):
    import models.e5
    import models.stance
    from models.stance import ENSEMBLE_ARTIFACT, FINETUNED_ARTIFACT, load_stance_model

    loaded: list[Path] = []

    def fake_model(artifact_dir, e5_dir, device=None, dtype="auto"):
        loaded.append(Path(artifact_dir))
        return SimpleNamespace(name="stance-fake")

    monkeypatch.setattr(models.e5, "build_e5_directory", lambda folder: tmp_path)
    monkeypatch.setattr(finetuned, "FineTunedStanceModel", fake_model)
    assert load_stance_model("finetuned").name == "stance-fake"  # shipped: its own name
    load_stance_model("ensemble")
    mine = load_stance_model("ensemble", artifact_dir=tmp_path / "mine")
    assert loaded == [FINETUNED_ARTIFACT, ENSEMBLE_ARTIFACT, tmp_path / "mine"]
    # a model from any other folder than the shipped one is named by its files too
    assert mine.name == f"stance-fake+{models.stance.artifact_digest(tmp_path / 'mine')}"
    # a shipped folder named by its path keeps its name, whichever kind it is loaded as
    assert load_stance_model(str(ENSEMBLE_ARTIFACT)).name == "stance-fake"
    # the ensemble taught the model the shipped one continues, and all three ship
    start = FINETUNED_ARTIFACT.parent / read_config(FINETUNED_ARTIFACT)["init"]
    assert read_config(start)["teacher"] == ENSEMBLE_ARTIFACT.name
    assert len(member_dirs(ENSEMBLE_ARTIFACT, read_config(ENSEMBLE_ARTIFACT))) == 2
    assert "ensemble" in models.stance.MODEL_KINDS


def test_a_calibrated_artifact_says_its_temperature_in_its_name():
    assert model_name({"name": "m"}, "bfloat16") == "stance-m-bfloat16"
    plain = {"name": "m", "calibration_temperature": 1.0}
    assert model_name(plain, "float32") == "stance-m-float32"
    calibrated = {"name": "m", "calibration_temperature": 1.55}
    assert model_name(calibrated, "bfloat16") == "stance-m-t1.55-bfloat16"
