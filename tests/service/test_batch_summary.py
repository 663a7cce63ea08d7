from __future__ import annotations

import copy
import re

from service.batch.summary import SummaryBuilder, cell_key, slug
from service.report import render_cell, render_corpus_index
from tests.service.test_report import sample_result


def build(*results: dict) -> dict:
    builder = SummaryBuilder("corpus", "test-grouping")
    for n, result in enumerate(results):
        builder.add_event(f"e{n}", f"events/e{n}.html", result)
    return builder.finish(files=len(results), skipped=[{"path": "x.txt", "line": None,
                                                        "error": "empty article"}])  # fmt: skip


def test_matrices_average_the_divergence_scores_that_exist() -> None:
    summary = build(sample_result(), sample_result())
    camp = summary["matrices"]["camp"]
    assert camp["labels"] == ["azerbaijani", "russian", "western"]
    cells = camp["cells"]
    assert set(cells) == {"azerbaijani|russian", "azerbaijani|western", "russian|western"}
    assert cells["azerbaijani|russian"]["divergence"] == 0.72
    assert (cells["azerbaijani|russian"]["pairs"], cells["azerbaijani|russian"]["scored"]) == (2, 2)
    assert cells["russian|western"]["divergence"] == 0.05
    assert summary["has_divergence"] is True
    outlet = summary["matrices"]["outlet"]["cells"]
    assert outlet[cell_key("Xəbər", "Vestnik")]["divergence"] == 0.72
    # one pair without a score: averaged over the scored pair only, counted in `pairs`
    partial = copy.deepcopy(sample_result())
    del partial["alignments"][0]["divergence"]
    cell = build(sample_result(), partial)["matrices"]["camp"]["cells"]["azerbaijani|russian"]
    assert (cell["pairs"], cell["scored"], cell["divergence"]) == (2, 1, 0.72)


def test_without_scores_nothing_pretends_to_be_a_divergence() -> None:
    summary = build(sample_result(full=False))
    assert summary["has_divergence"] is False
    assert all(c["divergence"] is None for c in summary["matrices"]["camp"]["cells"].values())
    assert summary["events"][0]["divergence"] is None
    html = render_corpus_index(summary)
    assert "Divergence is not available" in html and "0.00" not in html


def test_an_omission_joined_to_the_camp_by_a_refused_link_is_uncertain() -> None:
    result = sample_result()
    result["coverage"] = {
        "e": {
            "omissions": {
                "by_article": {
                    "az1": [
                        {
                            "fact": "g2",
                            "centrality": 2,
                            "nearest": {"passage": "az1:0", "confidence": 0.2},
                        }
                    ]
                }
            }
        }
    }
    summary = build(result)
    assert [(o["camp"], o["count"], o["uncertain"]) for o in summary["omissions"]] == [
        ("azerbaijani", 1, 1)
    ]
    assert summary["omissions"][0]["items"][0]["uncertain"] is True
    assert "1 uncertain" in render_corpus_index(summary)
    # as widely reported, the same omission where no link was refused comes first
    items = build(result, sample_result())["omissions"][0]["items"]
    assert [(i["event"], i["uncertain"]) for i in items] == [("e1", False), ("e0", True)]


def test_top_facts_omissions_and_sources() -> None:
    summary = build(sample_result())
    top = [(f["fact"], f["divergence"]) for f in summary["top_facts"]]
    assert top == [("g1", 0.72), ("g2", 0.05)]
    assert summary["top_facts"][0]["href"] == "events/e0.html#fact-g1"
    assert summary["top_facts"][0]["passages"][0]["href"] == "events/e0.html#p-ru1:0"
    assert [(o["camp"], o["count"]) for o in summary["omissions"]] == [("azerbaijani", 1)]
    assert summary["omissions"][0]["items"][0]["reported_by"] == ["russian", "western"]
    assert summary["omissions"][0]["uncertain"] == 0
    assert [s["camp"] for s in summary["sources"]] == ["azerbaijani", "russian", "western"]
    assert summary["events"][0]["divergence"] == {"max": 0.72, "mean": (0.72 + 0.31 + 0.05) / 3,
                                                  "pairs": 3}  # fmt: skip
    assert summary["counts"] == {"articles": 3, "events": 1, "passages": 8, "alignments": 3,
                                 "fact_groups": 2, "files": 1, "skipped": 1}  # fmt: skip


def test_index_numbers_link_to_the_pairs_behind_them() -> None:
    summary = build(sample_result())
    html = render_corpus_index(summary)
    heat = re.search(r'<table class="heat">(.*?)</table>', html, re.S).group(1)
    links = re.findall(r'<a href="(cells/camp-[^"]+)"><b>([\d.]+)</b>', heat)
    assert len(links) == 6  # three camp pairs, shown in both triangles
    assert (summary["matrices"]["camp"]["cells"]["azerbaijani|russian"]["href"], "0.72") in links
    page = render_cell(summary, "camp", "azerbaijani|russian")
    assert 'href="../events/e0.html#p-ru1:0"' in page and "stance 0.80" in page
    assert "1 aligned passage pair; mean divergence 0.72 over 1 pair with a score" in page
    assert 'href="events/e0.html#fact-g1"' in html


def test_slugs_are_safe_and_distinct() -> None:
    assert slug("azal-crash").startswith("azal-crash-")
    assert slug("Вестник") != slug("Правда") and re.fullmatch(r"[0-9a-f]{8}", slug("Вестник"))
    assert "/" not in slug("../../etc/passwd")
