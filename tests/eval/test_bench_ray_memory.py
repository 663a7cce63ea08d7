"""The Ray memory benchmark's probes: /proc readings and the poller that follows actors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.bench_ray_memory import ActorPeaks, command_line, peak_rss_mib

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs /proc")


def test_proc_readings_of_this_process_and_of_one_that_is_gone() -> None:
    peak = peak_rss_mib(os.getpid())
    assert peak is not None and peak > 10  # a Python with numpy and pytest loaded
    assert "pytest" in command_line(os.getpid())
    assert peak_rss_mib(2**22 + 12345) is None and command_line(2**22 + 12345) == ""


def test_the_poller_follows_the_processes_it_is_told_to_and_keeps_their_peak() -> None:
    # a child that holds about 64 MiB for a moment, then frees it and waits: its peak stays
    script = "import time; b = bytearray(64 << 20); time.sleep(0.6); del b; time.sleep(0.6)"
    child = subprocess.Popen([sys.executable, "-c", script])
    with ActorPeaks(driver=os.getpid(), prefix=f"{sys.executable} -c import time", every=0.05) as p:
        child.wait()
    assert list(p.actors) == [child.pid]
    assert p.actors[child.pid] >= 64
    assert p.driver_peak == pytest.approx(peak_rss_mib(os.getpid()), rel=0.5)
