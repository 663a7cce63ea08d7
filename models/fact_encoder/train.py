"""Reproducible contrastive training of the fact encoder (LoRA on the converted e5).

Each batch holds `groups_per_batch` groups of `facts_per_group` facts, a group drawn from one
event, with every rendering of each fact (six outlets, four languages). The loss is supervised
contrastive (Khosla et al., 2020) over the batch's cosine similarities at `temperature`: each text
is pulled toward the other renderings of its fact and pushed from every other text, the hardest
being the other facts of its own event. Mean pooling over all tokens, as e5 and the pipeline do.

With `combined` > 0, each batch also holds that share (of its facts) of two-fact texts: one
outlet's renderings of two facts of a group joined into one passage, as real passages often
state a fact together with another. Such a text has both facts' labels, and the loss counts as
positives the texts that share any label with it (multi-label supervised contrastive), so a
one-fact rendering learns to find the passage that contains its fact among others.
"""

from __future__ import annotations

import json
import logging
import random
import time
from pathlib import Path

import numpy as np

from models.fact_encoder import CONFIG_FILE
from models.fact_encoder.data import FactSet, read_fact_sets
from models.stance.finetuned import lora_config
from models.stance.train import BASE_MODEL_ID, hardware_summary, save_peft_adapter
from models.torch_encoder import PREFIXES, cpu_supports_bf16

log = logging.getLogger(__name__)


def supervised_contrastive_loss(embeddings, labels, temperature: float):
    """Mean over texts of -log softmax mass on the texts that share its label.

    embeddings float (n, d), L2-normalised; labels long (n,), every label at least twice, or
    bool (n, k), a text's set of labels: then texts that share any label are positives.
    """
    import torch

    similarities = embeddings.float() @ embeddings.float().T / temperature
    self_mask = torch.eye(len(labels), dtype=torch.bool, device=embeddings.device)
    similarities = similarities.masked_fill(self_mask, float("-inf"))
    if labels.dim() == 2:
        shared = (labels.float() @ labels.float().T) > 0
    else:
        shared = labels[:, None] == labels[None, :]
    positives = shared & ~self_mask
    log_probs = similarities - torch.logsumexp(similarities, dim=1, keepdim=True)
    log_probs = log_probs.masked_fill(self_mask, 0.0)
    return (-(log_probs * positives).sum(dim=1) / positives.sum(dim=1)).mean()


def fact_batches(
    sets: list[FactSet], facts_per_group: int, groups_per_batch: int, rng: random.Random
) -> list[list[tuple[int, int]]]:
    """One epoch: every fact once, as (set index, fact index), in batches of same-event groups.

    An event's facts are shuffled and cut into the fewest groups of at most `facts_per_group`,
    of nearly equal size (13 facts -> 7 + 6). Facts joined by the set's near misses stay in one
    group where it has room (`_pack`), so each near miss is a negative in the other's batch.
    """
    groups = []
    for s, fact_set in enumerate(sets):
        order = list(range(len(fact_set.facts)))
        rng.shuffle(order)
        n_groups = -(-len(order) // facts_per_group)
        if fact_set.near_misses:
            parts = _pack(near_miss_blocks(fact_set, order), n_groups, facts_per_group)
        else:
            parts = [list(part) for part in np.array_split(np.array(order), n_groups)]
        for part in parts:
            groups.append([(s, int(f)) for f in part])
    rng.shuffle(groups)
    return [
        [item for group in groups[begin : begin + groups_per_batch] for item in group]
        for begin in range(0, len(groups), groups_per_batch)
    ]


def near_miss_blocks(fact_set: FactSet, order: list[int]) -> list[list[int]]:
    """The facts of `order` in blocks that near misses join (chains included); a fact without a
    near miss is a block of its own. Blocks come in the order of their first fact."""
    parent = list(range(len(fact_set.facts)))

    def root(f: int) -> int:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    for a, b in fact_set.near_misses:
        parent[root(a)] = root(b)
    blocks: dict[int, list[int]] = {}
    for f in order:
        blocks.setdefault(root(f), []).append(f)
    return list(blocks.values())


def _pack(blocks: list[list[int]], n_groups: int, capacity: int) -> list[list[int]]:
    """Blocks into `n_groups` groups of at most `capacity`, largest blocks first (so that the
    singletons fill the gaps), each into the group with the most room; a block larger than that
    room is split over the next roomiest groups."""
    groups: list[list[int]] = [[] for _ in range(n_groups)]
    for block in sorted(blocks, key=len, reverse=True):
        rest = list(block)
        while rest:
            roomiest = min(groups, key=len)
            room = capacity - len(roomiest)
            roomiest.extend(rest[:room])
            rest = rest[room:]
    return groups


def combined_texts(
    sets: list[FactSet], batch: list[tuple[int, int]], share: float, rng: random.Random
) -> list[tuple[str, tuple[int, int]]]:
    """round(share x facts) two-fact texts for a batch: two facts of one event, one outlet's
    renderings of both joined in a random order, with the batch labels of both facts."""
    out: list[tuple[str, tuple[int, int]]] = []
    by_event: dict[int, list[int]] = {}
    for label, (s, _) in enumerate(batch):
        by_event.setdefault(s, []).append(label)
    pools = [labels for labels in by_event.values() if len(labels) >= 2]
    for _ in range(round(share * len(batch)) if pools else 0):
        a, b = rng.sample(rng.choice(pools), 2)
        first, second = sets[batch[a][0]].facts[batch[a][1]], sets[batch[b][0]].facts[batch[b][1]]
        outlets = {r.outlet: r.text for r in second.renderings}
        shared = [r for r in first.renderings if r.outlet in outlets]
        if not shared:
            continue
        rendering = rng.choice(shared)
        parts = [rendering.text, outlets[rendering.outlet]]
        rng.shuffle(parts)
        out.append((" ".join(parts), (a, b)))
    return out


def _embed(model, tokenizer, texts: list[str], max_length: int):
    import torch

    enc = tokenizer(
        [PREFIXES["passage"] + t for t in texts], padding=True, truncation=True,
        max_length=max_length, return_tensors="pt",
    )  # fmt: skip
    states = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    mask = enc["attention_mask"].unsqueeze(-1).to(states.last_hidden_state.dtype)
    pooled = (states.last_hidden_state * mask).sum(dim=1) / mask.sum(dim=1)
    return torch.nn.functional.normalize(pooled.float(), dim=-1)


def train_fact_encoder(
    fact_dir: Path,
    out_dir: Path,
    e5_dir: Path,
    seed: int = 0,
    epochs: int = 8,
    lr: float = 3e-4,
    rank: int = 8,
    alpha: int = 16,
    temperature: float = 0.05,
    facts_per_group: int = 8,
    groups_per_batch: int = 2,
    max_length: int = 128,
    warmup_steps: int = 8,
    max_steps: int | None = None,
    name: str = "e5-facts-lora-v3",
    combined: float = 0.5,
) -> dict:
    """Train the adapter on every fact set of `fact_dir` and save it into `out_dir`.

    LoRA on all twelve layers (attention q/k/v/output and both feed-forward matrices), AdamW with
    linear warm-up and decay, fixed seed; bf16 autocast where the CPU has native bf16. Returns the
    training report, also written into the artifact's `fact_encoder_config.json`.
    """
    import torch
    from peft import get_peft_model
    from transformers import BertModel

    from models.e5.convert import load_tokenizer

    started = time.perf_counter()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    sets = read_fact_sets(fact_dir)
    tokenizer = load_tokenizer(e5_dir)
    # keeps an unused pooler in transformers 5, as when the shipped adapters were trained
    # (see models.torch_encoder.load_bert)
    base = BertModel.from_pretrained(str(e5_dir), add_pooling_layer=False)
    layers = list(range(base.config.num_hidden_layers))
    model = get_peft_model(base, lora_config(rank, alpha, layers))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    steps_per_epoch = len(fact_batches(sets, facts_per_group, groups_per_batch, random.Random(0)))
    total = min(epochs * steps_per_epoch, max_steps or epochs * steps_per_epoch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup_steps) * max(0.0, 1.0 - s / total)
    )
    bf16 = cpu_supports_bf16() and not torch.cuda.is_available()
    n_facts, n_texts = sum(len(s.facts) for s in sets), sum(s.n_texts for s in sets)
    log.info("fact encoder: %d events, %d facts, %d texts; %d steps, bf16 %s",
             len(sets), n_facts, n_texts, total, bf16)  # fmt: skip
    model.train()
    step, epoch_losses = 0, []
    for epoch in range(epochs):
        losses = []
        for batch in fact_batches(sets, facts_per_group, groups_per_batch, rng):
            if step >= total:
                break
            texts: list[str] = []
            label_sets: list[tuple[int, ...]] = []
            for label, (s, f) in enumerate(batch):
                for rendering in sets[s].facts[f].renderings:
                    texts.append(rendering.text)
                    label_sets.append((label,))
            for text, pair in combined_texts(sets, batch, combined, rng):
                texts.append(text)
                label_sets.append(pair)
            labels = torch.zeros(len(texts), len(batch), dtype=torch.bool)
            for row, members in enumerate(label_sets):
                labels[row, list(members)] = True
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                embeddings = _embed(model, tokenizer, texts, max_length)
            loss = supervised_contrastive_loss(embeddings, labels, temperature)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            losses.append(loss.detach().item())
        if losses:
            epoch_losses.append(round(float(np.mean(losses)), 4))
            log.info("epoch %d: loss %.4f (%.0f s)", epoch + 1, epoch_losses[-1],
                     time.perf_counter() - started)  # fmt: skip
    report = {
        "name": name,
        "base": BASE_MODEL_ID,
        "data": {
            "folder": str(fact_dir),
            "events": [s.event for s in sets],
            "facts": n_facts,
            "texts": n_texts,
            "near_misses": sum(len(s.near_misses) for s in sets),
        },
        "params": dict(
            seed=seed,
            epochs=epochs,
            lr=lr,
            rank=rank,
            alpha=alpha,
            temperature=temperature,
            facts_per_group=facts_per_group,
            groups_per_batch=groups_per_batch,
            max_length=max_length,
            warmup_steps=warmup_steps,
            combined=combined,
            steps=step,
            bf16_autocast=bf16,
        ),
        "epoch_losses": epoch_losses,
        "train_seconds": round(time.perf_counter() - started, 1),
        "hardware": hardware_summary(),
    }
    save_adapter(model, report, out_dir)
    return report


def save_adapter(model, report: dict, out_dir: Path) -> None:
    """peft adapter (fp16) + `fact_encoder_config.json` into `out_dir`."""
    out_dir = save_peft_adapter(model, out_dir)
    (out_dir / CONFIG_FILE).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
