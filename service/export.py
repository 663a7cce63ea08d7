"""`pairs.csv`: every aligned passage pair of a result as one spreadsheet row.

`compare` writes it beside `result.json` and `batch` writes one for the whole corpus, so that an
analyst can sort and filter the pairs (by camp, language, divergence, a component) in any
spreadsheet or data frame. Rows come in the report's order: most evidence of a framing
difference first, then most divergent. Columns (`PAIR_COLUMNS`):

    event                   the event of side a's article ('' when not known)
    same_event              1 when both articles belong to one event, else 0
    a, b                    passage ids, as in result.json
    outlet_*, camp_*, language_*
    kind                    how the link was found: mutual, span, translation, ...
    similarity, margin, confidence
    divergence, evidence    the pair's divergence score and evidence (see divergence.v3+)
    stance, commitment, contrast, residual
                            the divergence components ('' when absent)
    voice_*, commitment_*   as the report's badges: 'outlet' or who speaks; asserted,
                            attributed or hedged
    stance_*                per target: the most probable label and its probability,
                            e.g. 'Russia: against 0.72; Azerbaijan: none 0.95'
    terms_*                 the top contrast terms, as the report lists them
    text_*                  the passage text

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
carriage return) get a leading apostrophe: article text is untrusted input.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from service.report import STANCE_LABELS, badge_label, pair_order, pair_terms

PAIR_COLUMNS = (
    "event", "same_event", "a", "b",
    "outlet_a", "camp_a", "language_a", "outlet_b", "camp_b", "language_b",
    "kind", "similarity", "margin", "confidence", "divergence", "evidence",
    "stance", "commitment", "contrast", "residual",
    "voice_a", "voice_b", "commitment_a", "commitment_b", "stance_a", "stance_b",
    "terms_a", "terms_b", "text_a", "text_b",
)  # fmt: skip
COMPONENTS = ("stance", "commitment", "contrast", "residual")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def pair_rows(result: dict[str, Any], event: str = "") -> Iterator[dict[str, Any]]:
    """One row (column -> value) per alignment of a compare result, in the report's order;
    `event` names the event where side a's article does not."""
    found = {p["id"]: (article, p) for article in result.get("articles", [])
             for p in article.get("passages", [])}  # fmt: skip
    for alignment in sorted(result.get("alignments", []), key=_row_order):
        side_a, side_b = found.get(alignment.get("a")), found.get(alignment.get("b"))
        if side_a is None or side_b is None:
            continue  # a link to a passage the result does not hold: nothing to show
        (article_a, passage_a), (article_b, passage_b) = side_a, side_b
        divergence = alignment.get("divergence") or {}
        components = divergence.get("components") or {}
        terms = pair_terms(alignment)
        row: dict[str, Any] = {
            "event": article_a.get("event") or event,
            "same_event": int(bool(article_a.get("event"))
                              and article_a.get("event") == article_b.get("event")),
            "a": alignment["a"], "b": alignment["b"],
            "kind": alignment.get("kind", ""),
            "similarity": alignment.get("similarity"), "margin": alignment.get("margin"),
            "confidence": alignment.get("confidence"),
            "divergence": divergence.get("score"), "evidence": divergence.get("evidence"),
        }  # fmt: skip
        row |= {name: components.get(name) for name in COMPONENTS}
        for side, article, passage in (("a", article_a, passage_a), ("b", article_b, passage_b)):
            row |= {
                f"outlet_{side}": article.get("outlet") or article.get("id", ""),
                f"camp_{side}": article.get("camp") or "",
                f"language_{side}": article.get("language") or "",
                f"voice_{side}": badge_label(passage.get("voice")),
                f"commitment_{side}": badge_label(passage.get("commitment")),
                f"stance_{side}": stance_summary(passage.get("stance")),
                f"terms_{side}": "; ".join(str(t.get("term", "")) for t in terms[side]),
                f"text_{side}": passage.get("text", ""),
            }
        yield {column: _cell(row.get(column)) for column in PAIR_COLUMNS}


def stance_summary(stance: Any) -> str:
    """'Russia: against 0.72; Azerbaijan: none 0.95': each target's most probable label."""
    if not isinstance(stance, dict):
        return ""
    parts = []
    for target, scores in stance.items():
        if not isinstance(scores, dict):
            continue
        probabilities = {k: v for k, v in scores.items()
                         if k in STANCE_LABELS and isinstance(v, int | float)}  # fmt: skip
        if probabilities:
            label = max(probabilities, key=lambda k: probabilities[k])
            parts.append(f"{target}: {label} {probabilities[label]:.2f}")
    return "; ".join(parts)


def write_pairs_csv(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write `rows` (from `pair_rows`) to `path` as UTF-8 CSV with a byte-order mark, so that
    spreadsheets read Cyrillic and Azerbaijani letters right; atomically, via a temporary file
    and a rename (no temporary file is left behind if `rows` fails). Returns the number of rows."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8-sig", newline="", dir=path.parent, suffix=".tmp", delete=False
    ) as handle:
        try:
            count = _write_rows(handle, rows)
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)
    return count


def pairs_csv(rows: Iterable[dict[str, Any]]) -> str:
    """`rows` as the text of a `pairs.csv`, byte-order mark first (for the HTTP API)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    _write_rows(buffer, rows)
    return buffer.getvalue()


def _write_rows(handle: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.DictWriter(handle, fieldnames=PAIR_COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _row_order(alignment: dict[str, Any]) -> tuple[float, float, str, str]:
    return (*pair_order(alignment), str(alignment.get("a")), str(alignment.get("b")))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
