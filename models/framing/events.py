"""Events: groups of articles about the same happening, found by clustering.

Articles are represented by the mean of their passage embeddings after removing each language's
mean passage embedding (language centring: multilingual encoders place texts of one language
near each other, which would otherwise cluster articles by language rather than by event; a
language with a single article is centred on the mean over all passages instead). Articles are
clustered by average-linkage agglomerative clustering on cosine distance, and the number of
events is the one with the best silhouette (data-driven, no fixed threshold); when no partition
reaches `MIN_SILHOUETTE`, or there are fewer than 3 articles, all articles form one event.
Without embeddings, the distance between two articles is 1 minus the share of the shorter
article's passages aligned to the other (normalised by its maximum).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import silhouette_score

logger = logging.getLogger(__name__)

MIN_SILHOUETTE = 0.2


def article_vectors(
    article_ids: Sequence[str],
    embeddings: Mapping[str, np.ndarray],
    languages: Mapping[str, str | None],
) -> np.ndarray:
    """(n_articles, d) float32 language-centred mean passage embeddings, L2-normalised."""
    stacked = {aid: np.asarray(embeddings[aid], dtype=np.float32) for aid in article_ids}
    everything = np.concatenate([v for v in stacked.values() if len(v)], axis=0)
    by_language: dict[str | None, list[str]] = {}
    for aid in article_ids:
        by_language.setdefault(languages.get(aid), []).append(aid)
    centres: dict[str | None, np.ndarray] = {}
    for language, members in by_language.items():
        rows = [stacked[a] for a in members if len(stacked[a])]
        usable = len(members) >= 2 and rows
        centres[language] = np.concatenate(rows).mean(0) if usable else everything.mean(0)
    dim = everything.shape[1]
    vectors = np.zeros((len(article_ids), dim), dtype=np.float32)
    for row, aid in enumerate(article_ids):
        if len(stacked[aid]):
            vectors[row] = (stacked[aid] - centres[languages.get(aid)]).mean(0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def alignment_distances(
    article_ids: Sequence[str], pairs: Sequence[tuple[str, str]], sizes: Mapping[str, int]
) -> np.ndarray:
    """(n, n) distances from aligned passage pairs given as (article a, article b)."""
    index = {aid: i for i, aid in enumerate(article_ids)}
    counts = np.zeros((len(article_ids), len(article_ids)))
    for a, b in pairs:
        if a in index and b in index and a != b:
            counts[index[a], index[b]] += 1
            counts[index[b], index[a]] += 1
    size = np.array([max(sizes[a], 1) for a in article_ids], dtype=np.float64)
    share = counts / np.minimum.outer(size, size)
    distances = 1.0 - share / max(share.max(), 1e-9)
    np.fill_diagonal(distances, 0.0)
    return distances


def cluster_articles(distances: np.ndarray, min_silhouette: float = MIN_SILHOUETTE) -> np.ndarray:
    """(n,) int cluster labels from an (n, n) distance matrix (see the module docstring)."""
    n = distances.shape[0]
    if n < 3:
        return np.zeros(n, dtype=int)
    distances = np.clip((distances + distances.T) / 2, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    best: tuple[float, np.ndarray] = (min_silhouette, np.zeros(n, dtype=int))
    for k in range(2, n):
        labels = AgglomerativeClustering(
            n_clusters=k, metric="precomputed", linkage="average"
        ).fit_predict(distances)
        score = float(silhouette_score(distances, labels, metric="precomputed"))
        logger.debug("events: k=%d silhouette=%.3f", k, score)
        if score > best[0]:
            best = (score, labels)
    return best[1]


def name_events(article_ids: Sequence[str], labels: np.ndarray) -> dict[str, str]:
    """article id -> 'event-1', 'event-2' ... numbered in order of first appearance."""
    names: dict[int, str] = {}
    for label in labels:
        names.setdefault(int(label), f"event-{len(names) + 1}")
    return {aid: names[int(label)] for aid, label in zip(article_ids, labels, strict=True)}
