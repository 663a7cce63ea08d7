"""Sentence-boundary accuracy per language on the team's hand-segmented gold.

Gold files `eval/gold/segmentation/{en,ru,uk,az}.txt` hold one sentence per line, paragraphs
separated by blank lines. The text is rebuilt by joining a paragraph's sentences with one space;
the gold boundaries are the positions between consecutive sentences of a paragraph (paragraph
breaks are given to the segmenter and not counted). Reported per language: boundary precision,
recall and F1, and the share of gold sentences reproduced exactly, for Parallax's segmenter and
for the bare library it repairs (razdel, or sentencex for English).

    python -m eval.segmentation --gold eval/gold/segmentation
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import pairwise
from pathlib import Path

from corpus import segment
from eval.record import markdown_table

LANGUAGES = ("en", "ru", "uk", "az")


def read_gold(path: Path) -> tuple[str, set[int], set[tuple[int, int]]]:
    """(text, gold boundary offsets, gold sentence spans) from a one-sentence-per-line file."""
    paragraphs = [block.splitlines() for block in path.read_text(encoding="utf-8").split("\n\n")]
    paragraphs = [[line.strip() for line in p if line.strip()] for p in paragraphs]
    text_parts, boundaries, spans, offset = [], set(), set(), 0
    for paragraph in filter(None, paragraphs):
        for index, sentence in enumerate(paragraph):
            if index:
                boundaries.add(offset)
                offset += 1
            spans.add((offset, offset + len(sentence)))
            offset += len(sentence)
        text_parts.append(" ".join(paragraph))
        offset += 2
    return "\n\n".join(text_parts), boundaries, spans


def predicted_boundaries(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """Boundaries between consecutive predicted sentences of one paragraph (the end offsets)."""
    return {end for (_, end), (start, _) in pairwise(spans) if "\n" not in text[end:start]}


def score(gold: set[int], predicted: set[int]) -> dict[str, float]:
    true = len(gold & predicted)
    precision = true / len(predicted) if predicted else 1.0
    recall = true / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def evaluate_segmentation(gold_dir: Path) -> dict[str, dict]:
    """Per language: scores of Parallax's segmenter and of the bare library."""
    results: dict[str, dict] = {}
    for language in LANGUAGES:
        path = gold_dir / f"{language}.txt"
        if not path.is_file():
            continue
        text, gold, gold_spans = read_gold(path)
        ours = segment.split_sentences(text, language)
        bare = [
            (p.start() + s, p.start() + e)
            for p in segment._PARAGRAPH.finditer(text)
            for s, e in segment._raw_spans(p.group(), language)
        ]
        results[language] = {
            "sentences": len(gold_spans),
            "parallax": _scores(text, ours, gold, gold_spans),
            "bare_library": _scores(text, bare, gold, gold_spans),
        }
    return results


def _scores(
    text: str, spans: list[tuple[int, int]], gold: set[int], gold_spans: set[tuple[int, int]]
) -> dict[str, float]:
    exact = len(set(spans) & gold_spans) / len(gold_spans)
    return {**score(gold, predicted_boundaries(text, spans)), "exact_sentences": round(exact, 4)}


def to_markdown(results: dict[str, dict]) -> str:
    rows = [
        [language, r["sentences"], r["parallax"]["precision"], r["parallax"]["recall"],
         r["parallax"]["f1"], r["parallax"]["exact_sentences"], r["bare_library"]["f1"]]
        for language, r in results.items()
    ]  # fmt: skip
    table = markdown_table(
        ["language", "sentences", "precision", "recall", "F1", "exact sentences", "bare F1"], rows
    )
    return (
        f"{table}\n\nBoundary precision/recall/F1 of `corpus.segment.split_sentences`; "
        "'bare F1' is the library it repairs (sentencex for en, razdel for ru/uk/az). The repair "
        "rules were developed while looking at this gold, so these are development-set figures."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sentence-boundary accuracy per language.")
    parser.add_argument(
        "--gold", type=Path, default=Path(__file__).parent / "gold" / "segmentation"
    )
    args = parser.parse_args(argv)
    if not args.gold.is_dir():
        print(f"no segmentation gold at {args.gold}", file=sys.stderr)
        return 1
    print(json.dumps(evaluate_segmentation(args.gold), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
