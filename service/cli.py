"""`parallax` command line: thin wrappers over importable functions."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from models.alignment import MIN_CONFIDENCE
from models.encoders import EncoderSpecError
from models.stance import DEFAULT_TARGETS, STANCE_DTYPES, StanceArtifactError
from service import runner
from service.commands import batch as batch_command
from service.commands import evaluate
from service.commands import models as models_command
from service.commands.options import (
    OUT_IS_INPUT,
    STANCE_CHOICES,
    EncoderOption,
    MinConfidenceOption,
    StanceDtypeOption,
    stance_problem,
)
from service.commands.serve import serve
from service.settings import get_settings

app = typer.Typer(help="Compare how media of different camps frame the same events.",
                  no_args_is_help=True, pretty_exceptions_enable=False)  # fmt: skip
console = Console(stderr=True, soft_wrap=True, highlight=False)

app.add_typer(evaluate.app, name="eval")
app.add_typer(
    models_command.app, name="models", help="Build the torch encoder; train stance models."
)

DEMO_DIR = Path(__file__).resolve().parents[1] / "corpus" / "demo"


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")  # fmt: skip
    if not verbose:  # transformers' load reports and progress bars are noise for users
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()


@app.command()
def compare(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    out: Annotated[Path, typer.Option(help="Folder for result.json, report.html and pairs.csv.")],
    window: Annotated[int, typer.Option(min=1, help="Sentences per passage.")] = 1,
    encoder: EncoderOption = None,
    meta: Annotated[Path | None, typer.Option(help="Sidecar metadata file.")] = None,
    stance: Annotated[str, typer.Option(help=f"Stance model: {STANCE_CHOICES}.")] = "finetuned",
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="Actor to score stance toward (repeatable); 'auto': the states the articles "
            "name most (at most four) \\[default: Russia, Azerbaijan]"
        ),
    ] = None,
    stance_dtype: StanceDtypeOption = None,
    min_confidence: MinConfidenceOption = MIN_CONFIDENCE,
) -> None:
    """Load, segment, embed, align, score stance and framing; write result.json, report.html
    and pairs.csv."""
    stance_error = stance_problem(stance)
    if stance_error is not None:
        raise typer.BadParameter(stance_error, param_hint="--stance")
    if stance_dtype is not None and stance_dtype not in STANCE_DTYPES:
        raise typer.BadParameter(f"{stance_dtype!r}; choose from {', '.join(STANCE_DTYPES)}",
                                 param_hint="--stance-dtype")  # fmt: skip
    if any(path.is_dir() and path.resolve() == out.resolve() for path in paths):
        raise typer.BadParameter(OUT_IS_INPUT.format(out=out), param_hint="--out")
    settings = get_settings()
    try:
        outcome = runner.run_compare(
            paths, out, window=window, encoder_spec=encoder or settings.encoder,
            cache_dir=settings.embedding_cache_dir, sidecar=meta,
            stance=None if stance == "none" else stance,
            targets=tuple(target) if target else DEFAULT_TARGETS,
            stance_dtype=stance_dtype or settings.stance_dtype, min_confidence=min_confidence,
        )  # fmt: skip
    except runner.NothingToCompare as error:
        for problem in error.errors:
            console.print(f"[red]error[/red] {escape(str(problem))}")
        console.print(f"[red]{escape(str(error))}[/red]")
        raise typer.Exit(2) from None
    except StanceArtifactError as error:  # a folder given as --stance that does not load
        console.print(f"error: --stance: {error}", markup=False)
        raise typer.Exit(2) from None
    for problem in outcome.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(str(problem))}")
    summary = outcome.summary
    framed = ""
    if summary["framed_differently"] is not None:
        framed = (f", {summary['framed_differently']} with evidence of a framing difference "
                  f"(>= {summary['evidence_min']})")  # fmt: skip
    console.print(
        f"{_count(summary['articles'], 'article')}, {_count(summary['passages'], 'passage')}, "
        f"{_count(summary['alignments'], 'alignment')}{framed}"
    )
    console.print(f"wrote {outcome.result_path}", markup=False)
    console.print(f"wrote {outcome.report_path}  (open it in a browser)", markup=False)
    if outcome.pairs_path is not None:
        console.print(f"wrote {outcome.pairs_path}  (the aligned pairs, for a spreadsheet)",
                      markup=False)  # fmt: skip


def _count(n: int, noun: str) -> str:
    """'1 alignment', '2 alignments'."""
    return f"{n} {noun}{'s' * (n != 1)}"


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("demo-report"),
    stance: Annotated[str, typer.Option(help=f"Stance model: {STANCE_CHOICES}.")] = "finetuned",
) -> None:
    """Run compare on the built-in synthetic demo corpus."""
    compare([DEMO_DIR / "articles"], out=out, meta=DEMO_DIR / "meta.json", stance=stance)


app.command()(serve)
app.command()(batch_command.batch)


@app.command("show-settings")
def show_settings() -> None:
    """Print the settings in effect (from PARALLAX_* environment variables)."""
    typer.echo(json.dumps(get_settings().model_dump(mode="json"), indent=2))


def run() -> None:
    """The `parallax` script: the app, with a bad encoder spec (option or PARALLAX_ENCODER)
    reported in one line and exit status 2, as click reports a bad option."""
    try:
        app()
    except EncoderSpecError as error:
        console.print(f"error: {error}", markup=False)
        raise SystemExit(2) from None


if __name__ == "__main__":  # python -m service.cli (same as the `parallax` script)
    run()
