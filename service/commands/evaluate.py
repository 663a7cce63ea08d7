"""`parallax eval`: run the quality suites and rewrite eval/RESULTS.md from their records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eval.record import rewrite_results_md
from eval.suites import SUITES, run_suites
from service.commands.eval_alignment import eval_alignment
from service.commands.eval_framing import framing_command, seeds_command
from service.commands.eval_stance import stance_command
from service.settings import get_settings

app = typer.Typer(help="Quality suites; with no subcommand, run them all and rewrite RESULTS.md.",
                  invoke_without_command=True)  # fmt: skip


@app.callback()
def run_all(
    context: typer.Context,
    shared: Annotated[Path | None, typer.Option(help="Shared data folder.")] = None,
) -> None:
    if context.invoked_subcommand is not None:
        return
    settings = get_settings()
    shared_dir = shared or settings.shared_dir
    outcomes = run_suites(list(SUITES), shared_dir, settings.embedding_cache_dir)
    for name, outcome in outcomes.items():
        typer.echo(f"{name}: {'recorded' if outcome else 'skipped (data absent)'}")
    typer.echo(f"wrote {rewrite_results_md()}")


@app.command("segmentation")
def segmentation() -> None:
    """Sentence-boundary accuracy per language on the team's hand-segmented gold."""
    outcome = run_suites(["segmentation"], get_settings().shared_dir)["segmentation"]
    assert outcome is not None
    typer.echo(outcome.markdown)
    rewrite_results_md()


app.command("framing")(framing_command)
app.command("seeds")(seeds_command)
app.command("alignment")(eval_alignment)
app.command("stance")(stance_command)
