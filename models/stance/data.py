"""Stance examples and their readers (RuSentNE TSV, team-written JSONL)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from models.stance.labels import LABELS, RUSENTNE_TO_LABEL

RUSENTNE_COLUMNS = (
    "sentence",
    "entity",
    "entity_tag",
    "entity_pos_start_rel",
    "entity_pos_end_rel",
)


@dataclass(frozen=True)
class StanceExample:
    """A passage, a target and (when known) the character span of its mention in the passage."""

    text: str
    target: str
    span: tuple[int, int] | None
    label: str | None = None
    language: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class RuSentNERow:
    """One row of a RuSentNE TSV: the raw columns and the parsed example."""

    columns: dict[str, str]
    example: StanceExample


def read_rusentne_tsv(path: Path, require_label: bool = True) -> list[RuSentNERow]:
    """Read a RuSentNE-format TSV (sentence, entity, entity_tag, start, end[, label]).

    Errors name the file and line. Spans are checked against the sentence text.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"RuSentNE file not found: {path}")
    csv.field_size_limit(sys.maxsize)
    rows: list[RuSentNERow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: empty file, expected a header {RUSENTNE_COLUMNS}")
        missing = [c for c in RUSENTNE_COLUMNS if c not in header]
        if require_label and "label" not in header:
            missing.append("label")
        if missing:
            raise ValueError(f"{path}:1: missing columns {missing}; header is {header}")
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise ValueError(
                    f"{path}:{line}: expected {len(header)} tab-separated fields, got {len(fields)}"
                )
            columns = dict(zip(header, fields, strict=True))
            rows.append(RuSentNERow(columns, _rusentne_example(columns, path, line)))
    return rows


def _rusentne_example(columns: dict[str, str], path: Path, line: int) -> StanceExample:
    text, entity = columns["sentence"], columns["entity"]
    try:
        start = int(columns["entity_pos_start_rel"])
        end = int(columns["entity_pos_end_rel"])
    except ValueError:
        raise ValueError(f"{path}:{line}: entity offsets must be integers") from None
    if not 0 <= start < end <= len(text):
        raise ValueError(
            f"{path}:{line}: entity span [{start}, {end}) outside the sentence ({len(text)} chars)"
        )
    label = None
    if "label" in columns and columns["label"] != "":
        try:
            label = RUSENTNE_TO_LABEL[int(columns["label"])]
        except (ValueError, KeyError):
            raise ValueError(
                f"{path}:{line}: label {columns['label']!r} not one of -1, 0, 1"
            ) from None
    return StanceExample(text, entity, (start, end), label, "ru", f"{path.name}:{line}")


def gold_labels(examples: list[StanceExample]) -> list[str]:
    """The labels of `examples`; raises when one is unlabelled."""
    labels = [e.label for e in examples]
    missing = [
        e.id or str(i)
        for i, (e, label) in enumerate(zip(examples, labels, strict=True))
        if label is None
    ]
    if missing:
        raise ValueError(f"{len(missing)} examples have no label, e.g. {missing[:3]}")
    return [label for label in labels if label is not None]


def stance_files(paths: Path | Sequence[Path] | None) -> list[Path]:
    """Team-written stance JSONL files given as one path, several, or None (none)."""
    if paths is None:
        return []
    return [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]


def read_stance_jsonl(path: Path) -> list[StanceExample]:
    """Read team-written stance examples: id, language, text, target, start, end, label."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"stance JSONL file not found: {path}")
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                text, target, label = record["text"], record["target"], record["label"]
            except (json.JSONDecodeError, KeyError) as exc:
                raise ValueError(f"{path}:{line}: bad record ({exc})") from None
            if label not in LABELS:
                raise ValueError(f"{path}:{line}: label {label!r} not one of {list(LABELS)}")
            start, end = record.get("start"), record.get("end")
            span = None
            if start is not None and end is not None:
                if not 0 <= start < end <= len(text):
                    raise ValueError(f"{path}:{line}: span [{start}, {end}) outside the text")
                span = (int(start), int(end))
            examples.append(
                StanceExample(text, target, span, label, record.get("language"), record.get("id"))
            )
    return examples
