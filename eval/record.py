"""Recorded results: one JSON file per suite or benchmark, rendered into `eval/RESULTS.md`.

Each record holds the figures, the markdown that presents them, the command that produced them,
the data it read and the date. `parallax eval` reruns the quality suites and rewrites their
records; benchmarks write theirs when run with `--record`. RESULTS.md is always rendered from all
records, so rerunning one suite never loses another's figures.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).resolve().parent
RESULTS_DIR = EVAL_DIR / "results"
RESULTS_MD = EVAL_DIR / "RESULTS.md"

HEADER = """# Results

Every figure below comes from a command in this repository; each section names the command, the
data and the date it was run. Regenerate this file with `parallax eval` (quality suites) and the
benchmark commands; it is rendered from `eval/results/*.json`.
"""


def write_record(
    name: str,
    title: str,
    command: str,
    data: str,
    figures: dict[str, Any],
    markdown: str,
    results_dir: Path = RESULTS_DIR,
) -> Path:
    """Store one suite's outcome as `results_dir/name.json` and return the path."""
    record = {
        "name": name,
        "title": title,
        "command": command,
        "data": data,
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {_cpu_count()} CPU cores",
        "figures": figures,
        "markdown": markdown.strip(),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{name}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def render_results(results_dir: Path = RESULTS_DIR) -> str:
    """RESULTS.md text from every record in `results_dir`, in name order."""
    sections = [HEADER]
    for path in sorted(results_dir.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        sections.append(
            f"## {record['title']}\n\n"
            f"- Command: `{record['command']}`\n- Data: {record['data']}\n"
            f"- Date: {record['date']} ({record['machine']})\n\n{record['markdown']}\n"
        )
    return "\n".join(sections)


def rewrite_results_md(results_dir: Path = RESULTS_DIR, target: Path = RESULTS_MD) -> Path:
    target.write_text(render_results(results_dir), encoding="utf-8")
    return target


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A GitHub markdown table; floats are shown with 3 decimals."""

    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
