"""Run `compare` from paths to files on disk: the job behind `parallax compare` and the API."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.loaders import LoadError, load_articles
from models.alignment import MIN_CONFIDENCE
from models.cache import CachedEncoder
from models.encoder import Encoder
from models.encoders import DEFAULT_ENCODER, make_encoder
from models.pipeline import compare, result_to_dict
from models.stance import DEFAULT_TARGETS, load_stance_model
from service.export import pair_rows, write_pairs_csv
from service.report import render_report


class NothingToCompare(RuntimeError):
    def __init__(self, message: str, errors: list[LoadError]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class CompareOutcome:
    result: dict[str, Any]
    result_path: Path
    report_path: Path
    errors: list[LoadError]
    pairs_path: Path | None = None

    @property
    def summary(self) -> dict[str, Any]:
        """Counts for the command line; `framed_differently`: the aligned pairs whose evidence
        of a framing difference reaches the bar the result was scored with (None without one)."""
        bar = ((self.result.get("method") or {}).get("divergence") or {}).get("evidence_min")
        alignments = self.result["alignments"]
        evidence = [(al.get("divergence") or {}).get("evidence") for al in alignments]
        return {
            "articles": len(self.result["articles"]),
            "passages": sum(len(a["passages"]) for a in self.result["articles"]),
            "alignments": len(alignments),
            "framed_differently": None if bar is None
            else sum(e is not None and e >= bar for e in evidence),
            "evidence_min": bar,
        }  # fmt: skip


def run_compare(
    paths: list[Path],
    out: Path,
    window: int = 1,
    encoder_spec: str = DEFAULT_ENCODER,
    cache_dir: Path | None = None,
    sidecar: Path | None = None,
    encoder: Encoder | None = None,
    stance: str | None = "finetuned",
    targets: tuple[str, ...] = DEFAULT_TARGETS,
    stance_dtype: str = "auto",
    min_confidence: float = MIN_CONFIDENCE,
) -> CompareOutcome:
    """Load `paths`, compare the articles and write `out/result.json`, `out/report.html` and
    `out/pairs.csv` (the aligned pairs as a spreadsheet, `service.export`).

    `stance` names the stance model (a kind such as "finetuned", or an artifact folder: see
    `models.stance.stance_choice`) or is None for no stance scores;
    `stance_dtype` is the fine-tuned model's precision (see `load_stance_model`);
    `min_confidence` is the calibrated confidence from which a link is kept.
    """
    loaded = load_articles(paths, sidecar=sidecar)
    if len(loaded.articles) < 2:
        found = len(loaded.articles)
        raise NothingToCompare(
            f"compare needs at least 2 readable articles, found {found}", loaded.errors
        )
    base: Encoder = encoder or make_encoder(encoder_spec)
    active = CachedEncoder(base, cache_dir) if cache_dir is not None else base
    stance_model = (load_stance_model(stance, dtype=stance_dtype, encoder=base)
                    if stance else None)  # fmt: skip
    compared = compare(loaded.articles, active, window=window, stance_model=stance_model,
                       targets=targets, threshold=min_confidence)  # fmt: skip
    result = result_to_dict(compared)
    if loaded.errors:
        result["skipped"] = [{"path": e.path, "line": e.line, "error": e.message}
                             for e in loaded.errors]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    result_path, report_path = out / "result.json", out / "report.html"
    write_atomic(result_path, json.dumps(result, ensure_ascii=False, indent=2))
    write_atomic(report_path, render_report(result))
    pairs_path = out / "pairs.csv"
    write_pairs_csv(pairs_path, pair_rows(result))
    return CompareOutcome(result, result_path, report_path, loaded.errors, pairs_path)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file and rename, so readers never see half a file."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)
