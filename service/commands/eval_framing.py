"""`parallax eval framing`: divergence AUC on the demo gold, voice/commitment P/R, event ARI;
optionally the most divergent pairs of a corpus (`--corpus`, as `parallax eval seeds`).
`parallax eval seeds`: the seeds review (eval/seeds_review.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from models.stance import StanceArtifactError
from service.commands.options import stance_model_and_artifact
from service.settings import get_settings


def framing_command(
    demo: Annotated[
        Path | None,
        typer.Option(help="Demo corpus folder with gold.json \\[default: the built-in demo]"),
    ] = None,
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Voice/commitment gold JSONL \\[default: eval/gold/voice_commitment_gold.jsonl]"
        ),
    ] = None,
    hard_gold: Annotated[
        Path | None,
        typer.Option(
            help="Second voice/commitment gold, of hard sentences "
            "\\[default: eval/gold/voice_commitment_hard.jsonl]"
        ),
    ] = None,
    dev_gold: Annotated[
        Path | None,
        typer.Option(
            help="Voice/commitment development set "
            "\\[default: eval/gold/voice_commitment_dev.jsonl]"
        ),
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(help="Framing pair test set \\[default: eval/gold/framing_pairs/test.jsonl]"),
    ] = None,
    dev_pairs: Annotated[
        Path | None,
        typer.Option(
            help="Framing pair development set \\[default: eval/gold/framing_pairs/dev.jsonl]"
        ),
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(help="Articles to list the most divergent pairs of (repeatable)"),
    ] = None,
    meta: Annotated[Path | None, typer.Option(help="Sidecar metadata for --corpus")] = None,
    top: Annotated[int, typer.Option(min=1, help="How many pairs to list for --corpus")] = 10,
    stance_model: Annotated[
        str | None,
        typer.Option(
            help="Score stance with this model (finetuned, ensemble, baseline, or the folder of a "
            "stance artifact) instead of the demo's gold stance labels"
        ),
    ] = None,
    stance_artifact: Annotated[
        Path | None,
        typer.Option(help="Artifact folder of the --stance-model \\[default: the shipped one]"),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the report here")
    ] = None,
) -> None:
    """Print the framing evaluation as JSON (and the top divergent pairs of --corpus)."""
    from eval.framing import (
        DEMO_DIR,
        FP_DEV,
        FP_TEST,
        VC_DEV,
        VC_GOLD,
        VC_HARD,
        evaluate_framing,
        model_stance_provider,
    )
    from eval.seeds_review import format_review, review_pairs

    settings = get_settings()
    demo_dir = demo or DEMO_DIR
    if not (demo_dir / "gold.json").is_file():
        raise typer.BadParameter(f"no gold.json in {demo_dir}", param_hint="--demo")
    vc_gold, vc_hard, vc_dev = gold or VC_GOLD, hard_gold or VC_HARD, dev_gold or VC_DEV
    pairs_test, pairs_dev = pairs or FP_TEST, dev_pairs or FP_DEV
    for given, hint in ((gold, "--gold"), (hard_gold, "--hard-gold"), (dev_gold, "--dev-gold"),
                        (pairs, "--pairs"), (dev_pairs, "--dev-pairs")):  # fmt: skip
        if given is not None and not given.is_file():
            raise typer.BadParameter(f"file not found: {given}", param_hint=hint)
    for path in (vc_gold, vc_hard, vc_dev, pairs_test, pairs_dev):
        if not path.is_file():
            typer.echo(f"gold not found at {path}: skipped", err=True)
    if stance_artifact is not None and stance_model is None:
        raise typer.BadParameter("needs --stance-model", param_hint="--stance-artifact")
    provider = None
    if stance_model is not None:
        kind, folder = stance_model_and_artifact(
            stance_model, stance_artifact,
            model_hint="--stance-model", artifact_hint="--stance-artifact",
        )  # fmt: skip
        provider = model_stance_provider(kind, artifact_dir=folder)
    try:
        report = evaluate_framing(demo_dir, vc_gold, vc_hard, vc_dev,
                                  encoder_spec=settings.encoder,
                                  cache_dir=settings.embedding_cache_dir, stance_provider=provider,
                                  pairs_test=pairs_test, pairs_dev=pairs_dev)  # fmt: skip
    except StanceArtifactError as error:  # the model loads on first use
        hint = "--stance-artifact" if stance_artifact else "--stance-model"
        raise typer.BadParameter(str(error), param_hint=hint) from None
    if corpus:
        missing = [str(p) for p in corpus if not p.exists()]
        if missing:
            raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="--corpus")
        report["top_divergent"] = review_pairs(list(corpus), meta, k=top,
                                               encoder_spec=settings.encoder,
                                               cache_dir=settings.embedding_cache_dir)  # fmt: skip
    text = json.dumps(report, ensure_ascii=False, indent=2)
    typer.echo(text)
    if corpus:
        typer.echo(f"\nTop {top} divergent pairs of {', '.join(map(str, corpus))}:")
        typer.echo(format_review(report["top_divergent"]))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {json_out}", err=True)


def seeds_command(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder of articles \\[default: ../shared/seeds]")
    ] = None,
    meta: Annotated[Path | None, typer.Option(help="Sidecar metadata file")] = None,
    top: Annotated[int, typer.Option(min=1, help="How many pairs to list at most")] = 10,
    stance: Annotated[
        str, typer.Option(help="finetuned (compare's default), ensemble, baseline or none")
    ] = "finetuned",
    record: Annotated[
        bool, typer.Option(help="Record into eval/results and RESULTS.md (no article text)")
    ] = False,
) -> None:
    """The seeds review: pairs whose evidence of a framing difference reaches the bar."""
    from eval.seeds_review import STANCE_CHOICES, run_review

    if stance not in STANCE_CHOICES:
        raise typer.BadParameter(f"{stance!r}; choose from {', '.join(STANCE_CHOICES)}",
                                 param_hint="--stance")  # fmt: skip
    settings = get_settings()
    typer.echo(run_review(folder or settings.shared_dir / "seeds", meta, top, stance, record,
                          settings.encoder, settings.embedding_cache_dir))  # fmt: skip
