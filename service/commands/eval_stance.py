"""`parallax eval stance`: score a stance model on a RuSentNE-format TSV and/or the team gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from service.commands.options import stance_model_and_artifact


def stance_command(
    data: Annotated[Path | None, typer.Option("--data", help="RuSentNE-format TSV")] = None,
    predictions: Annotated[
        Path | None, typer.Option("--predictions", help="Write input columns + predicted here")
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="finetuned, ensemble, baseline, or the folder of a stance artifact "
            "(`parallax models train-stance --out DIR`)",
        ),
    ] = "finetuned",
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Multilingual stance gold JSONL (per-language F1)")
    ] = None,
    artifact: Annotated[
        Path | None,
        typer.Option(
            "--artifact", help="Artifact folder for the --model kind \\[default: shipped]"
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the report as JSON")
    ] = (None),
) -> None:
    """Print F1_PN, per-class precision/recall and macro-F1 (and per-language macro-F1)."""
    from eval.stance import evaluate_stance, evaluate_stance_gold, format_report
    from models.stance import StanceArtifactError, load_stance_model

    if data is None and gold is None:
        raise typer.BadParameter("give --data PATH and/or --gold PATH", param_hint="--data")
    for path, hint in ((data, "--data"), (gold, "--gold")):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"file not found: {path}", param_hint=hint)
    kind, folder = stance_model_and_artifact(
        model, artifact, model_hint="--model", artifact_hint="--artifact"
    )
    try:
        stance_model = load_stance_model(kind, artifact_dir=folder)
    except StanceArtifactError as error:
        hint = "--artifact" if artifact else "--model"
        raise typer.BadParameter(str(error), param_hint=hint) from None
    reports = {}
    if data is not None:
        reports["data"] = evaluate_stance(data, stance_model, predictions_out=predictions)
        typer.echo(format_report(reports["data"]))
        if predictions is not None:
            typer.echo(f"wrote {predictions}")
    if gold is not None:
        reports["gold"] = evaluate_stance_gold(gold, stance_model)
        typer.echo(format_report(reports["gold"]))
    if json_out is not None:
        json_out.write_text(json.dumps(reports, indent=2), encoding="utf-8")


if __name__ == "__main__":  # python -m service.commands.eval_stance --data ... (before CLI merge)
    typer.run(stance_command)
