"""Benchmark: peak memory of each Ray actor of `parallax batch --engine ray`, per stance model.

For each `--stance` (default: none, baseline, finetuned) the real command runs on a small
synthetic corpus (`eval.make_corpus`), in its own process with its own local Ray instance:

    parallax batch CORPUS --out TMP --engine ray --ray-actors N --stance S

While it runs, every process whose command line is a Ray Data actor of the batch
(`ray::MapWorker(...)`) is polled for its peak resident set (`VmHWM` in `/proc/PID/status`, the
kernel's high-water mark, so a poll between two peaks loses nothing but the last interval before
the actor exits); the driver's is read the same way. Figures per stance: the largest actor peak
(MiB), how many actors were seen, the driver's peak and the wall time. Linux only (`/proc`).
The encoder is the default one (settings: `PARALLAX_ENCODER`), as a user's batch would have it.

    python -m eval.bench_ray_memory [--articles 60] [--events 3] [--actors 1] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ACTOR_PREFIX = "ray::MapWorker"
POLL_S = 0.2
STANCES = ("none", "baseline", "finetuned")


def peak_rss_mib(pid: int) -> float | None:
    """The peak resident set of process `pid` in MiB (`VmHWM`), or None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def command_line(pid: int) -> str:
    """Process `pid`'s command line as one string ('' when unreadable)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


class ActorPeaks:
    """Polls, in a thread, the peak RSS of every process whose command line starts with
    `prefix` (a Ray worker renames itself after the actor it hosts) and of `driver`."""

    def __init__(self, driver: int, prefix: str = ACTOR_PREFIX, every: float = POLL_S) -> None:
        self.driver, self.prefix, self.every = driver, prefix, every
        self.actors: dict[int, float] = {}
        self.driver_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ActorPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def poll(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid != self.driver and not command_line(pid).startswith(self.prefix):
                continue
            peak = peak_rss_mib(pid)
            if peak is None:
                continue
            if pid == self.driver:
                self.driver_peak = max(self.driver_peak, peak)
            else:
                self.actors[pid] = max(self.actors.get(pid, 0.0), peak)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.every)


def measure(corpus: Path, stance: str, actors: int) -> dict[str, Any]:
    """Run the batch command once with `stance` and return its memory figures."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "service.cli", "batch", str(corpus), "--out", out,
                   "--engine", "ray", "--ray-actors", str(actors), "--stance", stance]  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with ActorPeaks(process.pid) as peaks:
            output, _ = process.communicate()
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = output.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{tail}")
    if not peaks.actors:
        raise RuntimeError(f"no process named {ACTOR_PREFIX}* was seen during {command}")
    return {"stance": stance, "actors_seen": len(peaks.actors),
            "actor_peak_mib": round(max(peaks.actors.values())),
            "driver_peak_mib": round(peaks.driver_peak), "seconds": round(seconds, 1)}  # fmt: skip


def benchmark(articles: int, events: int, actors: int, stances: list[str]) -> dict[str, Any]:
    from eval.make_corpus import generate, write_jsonl
    from service.settings import get_settings

    with tempfile.TemporaryDirectory() as work:
        corpus = write_jsonl(generate(articles, events), Path(work) / "corpus" / "c.jsonl")
        rows = [measure(corpus.parent, stance, actors) for stance in stances]
    return {"articles": articles, "events": events, "actors": actors,
            "encoder_spec": get_settings().encoder, "runs": rows}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--actors", type=int, default=1)
    parser.add_argument("--stance", action="append", choices=STANCES,
                        help="repeatable [default: none, baseline, finetuned]")  # fmt: skip
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").is_file():
        parser.error("this benchmark reads /proc (Linux only)")
    figures = benchmark(args.articles, args.events, args.actors, args.stance or list(STANCES))
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict[str, Any], args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    table = markdown_table(
        ["--stance", "peak RSS per actor (MiB)", "actors seen", "driver peak RSS (MiB)",
         "seconds"],
        [[r["stance"], r["actor_peak_mib"], r["actors_seen"], r["driver_peak_mib"], r["seconds"]]
         for r in figures["runs"]],
    )  # fmt: skip
    markdown = (
        f"{table}\n\n`parallax batch --engine ray --ray-actors {figures['actors']}` with the "
        f"default encoder (spec `{figures['encoder_spec']}`), one local Ray instance per run. "
        "Peak RSS is each process's high-water mark (`VmHWM`); an actor's includes the Ray worker "
        "it starts as. N actors on one node need about N times the actor figure, plus the "
        "driver's."
    )
    stances = "".join(f" --stance {r['stance']}" for r in figures["runs"])
    write_record(
        "bench_ray_memory", "Ray actors: memory per actor",
        f"python -m eval.bench_ray_memory --articles {args.articles} --events {args.events} "
        f"--actors {args.actors}{stances} --record",
        f"{figures['articles']} synthetic articles from `eval.make_corpus` (seed 0)",
        figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
