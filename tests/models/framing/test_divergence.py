from __future__ import annotations

import numpy as np
import pytest

from models.framing.divergence import (
    REPORTED_STANCE_WEIGHT,
    WEIGHTS_V1,
    combine,
    js_divergence,
    score_pair,
    semantic_residual,
    stance_divergence,
)

FAVOR = {"favor": 1.0, "against": 0.0, "none": 0.0}
AGAINST = {"favor": 0.0, "against": 1.0, "none": 0.0}


def test_js_identical_is_zero_and_opposite_one_hot_is_one() -> None:
    assert js_divergence([0.2, 0.5, 0.3], [0.2, 0.5, 0.3]) == pytest.approx(0.0, abs=1e-12)
    assert js_divergence([1, 0, 0], [0, 1, 0]) == pytest.approx(1.0)
    assert 0.0 < js_divergence([0.6, 0.3, 0.1], [0.3, 0.6, 0.1]) < 1.0


def test_stance_divergence_per_shared_target() -> None:
    by_target = stance_divergence({"Russia": FAVOR, "Azerbaijan": FAVOR},
                                  {"Russia": AGAINST, "Turkey": AGAINST})  # fmt: skip
    assert by_target == {"Russia": pytest.approx(1.0)}


def test_score_is_weighted_mean_in_unit_interval() -> None:
    pair = score_pair(commitment_distance=1.0, contrast=0.5, residual=0.0,
                      stance_a={"Russia": FAVOR}, stance_b={"Russia": AGAINST})  # fmt: skip
    expected = (WEIGHTS_V1["stance"] + WEIGHTS_V1["commitment"] + 0.5 * WEIGHTS_V1["contrast"]) / 1
    assert pair.score == pytest.approx(expected, abs=1e-4)
    assert pair.components == {"stance": 1.0, "commitment": 1.0, "contrast": 0.5, "residual": 0.0}


def test_reported_speech_discounts_stance_and_missing_stance_renormalises() -> None:
    reported = score_pair(
        commitment_distance=0.0,
        contrast=0.0,
        residual=0.0,
        stance_a={"Russia": FAVOR},
        stance_b={"Russia": AGAINST},
        reported=True,
    )
    assert reported.components["stance"] == pytest.approx(REPORTED_STANCE_WEIGHT)
    assert reported.details["stance_undiscounted"] == pytest.approx(1.0)
    no_stance = score_pair(commitment_distance=1.0, contrast=1.0, residual=1.0)
    assert "stance" not in no_stance.components and no_stance.score == pytest.approx(1.0)


def test_components_outside_unit_interval_are_rejected() -> None:
    with pytest.raises(ValueError, match="residual"):
        score_pair(commitment_distance=0.0, contrast=0.0, residual=1.5)
    with pytest.raises(ValueError, match="no weight"):
        combine({"novelty": 0.3}, WEIGHTS_V1)


def test_residual_from_confidence_or_rank() -> None:
    assert semantic_residual(0.9, confidence=0.8) == pytest.approx(0.2)
    reference = np.array([0.80, 0.85, 0.90, 0.95])
    assert semantic_residual(0.95, reference) == 0.0  # the most similar aligned pair
    assert semantic_residual(0.80, reference) == 0.75
    with pytest.raises(ValueError, match="confidence or reference"):
        semantic_residual(0.9)


def test_commitment_distance_v2_weighs_voice_and_same_claim() -> None:
    from models.framing.divergence import commitment_distance_v2

    assert commitment_distance_v2("asserted", "hedged") == 1.0
    assert commitment_distance_v2("asserted", "attributed") == 0.5
    assert commitment_distance_v2("attributed", "hedged") == 0.5
    assert commitment_distance_v2("hedged", "hedged", 0.9) == 0.0
    assert commitment_distance_v2("asserted", "hedged", 0.4) == pytest.approx(0.4)
    assert commitment_distance_v2("asserted", "attributed", 1.7) == 0.5  # clipped to 1
    with pytest.raises(ValueError, match="unknown commitment"):
        commitment_distance_v2("asserted", "denied")


def test_evidence_is_same_fact_probability_times_mean_framing() -> None:
    from models.framing.divergence import WEIGHTS_V3, framing_evidence

    evidence = framing_evidence(same_fact=0.8, commitment_label_distance=1.0, concepts_a=1,
                                concepts_b=1)  # fmt: skip
    assert evidence == pytest.approx(0.8 * (0.2 * 1.0 + 0.3 * 1.0) / 0.5)
    with_stance = framing_evidence(same_fact=0.8, commitment_label_distance=1.0, concepts_a=1,
                                   concepts_b=1, stance=0.0, weights=WEIGHTS_V3)  # fmt: skip
    assert with_stance == pytest.approx(round(0.8 * 0.5 / 0.85, 4))  # agreeing stance dilutes
    with pytest.raises(ValueError, match="probability"):
        framing_evidence(same_fact=1.5, commitment_label_distance=0.0, concepts_a=0, concepts_b=0)


def test_evidence_counts_concepts_of_reported_speech_at_the_reported_weight() -> None:
    from models.framing.divergence import framing_evidence

    outlet = framing_evidence(same_fact=1.0, commitment_label_distance=0.0, concepts_a=1,
                              concepts_b=0)  # fmt: skip
    reported = framing_evidence(same_fact=1.0, commitment_label_distance=0.0, concepts_a=1,
                                concepts_b=0, reported_a=True)  # fmt: skip
    assert outlet == pytest.approx(0.6 * 0.5)  # one concept of CONCEPT_SATURATION = 2
    assert reported == pytest.approx(REPORTED_STANCE_WEIGHT * outlet)
    saturated = framing_evidence(same_fact=1.0, commitment_label_distance=0.0, concepts_a=3,
                                 concepts_b=2)  # fmt: skip
    assert saturated == pytest.approx(0.6)


def test_sourcing_distance_marks_a_contested_claim_against_a_stated_one() -> None:
    from models.framing.divergence import sourcing_distance

    assert sourcing_distance(0, 2) == 1.0  # stated against 'X says ...; Y denies'
    assert sourcing_distance(3, 0) == 1.0
    assert sourcing_distance(0, 1) == 0.0  # one attribution: the commitment labels' business
    assert sourcing_distance(1, 2) == 0.0  # both attribute
    assert sourcing_distance(0, 0) == 0.0
    with pytest.raises(ValueError, match=">= 0"):
        sourcing_distance(-1, 2)
