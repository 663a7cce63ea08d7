"""k nearest neighbours by inner product (cosine on L2-normalised rows): exact or approximate.

`knn(queries, keys, k)` returns the k most similar keys of every query. Small inputs use an exact
blockwise matrix product (numpy, float32); above `ANN_MIN_KEYS` keys an approximate index is
faster, if one is installed: faiss (HNSW graph, `pip install faiss-cpu`) or usearch
(`pip install usearch`). The crossover and the index settings come from
`python -m eval.bench_alignment`, which also checks recall against exact search (>= 0.99).
Without an index library the search falls back to exact, with a log message saying what to
install.
"""

from __future__ import annotations

import importlib.util
import logging

import numpy as np

logger = logging.getLogger(__name__)

BACKENDS = ("auto", "exact", "faiss", "usearch")
# Keys from which an approximate index beats the exact product. Measured by eval.bench_alignment
# (2 shared CPU cores, 384-d noisy copies of NTREX embeddings, top-10 of n queries among n keys):
# 10k exact 12.1 s / faiss 11.8 s; 20k 32.0 s / 21.0 s; 100k 510 s / 135 s, faiss recall >= 0.999.
# faiss beat usearch at every size above 10k, so it is the index used.
ANN_MIN_KEYS = 20_000
# HNSW settings: graph degree and search breadth (recall@10 >= 0.999 in the benchmark).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
# Similarity rows materialised at once by the exact search: block_rows * n_keys floats.
EXACT_BLOCK_FLOATS = 32_000_000


def exact_knn(queries: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by inner product, computed in row blocks to bound memory.

    queries (m, d), keys (n, d) float32 -> (similarities (m, k) float32, indices (m, k) int64),
    each row sorted by decreasing similarity; k is clipped to n.
    """
    k = min(k, len(keys))
    m = len(queries)
    sims_out = np.empty((m, k), dtype=np.float32)
    idx_out = np.empty((m, k), dtype=np.int64)
    if k == 0 or m == 0:
        return sims_out, idx_out
    block = max(1, EXACT_BLOCK_FLOATS // max(len(keys), 1))
    for start in range(0, m, block):
        sims = queries[start : start + block] @ keys.T
        if k < sims.shape[1]:
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(k), (len(sims), k))
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        idx_out[start : start + block] = np.take_along_axis(top, order, axis=1)
        sims_out[start : start + block] = np.take_along_axis(top_sims, order, axis=1)
    return sims_out, idx_out


def faiss_knn(queries: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Approximate top-k with a faiss HNSW index (inner product); same contract as `exact_knn`."""
    import faiss

    k = min(k, len(keys))
    index = faiss.IndexHNSWFlat(keys.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(np.ascontiguousarray(keys, dtype=np.float32))
    index.hnsw.efSearch = max(HNSW_EF_SEARCH, 2 * k)
    sims, idx = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return sims.astype(np.float32), idx.astype(np.int64)


def usearch_knn(queries: np.ndarray, keys: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Approximate top-k with a usearch HNSW index (inner product); same contract as `exact_knn`."""
    from usearch.index import Index

    k = min(k, len(keys))
    index = Index(
        ndim=keys.shape[1], metric="ip", dtype="f32", connectivity=HNSW_M,
        expansion_add=HNSW_EF_CONSTRUCTION, expansion_search=max(HNSW_EF_SEARCH, 2 * k),
    )  # fmt: skip
    index.add(np.arange(len(keys)), np.ascontiguousarray(keys, dtype=np.float32))
    found = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    idx = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
    # usearch reports inner-product distance as 1 - ip
    sims = (1.0 - np.asarray(found.distances, dtype=np.float32)).reshape(len(queries), -1)
    return sims, idx


_SEARCHES = {"exact": exact_knn, "faiss": faiss_knn, "usearch": usearch_knn}
_MODULES = {"faiss": "faiss", "usearch": "usearch"}


def available(backend: str) -> bool:
    """Whether `backend` can run here (its library is installed)."""
    if backend not in _SEARCHES:
        raise ValueError(f"unknown neighbour backend {backend!r}; use one of {', '.join(BACKENDS)}")
    module = _MODULES.get(backend)
    return module is None or importlib.util.find_spec(module) is not None


def choose_backend(n_keys: int, backend: str = "auto") -> str:
    """The backend `knn` uses for `n_keys` keys: exact below `ANN_MIN_KEYS`, else an index."""
    if backend != "auto":
        if not available(backend):
            raise ImportError(
                f"neighbour backend {backend!r} needs `pip install {_pip_name(backend)}`"
            )
        return backend
    if n_keys < ANN_MIN_KEYS:
        return "exact"
    if available("faiss"):
        return "faiss"
    logger.info(
        "%d keys: an approximate index would be faster; `pip install faiss-cpu` to use one. "
        "Using exact search.",
        n_keys,
    )
    return "exact"


def _pip_name(backend: str) -> str:
    return {"faiss": "faiss-cpu"}.get(backend, backend)


def knn(
    queries: np.ndarray, keys: np.ndarray, k: int, backend: str = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k keys of every query by inner product -> (similarities (m, k), indices (m, k)).

    Rows are sorted by decreasing similarity; k is clipped to len(keys). `backend` is one of
    `BACKENDS`; 'auto' picks by size (`choose_backend`).
    """
    if queries.ndim != 2 or keys.ndim != 2 or queries.shape[1] != keys.shape[1]:
        raise ValueError(f"queries {queries.shape} and keys {keys.shape} must be (m, d), (n, d)")
    name = choose_backend(len(keys), backend)
    return _SEARCHES[name](queries, keys, k)


def recall_at_k(approx_idx: np.ndarray, exact_idx: np.ndarray) -> float:
    """Share of the exact top-k found by an approximate search: both (m, k) index arrays."""
    hits = sum(len(set(a) & set(e)) for a, e in zip(approx_idx, exact_idx, strict=True))
    return hits / max(exact_idx.size, 1)
