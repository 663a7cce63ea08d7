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


def flatten(figures: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts/lists -> [(dotted key, scalar)], for a key-value table of a benchmark."""
    if isinstance(figures, dict):
        return [row for key, value in figures.items()
                for row in flatten(value, f"{prefix}.{key}" if prefix else str(key))]  # fmt: skip
    if isinstance(figures, list) and len(figures) <= 20:
        return [row for i, value in enumerate(figures)
                for row in flatten(value, f"{prefix}[{i}]")]  # fmt: skip
    return [(prefix, figures)]


def main(argv: list[str] | None = None) -> int:
    """Record a benchmark JSON: `python -m eval.record NAME TITLE --command C --data D --json F`."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("name")
    parser.add_argument("title")
    parser.add_argument("--command", required=True, help="The command that wrote the JSON.")
    parser.add_argument("--data", required=True, help="What the benchmark read.")
    parser.add_argument("--json", type=Path, required=True, dest="json_path")
    parser.add_argument("--note", default="", help="A sentence shown under the table.")
    args = parser.parse_args(argv)
    figures = json.loads(args.json_path.read_text(encoding="utf-8"))
    rows = [[key, value] for key, value in flatten(figures)]
    markdown = markdown_table(["figure", "value"], rows) + (f"\n\n{args.note}" if args.note else "")
    write_record(args.name, args.title, args.command, args.data, figures, markdown)
    print(rewrite_results_md())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
