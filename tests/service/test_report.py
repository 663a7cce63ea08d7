from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from service.report import (
    TOP_TERMS,
    contrast_marks,
    event_view,
    fact_groups,
    omissions,
    pair_terms,
    render_article,
    render_report,
    segments,
)

RU_TEXT = "Москва назвала закрытие недоразумением. Посольство работает. <script>alert(1)</script>"
AZ_TEXT = "Bakı bunu kəşfiyyat əməliyyatı adlandırdı. Səfirlik işləyir."
EN_TEXT = "Baku cited intelligence operations. The embassy is open. A <b>bold</b> claim & more."


def _passages(article_id: str, text: str, cuts: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"id": f"{article_id}:{n}", "start": s, "end": e, "text": text[s:e]}
            for n, (s, e) in enumerate(cuts)]  # fmt: skip


def sample_result(full: bool = True) -> dict[str, Any]:
    """A hand-made result with every optional field (full) or only the v0 fields."""
    ru = _passages("ru1", RU_TEXT, [(0, 39), (40, 60), (61, len(RU_TEXT))])
    az = _passages("az1", AZ_TEXT, [(0, 42), (43, len(AZ_TEXT))])
    en = _passages("en1", EN_TEXT, [(0, 35), (36, 56), (57, len(EN_TEXT))])
    result: dict[str, Any] = {
        "method": {"encoder": "test", "alignment": "test.v1"},
        "articles": [
            {"id": "ru1", "outlet": "Vestnik", "camp": "russian", "language": "ru",
             "date": "2025-04-01", "title": "Недоразумение <i>", "text": RU_TEXT, "passages": ru},
            {"id": "az1", "outlet": "Xəbər", "camp": "azerbaijani", "language": "az",
             "date": "2025-04-01", "title": "Kəşfiyyat", "text": AZ_TEXT, "passages": az},
            {"id": "en1", "outlet": "Daily", "camp": "western", "language": "en",
             "date": "2025-04-02", "title": "Closure", "text": EN_TEXT, "passages": en},
        ],
        "alignments": [
            {"a": "ru1:0", "b": "az1:0", "similarity": 0.91, "margin": 1.1},
            {"a": "az1:0", "b": "en1:0", "similarity": 0.93, "margin": 1.2},
            {"a": "ru1:1", "b": "en1:1", "similarity": 0.95, "margin": 1.3},
        ],
    }  # fmt: skip
    if not full:
        return result
    result["articles"][0]["stance"] = {"Azerbaijan": {"favor": 0.1, "against": 0.7, "none": 0.2}}
    ru[0]["stance"] = {"Azerbaijan": {"favor": 0.05, "against": 0.85, "none": 0.1}}
    ru[0]["commitment"] = "hedged"
    ru[0]["voice"] = {"label": "quoted", "speaker": "spokeswoman", "attributions": [
        {"kind": "speech_verb", "text": "заявила", "start": 0, "end": 7},
        {"kind": "speech_verb", "text": "отрицают", "start": 20, "end": 28}]}  # fmt: skip
    az[0]["stance"] = {"Russia": {"favor": 0.0, "against": 0.9, "none": 0.1}}
    az[0]["commitment"] = {"label": "asserted"}
    az[0]["voice"] = "own"
    result["alignments"][0].update(
        confidence=0.8,
        divergence={"score": 0.72, "components": {"stance": 0.8, "lexical": 0.6}},
        contrast_terms={"a": [{"term": "недоразумением", "z": 3.1, "spans": [[24, 38]]}],
                        "b": [{"term": "kəşfiyyat", "z": 2.7, "spans": [[10, 19]]}]},
    )  # fmt: skip
    result["alignments"][1]["divergence"] = {"score": 0.31, "components": {"stance": 0.3}}
    result["alignments"][1]["contrast_terms"] = {"a": [], "b": []}
    result["alignments"][2]["divergence"] = {"score": 0.05, "components": {"stance": 0.0}}
    return result


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_fact_groups_are_alignment_components_in_document_order() -> None:
    groups = fact_groups(sample_result())
    assert [g["passages"] for g in groups] == [["ru1:0", "az1:0", "en1:0"], ["ru1:1", "en1:1"]]
    assert [g["articles"] for g in groups] == [["ru1", "az1", "en1"], ["ru1", "en1"]]
    assert [g["divergence"] for g in groups] == [0.72, 0.05]  # largest pair score
    assert [g["divergence"] for g in fact_groups(sample_result(full=False))] == [None, None]


def test_given_facts_and_coverage_win_over_derived_ones() -> None:
    result = sample_result()
    result["facts"] = [{"id": "closure", "passages": ["ru1:0", "en1:0"], "label": "closure",
                        "divergence": 0.5}]  # fmt: skip
    groups = fact_groups(result)
    assert [(g["id"], g["divergence"], g["label"]) for g in groups] == [("closure", 0.5, "closure")]
    assert omissions(result, groups) == {"az1": ["closure"]}
    # compare's coverage: per event, the facts each article leaves out, most central first
    result["facts"].append({"id": "embassy", "passages": ["ru1:1", "en1:1"]})
    groups = fact_groups(result)
    result["coverage"] = {"closure-event": {
        "articles": ["ru1", "az1", "en1"],
        "omissions": {"by_article": {
            "az1": [{"fact": "embassy@closure-event", "centrality": 2},  # split by event
                    {"fact": "closure", "centrality": 2},
                    {"fact": "elsewhere", "centrality": 5}],  # not a group of this page
            "en1": []}}}}  # fmt: skip
    assert omissions(result, groups) == {"az1": ["embassy", "closure"]}
    result["coverage"] = {"x": [], "y": {"omissions": []}, "z": {"omissions": {"by_article": {
        "az1": ["closure", None]}}}}  # fmt: skip
    assert omissions(result, groups) == {}  # malformed entries are skipped, not a crash


def test_an_omission_with_a_refused_link_is_shown_as_uncertain_with_its_passage() -> None:
    from service.report import omission_hints

    result = sample_result()
    result["facts"] = [{"id": "closure", "passages": ["ru1:0", "en1:0"]},
                       {"id": "embassy", "passages": ["ru1:1", "en1:1"]}]  # fmt: skip
    result["coverage"] = {"e": {"omissions": {"by_article": {"az1": [
        {"fact": "closure", "centrality": 2,
         "nearest": {"passage": "az1:0", "confidence": 0.31}},
        {"fact": "embassy", "centrality": 2},
        {"fact": "other", "centrality": 2, "nearest": {"passage": "nowhere:3", "confidence": 0.4}},
    ]}}}}  # fmt: skip
    assert omission_hints(result) == {
        "az1": {"closure": {"passage": "az1:0", "index": "0", "confidence": 0.31}}
    }
    html = render_report(result)
    listing = html.split('<h2 id="omissions">', 1)[1].split("<h2", 1)[0]
    assert 'uncertain: perhaps <a href="#p-az1:0">passage 0</a>, 0.31' in listing
    assert listing.count("uncertain:") == 1  # the embassy omission has no candidate
    table = html.split('id="fact-closure"', 1)[1].split("</tr>", 1)[0]
    assert 'not aligned; perhaps <a href="#p-az1:0"' in table


def test_omissions_are_groups_without_the_source() -> None:
    result = sample_result()
    assert omissions(result, fact_groups(result)) == {"az1": ["g2"]}


def test_the_top_contrast_terms_of_each_side_are_marked_and_merged() -> None:
    result = sample_result()
    passages = {p["id"]: (a, p) for a in result["articles"] for p in a["passages"]}
    en_b = result["articles"][2]["passages"][1]
    assert en_b["text"][4:11] == "embassy"
    terms = [
        {"term": "embassy", "z": 3.0, "spans": [[4, 11]]},
        {"term": "the embassy", "z": 2.0, "spans": [[0, 11]]},  # overlaps: merged
        {"term": "embassy", "z": 1.5, "spans": [[40, 47]]},  # off the passage: found by word
        {"term": "absent", "z": 1.0, "spans": [[0, 6]]},  # past TOP_TERMS: not marked
    ]
    terms[1]["spans"].append(7)  # a malformed span is skipped
    alignments = [{"a": "ru1:1", "b": "en1:1", "contrast_terms": {"a": [], "b": terms}}]
    assert pair_terms(alignments[0]) == {"a": [], "b": terms[:TOP_TERMS]}
    assert contrast_marks(alignments, passages) == {"en1:1": [(0, 11)]}
    assert pair_terms({"a": "ru1:1", "b": "en1:1"}) == {"a": [], "b": []}
    assert segments("abcdef", [(1, 2), (4, 6)]) == [
        ("a", False), ("b", True), ("cd", False), ("ef", True)]  # fmt: skip


def test_event_page_shows_facts_sources_bars_badges_and_marks() -> None:
    html = render_report(sample_result())
    tags = parse(html).tags
    rows = [a["id"] for t, a in tags if t == "tr" and "f-row" in (a.get("class") or "")]
    assert rows == ["fact-g1", "fact-g2"]  # most divergent first
    marked = re.findall(r'<mark class="contrast">([^<]+)</mark>', html)
    assert marked[0] == "contrast term"  # the legend
    # listed with the pair, marked in the fact grid, and again in the article text
    assert marked[1:5] == ["недоразумением", "kəşfiyyat", "недоразумением", "kəşfiyyat"]
    assert marked.count("недоразумением") == 3
    assert "terms: <mark" in html
    assert html.count('class="stance"') == 4  # 1 article aggregate x2 (head, text) + 2 passages
    assert "voice: quoted: spokeswoman" in html and "hedged" in html and "asserted" in html
    # ru1:0 attributes twice: the badge goes wherever its voice badge does
    assert html.count('class="badge sources"') == html.count("voice: quoted: spokeswoman") >= 1
    assert "statements): заявила, отрицают" in html and ">2 attributions<" in html
    assert "0.72" in html and "stance 0.80" in html and "conf 0.80" in html
    # the western source omits nothing, the azerbaijani one omits g2
    assert re.search(r'Xəbər</a>.*?1 fact group that other sources report:\s*<a href="#fact-g2">',
                     html, re.S)  # fmt: skip
    # each passage link has a target in the article texts
    ids = {a.get("id") for _, a in tags}
    links = {a["href"][1:] for t, a in tags if t == "a" and (a.get("href") or "").startswith("#")}
    assert links <= ids


def test_rows_and_pairs_are_ordered_by_evidence_when_the_result_has_it() -> None:
    result = sample_result()
    # g1 diverges more, but its link is doubtful; g2's low score rests on a sure link
    result["alignments"][0]["divergence"]["evidence"] = 0.05
    result["alignments"][1]["divergence"]["evidence"] = 0.12
    result["alignments"][2]["divergence"]["evidence"] = 0.3
    result["method"]["divergence"] = {"divergence": "divergence.v3", "evidence_min": 0.2}
    html = render_report(result)
    rows = [a["id"] for t, a in parse(html).tags if t == "tr" and "f-row" in (a.get("class") or "")]
    assert rows == ["fact-g2", "fact-g1"]
    assert "Rows are ordered by <em>evidence</em>" in html
    assert '<span class="evidence-met">evidence 0.30</span>' in html  # at the bar: marked
    assert '<span class="meta">evidence 0.12</span>' in html  # g1's best pair, below the bar
    assert ')</span> <span class="comp" title="evidence' in html  # apart from the components
    g1 = next(g for g in event_view(result)["rows"] if g["id"] == "g1")
    assert [p["evidence"] for p in g1["pairs"]] == [0.12, 0.05]  # above the higher score 0.72


def test_without_a_recorded_bar_evidence_is_shown_but_nothing_is_marked() -> None:
    result = sample_result()
    result["alignments"][0]["divergence"]["evidence"] = 0.5
    html = render_report(result)
    assert '<span class="meta">evidence 0.50</span>' in html and "evidence-met</span>" not in html
    assert "counts as a framing difference" not in html


def test_event_page_without_optional_fields_shows_no_made_up_numbers() -> None:
    html = render_report(sample_result(full=False))
    assert "divergence" not in re.sub(r"<p class=\"note\">.*?</p>", "", html, flags=re.S).replace(
        "Divergence", ""
    )  # only the note says it is not available
    assert "Divergence scores are not available" in html
    assert 'class="stance"' not in html and "badge" not in html.replace(".badge", "")
    assert 'type="range"' not in html  # no divergence filter without scores
    assert "contrast" not in html.replace("mark.contrast", "")


def test_untrusted_text_renders_as_text() -> None:
    html = render_report(sample_result())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Недоразумение &lt;i&gt;" in html
    scripts = parse(html).scripts
    assert len(scripts) == 1 and "alert" not in scripts[0]  # only our filter script


def test_article_view_highlights_the_passage_at_its_offsets() -> None:
    result = sample_result()
    html = render_article(result, "en1", passage_id="en1:1")
    body = re.search(r'<div class="body" lang="en">(.*?)</div>', html, re.S).group(1)
    plain = re.sub(r"<[^>]+>", "", body).replace("&lt;", "<").replace("&gt;", ">")
    assert plain.replace("&amp;", "&") == EN_TEXT  # the whole text, gaps included
    current = re.search(r'<span class="passage[^"]*current" id="p-en1:1">(.*?)</span>', body)
    assert current.group(1) == EN_TEXT[36:56]
    with pytest.raises(KeyError, match="no article 'xx'"):
        render_article(result, "xx")


def test_article_without_text_joins_its_passages() -> None:
    result = copy.deepcopy(sample_result(full=False))
    for article in result["articles"]:
        del article["text"]
    view = event_view(result)
    body = view["sources"][1]["body"]
    assert [piece.get("text") for piece in body] == [None, " ", None]


def test_a_result_with_events_gets_one_grid_per_event() -> None:
    result = sample_result()
    result["events"] = [{"id": "closure", "articles": ["ru1", "az1"]},
                        {"id": "embassy", "articles": ["en1"]}]  # fmt: skip
    view = event_view(result)
    assert [s["id"] for s in view["sections"]] == ["closure", "embassy"]
    columns = [[src["id"] for src in s["sources"]] for s in view["sections"]]
    assert columns == [["ru1", "az1"], ["en1"]]
    assert [r["id"] for r in view["sections"][0]["rows"]] == ["closure/g1"]
    assert view["sections"][1]["rows"] == [] and view["cross_event"] == 2
    html = render_report(result)
    assert 'id="event-closure"' in html and 'id="fact-closure/g1"' in html
    assert "2 alignments across events not shown" in html
    assert html.count('<table class="grid">') == 1  # the event with one source has no grid


def test_translations_list_what_only_one_side_has() -> None:
    result = sample_result()
    result["translations"] = [{"a": "ru1", "b": "en1", "coverage": 0.9, "links": 1,
                               "only_a": ["ru1:2"], "only_b": []}]  # fmt: skip
    view = event_view(result)["translations"]
    assert [(t["a"]["outlet"], t["b"]["outlet"], t["links"]) for t in view] == [
        ("Vestnik", "Daily", 1)
    ]
    assert view[0]["a"]["only"] == [{"id": "ru1:2", "text": RU_TEXT[61:]}]
    html = render_report(result)
    assert 'id="translations"' in html and 'href="#p-ru1:2"' in html
    assert 'Only in Daily: <span class="meta">nothing</span>' in html
    assert "<script>alert" not in html  # the only-one-side text is escaped too
    assert 'id="translations"' not in render_report(sample_result())
