"""On-disk embedding cache keyed by encoder identity and text hash.

Each encoder gets its own folder; embeddings are appended to shard files (`.npy` of float32 rows)
with an index of text hashes, so re-running a corpus encodes only the texts not seen before.
Writes go to a temporary file and are renamed into place, so an interrupted run never leaves a
corrupt shard.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

import numpy as np

from models.encoder import Encoder, TextKind

logger = logging.getLogger(__name__)


def text_key(text: str, kind: TextKind) -> str:
    return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Persistent map (text, kind) -> embedding for one encoder, stored under `root`."""

    def __init__(self, root: str | Path, encoder_name: str) -> None:
        safe = re.sub(r"[^\w.@-]+", "_", encoder_name)
        self.folder = Path(root) / safe
        self._lock = threading.Lock()
        self._index: dict[str, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        self._shard_keys: list[list[str]] = []
        self._load()

    def _load(self) -> None:
        index_path = self.folder / "index.json"
        if not index_path.is_file():
            return
        self._shard_keys = json.loads(index_path.read_text())["shards"]
        for number, keys in enumerate(self._shard_keys):
            shard = np.load(self.folder / f"shard-{number:05d}.npy", mmap_mode="r")
            self._shards.append(shard)
            self._index.update({key: (number, row) for row, key in enumerate(keys)})

    def __len__(self) -> int:
        return len(self._index)

    def get(self, keys: list[str]) -> list[np.ndarray | None]:
        return [self._row(key) for key in keys]

    def _row(self, key: str) -> np.ndarray | None:
        found = self._index.get(key)
        return None if found is None else np.asarray(self._shards[found[0]][found[1]])

    def put(self, keys: list[str], embeddings: np.ndarray) -> None:
        """Store `embeddings` (len(keys), d) float32 as a new shard."""
        if not keys:
            return
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            number = len(self._shards)
            _atomic_save(self.folder / f"shard-{number:05d}.npy", embeddings.astype(np.float32))
            self._shards.append(np.asarray(embeddings, dtype=np.float32))
            self._shard_keys.append(list(keys))
            self._index.update({key: (number, row) for row, key in enumerate(keys)})
            # The index is written after its shard, so a crash in between loses only that shard.
            _atomic_write(self.folder / "index.json", json.dumps({"shards": self._shard_keys}))


def _atomic_save(path: Path, array: np.ndarray) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        np.save(handle, array)
    os.replace(handle.name, path)


def _atomic_write(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as handle:
        handle.write(text)
    os.replace(handle.name, path)


class CachedEncoder:
    """An Encoder that looks texts up in an `EmbeddingCache` and encodes only the misses.

    Duplicate texts within one call are encoded once. `hits` and `misses` count texts served from
    the cache and texts encoded, over the object's life.
    """

    def __init__(self, encoder: Encoder, cache_root: str | Path) -> None:
        self.encoder = encoder
        self.cache = EmbeddingCache(cache_root, encoder.name)
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` -> float32 (n, dim), from the cache where possible."""
        keys = [text_key(text, kind) for text in texts]
        found = self.cache.get(keys)
        missing = {key: text for key, text, row in zip(keys, texts, found, strict=True)
                   if row is None}  # fmt: skip
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        fresh: dict[str, np.ndarray] = {}
        if missing:
            new_keys = list(missing)
            embeddings = self.encoder.encode([missing[k] for k in new_keys], kind)
            self.cache.put(new_keys, embeddings)
            fresh = dict(zip(new_keys, embeddings, strict=True))
        for i, (key, row) in enumerate(zip(keys, found, strict=True)):
            out[i] = row if row is not None else fresh[key]
        self.misses += len(missing)
        self.hits += len(texts) - sum(1 for row in found if row is None)
        return out
