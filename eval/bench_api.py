"""Load test of the HTTP API against a server started here on loopback (never another host).

Starts `uvicorn service.api.app:create_app` on 127.0.0.1 at a free port with the real encoder
(settings from the environment, a temporary data dir), then for each concurrency level sends a
fixed number of requests from that many client threads and reports p50/p95 latency, requests per
second and failures; then sends `--soak` more requests while sampling the server's RSS; finally
measures the bare in-process work of the same request (no HTTP) for the overhead ratio. Every
phase is bounded in count and the whole run in time (`--max-seconds`).

    python -m eval.bench_api --out eval/bench_api.json

The default article is 700 words cut from the English articles of the synthetic demo corpus
(`corpus/demo`); `--article PATH` uses a text file instead (first 700 words).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psutil

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo" / "articles"


def article_words(paths: list[Path], words: int) -> str:
    """The first `words` words of the concatenated texts, cut at the end of a sentence or later."""
    text = "\n\n".join(p.read_text(encoding="utf-8").strip() for p in paths)
    for count, match in enumerate(re.finditer(r"\S+", text), start=1):
        if count >= words and re.search(r"[.!?»\"”]$", match.group()):
            return text[: match.end()]
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, data_dir: Path, env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "PARALLAX_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", **env_extra}  # fmt: skip
    command = [sys.executable, "-m", "uvicorn", "service.api.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])


def wait_ready(base: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} during startup")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server not ready after {timeout} s")


def run_level(
    base: str, path: str, body: dict[str, Any], concurrency: int, requests: int, deadline: float
) -> dict[str, Any]:
    """`requests` POSTs from `concurrency` threads (one connection each)."""
    local = threading.local()
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one(_: int) -> None:
        if time.perf_counter() > deadline:
            return
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=120)
        started = time.perf_counter()
        try:
            response = local.client.post(path, json=body)
            ok, why = response.status_code == 200, f"HTTP {response.status_code}"
        except httpx.HTTPError as error:
            ok, why = False, type(error).__name__
        elapsed = time.perf_counter() - started
        with lock:
            (latencies.append(elapsed) if ok else failures.append(why))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    done = len(latencies) + len(failures)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {
        "concurrency": concurrency, "requests": done, "failures": len(failures),
        "failure_kinds": sorted(set(failures)), "p50_ms": round(quantiles[49] * 1000, 1),
        "p95_ms": round(quantiles[94] * 1000, 1), "rps": round(done / wall, 2),
        "wall_s": round(wall, 2), "cut_by_deadline": done < requests,
    }  # fmt: skip


def soak(
    base: str, path: str, body: dict[str, Any], pid: int, requests: int, deadline: float
) -> dict[str, Any]:
    """`requests` POSTs from 4 threads, sampling the server's RSS every 100 requests."""
    process = psutil.Process(pid)
    samples = [process.memory_info().rss]
    failures = 0
    for start in range(0, requests, 100):
        level = run_level(base, path, body, 4, min(100, requests - start), deadline)
        failures += level["failures"]
        samples.append(process.memory_info().rss)
        if level["cut_by_deadline"]:
            break
    mib = [round(s / 2**20, 1) for s in samples]
    return {
        "requests": min(requests, 100 * (len(samples) - 1)), "failures": failures,
        "rss_mib_before": mib[0], "rss_mib_after": mib[-1],
        "rss_mib_growth_second_half": round(mib[-1] - mib[len(mib) // 2], 1), "rss_mib": mib,
    }  # fmt: skip


def bare_work(body: dict[str, Any], repeats: int) -> dict[str, Any]:
    """The route's work in this process without HTTP: article -> passages (-> stance), and the
    encoder over the same passages, median seconds over `repeats`."""
    from service.api.articles import to_article
    from service.api.engine import load_engine
    from service.api.routers.stance import analyse_article
    from service.api.schemas import StanceRequest
    from service.settings import Settings

    settings = Settings()
    engine = load_engine(settings.encoder, settings.stance_model)
    request = StanceRequest(**body)
    targets = request.targets or settings.default_targets

    def route_work() -> list[str]:
        article = to_article(request, "a1", ("body",))
        result = analyse_article(article, targets, engine, request.window)
        return [p["text"] for p in result["passages"]]

    passages = route_work()
    route_s, encode_s = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        route_work()
        route_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.encoder.encode(passages, "passage")
        encode_s.append(time.perf_counter() - started)
    return {
        "passages": len(passages), "models": engine.describe(),
        "route_work_ms": round(statistics.median(route_s) * 1000, 1),
        "encode_passages_ms": round(statistics.median(encode_s) * 1000, 1),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", type=Path, help="Text file; default: demo corpus (en).")
    parser.add_argument("--words", type=int, default=700)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=200, help="Requests per level.")
    parser.add_argument("--soak", type=int, default=1000, help="Requests for the RSS check.")
    parser.add_argument(
        "--align-requests",
        type=int,
        default=4,
        help="Requests per level for /v1/align (two articles); 0 skips it.",
    )
    parser.add_argument("--align-concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--max-seconds", type=float, default=1200)
    parser.add_argument("--out", type=Path, help="Write the figures as JSON here.")
    args = parser.parse_args(argv)
    deadline = time.perf_counter() + args.max_seconds

    english = sorted(DEMO.glob("*_western.txt")) if args.article is None else [args.article]
    text = article_words(english, args.words)
    russian = article_words(sorted(DEMO.glob("*_russian.txt")), args.words)
    stance_body = {"text": text, "language": "en"}
    align_body = {"articles": [{"text": text, "language": "en"},
                               {"text": russian, "language": "ru"}]}  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, "
        f"{os.cpu_count()} CPUs", "article_words": len(text.split()),
        "article_source": str(args.article or "corpus/demo/articles/*_western.txt"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="parallax-bench-") as data_dir:
        server = start_server(port, Path(data_dir), {})
        try:
            report["startup_s"] = round(wait_ready(base, server, 180), 2)
            report["models"] = httpx.get(f"{base}/readyz").json()["models"]
            run_level(base, "/v1/stance", stance_body, 2, 10, deadline)  # warm-up
            report["stance"] = [
                run_level(base, "/v1/stance", stance_body, c, args.requests, deadline)
                for c in args.concurrency
            ]
            report["soak_stance"] = soak(
                base, "/v1/stance", stance_body, server.pid, args.soak, deadline
            )
            if args.align_requests:
                report["align"] = [
                    run_level(base, "/v1/align", align_body, c, args.align_requests, deadline)
                    for c in args.align_concurrency
                ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["bare"] = bare_work(stance_body, repeats=5)
    one = report["stance"][0]
    report["stance_p50_over_bare_route_work"] = round(
        one["p50_ms"] / max(report["bare"]["route_work_ms"], 1e-6), 2
    )
    text_out = json.dumps(report, indent=2, ensure_ascii=False)
    print(text_out)
    if args.out:
        args.out.write_text(text_out + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
