"""The shipped stance artifacts load and give sensible probabilities (slow: real models)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

AGAINST = "Baku furiously condemned Russia for shooting down the airliner and lying about it."
FAVOR = (
    "Kyiv warmly thanked Azerbaijan for its generous humanitarian aid and called it a true friend."
)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["finetuned", "ensemble"])
def test_shipped_adapter_is_small_and_predicts_obvious_stance(e5_dir: Path, kind: str) -> None:
    from models.stance import ENSEMBLE_ARTIFACT, FINETUNED_ARTIFACT, load_stance_model, score_stance

    artifact = FINETUNED_ARTIFACT if kind == "finetuned" else ENSEMBLE_ARTIFACT
    size = sum(p.stat().st_size for p in artifact.rglob("*") if p.is_file())
    assert size < 5_000_000
    model = load_stance_model(kind, e5_dir=e5_dir, device="cpu")
    assert artifact.name in model.name
    spans = [(AGAINST.index("Russia"), AGAINST.index("Russia") + 6)]
    spans.append((FAVOR.index("Azerbaijan"), FAVOR.index("Azerbaijan") + 10))
    proba = model.predict_proba([AGAINST, FAVOR], ["Russia", "Azerbaijan"], spans)
    assert proba.shape == (2, 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert proba[0].argmax() == 1  # against
    assert proba[1].argmax() == 0  # favor
    scores = score_stance([AGAINST], ["Russia"], model)
    assert scores[0]["Russia"]["against"] == pytest.approx(float(proba[0, 1]), abs=0.02)


@pytest.mark.slow
def test_shipped_baseline_loads_and_predicts_distributions() -> None:
    from models.stance import load_stance_model

    model = load_stance_model("baseline")
    proba = model.predict_proba([AGAINST, FAVOR], ["Russia", "Azerbaijan"])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


SHARED_TRAIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "rusentne"


@pytest.mark.slow
def test_training_is_reproducible_and_its_artifact_loads(e5_dir: Path, tmp_path: Path) -> None:
    """Two short runs with one seed give identical weights; the artifact loads and predicts."""
    from safetensors.numpy import load_file

    from models.stance import ENSEMBLE_ARTIFACT
    from models.stance.finetuned import FineTunedStanceModel
    from models.stance.train import train_stance

    source = SHARED_TRAIN / "train.tsv"
    if not source.is_file():
        pytest.skip(f"RuSentNE training data not found at {source}")
    lines = source.read_text(encoding="utf-8").splitlines()
    small = tmp_path / "train.tsv"  # the header and 120 rows: enough for every class
    small.write_text("\n".join(lines[:121]) + "\n", encoding="utf-8")
    runs = []
    for name in ("a", "b"):
        report = train_stance(small, None, tmp_path / name, e5_dir, seed=3, epochs=1,
                              first_layer=11, max_steps=3, holdout_fraction=0.2)  # fmt: skip
        assert report["hyperparameters"]["seed"] == 3 and report["hardware"]["cpu_count"]
        runs.append(load_file(str(tmp_path / name / "adapter_model.safetensors")))
    assert runs[0].keys() == runs[1].keys() and runs[0]
    for key, weights in runs[0].items():
        np.testing.assert_array_equal(weights, runs[1][key], err_msg=key)
    model = FineTunedStanceModel(tmp_path / "a", e5_dir, device="cpu")
    proba = model.predict_proba([AGAINST], ["Russia"], [None])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    # Distilled from "a": with no weight on the teacher the run is "a" again (scoring with the
    # teacher must leave the random streams as they were); with all the weight it differs.
    for name, weight in (("c", 0.0), ("d", 1.0)):
        report = train_stance(small, None, tmp_path / name, e5_dir, seed=3, epochs=1,
                              first_layer=11, max_steps=3, holdout_fraction=0.2,
                              teacher=tmp_path / "a", distill_weight=weight)  # fmt: skip
        assert report["teacher"] == "e5-lora-v8"
        assert report["hyperparameters"]["distill_weight"] == weight
        runs.append(load_file(str(tmp_path / name / "adapter_model.safetensors")))
    for key, weights in runs[0].items():
        np.testing.assert_array_equal(weights, runs[2][key], err_msg=key)
    assert any(not np.array_equal(w, runs[3][key]) for key, w in runs[0].items())
    # Continued from "a": with no step taken the artifact is "a" again, head included; with
    # steps it moves on from there; other LoRA layers than "a"'s are refused.
    for name, steps in (("e", 0), ("f", 3)):
        report = train_stance(small, None, tmp_path / name, e5_dir, seed=3, epochs=1,
                              first_layer=11, max_steps=steps, holdout_fraction=0.2,
                              init=tmp_path / "a")  # fmt: skip
        assert report["init"] == "e5-lora-v8"
    for part in ("adapter_model.safetensors", "head.safetensors"):
        start, same, moved = (load_file(str(tmp_path / n / part)) for n in ("a", "e", "f"))
        for key, weights in start.items():
            np.testing.assert_array_equal(weights, same[key], err_msg=key)
        assert any(not np.array_equal(w, moved[key]) for key, w in start.items()), part
    with pytest.raises(ValueError, match="layers"):
        train_stance(small, None, tmp_path / "g", e5_dir, seed=3, epochs=1, first_layer=10,
                     max_steps=0, holdout_fraction=0.2, init=tmp_path / "a")  # fmt: skip
    with pytest.raises(ValueError, match="ensemble"):
        train_stance(small, None, tmp_path / "h", e5_dir, seed=3, epochs=1, first_layer=11,
                     max_steps=0, holdout_fraction=0.2, init=ENSEMBLE_ARTIFACT)  # fmt: skip


def test_shipped_artifact_is_what_the_training_defaults_build() -> None:
    """The model card promises that `parallax models train-stance` with no tuning flags rebuilds
    the shipped model (or an ensemble's members: the first as it is, the others with `--seed N`;
    a distilled model with `--teacher` and `--name`): recorded hyperparameters must be the
    command's defaults, apart from seed, teacher and name. A teacher ships beside its student
    and passes the same checks, so the student can be rebuilt from the repository."""
    import inspect

    from models.stance import ARTIFACTS_DIR, FINETUNED_ARTIFACT
    from models.stance.train import train_stance
    from service.commands.models import train_stance_command

    defaults = {name: p.default for name, p in inspect.signature(train_stance).parameters.items()}
    cli = {
        name: p.default for name, p in inspect.signature(train_stance_command).parameters.items()
    }
    for key in ("seed", "epochs", "batch_size", "first_layer", "lr", "none_fraction",
                "absent_rate", "multilingual_repeat", "name", "distill_weight",
                "temperature"):  # fmt: skip
        assert cli[key] == defaults[key], f"parallax models train-stance --{key}"
    card = (FINETUNED_ARTIFACT / "README.md").read_text(encoding="utf-8")
    config = _check_rebuildable(FINETUNED_ARTIFACT, card, defaults)
    if "teacher" in config:
        teacher = ARTIFACTS_DIR / config["teacher"]
        assert f"--teacher models/stance/artifacts/{teacher.name}" in card
        _check_rebuildable(teacher, (teacher / "README.md").read_text(encoding="utf-8"), defaults)


def _check_rebuildable(artifact: Path, card: str, defaults: dict) -> dict:
    """`test_shipped_artifact_is_what_the_training_defaults_build` for one artifact and its
    card; returns its config."""
    import json

    from models.stance.finetuned import member_dirs

    config = json.loads((artifact / "stance_config.json").read_text(encoding="utf-8"))
    assert config["name"] == artifact.name
    gold_dir = Path(__file__).resolve().parents[2] / "eval" / "gold"
    members = member_dirs(artifact, config)
    seeds = []
    for member in members:
        member_config = json.loads((member / "stance_config.json").read_text(encoding="utf-8"))
        recorded = member_config["hyperparameters"]
        seeds.append(recorded["seed"])
        # a continued model (`--init`) names its start, and the epochs, learning rate and
        # weight of the team files of the continuation, in its card's command; the start ships
        # beside it
        continued = {"epochs", "lr", "multilingual_repeat"} if "init" in member_config else set()
        for key in ("epochs", "batch_size", "lr", "head_lr", "span_dropout", "none_fraction",
                    "holdout_fraction", "multilingual_repeat"):  # fmt: skip
            if key in continued and recorded[key] != defaults[key]:
                option = key.replace("_", "-")
                assert f"--{option} {recorded[key]}" in card, (member.name, key)
                continue
            assert recorded[key] == defaults[key], (member.name, key)
        if "init" in member_config:
            start = artifact.parent / member_config["init"]
            assert f"--init models/stance/artifacts/{start.name}" in card
            _check_rebuildable(start, (start / "README.md").read_text(encoding="utf-8"), defaults)
        # trained before the option existed, i.e. without absent-target examples
        assert recorded.get("absent_rate", 0.0) == defaults["absent_rate"]
        assert (recorded["lora_rank"], recorded["lora_alpha"]) == (
            defaults["rank"],
            defaults["alpha"],
        )
        assert recorded["lora_layers"] == list(range(defaults["first_layer"], 12))
        assert (member_config["max_length"], member_config["max_chars"]) == (
            defaults["max_length"],
            defaults["max_chars"],
        )
        if "teacher" in member_config:
            for key in ("distill_weight", "temperature"):
                assert recorded[key] == defaults[key], (member.name, key)
            # the card's command names the teacher, which ships (also for a continued model's
            # start, checked through the recursion below)
            assert f"--teacher models/stance/artifacts/{member_config['teacher']}" in card
            assert (artifact.parent / member_config["teacher"]).is_dir()
        # the card's training command names every team file the member was trained on
        for name in member_config["data"]["multilingual_jsonl"]:
            assert (gold_dir / name).is_file() and f"--multilingual eval/gold/{name}" in card, name
        # and the name and seed it was trained with
        assert member_config["name"] == member.name
        if recorded["seed"] != defaults["seed"]:
            assert f"--seed {recorded['seed']}" in card
        if member.name != defaults["name"]:
            assert f"--name {member.name}" in card
    assert seeds[0] == defaults["seed"]
    assert len(set(seeds)) == len(seeds)
    if len(members) > 1:
        # the first member is what the command's defaults build, name included
        assert members[0].name == defaults["name"]
        assert config.get("seeds") == seeds and "parallax models ensemble-stance" in card
    # when a development set chose the prior correction, the command that did it
    from models.stance.calibrate import chosen_on

    dev_files = config.get("none_bias_dev_files", [])
    assert config.get("none_bias_chosen_on", "training hold-out") == chosen_on(dev_files)
    for name in dev_files:
        assert (gold_dir / name).is_file() and f"--dev eval/gold/{name}" in card, name
    # the temperature, when there is one, was chosen by the same command on the same data
    if config.get("calibration_temperature", 1.0) != 1.0:
        assert config["calibration_temperature_dev_files"] == dev_files
        assert config["calibration_temperature_chosen_on"] == chosen_on(dev_files)
        fit = config["calibration_temperature_fit"]
        assert fit["log_loss_after"] <= fit["log_loss_before"]
    return config
