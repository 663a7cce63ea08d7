"""Sentence encoders behind one small protocol.

Every backend maps texts to L2-normalised float32 embeddings of shape (n, d). `kind` selects the
role of the text for asymmetric models such as e5 ("passage" for documents, "query" for queries);
symmetric models ignore it.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

import numpy as np

TextKind = Literal["passage", "query"]


@runtime_checkable
class Encoder(Protocol):
    """What Parallax needs of an embedding model."""

    @property
    def name(self) -> str:
        """Stable identity of the weights and preprocessing, used as the embedding-cache key."""
        ...

    @property
    def dim(self) -> int:
        """Embedding dimension d."""
        ...

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` -> float32 array (len(texts), dim), each row of L2 norm 1."""
        ...
