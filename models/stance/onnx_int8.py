"""The fine-tuned stance network as an ONNX Runtime int8 model.

Steps, each a function below:

1. `export_network`: the merged fp32 `StanceNetwork` to ONNX, with eager attention (the pattern
   ONNX Runtime's BERT fusions recognise);
2. `fuse_bert`: ORT's transformer optimizer fuses MultiHeadAttention (q, k, v stay MatMuls),
   SkipLayerNorm, BiasGelu and EmbedLayerNorm;
3. `add_special_token_bypass` (recipe "int8-special-v1" only): the `<s>` and `</s>` tokens carry
   activations 10-70x larger than the others (up to ~70 against ~2-7), and a per-tensor int8
   scale set by them blurs every other token. The q/k/v and feed-forward MatMuls therefore get
   those rows (and pads) zeroed in their int8 input, and the special rows are gathered and
   multiplied in fp32 beside it;
4. `quantize_int8`: `onnxruntime.quantization.quantize_dynamic`: int8 weights per output channel,
   uint8 activations per tensor and batch, on every MatMul except the fp32 bypass.

`OrtStanceNetwork` runs the result in place of the torch network. A build takes about a minute
and writes ~0.4 GB (the 250k-token embedding table stays fp32); `cached_int8_model` keeps one
file per (artifact, e5 weights, recipe, onnxruntime version) outside the repository.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

INT8_RECIPES = {"int8-special-v1": True, "int8-plain-v1": False}  # name -> special-token bypass
INT8_RECIPE = "int8-special-v1"
INPUTS = ("input_ids", "attention_mask", "mention_mask")
# MatMuls whose input holds the outlier rows: q/k/v and both feed-forward ones (the attention
# output projection's input, a mix of values, does not)
BYPASS_MATMULS = re.compile(
    r"layer\.\d+/(attention/self/(query|key|value)|intermediate/dense|output/dense)/MatMul$"
)
MISSING_ORT = (
    "the int8 stance model needs onnxruntime and onnx: pip install 'parallax[onnx]' "
    "(or onnxruntime onnx onnxscript)"
)


def onnxruntime_available() -> bool:
    """True when onnxruntime, onnx and the ORT quantisation tools import."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401
    except ImportError:
        return False
    return True


def needs_reduce_range() -> bool:
    """True on x86 CPUs without VNNI, where ORT's u8s8 int8 kernels can saturate (7-bit weights
    avoid it); False on VNNI x86 and on other architectures."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return not ("avx512_vnni" in flags or "avx_vnni" in flags)


def _positional(network):
    """`network` as a torch module taking the three input tensors positionally (for export)."""
    import torch

    from models.stance.network import EncodedBatch

    class Positional(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask, mention_mask):
            return self.network(EncodedBatch(input_ids, attention_mask, mention_mask))

    return Positional().eval()


def export_network(network, sample, path: Path) -> Path:
    """fp32 `StanceNetwork` -> ONNX at `path`, batch and sequence axes dynamic.

    `sample` is an `EncodedBatch` used for tracing. The encoder's attention is switched to eager
    for the export and restored afterwards.
    """
    import torch

    encoder = network.encoder
    previous = encoder.config._attn_implementation
    encoder.set_attn_implementation("eager")
    try:
        axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
        with torch.inference_mode(), warnings.catch_warnings():
            # the tracer notes shape checks it freezes; all hold for any batch and length (the
            # exported fp32 graph matches torch on all RuSentNE validation rows within 1e-4)
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message="Exporting aten::index operator")
            torch.onnx.export(
                _positional(network),
                (sample.input_ids, sample.attention_mask, sample.mention_mask),
                str(path),
                input_names=list(INPUTS),
                output_names=["logits"],
                dynamic_axes={**axes, "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
    finally:
        encoder.set_attn_implementation(previous)
    return path


def fuse_bert(source: Path, target: Path, num_heads: int, hidden_size: int) -> dict[str, int]:
    """ORT BERT fusions `source` -> `target`; returns the fused operator counts."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.use_multi_head_attention = True  # q, k, v stay separate MatMuls (bypass, int8)
    model = optimize_model(
        str(source),
        model_type="bert",
        num_heads=num_heads,
        hidden_size=hidden_size,
        opt_level=0,
        optimization_options=options,
    )
    counts = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
    if not counts.get("MultiHeadAttention"):
        raise RuntimeError(f"ORT found no attention to fuse in {source}: {counts}")
    model.save_model_to_file(str(target))
    return counts


def add_special_token_bypass(
    model, special_ids: list[int], pattern: re.Pattern[str] = BYPASS_MATMULS
) -> list[str]:
    """Rewrite each MatMul `Y = MatMul(X, W)` whose name matches `pattern` (in place) as

        Y = ScatterND(MatMul(Where(special or pad, 0, X), W), I, MatMul(GatherND(X, I), W_copy))

    with I the (n, 2) positions of `special_ids` in `input_ids` (one Where and GatherND per
    distinct X). Returns the names of the fp32 MatMuls on the special rows, to keep out of
    quantisation."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    constants = [
        helper.make_tensor("bypass_axis_last", TensorProto.INT64, [1], [-1]),
        helper.make_tensor("bypass_zero_int", TensorProto.INT64, [], [0]),
        helper.make_tensor("bypass_zero", TensorProto.FLOAT, [], [0.0]),
    ]
    nodes, special = [], ""
    for token_id in special_ids:
        constants.append(
            helper.make_tensor(f"bypass_id_{token_id}", TensorProto.INT64, [], [token_id])
        )
        hit = f"bypass_is_{token_id}"
        nodes.append(helper.make_node("Equal", ["input_ids", f"bypass_id_{token_id}"], [hit]))
        if special:
            nodes.append(helper.make_node("Or", [special, hit], [f"{hit}_or"]))
            hit = f"{hit}_or"
        special = hit
    nodes += [
        helper.make_node("NonZero", [special], ["bypass_nonzero"]),
        helper.make_node("Transpose", ["bypass_nonzero"], ["bypass_rows"], perm=[1, 0]),
        helper.make_node("Equal", ["attention_mask", "bypass_zero_int"], ["bypass_pad"]),
        helper.make_node("Or", [special, "bypass_pad"], ["bypass_drop2"]),
        helper.make_node("Unsqueeze", ["bypass_drop2", "bypass_axis_last"], ["bypass_drop"]),
    ]
    weights = {tensor.name: tensor for tensor in graph.initializer}
    fp32_names: list[str] = []
    rewritten: list[Any] = []
    split: dict[str, tuple[str, str]] = {}  # input -> (rows kept for int8, special rows)
    for node in graph.node:
        if node.op_type != "MatMul" or not pattern.search(node.name):
            rewritten.append(node)
            continue
        x, w = node.input
        tag = node.name
        if x not in split:
            split[x] = (f"{tag}_x_rest", f"{tag}_x_special")
            rewritten += [
                helper.make_node("Where", ["bypass_drop", "bypass_zero", x], [split[x][0]]),
                helper.make_node("GatherND", [x, "bypass_rows"], [split[x][1]]),
            ]
        # the fp32 MatMul gets its own copy of W: shared, W would be stored int8 and
        # dequantised on every call
        w_copy = numpy_helper.from_array(numpy_helper.to_array(weights[w]), f"{w}_fp32")
        constants.append(w_copy)
        fp32_names.append(f"{tag}_special")
        rewritten += [
            helper.make_node("MatMul", [split[x][0], w], [f"{tag}_y_rest"], name=tag),
            helper.make_node("MatMul", [split[x][1], w_copy.name], [f"{tag}_y_special"],
                             name=f"{tag}_special"),
            helper.make_node("ScatterND", [f"{tag}_y_rest", "bypass_rows", f"{tag}_y_special"],
                             [node.output[0]]),
        ]  # fmt: skip
    if not fp32_names:
        raise RuntimeError(f"no MatMul matches {pattern.pattern}; not a graph from fuse_bert?")
    del graph.node[:]
    graph.node.extend(nodes + rewritten)
    graph.initializer.extend(constants)
    return fp32_names


def quantize_int8(source: Path, target: Path, exclude: list[str], reduce_range: bool) -> None:
    """ORT dynamic int8 (per-channel weights) on the MatMul nodes not in `exclude`."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
        reduce_range=reduce_range, op_types_to_quantize=["MatMul"],
        nodes_to_exclude=exclude, extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )  # fmt: skip


def build_int8_model(
    network, tokenizer, target: Path, recipe: str = INT8_RECIPE, reduce_range: bool = False
) -> Path:
    """fp32 `StanceNetwork` (LoRA merged) -> int8 ONNX model at `target`, via a temp folder."""
    import onnx

    from models.stance.network import encode_pairs

    config = network.encoder.config
    special_ids = sorted({int(tokenizer.cls_token_id), int(tokenizer.sep_token_id)})
    sample = encode_pairs(tokenizer, ["Пример текста, A сказал."], ["A"], [(18, 19)], 32, 600)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        exported = export_network(network, sample, Path(work) / "fp32.onnx")
        fused = Path(work) / "fused.onnx"
        counts = fuse_bert(exported, fused, config.num_attention_heads, config.hidden_size)
        model = onnx.load(str(fused))
        exclude = add_special_token_bypass(model, special_ids) if INT8_RECIPES[recipe] else []
        exclude += [n.name for n in model.graph.node if n.name.startswith("/network/head/")]
        bypassed = Path(work) / "bypassed.onnx"
        onnx.save(model, str(bypassed))
        partial = Path(work) / "int8.onnx"
        quantize_int8(bypassed, partial, exclude, reduce_range)
        partial.replace(target)
    log.info("built %s (%s; fused %s)", target, recipe, counts)
    return target


def int8_cache_key(artifact_dir: Path, e5_dir: Path, recipe: str, reduce_range: bool) -> str:
    """Hash of the artifact files, the e5 build marker/config, the recipe and ORT's version."""
    import onnxruntime

    digest = hashlib.sha256()
    for path in sorted(Path(artifact_dir).iterdir()):
        if path.suffix in (".json", ".safetensors"):
            digest.update(path.name.encode() + path.read_bytes())
    for name in ("parallax-e5.json", "config.json"):
        if (Path(e5_dir) / name).is_file():
            digest.update((Path(e5_dir) / name).read_bytes())
    digest.update(f"{recipe}|{onnxruntime.__version__}|rr={reduce_range}".encode())
    return digest.hexdigest()[:16]


def cached_int8_model(
    network,
    tokenizer,
    artifact_dir: Path,
    e5_dir: Path,
    cache_dir: Path,
    recipe: str = INT8_RECIPE,
) -> Path:
    """Path of the int8 model of this artifact under `cache_dir`, built on first use."""
    if recipe not in INT8_RECIPES:
        raise ValueError(f"unknown int8 recipe {recipe!r}; valid: {list(INT8_RECIPES)}")
    reduce_range = needs_reduce_range()
    key = int8_cache_key(artifact_dir, e5_dir, recipe, reduce_range)
    folder = Path(cache_dir) / f"{Path(artifact_dir).name}-{recipe}-{key}"
    target = folder / "model.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    build_int8_model(network, tokenizer, target, recipe=recipe, reduce_range=reduce_range)
    info = {"artifact": str(artifact_dir), "recipe": recipe, "reduce_range": reduce_range}
    (folder / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


class OrtStanceNetwork:
    """An ONNX stance model in an ORT CPU session, called like `StanceNetwork` (batch -> logits)."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ORT's default (one per physical core)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = Path(path)
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def eval(self) -> OrtStanceNetwork:
        return self

    def __call__(self, batch):
        """`EncodedBatch` -> logits float32 torch tensor (b, 3)."""
        import torch

        feed = {name: getattr(batch, name).cpu().numpy().astype(np.int64) for name in INPUTS}
        return torch.from_numpy(self.session.run(None, feed)[0])
