"""CPU latency of stance scoring: one passage, and a ~700-word article (35 passages x 2 targets).

    python -m eval.bench_stance --gold eval/gold/stance_gold.jsonl [--repeats 5]

The "article" is 35 passages of the gold file (about 700 words) scored for Russia and Azerbaijan.
Time is broken down: fine-tuned = tokenize / encoder forward / head (summed over the members of an
ensemble, one forward pass each); baseline = passage
embeddings / target embeddings / logistic-regression head (and the total when the pipeline has
already computed the passage embeddings for alignment, which it has). Wall times suffer from
other jobs on the machine; CPU seconds (all threads of this process) and the 1-minute load average
are reported beside them. `peak_rss_mib` is the process's peak resident memory after each model's
run: loading included, and cumulative in `--models` order (the first model's is its own).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import time
from pathlib import Path

import numpy as np

from models.stance.data import read_stance_jsonl
from models.stance.inputs import find_mention
from models.stance.scoring import DEFAULT_TARGETS

log = logging.getLogger(__name__)


def article_passages(gold_jsonl: Path, n_passages: int = 35) -> list[str]:
    """The first `n_passages` distinct texts of the gold file (a ~700-word stand-in article)."""
    texts = list(dict.fromkeys(e.text for e in read_stance_jsonl(gold_jsonl)))
    if len(texts) < n_passages:
        raise ValueError(f"{gold_jsonl} has only {len(texts)} distinct passages")
    return texts[:n_passages]


def _best(fn, repeats: int) -> tuple[float, object]:
    """Median wall seconds of `fn()` over `repeats` runs, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return float(np.median(times)), result


def _cpu_seconds(fn, repeats: int) -> float:
    """Median CPU seconds (all threads of this process) of `fn()`: robust to other jobs' load."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return float(np.median(times))


def bench_finetuned(model, passages: list[str], targets: tuple[str, ...], repeats: int) -> dict:
    """Median seconds of tokenize / forward / head for all pairs, and end-to-end."""
    import torch

    from models.stance.network import encode_pairs

    texts = [p for p in passages for _ in targets]
    pair_targets = [t for _ in passages for t in targets]
    spans = [find_mention(p, t) for p, t in zip(texts, pair_targets, strict=True)]
    cfg, networks, bs = model.config, model.networks, model.batch_size
    order = np.argsort([-len(t) for t in texts], kind="stable")
    chunks = [order[i : i + bs] for i in range(0, len(order), bs)]

    def tokenize():
        return [
            encode_pairs(model.tokenizer, [texts[i] for i in c], [pair_targets[i] for i in c],
                         [spans[i] for i in c], int(cfg["max_length"]), int(cfg["max_chars"]))
            for c in chunks
        ]  # fmt: skip

    t_tok, batches = _best(tokenize, repeats)

    def forward():
        with torch.inference_mode():
            return [
                [
                    net.encoder(
                        input_ids=b.input_ids, attention_mask=b.attention_mask
                    ).last_hidden_state
                    for b in batches
                ]
                for net in networks
            ]

    t_fwd, states = _best(forward, repeats)

    def head():
        with torch.inference_mode():
            return [
                torch.softmax(net.head(s, b.attention_mask, b.mention_mask), -1)
                for net, member_states in zip(networks, states, strict=True)
                for s, b in zip(member_states, batches, strict=True)
            ]

    t_head, _ = _best(head, repeats)
    t_total, _ = _best(lambda: model.predict_proba(texts, pair_targets, spans), repeats)
    t_one, _ = _best(lambda: model.predict_proba(texts[:1], pair_targets[:1], spans[:1]), repeats)
    cpu = _cpu_seconds(lambda: model.predict_proba(texts, pair_targets, spans), repeats)
    return {
        "article_total_cpu_s": round(cpu, 4),
        "pairs": len(texts),
        "forward_passes_per_pair": len(networks),
        "tokenize_s": round(t_tok, 4),
        "forward_s": round(t_fwd, 4),
        "head_s": round(t_head, 4),
        "article_total_s": round(t_total, 4),
        "one_pair_s": round(t_one, 4),
        "ms_per_pair_in_article": round(1000 * t_total / len(texts), 2),
    }


def bench_baseline(model, passages: list[str], targets: tuple[str, ...], repeats: int) -> dict:
    """Median seconds of passage embeddings / target embeddings / head, and end-to-end."""
    texts = [p for p in passages for _ in targets]
    pair_targets = [t for _ in passages for t in targets]
    t_pass, p_emb = _best(lambda: model.encoder.encode(passages, kind="passage"), repeats)
    t_targ, _ = _best(lambda: model.encoder.encode(list(targets), kind="query"), repeats)
    pair_emb = np.repeat(np.asarray(p_emb), len(targets), axis=0)
    t_with_emb, _ = _best(
        lambda: model.predict_proba(texts, pair_targets, passage_embeddings=pair_emb), repeats
    )
    x = model.features(texts, pair_targets, pair_emb)
    t_head, _ = _best(lambda: model.classifier_.predict_proba(x), repeats)

    def end_to_end():
        emb = model.encoder.encode(passages, kind="passage")
        return model.predict_proba(
            texts, pair_targets, passage_embeddings=np.repeat(emb, len(targets), axis=0)
        )

    t_total, _ = _best(end_to_end, repeats)
    t_one, _ = _best(lambda: model.predict_proba(texts[:1], pair_targets[:1]), repeats)
    return {
        "article_total_cpu_s": round(_cpu_seconds(end_to_end, repeats), 4),
        "pairs": len(texts),
        "passage_embeddings_s": round(t_pass, 4),
        "target_embeddings_s": round(t_targ, 4),
        "head_s": round(t_head, 4),
        "article_total_s": round(t_total, 4),
        "article_with_precomputed_passage_embeddings_s": round(t_with_emb, 4),
        "one_pair_s": round(t_one, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path("eval/gold/stance_gold.jsonl"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", default="finetuned,baseline")
    parser.add_argument("--artifact", type=Path, default=None,
                        help="Fine-tuned artifact [default: the shipped one].")  # fmt: skip
    parser.add_argument("--record", action="store_true", help="Write eval/results and RESULTS.md.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from models.stance import load_stance_model

    passages = article_passages(args.gold)
    words = sum(len(p.split()) for p in passages)
    report: dict[str, object] = {
        "passages": len(passages),
        "words": words,
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
    }
    for kind in args.models.split(","):
        model = load_stance_model(kind, artifact_dir=args.artifact if kind == "finetuned" else None)
        model.predict_proba(passages[:2], list(DEFAULT_TARGETS))  # warm-up
        bench = bench_finetuned if kind == "finetuned" else bench_baseline
        report[kind] = {
            "model": model.name,
            **bench(model, passages, DEFAULT_TARGETS, args.repeats),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    print(json.dumps(report, indent=2))
    if args.record:
        record_benchmark(report, args)


def record_benchmark(report: dict, args: argparse.Namespace) -> None:
    """`eval/results/bench_stance.json` (every figure, flattened into one table) and RESULTS.md."""
    from eval.record import flatten, markdown_table, rewrite_results_md, write_record

    options = f" --repeats {args.repeats}"
    options += "" if args.models == "finetuned,baseline" else f" --models {args.models}"
    options += f" --artifact {args.artifact}" if args.artifact else ""
    write_record(
        "bench_stance",
        "Stance latency for a 700-word article",
        f"python -m eval.bench_stance --gold {args.gold}{options} --record",
        "a ~700-word article assembled from the team's stance gold passages, 2 targets",
        report,
        markdown_table(["figure", "value"], [list(row) for row in flatten(report)]),
    )
    rewrite_results_md()


if __name__ == "__main__":
    main()
