"""The alignment benchmark's summary: crossover and the RESULTS.md section (no timing here)."""

from __future__ import annotations

from eval.bench_alignment import crossover, to_markdown

KNN = {
    "1000/exact": {"seconds": 0.01, "recall@10": 1.0},
    "1000/faiss": {"seconds": 0.05, "recall@10": 1.0},
    "1000/usearch": {"seconds": 0.04, "recall@10": 1.0},
    "50000/exact": {"seconds": 9.0, "recall@10": 1.0, "extrapolated_from_queries": 2000},
    "50000/faiss": {"seconds": 4.0, "recall@10": 0.995},
    "50000/usearch": {"seconds": 3.0, "recall@10": 0.95},
}


def test_crossover_needs_both_speed_and_recall() -> None:
    # usearch is faster at 50k but misses the recall bar, so it never crosses over
    assert crossover(KNN) == {"faiss": 50000, "usearch": None}


def test_markdown_names_sizes_failures_and_the_overhead_target() -> None:
    results = {
        "knn": KNN,
        "align": {"100000/pooled": {"error": "over 900 s"}},
        "overhead": [{"passages": 1000, "articles": 248, "encode_s": 5.0, "align_s": 0.2,
                      "align_over_encode": 0.04}],
    }  # fmt: skip
    text = to_markdown(results)
    assert "| 50000 | exact | 9.000 | 1.000 | - | sampled |" in text
    assert "| 100000 | pooled | - | over 900 s | - | - | - |" in text
    assert "faiss: 50000, usearch: none" in text
    assert "adds 4.0% to encoding (target: under 10%)" in text


def test_overhead_reports_the_median_run_and_every_share() -> None:
    from eval.bench_alignment import median_run

    runs = [{"align_over_encode": 0.09, "encode_s": 7.0}, {"error": "over 900 s"},
            {"align_over_encode": 0.07, "encode_s": 7.2},
            {"align_over_encode": 0.08, "encode_s": 7.1}]  # fmt: skip
    middle = median_run(runs)
    assert middle["encode_s"] == 7.1 and middle["runs_align_over_encode"] == [0.09, 0.07, 0.08]
    # an even count takes the lower middle run
    assert median_run(runs[2:])["align_over_encode"] == 0.07
    assert median_run([{"error": "x"}]) == {"error": "x"}
    results = {"knn": {}, "align": {}, "overhead": [{
        "passages": 1000, "articles": 56, "encode_s": 7.1, "align_s": 0.57, **middle}]}  # fmt: skip
    text = to_markdown(results)
    assert "The run with the median share of 3 fresh runs; their shares: 9.0%, 7.0%, 8.0%." in text


def test_overhead_gives_each_size_and_the_lexicons_apart() -> None:
    small = {"passages": 100, "articles": 8, "encode_s": 0.8, "align_s": 0.02, "load_s": 2.0,
             "lexicons_s": 0.08, "align_over_encode": 0.025,
             "align_with_lexicons_over_encode": 0.125}  # fmt: skip
    large = {**small, "passages": 1000, "articles": 56, "encode_s": 7.0, "align_s": 0.6,
             "align_over_encode": 0.6 / 7, "align_with_lexicons_over_encode": 0.68 / 7}  # fmt: skip
    text = to_markdown({"knn": {}, "align": {}, "overhead": [small, large]})
    assert "100 real NTREX passages in 8 articles" in text
    assert "alignment adds 2.5% to encoding" in text and "alignment adds 12.5%." in text
    assert "the lexicons compiled (0.080 s: all that compare reads" in text
    assert text.index("100 real NTREX") < text.index("1000 real NTREX")
    assert "alignment adds 8.6% to encoding" in text and "alignment adds 9.7%." in text
