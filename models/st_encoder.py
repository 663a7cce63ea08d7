"""Any sentence-transformers model available on local disk, behind the Encoder protocol."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from models.encoder import TextKind


class SentenceTransformerEncoder:
    """Wraps `sentence_transformers.SentenceTransformer` loaded from a local folder.

    `prefixes` maps a text kind to a string prepended before encoding (for e5-style models, e.g.
    `{"passage": "passage: ", "query": "query: "}`); symmetric models need none.
    """

    def __init__(
        self,
        model_path: str | Path,
        prefixes: dict[str, str] | None = None,
        device: str | None = None,
        batch_size: int = 64,
    ) -> None:
        self.model_path = Path(model_path)
        self.prefixes = prefixes or {}
        self.device = device
        self.batch_size = batch_size
        if not self.model_path.is_dir():
            raise FileNotFoundError(
                f"no sentence-transformers model folder at {self.model_path}; "
                "pass the path of a model saved on this machine (no hub downloads here)"
            )

    @cached_property
    def _model(self) -> Any:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_path), device=self.device, local_files_only=True)

    @cached_property
    def dim(self) -> int:
        model = self._model
        # renamed in sentence-transformers 6; keep older releases working
        get_dim = getattr(model, "get_embedding_dimension", None)
        get_dim = get_dim or model.get_sentence_embedding_dimension
        return int(get_dim())

    @property
    def name(self) -> str:
        return f"sentence-transformers/{self.model_path.name}"

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` -> float32 (n, dim), rows L2-normalised."""
        prefix = self.prefixes.get(kind, "")
        embeddings = self._model.encode(
            [prefix + text for text in texts], batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        )  # fmt: skip
        return np.asarray(embeddings, dtype=np.float32).reshape(len(texts), self.dim)
