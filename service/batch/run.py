"""`run_batch`: evaluate a whole corpus event by event, resumably.

Steps: scan the corpus lazily (no article text kept), group entries into events, then for each
event read its articles, run `models.pipeline.compare`, and write `events/<slug>.json` and
`events/<slug>.html` atomically before recording the event in the ledger (`ledger.jsonl`). Last,
the summary is aggregated from the event files one at a time and written as `summary.json`,
`index.html` and one page per matrix cell under `cells/`.

Output folder:

    ledger.jsonl        finished events: item (event id), key (inputs+method hash), timings
    events/<slug>.json  the event's result document (see `service.report`), no timings
    events/<slug>.html  the event page
    summary.json        the corpus summary (see `service.batch.summary`)
    index.html          the corpus index; cells/*.html, the pages behind its matrix numbers
    pairs.csv           every event's aligned pairs, one row each (see `service.export`)
    run.json            counts and timings of the last invocation (not deterministic)

Everything except `ledger.jsonl` and `run.json` is a deterministic function of the corpus,
the method and the encoder, so an interrupted and resumed run ends with the same files as an
uninterrupted one. An event is redone when its articles (content or metadata), the passage
window, the encoder or the output format change, because they make up its ledger key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.loaders import LoadError
from models.encoder import Encoder
from models.pipeline import compare
from service.batch.engine import Engine, EventOutput, EventTask, LocalEngine
from service.batch.grouping import GROUPING_METHOD, Grouper, group_by_event_or_folder
from service.batch.scan import CorpusReader, Entry, ScanReport
from service.batch.summary import SummaryBuilder, slug
from service.export import pair_rows, write_pairs_csv
from service.ledger import Ledger
from service.report import render_cell, render_corpus_index, render_event
from service.runner import write_atomic

logger = logging.getLogger(__name__)

FORMAT = "parallax-batch.v1"
LEDGER = "ledger.jsonl"


class BatchError(RuntimeError):
    """The batch cannot start (e.g. the output folder holds another run)."""


@dataclass
class BatchOutcome:
    out: Path
    events: int = 0
    reused: int = 0
    processed: int = 0
    articles: int = 0
    files: int = 0
    errors: list[LoadError] = field(default_factory=list)
    index_path: Path | None = None


class Progress:
    """What `run_batch` reports while it works; the CLI draws it with rich. All no-ops here."""

    def scanned(self, articles: int, files: int) -> None: ...

    def start(self, events: int, articles: int, done_events: int, done_articles: int) -> None: ...

    def advance(self, event_id: str, articles: int) -> None: ...


def run_batch(
    corpus: Path,
    out: Path,
    encoder: Encoder,
    window: int = 1,
    sidecar: Path | None = None,
    resume: bool = False,
    grouper: Grouper | None = None,
    progress: Progress | None = None,
    compare_fn: Callable[..., Any] = compare,
    engine: Callable[[CorpusReader], Engine] | None = None,
    analysis: str = "",
) -> BatchOutcome:
    """Compare every event of `corpus`, write results and reports under `out`.

    With `resume`, events already in `out`'s ledger (same key, result file present) are kept;
    without it, `out` must not hold a previous run. `engine` makes the engine that computes the
    events from the run's corpus reader (default: `LocalEngine` in this process, with `encoder`);
    whatever the engine, this function writes every file and ledger record. `analysis` names
    what `compare_fn` adds beyond the encoder (e.g. the stance model): it is part of every event's
    ledger key, so a resumed run with other models redoes the events.
    """
    progress = progress or Progress()
    started = time.time()
    ledger = _open_ledger(out, resume)
    reader = CorpusReader(sidecar=sidecar)
    report = ScanReport()
    entries: list[Entry] = []
    for entry in reader.scan(corpus, report):
        entries.append(entry)
        progress.scanned(report.articles, report.files)
    grouped = (grouper or (lambda es: group_by_event_or_folder(es, corpus)))(entries)
    outcome = BatchOutcome(out=out, events=len(grouped), articles=len(entries),
                           files=report.files, errors=report.errors)  # fmt: skip

    keys = {event: _event_key(event, members, encoder.name + analysis, window)
            for event, members in grouped.items()}  # fmt: skip
    done = {e for e in grouped if ledger.is_done(e, keys[e]) and _result_path(out, e).is_file()}
    progress.start(len(grouped), len(entries), len(done),
                   sum(len(grouped[e]) for e in done))  # fmt: skip
    (out / "events").mkdir(parents=True, exist_ok=True)
    outcome.reused = len(done)
    tasks = [EventTask(event, tuple(members), keys[event])
             for event, members in grouped.items() if event not in done]  # fmt: skip
    runner = (engine(reader) if engine is not None
              else LocalEngine(reader, encoder, window, compare_fn))  # fmt: skip
    for output in runner.run(tasks):
        _write_event(output, out, ledger)
        report.errors.extend(output.errors)
        outcome.processed += 1
        progress.advance(output.event, len(grouped[output.event]))

    outcome.index_path = _write_summary(out, corpus, grouped, report)
    write_atomic(out / "run.json", json.dumps({
        "format": FORMAT, "corpus": str(corpus), "events": outcome.events,
        "processed": outcome.processed, "reused": outcome.reused,
        "articles": outcome.articles, "skipped": len(report.errors),
        "seconds": round(time.time() - started, 3),
    }, indent=2))  # fmt: skip
    return outcome


def _open_ledger(out: Path, resume: bool) -> Ledger:
    path = out / LEDGER
    if path.is_file() and not resume:
        raise BatchError(
            f"{out} holds a previous batch run ({path.name}); pass --resume to continue it, "
            "or choose another --out folder"
        )
    for folder in (out, out / "events", out / "cells"):  # temporary files of killed writes
        for stale in folder.glob("tmp*.tmp"):
            stale.unlink()
    return Ledger(path)


def _event_key(event: str, members: list[Entry], encoder_name: str, window: int) -> str:
    inputs = [FORMAT, event, encoder_name, window, [(e.id, e.digest) for e in members]]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:32]


def _result_path(out: Path, event: str) -> Path:
    return out / "events" / f"{slug(event)}.json"


def _write_event(output: EventOutput, out: Path, ledger: Ledger) -> None:
    """Write the event's result and page atomically, then record it in the ledger."""
    path = _result_path(out, output.event)
    write_atomic(path, json.dumps(output.result, ensure_ascii=False, indent=1, sort_keys=True))
    write_atomic(path.with_suffix(".html"), render_event(output.result))
    ledger.record(output.event, output.key, file=path.name, articles=output.articles,
                  timings=output.timings, seconds=output.seconds)  # fmt: skip


def _write_summary(
    out: Path, corpus: Path, grouped: dict[str, list[Entry]], report: ScanReport
) -> Path:
    builder = SummaryBuilder(str(corpus), GROUPING_METHOD)

    def event_pairs() -> Iterator[dict[str, Any]]:  # one event file in memory at a time
        for event in grouped:
            path = _result_path(out, event)
            result = json.loads(path.read_text(encoding="utf-8"))
            builder.add_event(event, f"events/{path.with_suffix('.html').name}", result)
            yield from pair_rows(result, event)

    write_pairs_csv(out / "pairs.csv", event_pairs())
    skipped = [{"path": e.path, "line": e.line, "error": e.message} for e in report.errors]
    summary = builder.finish(report.files, skipped)
    write_atomic(out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1))
    (out / "cells").mkdir(exist_ok=True)
    for kind, matrix in summary["matrices"].items():
        for key, cell in matrix["cells"].items():
            write_atomic(out / cell["href"], render_cell(summary, kind, key))
    index = out / "index.html"
    write_atomic(index, render_corpus_index(summary))
    return index
