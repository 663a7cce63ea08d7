from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import DEMO_DIR, app
from tests.cli_output import unboxed

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--out", str(out), "--stance", "baseline"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    document = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert f"wrote {out / 'pairs.csv'}" in result.output
    with (out / "pairs.csv").open(encoding="utf-8-sig", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    return {**document, "report_html": (out / "report.html").read_text(encoding="utf-8"),
            "pairs_csv": pairs, "output": result.output}  # fmt: skip


def passage_text(result: dict, passage_id: str) -> str:
    return next(
        p["text"] for a in result["articles"] for p in a["passages"] if p["id"] == passage_id
    )


def test_demo_compare_end_to_end(demo_result: dict) -> None:
    meta = json.loads((DEMO_DIR / "meta.json").read_text(encoding="utf-8"))
    articles = demo_result["articles"]
    assert len(articles) == 20
    assert {a["camp"] for a in articles} == {"russian", "azerbaijani", "ukrainian", "western"}
    languages = {("russian", "ru"), ("azerbaijani", "az"), ("ukrainian", "uk"), ("western", "en")}
    assert {(a["camp"], a["language"]) for a in articles} == languages
    # titles come from the metadata and are not passages; every body sentence is one passage
    assert [a["title"] for a in articles] == [m["title"] for m in sorted(
        meta["articles"], key=lambda m: m["file"])]  # fmt: skip
    assert sum(len(a["passages"]) for a in articles) == 272  # 274 sentences, 2 quotes span two
    for article in articles:
        text = (DEMO_DIR / "articles" / f"{article['id']}.txt").read_text(encoding="utf-8")
        body = text.split("\n\n", 1)[1]
        for p in article["passages"]:
            assert p["text"] in body and p["end"] - p["start"] == len(p["text"])
    assert set(demo_result["method"]) >= {"encoder", "alignment", "segmentation", "stance"}
    assert demo_result["method"]["stance_targets"] == ["Russia", "Azerbaijan"]
    assert demo_result["method"]["stance_mentions"] == "actors-v3"
    for article in articles:
        assert set(article["stance"]) == {"Russia", "Azerbaijan"}
        for passage in article["passages"]:
            for dist in passage["stance"].values():
                assert set(dist) == {"favor", "against", "none"}
                assert abs(sum(dist.values()) - 1) < 1e-3


def test_demo_pairs_csv_holds_every_alignment_as_compare_scored_it(demo_result: dict) -> None:
    rows, alignments = demo_result["pairs_csv"], demo_result["alignments"]
    assert sorted((r["a"], r["b"]) for r in rows) == sorted((a["a"], a["b"]) for a in alignments)
    evidence = [float(r["evidence"]) for r in rows]
    assert evidence == sorted(evidence, reverse=True) and evidence[0] > 0.2
    top = next(a for a in alignments if (a["a"], a["b"]) == (rows[0]["a"], rows[0]["b"]))
    assert float(rows[0]["divergence"]) == top["divergence"]["score"]
    assert float(rows[0]["contrast"]) == top["divergence"]["components"]["contrast"]
    assert rows[0]["terms_a"].split("; ")[0] == top["contrast_terms"]["a"][0]["term"]
    assert rows[0]["text_a"] == passage_text(demo_result, rows[0]["a"])
    assert {r["same_event"] for r in rows} == {"0", "1"}  # a few links cross events
    assert all(r["stance_a"].startswith("Russia: ") for r in rows)


def test_compare_says_how_many_pairs_reach_the_evidence_bar(demo_result: dict) -> None:
    bar = demo_result["method"]["divergence"]["evidence_min"]
    reached = sum(a["divergence"]["evidence"] >= bar for a in demo_result["alignments"])
    assert 0 < reached < len(demo_result["alignments"])
    assert (f"{len(demo_result['alignments'])} alignments, {reached} with evidence of a framing "
            f"difference (>= {bar})") in demo_result["output"]  # fmt: skip


def test_demo_report_marks_the_contrast_terms_that_compare_found(demo_result: dict) -> None:
    """The report reads the terms where the pipeline writes them: the top terms of both sides
    of the pair with the most evidence (its row's leading pair) are marked, in its passages and
    beside the pair."""
    import html as html_lib
    import re

    from service.report import TOP_TERMS

    def order(al: dict) -> tuple[float, float]:
        return al["divergence"]["evidence"], al["divergence"]["score"]

    pair = max(demo_result["alignments"], key=order)
    terms = {side: [t["term"] for t in pair["contrast_terms"][side][:TOP_TERMS]]
             for side in ("a", "b")}  # fmt: skip
    assert terms["a"] and terms["b"]
    html = demo_result["report_html"]

    def marks(fragment: str) -> list[str]:
        found = re.findall(r'<mark class="contrast">([^<]+)</mark>', fragment)
        return [html_lib.unescape(m) for m in found]

    marked = [m.casefold() for m in marks(html)]
    for term in terms["a"] + terms["b"]:  # beside the pair, and in the passage (maybe merged)
        assert sum(term.casefold() in m for m in marked) >= 2, term
    listed = [line.split(" / ") for line in re.findall(r"terms: (.*?)</span>", html)]
    assert [terms["a"], terms["b"]] in [[marks(a), marks(b)] for a, b in listed]


def test_the_report_lists_what_each_source_leaves_out_as_compare_found_it(
    tmp_path: Path,
) -> None:
    """One event (the common compare): each source's omissions, from the result's coverage, most
    central first, link to their fact rows."""
    import re
    import shutil

    for path in (DEMO_DIR / "articles").glob("azal-crash_*.txt"):
        shutil.copy(path, tmp_path / path.name)
    out = tmp_path / "out"
    args = ["compare", str(tmp_path), "--out", str(out), "--meta", str(DEMO_DIR / "meta.json")]
    result = runner.invoke(app, [*args, "--stance", "none"])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "result.json").read_text(encoding="utf-8"))
    html = (out / "report.html").read_text(encoding="utf-8")
    (coverage,) = written["coverage"].values()
    expected = {aid: [f["fact"].split("@")[0] for f in facts]
                for aid, facts in coverage["omissions"]["by_article"].items() if facts}  # fmt: skip
    assert expected, "the four tellings of the crash do not all report the same facts"
    outlets = {a["id"]: a["outlet"] for a in written["articles"]}
    listing = html.split('<h2 id="omissions">', 1)[1]
    for article_id, facts in expected.items():
        row = re.search(rf'#article-{article_id}">{re.escape(outlets[article_id])}</a>.*?</tr>',
                        listing, re.S)  # fmt: skip
        assert row is not None, article_id
        assert re.findall(r'<a href="#fact-([^"]+)">', row.group(0)) == facts
        assert all(f'id="fact-{fact}"' in html for fact in facts)
    # and a batch run's corpus index counts them by camp (one article per camp in the event)
    from service.batch.summary import SummaryBuilder

    builder = SummaryBuilder("corpus", "metadata")
    builder.add_event("azal-crash", "events/azal-crash.html", written)
    camps = {a["id"]: a["camp"] for a in written["articles"]}
    counts = {o["camp"]: o["count"] for o in builder.finish(4, [])["omissions"]}
    assert counts == {camps[aid]: len(facts) for aid, facts in expected.items()}


def test_demo_alignments_link_the_same_fact_across_languages(demo_result: dict) -> None:
    alignments = demo_result["alignments"]
    assert all(al["a"].split(":")[0] != al["b"].split(":")[0] for al in alignments)
    pairs = {frozenset((passage_text(demo_result, al["a"]), passage_text(demo_result, al["b"])))
             for al in alignments}  # fmt: skip
    casualties_az = next(
        t for pair in pairs for t in pair if t.startswith("Təyyarənin göyərtəsində olan 67")
    )
    casualties_ru = next(t for pair in pairs for t in pair if t.startswith("Из 67 человек"))
    assert frozenset((casualties_az, casualties_ru)) in pairs


def test_compare_keeps_the_links_from_the_confidence_asked_for(tmp_path: Path) -> None:
    import shutil

    for path in (DEMO_DIR / "articles").glob("azal-crash_*.txt"):
        shutil.copy(path, tmp_path / path.name)
    args = ["compare", str(tmp_path), "--stance", "none"]
    links = {}
    for value in ("0.5", "0.2"):
        out = tmp_path / f"out-{value}"
        extra = [] if value == "0.5" else ["--min-confidence", value]
        result = runner.invoke(app, [*args, "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert "4 articles, " in result.output
        written = json.loads((out / "result.json").read_text(encoding="utf-8"))
        assert written["method"]["alignment_threshold"] == float(value)
        assert all(al["confidence"] >= float(value) for al in written["alignments"])
        links[value] = {(al["a"], al["b"]) for al in written["alignments"]}
    assert links["0.5"] < links["0.2"]  # the default's links, and more of lower confidence
    # (the first run's report.html, in a folder inside the input, was not read as an article)
    bad = runner.invoke(app, [*args, "--out", str(tmp_path / "bad"), "--min-confidence", "1.5"])
    assert bad.exit_code == 2 and "--min-confidence" in unboxed(bad.output)
    same = runner.invoke(app, [*args, "--out", str(tmp_path)])
    assert same.exit_code == 2 and "is also the article folder" in unboxed(same.output)


def test_two_short_reports_of_one_closure_are_aligned(tmp_path: Path) -> None:
    """Two short texts (fewer than 5 passages): the short map links the fact they share, which
    the whole-article map put at confidence 0.09."""
    from service.api.schemas import EXAMPLE_TEXT

    (tmp_path / "baku.txt").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (tmp_path / "moscow.txt").write_text(
        "Москва назвала закрытие Русского дома в Баку недоразумением. Власти Азербайджана закрыли "
        "центр в понедельник.",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", str(tmp_path), "--out", str(out), "--stance", "none"])
    assert result.exit_code == 0, result.output
    assert "2 articles, 5 passages, 1 alignment, " in result.output
    written = json.loads((out / "result.json").read_text(encoding="utf-8"))
    links = {(passage_text(written, al["a"]), passage_text(written, al["b"])): al["confidence"]
             for al in written["alignments"]}  # fmt: skip
    closed = ("Azerbaijan closed the Russian House in Baku on Monday.",
              "Власти Азербайджана закрыли центр в понедельник.")  # fmt: skip
    assert links.get(closed, 0.0) >= 0.8, links


def test_compare_without_stance_leaves_it_absent(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Baku closed the Russian House, citing intelligence work.")
    (tmp_path / "b.txt").write_text("Москва назвала закрытие Русского дома недоразумением.")
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", str(tmp_path), "--out", str(out), "--stance", "none"])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "result.json").read_text())
    assert "stance" not in written["method"] and "stance" not in written["articles"][0]
    assert "stance" not in written["articles"][0]["passages"][0]
    bad = runner.invoke(app, ["compare", str(tmp_path), "--out", str(out), "--stance", "magic"])
    assert bad.exit_code == 2 and "finetuned, ensemble, baseline, none" in unboxed(bad.output)


def test_compare_runs_a_stance_artifact_of_ones_own(tmp_path: Path) -> None:
    """`--stance DIR` runs the model in DIR; results name it by its files' digest."""
    import shutil

    from models.stance import BASELINE_ARTIFACT, artifact_digest

    head = tmp_path / "my-head"
    shutil.copytree(BASELINE_ARTIFACT, head)
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Baku closed the Russian House, citing intelligence work.")
    (articles / "b.txt").write_text("Москва назвала закрытие Русского дома недоразумением.")
    out = tmp_path / "out"
    args = ["compare", str(articles), "--out", str(out)]
    result = runner.invoke(app, [*args, "--stance", str(head)])
    assert result.exit_code == 0, result.output
    written = json.loads((out / "result.json").read_text())
    assert written["method"]["stance"].endswith(f"+{artifact_digest(head)}")
    assert set(written["articles"][0]["stance"]) == {"Russia", "Azerbaijan"}
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = runner.invoke(app, [*args, "--stance", str(empty)])
    assert bad.exit_code == 2 and "not a stance artifact" in unboxed(bad.output)
    (empty / "baseline_config.json").write_text("{not json")  # an artifact that does not load
    broken = runner.invoke(app, [*args, "--stance", str(empty)])
    assert broken.exit_code == 2 and "Traceback" not in broken.output
    assert f"--stance: {empty}: cannot load the stance model there" in unboxed(broken.output)


def test_compare_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "[drafts]"  # square brackets are markup to the console: shown as they are
    folder.mkdir()
    (folder / "a.txt").write_text("Baku closed the Russian House, citing intelligence work.")
    (folder / "b.txt").write_text("Москва назвала закрытие Русского дома недоразумением.")
    (folder / "bad.txt").write_bytes(b"\xff\xfe\xfd broken")
    out = tmp_path / "[out]"
    result = runner.invoke(app, ["compare", str(folder), "--out", str(out), "--stance", "baseline"])
    assert result.exit_code == 0, result.output
    assert f"{folder / 'bad.txt'}:" in result.output
    assert f"wrote {out / 'result.json'}" in result.output
    written = json.loads((out / "result.json").read_text())
    assert [a["id"] for a in written["articles"]] == ["a", "b"]
    assert written["skipped"][0]["path"].endswith("bad.txt")


def test_compare_without_readable_articles_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(tmp_path / "missing.txt"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "missing.txt: no such file or folder" in result.output
    assert "at least 2 readable articles" in result.output


def test_compare_rejects_an_unknown_stance_dtype(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(DEMO_DIR / "articles"), "--out", str(tmp_path),
                                 "--stance-dtype", "int4"])  # fmt: skip
    assert result.exit_code == 2
    assert "int4" in result.output and "int8" in result.output


@pytest.mark.slow
def test_demo_with_the_fine_tuned_stance_model(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert "e5-lora-v11" in written["method"]["stance"]
    # the Ukrainian article on the crash is, on the whole, against Russia
    [article] = [a for a in written["articles"] if a["id"] == "azal-crash_ukrainian"]
    russia = article["stance"]["Russia"]
    assert russia["against"] > russia["favor"]


def test_eval_seeds_without_the_folder_is_skipped_with_a_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "seeds", str(tmp_path / "seeds")])
    assert result.exit_code == 0, result.output
    assert "seeds review skipped: no folder" in result.output
    bad = runner.invoke(app, ["eval", "seeds", str(tmp_path), "--stance", "gold"])
    assert bad.exit_code != 0 and "none, finetuned, ensemble, baseline" in unboxed(bad.output)


def test_a_bad_encoder_spec_is_one_line_and_exit_status_2(tmp_path: Path, monkeypatch, capsys):
    import sys

    from service import cli

    for spec, message in (("bogus", "unknown encoder 'bogus'; use one of facts, facts:PATH"),
                          (f"facts:{tmp_path}", "not a fact adapter folder")):  # fmt: skip
        argv = ["parallax", "eval", "alignment", "--encoder", spec, "--shared", str(tmp_path)]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as stop:
            cli.run()
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and "Traceback" not in err
