"""The fine-tuned stance network: e5 encoder (LoRA-adapted) + a linear head over two poolings.

Features per input: the mean of all token states (the e5 sentence embedding before
normalisation) and the mean over the marked mention's tokens (brackets included), or over the
target query tokens when no mention is marked, concatenated -> float (2 * hidden,) -> logits (3,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from models.stance.inputs import CLOSE, OPEN, pair_texts


class StanceHead(nn.Module):
    """Dropout + Linear over [mean of all tokens ; mean of mention tokens]."""

    def __init__(self, hidden: int, n_labels: int = 3, dropout: float = 0.1) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(2 * hidden, n_labels)

    def forward(
        self, states: torch.Tensor, attention_mask: torch.Tensor, mention_mask: torch.Tensor
    ) -> torch.Tensor:
        """states float (b, t, h), masks (b, t) -> logits float32 (b, n_labels)."""
        states = states.float()
        pooled = _masked_mean(states, attention_mask)
        mention = _masked_mean(states, mention_mask)
        return self.linear(self.dropout(torch.cat([pooled, mention], dim=-1)))


def _masked_mean(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


@dataclass
class EncodedBatch:
    input_ids: torch.Tensor  # long (b, t)
    attention_mask: torch.Tensor  # long (b, t)
    mention_mask: torch.Tensor  # long (b, t)


def encode_pairs(
    tokenizer,
    texts: list[str],
    targets: list[str],
    spans: list[tuple[int, int] | None],
    max_length: int,
    max_chars: int,
) -> EncodedBatch:
    """Tokenise (target, marked passage) pairs and locate the mention tokens."""
    firsts, seconds = [], []
    for text, target, span in zip(texts, targets, spans, strict=True):
        first, second = pair_texts(text, target, span, max_chars)
        firsts.append(first)
        seconds.append(second)
    enc = tokenizer(
        firsts,
        seconds,
        truncation="only_second",
        max_length=max_length,
        padding=True,
        return_offsets_mapping=True,
        return_tensors="np",
    )
    mention = np.zeros_like(enc["input_ids"])
    for row, second in enumerate(seconds):
        sequence_ids = enc.sequence_ids(row)
        begin = second.find(OPEN)
        end = second.find(CLOSE, begin) + len(CLOSE) if begin >= 0 else -1
        for col, (seq, (a, b)) in enumerate(
            zip(sequence_ids, enc["offset_mapping"][row], strict=True)
        ):
            if (begin >= 0 and seq == 1 and a < end and b > begin) or (begin < 0 and seq == 0):
                mention[row, col] = 1
        if not mention[row].any():  # mention cut away by truncation: fall back to the target
            mention[row] = [1 if s == 0 else 0 for s in sequence_ids]
    return EncodedBatch(
        torch.from_numpy(enc["input_ids"]).long(),
        torch.from_numpy(enc["attention_mask"]).long(),
        torch.from_numpy(mention).long(),
    )


class StanceNetwork(nn.Module):
    """encoder (a `BertModel`, possibly LoRA-wrapped) + `StanceHead`."""

    def __init__(self, encoder: nn.Module, head: StanceHead) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, batch: EncodedBatch) -> torch.Tensor:
        """-> logits float32 (b, 3)."""
        out = self.encoder(input_ids=batch.input_ids, attention_mask=batch.attention_mask)
        return self.head(out.last_hidden_state, batch.attention_mask, batch.mention_mask)
