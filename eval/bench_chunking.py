"""Benchmark: encoding a batch event by event (one encoder call per event) against one call per
chunk of events (what `service.batch.engine` does), on the same passages, interleaved.

    python -m eval.bench_chunking --articles 150 --events 15 --rounds 2 --encoder auto
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any


def passages_by_event(articles: int, events: int) -> list[list[str]]:
    """Passage texts of a generated corpus (`eval.make_corpus`), grouped by event."""
    from corpus.loaders import build_article
    from corpus.outlets import default_registry
    from eval.make_corpus import generate
    from models.pipeline import segment_articles

    records = generate(articles, events)
    registry = default_registry()
    built = [build_article(r, Path("generated.jsonl"), registry) for r in records]
    passages = segment_articles(built)
    groups: dict[str, list[str]] = {}
    for article, record in zip(built, records, strict=True):
        groups.setdefault(record["event"], []).extend(p.text for p in passages[article.id])
    return [groups[event] for event in sorted(groups)]


def benchmark(articles: int, events: int, rounds: int, spec: str) -> dict[str, Any]:
    from models.encoders import make_encoder

    groups = passages_by_event(articles, events)
    texts = [text for group in groups for text in group]
    encoder = make_encoder(spec)
    encoder.encode(texts[:8])
    times: dict[str, list[float]] = {"per_event": [], "one_call": []}
    for _ in range(rounds):
        started = time.perf_counter()
        for group in groups:
            encoder.encode(group)
        times["per_event"].append(time.perf_counter() - started)
        started = time.perf_counter()
        encoder.encode(texts)
        times["one_call"].append(time.perf_counter() - started)
    medians = {k: statistics.median(v) for k, v in times.items()}
    return {
        "passages": len(texts), "events": len(groups), "encoder": encoder.name,
        "sentences_per_s": {k: round(len(texts) / v, 1) for k, v in medians.items()},
        "one_call_over_per_event": round(medians["per_event"] / medians["one_call"], 3),
        "seconds": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--events", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--encoder", default="auto")
    args = parser.parse_args(argv)
    print(json.dumps(benchmark(args.articles, args.events, args.rounds, args.encoder), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
