"""Training data preparation of the fine-tuned stance model (no torch needed)."""

from __future__ import annotations

import random

from models.stance.data import StanceExample
from models.stance.inputs import find_mention
from models.stance.train import ABSENT_TARGETS, absent_target_examples

EXAMPLES = [
    StanceExample("Moscow accused Baku of a hostile campaign.", "Russia", (0, 6), "none", "en"),
    StanceExample("Москва обвинила Баку во враждебности.", "Azerbaijan", (16, 20), "against"),
    StanceExample("Putin praised the Turkish and Armenian mediators.", "Putin", (0, 5), "favor"),
    StanceExample("Kyiv thanked Brussels and Yerevan for their help.", "Ukraine", (0, 4), "none"),
]


def test_absent_targets_are_countries_the_passage_does_not_name() -> None:
    absent = absent_target_examples(EXAMPLES * 50, 1.0, random.Random(0))
    assert absent, "every example has some country it does not name"
    for example in absent:
        assert example.label == "none" and example.span is None
        assert example.target in ABSENT_TARGETS
        assert find_mention(example.text, example.target) is None
    by_text = {e.text: {a.target for a in absent if a.text == e.text} for e in EXAMPLES}
    # Moscow and Baku name Russia and Azerbaijan; Putin names Russia through its officials.
    assert by_text[EXAMPLES[0].text] == {"Ukraine", "Armenia", "Turkey", "EU"}
    assert by_text[EXAMPLES[1].text] == {"Ukraine", "Armenia", "Turkey", "EU"}
    assert by_text[EXAMPLES[2].text] == {"Azerbaijan", "Ukraine", "EU"}
    assert by_text[EXAMPLES[3].text] == {"Russia", "Azerbaijan", "Turkey"}


def test_absent_rate_and_seed() -> None:
    many = EXAMPLES * 250
    rng = random.Random(0)
    assert absent_target_examples(many, 0.0, rng) == []
    assert rng.random() == random.Random(0).random(), "rate 0 must not draw from the stream"
    quarter = absent_target_examples(many, 0.25, random.Random(0))
    assert 200 <= len(quarter) <= 300
    assert quarter == absent_target_examples(many, 0.25, random.Random(0))
