"""Training data preparation of the fine-tuned stance model (no torch needed)."""

from __future__ import annotations

import random
from pathlib import Path

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


def test_team_files_are_split_each_on_its_own(tmp_path) -> None:
    """Adding a second team file leaves the first file's hold-out as it was."""
    import json

    from models.stance.data import stance_files
    from models.stance.train import split_team_files

    def write(name: str, n: int) -> Path:
        path = tmp_path / name
        rows = [{"id": f"{name}-{k}", "language": "en", "text": f"Sentence number {k} of {name}.",
                 "target": "Russia", "start": None, "end": None,
                 "label": ("favor", "against", "none")[k % 3]} for k in range(n)]  # fmt: skip
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path

    first, second = write("a.jsonl", 60), write("b.jsonl", 40)
    _, holdout_one, read_one = split_team_files(first, 0.1, seed=0)
    train_two, holdout_two, read_two = split_team_files([first, second], 0.1, seed=0)
    assert (read_one, read_two) == (60, 100)
    assert holdout_two[: len(holdout_one)] == holdout_one
    assert len(train_two) + len(holdout_two) == 100
    assert stance_files(None) == [] and stance_files(first) == [first]
    assert split_team_files(None, 0.1, seed=0) == ([], [], 0)
