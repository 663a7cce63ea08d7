"""Benchmark: stance inference per passage on CPU, torch fp32 against reduced-precision variants.

Loads a fine-tuned stance artifact (`--artifact`, default the shipped `FINETUNED_ARTIFACT`)
several ways and scores RuSentNE validation with each:

- `fp32`: the network in float32;
- `int8`: the fp32 network with every `nn.Linear` dynamically quantised to int8
  (`torch.ao.quantization.quantize_dynamic`: int8 weights, activations quantised per batch);
- `bf16`: the network in bfloat16 (what `FineTunedStanceModel(dtype="auto")` runs on CPUs with
  bf16 instructions);
- `ort-int8-plain`: ONNX Runtime, BERT fusions, dynamic int8 (per-channel weights) on every
  encoder MatMul (`models.stance.onnx_int8`, recipe "int8-plain-v1"; what
  `FineTunedStanceModel(dtype="int8-plain")` runs);
- `ort-int8`: the same with the `<s>`/`</s>` rows of the q/k/v and feed-forward MatMuls kept in
  fp32 (recipe "int8-special-v1"; what `FineTunedStanceModel(dtype="int8")` runs).

The ONNX variants need onnxruntime (the `onnx` extra) and are left out, with a message, without
it; their models are built once into `--onnx-cache` (default beside the converted e5 model).

The validation rows are cut into slices and the variants take turns slice by slice, so machine
noise hits them alike; time per passage is the variant's total over all slices / rows. F1_PN
(RuSentNE's official metric) and macro-F1 come from each variant's full predictions; the
figures of merit are fp32 time / variant time (target >= 2) and the F1_PN change (target within
0.01); `agreement` is the share of rows whose predicted label equals fp32's.

    python -m eval.bench_stance_quant --data ../shared/data/rusentne/validation_dev.tsv --threads 1
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from models.stance import FINETUNED_ARTIFACT
from models.stance.finetuned import CONFIG_FILE

ARTIFACT = FINETUNED_ARTIFACT.resolve()


def load_variants(artifact: Path, e5_dir: Path, onnx_cache: Path) -> dict[str, Any]:
    """Label -> a model with `predict_proba(texts, targets, spans)`."""
    import torch

    from models.stance.finetuned import FineTunedStanceModel
    from models.stance.onnx_int8 import MISSING_ORT, onnxruntime_available
    from models.torch_encoder import cpu_supports_bf16

    fp32 = FineTunedStanceModel(artifact, e5_dir, device="cpu", dtype="float32")
    int8 = copy.copy(fp32)
    int8.networks = [  # each member of an ensemble
        torch.ao.quantization.quantize_dynamic(
            copy.deepcopy(network), {torch.nn.Linear}, dtype=torch.qint8
        )
        for network in fp32.networks
    ]
    variants: dict[str, Any] = {"fp32": fp32, "int8": int8}
    if cpu_supports_bf16():
        variants["bf16"] = FineTunedStanceModel(artifact, e5_dir, device="cpu", dtype="bfloat16")
    if not onnxruntime_available():
        print(f"{MISSING_ORT}; ONNX variants left out", file=sys.stderr)
        return variants
    for label, dtype in (("ort-int8-plain", "int8-plain"), ("ort-int8", "int8")):
        variants[label] = FineTunedStanceModel(
            artifact, e5_dir, device="cpu", dtype=dtype, onnx_cache_dir=onnx_cache
        )
    return variants


def benchmark(
    data: Path, artifact: Path, e5_dir: Path, onnx_cache: Path, slices: int, limit: int | None
) -> dict:
    from models.stance.data import read_rusentne_tsv
    from models.stance.metrics import argmax_labels, stance_scores

    rows = read_rusentne_tsv(data)
    examples = [row.example for row in rows][:limit]
    variants = load_variants(artifact, e5_dir, onnx_cache)
    for model in variants.values():  # warm-up
        model.predict_proba([examples[0].text], [examples[0].target], [examples[0].span])
    bounds = np.linspace(0, len(examples), slices + 1).astype(int)
    seconds = dict.fromkeys(variants, 0.0)
    probabilities: dict[str, list[np.ndarray]] = {label: [] for label in variants}
    for start, end in itertools.pairwise(bounds):
        part = examples[start:end]
        texts = [e.text for e in part]
        targets, spans = [e.target for e in part], [e.span for e in part]
        for label, model in variants.items():
            started = time.perf_counter()
            probabilities[label].append(model.predict_proba(texts, targets, spans))
            seconds[label] += time.perf_counter() - started
    gold = [str(e.label) for e in examples]
    figures: dict[str, Any] = {"rows": len(examples), "slices": slices, "variants": {}}
    reference = np.concatenate(probabilities["fp32"]).argmax(axis=1)
    for label in variants:
        predicted = np.concatenate(probabilities[label])
        scores = stance_scores(gold, argmax_labels(predicted))
        figures["variants"][label] = {
            "ms_per_passage": round(1000 * seconds[label] / len(examples), 2),
            "speedup_vs_fp32": round(seconds["fp32"] / seconds[label], 2),
            "f1_pn": round(scores["f1_pn"], 4), "macro_f1": round(scores["macro_f1"], 4),
            "agreement": round(float((predicted.argmax(axis=1) == reference).mean()), 4),
        }  # fmt: skip
    base = figures["variants"]["fp32"]["f1_pn"]
    for values in figures["variants"].values():
        values["f1_pn_change"] = round(values["f1_pn"] - base, 4)
    import torch

    figures["torch_threads"] = torch.get_num_threads()
    figures["loadavg_1min"] = round(os.getloadavg()[0], 2)
    return figures


def skip_reason(data: Path, artifact: Path) -> str | None:
    """Why the benchmark cannot run (missing data or artifact), or None."""
    if not data.is_file():
        return f"RuSentNE validation not found at {data}"
    if not (artifact / CONFIG_FILE).is_file():  # a single model or an ensemble
        return f"no stance artifact at {artifact}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path("../shared/data/rusentne/validation_dev.tsv"))  # fmt: skip
    parser.add_argument("--artifact", type=Path, default=ARTIFACT)
    parser.add_argument("--e5-dir", type=Path, default=None, help="Converted e5 (built if absent).")
    parser.add_argument("--onnx-cache", type=Path, default=None,
                        help="Built ONNX models [default: beside the e5 model].")  # fmt: skip
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N rows.")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default).")
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args(argv)
    reason = skip_reason(args.data, args.artifact)
    if reason:
        print(f"{reason}; skipping", file=sys.stderr)
        return 0
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from models.e5 import build_e5_directory, default_model_dir

    e5_dir = build_e5_directory(args.e5_dir or default_model_dir())
    onnx_cache = args.onnx_cache or e5_dir.parent / "stance-onnx"
    figures = benchmark(args.data, args.artifact, e5_dir, onnx_cache, args.slices, args.limit)
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict, args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    names = {"fp32": "torch fp32", "int8": "torch fp32, Linear layers dynamic int8",
             "bf16": "torch bf16",
             "ort-int8-plain": "ONNX Runtime, MatMuls dynamic int8 (int8-plain-v1, "
                               "`dtype='int8-plain'`)",
             "ort-int8": "ONNX Runtime, int8 with `<s>`/`</s>` rows in fp32 (int8-special-v1, "
                         "`dtype='int8'`)"}  # fmt: skip
    keys = ["ms_per_passage", "speedup_vs_fp32", "f1_pn", "f1_pn_change", "macro_f1", "agreement"]
    rows = [[names[label], *(v[key] for key in keys)] for label, v in figures["variants"].items()]
    header = ["variant", "ms / passage", "speed-up vs fp32", "F1_PN", "F1_PN change", "macro-F1",
              "label agreement with fp32"]  # fmt: skip
    table = markdown_table(header, rows)
    markdown = (
        f"{table}\n\n{figures['rows']} RuSentNE validation rows, variants taking turns over "
        f"{figures['slices']} slices, {figures['torch_threads']} torch thread(s); 1-minute load "
        f"average {figures['loadavg_1min']} on the shared 2 cores. Target: at least 2x fp32 speed "
        "with F1_PN within 0.01. ONNX Runtime ran with as many intra-op threads as torch. Dynamic "
        "int8 quantises activations per batch, so int8 predictions depend on which passages "
        "share a batch: their F1_PN moves with `--slices` (batches are cut within slices)."
    )
    options = f" --threads {args.threads}" if args.threads else ""
    options += f" --slices {args.slices}" if args.slices != 6 else ""
    if args.artifact.resolve() != ARTIFACT:
        options += f" --artifact {args.artifact}"
    write_record(
        "bench_stance_quant", "Stance inference on CPU: fp32 against int8 and bf16",
        f"python -m eval.bench_stance_quant --data {args.data}{options} --record",
        f"RuSentNE validation (`{args.data}`), artifact `{args.artifact.name}`", figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
