from __future__ import annotations

import json

import pytest

from corpus.schema import Article
from models.framing import apply_framing, frame_result
from models.pipeline import compare, result_to_dict

TEXTS = {
    "ru": ("Власти Азербайджана закрыли Русский дом в Баку в феврале.\n\n"
           "«Это абсурдное недоразумение, которое вредит дружбе народов», — заявил "
           "источник в МИД России."),
    "en": ("Azerbaijani authorities closed the Russian House in Baku in February.\n\n"
           "The centre reportedly served as a cover for intelligence operations."),
    "az": ("Azərbaycan hakimiyyəti fevralda Bakıdakı Rus evini bağlayıb.\n\n"
           "Mərkəz kəşfiyyat əməliyyatları üçün istifadə olunub."),
}  # fmt: skip


@pytest.fixture
def compared(fake_encoder):
    articles = [Article(id=lang, text=text, outlet=f"{lang}-outlet", camp=camp, language=lang,
                        extra={"event": "russian-house"})
                for (lang, text), camp in zip(TEXTS.items(), ("russian", "western", "azerbaijani"),
                                              strict=True)]  # fmt: skip
    return compare(articles, fake_encoder)


def one_hot(label: str) -> dict[str, float]:
    return {k: float(k == label) for k in ("favor", "against", "none")}


def test_frame_result_scores_every_alignment_and_merges_into_result_json(compared) -> None:
    assert compared.alignments, "the fake encoder must align the first sentences"
    stance = {pid: {"Russia": one_hot("none")} for pid in compared.passage_index()}
    stance["ru:1"] = {"Russia": one_hot("favor")}
    framing = frame_result(compared, stance)
    assert framing.method["divergence"] == "divergence.v7"
    assert framing.method["events"] == "metadata"
    assert len(framing.pairs) == len(compared.alignments)
    for pair in framing.pairs:
        assert 0.0 <= pair.divergence.score <= 1.0
        assert set(pair.divergence.components) == {"stance", "commitment", "contrast", "residual"}
    assert framing.passages["ru:1"].voice.label == "источник в МИД России"
    assert framing.passages["ru:1"].commitment.label == "attributed"
    assert framing.passages["en:1"].commitment.label == "hedged"
    assert framing.passages["az:0"].voice.label == "outlet"

    document = apply_framing(result_to_dict(compared), framing)
    json.dumps(document, ensure_ascii=False)  # serialisable
    assert document["method"]["divergence"]["divergence"] == "divergence.v7"
    first = document["alignments"][0]
    assert {"score", "components", "details", "evidence"} <= set(first["divergence"])
    assert 0.0 <= first["divergence"]["evidence"] <= 1.0
    assert set(first["contrast_terms"]) == {"a", "b"}
    passage = document["articles"][0]["passages"][0]
    assert {"voice", "commitment"} <= set(passage)
    assert set(document) >= {"coverage", "matrices", "fact_groups"}
    cells = document["matrices"]["corpus"]["camp"]["cells"]
    linked = {i for cell in cells for i in cell["pairs"]}
    assert linked == set(range(len(document["alignments"])))


def test_without_stance_the_stance_component_is_absent(compared) -> None:
    framing = frame_result(compared, None, event_of={a.id: "e" for a in compared.articles})
    assert framing.method["stance"] == "absent" and framing.method["events"] == "given"
    assert all("stance" not in p.divergence.components for p in framing.pairs)
    with pytest.raises(ValueError, match="event_of lacks"):
        frame_result(compared, None, event_of={"ru": "e"})
    with pytest.raises(ValueError, match="different result"):
        apply_framing({"alignments": []}, framing)


def test_frame_result_keeps_v1_reproducible_and_names_each_method(compared) -> None:
    from models.framing.divergence import (
        WEIGHTS_V1,
        WEIGHTS_V2,
        WEIGHTS_V3,
        WEIGHTS_V4,
        WEIGHTS_V5,
        WEIGHTS_V6,
        WEIGHTS_V7,
    )

    v1 = frame_result(compared, None, method="divergence.v1")
    v2 = frame_result(compared, None, method="divergence.v2")
    v3 = frame_result(compared, None, method="divergence.v3")
    v4 = frame_result(compared, None, method="divergence.v4")
    v5 = frame_result(compared, None, method="divergence.v5")
    v6 = frame_result(compared, None, method="divergence.v6")
    v7 = frame_result(compared, None)
    assert v7.method["divergence"] == "divergence.v7" and v7.method["weights"] == WEIGHTS_V7
    assert v7.method["contrast"] == "contrast.v5" and v7.method["contested_min_attributions"] == 2
    for old, new in zip(v6.pairs, v7.pairs, strict=True):  # v6's components, other weights
        assert old.divergence.components == new.divergence.components
    assert v6.method["divergence"] == "divergence.v6" and v6.method["weights"] == WEIGHTS_V6
    assert v6.method["contrast"] == "contrast.v5" and v6.method["contested_min_attributions"] == 2
    assert "contested_min_attributions" not in v5.method
    for pair in v6.pairs:
        assert set(pair.divergence.details["attributions"]) == {"a", "b"}
    assert v5.method["contrast"] == "contrast.v5" and v5.method["weights"] == WEIGHTS_V5
    assert v5.method["lexicon"] == "framing-lexicon.v5" and v5.method["evidence_min"] == 0.2
    assert v4.method["contrast"] == "contrast.v4" and v4.method["weights"] == WEIGHTS_V4
    assert v4.method["lexicon"] == "framing-lexicon.v4" and v4.method["evidence_min"] == 0.2
    assert all(p.divergence.evidence is not None for p in v4.pairs)
    assert v3.method["contrast"] == "contrast.v3" and v3.method["weights"] == WEIGHTS_V3
    assert v3.method["lexicon"] == "framing-lexicon.v3" and v3.method["evidence_min"] == 0.2
    assert v2.method["lexicon"] == "framing-lexicon.v2"
    assert all(p.divergence.evidence is not None for p in v3.pairs)
    assert all(p.divergence.evidence is None for p in v1.pairs + v2.pairs)
    assert v1.method["divergence"] == "divergence.v1" and v1.method["contrast"] == "contrast.v1"
    assert v1.method["weights"] == WEIGHTS_V1
    assert v2.method["contrast"] == "contrast.v2" and v2.method["weights"] == WEIGHTS_V2
    assert v2.method["commitment"] == "commitment.v2"
    for pair in v2.pairs + v5.pairs + v6.pairs:
        assert {"commitment_label_distance", "same_claim", "quoted"} <= set(pair.divergence.details)
    for pair in v1.pairs:
        assert "commitment_label_distance" not in pair.divergence.details
    with pytest.raises(ValueError, match="unknown divergence method"):
        frame_result(compared, None, method="divergence.v9")


def test_auto_targets_are_the_states_the_articles_name(fake_encoder) -> None:
    from tests.stance_fakes import KeywordStanceModel

    articles = [Article(id=lang, text=text, outlet=f"{lang}-outlet", language=lang)
                for lang, text in TEXTS.items()]  # fmt: skip
    result = compare(articles, fake_encoder, stance_model=KeywordStanceModel(),
                     targets=("auto",))  # fmt: skip
    # both are named in three passages ('Russian House', 'России', 'Rus evini'); ties go by name
    assert result.method["stance_targets"] == ["Azerbaijan", "Russia"]
    assert set(next(iter(result.stance.values()))) == {"Azerbaijan", "Russia"}
    nothing = [Article(id="x", text="The museum opened a new hall on Monday.", language="en")]
    empty = compare(nothing, fake_encoder, stance_model=KeywordStanceModel(), targets=("auto",))
    assert empty.method["stance_targets"] == [] and not empty.stance


def test_v6_counts_a_contested_claim_against_a_stated_one_as_much_as_a_hedge() -> None:
    from corpus.schema import Passage
    from models.framing.frame import divergence_of_pair, fit_background, frame_passages

    texts = {
        "a:0": "Floodwater from the reservoir destroyed forty houses in the valley on Friday.",
        "b:0": "The regional governor said floodwater destroyed forty houses in the valley on "
               "Friday, while the dam operator denied opening the gates.",
    }  # fmt: skip
    passages = {pid: Passage(pid, pid.split(":")[0], 0, 0, len(t), t) for pid, t in texts.items()}
    language_of = {"a": "en", "b": "en"}
    framed = frame_passages(passages, language_of)
    assert [len(framed[pid].attributions) for pid in texts] == [0, 2]
    background = fit_background(passages, language_of)
    scored = {
        method: divergence_of_pair(
            passages["a:0"], passages["b:0"], language_of=language_of, framed=framed,
            background=background, similarity=0.9, reference_similarities=None, confidence=0.8,
            method=method,
        )[0]
        for method in ("divergence.v5", "divergence.v6")
    }  # fmt: skip
    assert scored["divergence.v5"].components["commitment"] == pytest.approx(0.5 * 0.8)
    assert scored["divergence.v6"].components["commitment"] == pytest.approx(1.0 * 0.8)
    assert scored["divergence.v6"].details["attributions"] == {"a": 0, "b": 2}
    assert scored["divergence.v6"].evidence > scored["divergence.v5"].evidence
