"""Batch engines: where the per-event work of `run_batch` runs.

`run_batch` (the driver) scans the corpus, groups it into events, decides which events the ledger
already holds, and writes every output file and ledger record itself. What an engine does is the
pure part: given event tasks, read their articles, segment, encode and compare them, and hand
back one `EventOutput` per task, in task order. So every engine keeps the ledger, resume and
output-file semantics of the driver, and two engines give the same files for the same corpus.

Tasks are cut into chunks (`chunk_tasks`, by article count) and each chunk is processed as one
unit: all its passages are encoded in one call, so the encoder sees large batches across events
(the torch backend sorts them by length, which keeps padding small) instead of one small batch
per event. Chunking is a pure function of the task list, so the local engine and the Ray engine
(`service.batch.ray_engine`) encode exactly the same groups of texts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from corpus.loaders import ArticleError, LoadError
from corpus.schema import Article
from models.alignment import MIN_CONFIDENCE
from models.encoder import Encoder
from models.pipeline import compare, result_to_dict, segment_articles
from service.batch.scan import CorpusReader, Entry

#: Articles per chunk: ~13 passages an article gives encoder calls of a few thousand texts.
CHUNK_ARTICLES = 256


@dataclass(frozen=True)
class EventTask:
    """One event to compare: its id, its articles (index entries) and its ledger key."""

    event: str
    members: tuple[Entry, ...]
    key: str


@dataclass
class EventOutput:
    """The outcome of one task: the event's result document (no timings) and what to log."""

    event: str
    key: str
    result: dict[str, Any]
    timings: dict[str, float]
    articles: int
    seconds: float
    errors: list[LoadError] = field(default_factory=list)

    def to_row(self) -> dict[str, Any]:
        """A flat, JSON-string form that survives any transport (Ray Data, processes)."""
        return {
            "event": self.event, "key": self.key,
            "result": json.dumps(self.result, ensure_ascii=False),
            "timings": json.dumps(self.timings), "articles": self.articles,
            "seconds": self.seconds,
            "errors": json.dumps([[e.path, e.message, e.line] for e in self.errors]),
        }  # fmt: skip

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EventOutput:
        return cls(
            event=str(row["event"]), key=str(row["key"]), result=json.loads(row["result"]),
            timings=json.loads(row["timings"]), articles=int(row["articles"]),
            seconds=float(row["seconds"]),
            errors=[LoadError(p, m, None if line is None else int(line))
                    for p, m, line in json.loads(row["errors"])],
        )  # fmt: skip


class Engine(Protocol):
    """Runs event tasks; yields one `EventOutput` per task, in the order of `tasks`."""

    name: str

    def run(self, tasks: Sequence[EventTask]) -> Iterator[EventOutput]: ...


def links_analysis(min_confidence: float) -> str:
    """The alignment part of every event's ledger key (`run_batch(analysis=...)`): empty at the
    default confidence, so ledgers written before the option existed still resume."""
    return "" if min_confidence == MIN_CONFIDENCE else f"|links>={min_confidence!r}"


def chunk_tasks(tasks: Sequence[EventTask], max_articles: int = CHUNK_ARTICLES) -> list[list[int]]:
    """Consecutive runs of task indices holding at most `max_articles` articles (at least one
    task each), so every chunk is encoded in one call."""
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index, task in enumerate(tasks):
        if current and size + len(task.members) > max_articles:
            chunks.append(current)
            current, size = [], 0
        current.append(index)
        size += len(task.members)
    if current:
        chunks.append(current)
    return chunks


@dataclass
class PreparedChunk:
    """A chunk's articles read, segmented and encoded: what `compare_chunk` needs."""

    tasks: Sequence[EventTask]
    articles: list[list[Article]]
    errors: list[list[LoadError]]
    passages: dict[str, list[Any]]
    vectors: dict[str, np.ndarray]
    seconds: float


def prepare_chunk(
    tasks: Sequence[EventTask], reader: CorpusReader, encoder: Encoder, window: int
) -> PreparedChunk:
    """Read and segment the articles of `tasks`, and encode all their passages in one call."""
    started = time.perf_counter()
    articles: list[list[Article]] = []
    errors: list[list[LoadError]] = []
    for task in tasks:
        read, problems = _read(task.members, reader)
        articles.append(read)
        errors.append(problems)
    flat = [article for group in articles for article in group]
    passages = segment_articles(flat, window)
    texts = [p.text for article in flat for p in passages[article.id]]
    encoded = encoder.encode(texts, "passage") if texts else np.zeros((0, encoder.dim), np.float32)
    vectors: dict[str, np.ndarray] = {}
    offset = 0
    for article in flat:
        count = len(passages[article.id])
        vectors[article.id] = encoded[offset : offset + count]
        offset += count
    return PreparedChunk(tasks, articles, errors, dict(passages), vectors,
                         time.perf_counter() - started)  # fmt: skip


def compare_chunk(
    chunk: PreparedChunk,
    encoder: Encoder,
    window: int,
    compare_fn: Callable[..., Any] = compare,
) -> Iterator[EventOutput]:
    """Compare the events of a prepared chunk one by one (yielded as each finishes)."""
    total_passages = max(1, sum(len(p) for p in chunk.passages.values()))
    for task, group, problems in zip(chunk.tasks, chunk.articles, chunk.errors, strict=True):
        event_started = time.perf_counter()
        embeddings = {a.id: chunk.vectors[a.id] for a in group}
        result = result_to_dict(compare_fn(group, encoder, window=window, embeddings=embeddings))
        timings = result.pop("timings", {})
        texts_by_id = {a.id: a.text for a in group}
        for article in result["articles"]:
            article["text"] = texts_by_id[article["id"]]
        result = {"event": {"id": task.event}, **result}
        share = sum(len(chunk.passages[a.id]) for a in group) / total_passages
        timings["chunk_encode_s"] = round(chunk.seconds * share, 3)  # the event's share
        seconds = time.perf_counter() - event_started + chunk.seconds * share
        yield EventOutput(task.event, task.key, result, timings, len(group),
                          round(seconds, 3), problems)  # fmt: skip


def process_chunk(
    tasks: Sequence[EventTask],
    reader: CorpusReader,
    encoder: Encoder,
    window: int,
    compare_fn: Callable[..., Any] = compare,
) -> Iterator[EventOutput]:
    """Read, segment and encode the articles of `tasks` together, then compare event by event.

    Outputs are yielded as each event finishes, so the driver records them one at a time."""
    yield from compare_chunk(prepare_chunk(tasks, reader, encoder, window), encoder, window,
                             compare_fn)  # fmt: skip


def _read(members: Sequence[Entry], reader: CorpusReader) -> tuple[list[Article], list[LoadError]]:
    articles, problems = [], []
    for entry in members:
        try:
            articles.append(reader.read_article(entry))
        except (ArticleError, OSError) as error:  # the file changed or vanished since the scan
            problems.append(LoadError(entry.path, str(error), entry.line))
    return articles, problems


class LocalEngine:
    """Runs chunks in this process, with the encoder it is given (see `run` for `prefetch`)."""

    name = "local"

    def __init__(
        self,
        reader: CorpusReader,
        encoder: Encoder,
        window: int = 1,
        compare_fn: Callable[..., Any] = compare,
        chunk_articles: int = CHUNK_ARTICLES,
        prefetch: bool = False,
    ) -> None:
        self.reader, self.encoder, self.window = reader, encoder, window
        self.compare_fn, self.chunk_articles = compare_fn, chunk_articles
        self.prefetch = prefetch

    def run(self, tasks: Sequence[EventTask]) -> Iterator[EventOutput]:
        """With `prefetch`, the next chunk is read and encoded in a background thread while
        this one is compared and written (the encoders release the GIL). Off by default: on the
        2 shared cores it measured no faster (300 articles: 46.1 s against 45.4 s), the two
        threads slowing each other down."""
        chunks = [[tasks[i] for i in chunk] for chunk in chunk_tasks(tasks, self.chunk_articles)]
        if not self.prefetch:
            for chunk in chunks:
                yield from process_chunk(chunk, self.reader, self.encoder, self.window,
                                         self.compare_fn)  # fmt: skip
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-encode") as pool:
            pending = [pool.submit(prepare_chunk, chunk, self.reader, self.encoder, self.window)
                       for chunk in chunks[:1]]  # fmt: skip
            for number in range(len(chunks)):
                prepared = pending.pop(0).result()
                if number + 1 < len(chunks):
                    pending.append(pool.submit(prepare_chunk, chunks[number + 1], self.reader,
                                               self.encoder, self.window))  # fmt: skip
                yield from compare_chunk(prepared, self.encoder, self.window, self.compare_fn)
