"""The fact encoder: multilingual-e5-small with a LoRA adapter tuned to tell facts apart.

Plain e5 similarity is dominated by topic: two sentences of one event score high whether or not
they report the same detail. The adapter is trained contrastively on team-written fact sets
(`eval/gold/alignment_train`: each fact of an event told by six outlets in four languages), with
the other facts of the same event as negatives, so that the same fact retold with other words,
order, figures and framing lands closer than a different fact of the same story.

`models.fact_encoder.train` trains it (`parallax models train-facts`); the shipped artifact is
loaded by `models.torch_encoder.TorchE5Encoder(adapter_dir=...)`, the `facts` encoder of
`models.encoders.make_encoder`.
"""

from __future__ import annotations

from pathlib import Path

#: Shipped adapter: the default encoder of the pipeline (`make_encoder("facts")`).
FACTS_ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "e5-facts-lora-v3"
#: Written into an artifact folder beside the peft adapter files.
CONFIG_FILE = "fact_encoder_config.json"
