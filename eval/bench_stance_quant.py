"""Benchmark: stance inference per passage on CPU, torch fp32 against reduced-precision variants.

Loads the shipped fine-tuned stance artifact (`models/stance/artifacts/e5-lora-v2` by default)
three ways and scores RuSentNE validation with each:

- `fp32`: the network in float32;
- `int8`: the fp32 network with every `nn.Linear` dynamically quantised to int8
  (`torch.ao.quantization.quantize_dynamic`: int8 weights, activations quantised per batch);
- `bf16`: the network in bfloat16 (what `FineTunedStanceModel(dtype="auto")` runs on CPUs with
  bf16 instructions).

The validation rows are cut into slices and the variants take turns slice by slice, so machine
noise hits them alike; time per passage is the variant's total over all slices / rows. F1_PN
(RuSentNE's official metric) and macro-F1 come from each variant's full predictions; the
figures of merit are fp32 time / variant time (target >= 2) and the F1_PN change (target within
0.01).

    python -m eval.bench_stance_quant --data ../shared/data/rusentne/validation_dev.tsv
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

ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "stance" / "artifacts" / "e5-lora-v2"


def load_variants(artifact: Path, e5_dir: Path) -> dict[str, Any]:
    """Label -> a model with `predict_proba(texts, targets, spans)`."""
    import torch

    from models.stance.finetuned import FineTunedStanceModel

    fp32 = FineTunedStanceModel(artifact, e5_dir, device="cpu", dtype="float32")
    int8 = copy.copy(fp32)
    int8.network = torch.ao.quantization.quantize_dynamic(
        copy.deepcopy(fp32.network), {torch.nn.Linear}, dtype=torch.qint8
    )
    variants: dict[str, Any] = {"fp32": fp32, "int8": int8}
    from models.torch_encoder import cpu_supports_bf16

    if cpu_supports_bf16():
        variants["bf16"] = FineTunedStanceModel(artifact, e5_dir, device="cpu", dtype="bfloat16")
    return variants


def benchmark(data: Path, artifact: Path, e5_dir: Path, slices: int, limit: int | None) -> dict:
    from models.stance.data import read_rusentne_tsv
    from models.stance.metrics import argmax_labels, stance_scores

    rows = read_rusentne_tsv(data)
    examples = [row.example for row in rows][:limit]
    variants = load_variants(artifact, e5_dir)
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
    for label in variants:
        scores = stance_scores(gold, argmax_labels(np.concatenate(probabilities[label])))
        figures["variants"][label] = {
            "ms_per_passage": round(1000 * seconds[label] / len(examples), 2),
            "speedup_vs_fp32": round(seconds["fp32"] / seconds[label], 2),
            "f1_pn": round(scores["f1_pn"], 4), "macro_f1": round(scores["macro_f1"], 4),
        }  # fmt: skip
    base = figures["variants"]["fp32"]["f1_pn"]
    for values in figures["variants"].values():
        values["f1_pn_change"] = round(values["f1_pn"] - base, 4)
    import torch

    figures["torch_threads"] = torch.get_num_threads()
    figures["loadavg_1min"] = round(os.getloadavg()[0], 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path("../shared/data/rusentne/validation_dev.tsv"))  # fmt: skip
    parser.add_argument("--artifact", type=Path, default=ARTIFACT)
    parser.add_argument("--e5-dir", type=Path, default=None, help="Converted e5 (built if absent).")
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--limit", type=int, default=None, help="Score only the first N rows.")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default).")
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"RuSentNE validation not found at {args.data}; skipping", file=sys.stderr)
        return 0
    if not (args.artifact / "adapter_config.json").is_file():
        print(f"no stance artifact at {args.artifact}; skipping", file=sys.stderr)
        return 0
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from models.e5 import build_e5_directory, default_model_dir

    e5_dir = build_e5_directory(args.e5_dir or default_model_dir())
    figures = benchmark(args.data, args.artifact, e5_dir, args.slices, args.limit)
    print(json.dumps(figures, indent=2))
    if args.record:
        record_benchmark(figures, args)
    return 0


def record_benchmark(figures: dict, args: argparse.Namespace) -> None:
    from eval.record import markdown_table, rewrite_results_md, write_record

    names = {"fp32": "torch fp32", "int8": "torch fp32, Linear layers dynamic int8",
             "bf16": "torch bf16"}  # fmt: skip
    rows = [[names[label], v["ms_per_passage"], v["speedup_vs_fp32"], v["f1_pn"], v["f1_pn_change"],
             v["macro_f1"]] for label, v in figures["variants"].items()]  # fmt: skip
    table = markdown_table(
        ["variant", "ms / passage", "speed-up vs fp32", "F1_PN", "F1_PN change", "macro-F1"], rows
    )
    markdown = (
        f"{table}\n\n{figures['rows']} RuSentNE validation rows, variants taking turns over "
        f"{figures['slices']} slices, {figures['torch_threads']} torch thread(s); 1-minute load "
        f"average {figures['loadavg_1min']} on the shared 2 cores. Target: at least 2x fp32 speed "
        "with F1_PN within 0.01."
    )
    threads = f" --threads {args.threads}" if args.threads else ""
    write_record(
        "bench_stance_quant", "Stance inference on CPU: fp32 against int8 and bf16",
        f"python -m eval.bench_stance_quant --data {args.data}{threads} --record",
        f"RuSentNE validation (`{args.data}`), artifact `{args.artifact.name}`", figures, markdown,
    )  # fmt: skip
    rewrite_results_md()


if __name__ == "__main__":
    raise SystemExit(main())
