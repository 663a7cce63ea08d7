from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.batch import BatchError, run_batch
from service.batch.scan import CorpusReader, ScanReport
from service.cli import DEMO_DIR, app
from service.ledger import Ledger, LedgerError
from tests.service.batch_corpus import write_corpus


def outputs(out: Path) -> dict[str, bytes]:
    """Every deterministic output file (all but the ledger and run.json), by relative path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("ledger.jsonl", "run.json")}  # fmt: skip


def test_scan_streams_entries_and_reports_bad_inputs(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=4)
    report = ScanReport()
    reader = CorpusReader()
    entries = list(reader.scan(corpus, report))
    assert len(entries) == 8 and report.files == 6
    assert sorted({e.event for e in entries}) == ["event-00", "event-01", "event-02", "event-03"]
    problems = sorted(str(e) for e in report.errors)
    assert problems[0].startswith(f"{corpus}/broken.txt: starts with a UTF-16 byte-order mark")
    assert problems[1].startswith(f"{corpus}/wire.jsonl:2: invalid JSON")
    jsonl = [e for e in entries if e.line is not None]
    assert [e.line for e in jsonl] == [1, 3, 4, 5]
    article = reader.read_article(jsonl[2])  # read back by byte offset
    assert article.id == "event-03-azerbaijani" and article.camp == "azerbaijani"
    first_txt = next(e for e in entries if e.path.endswith("folder-00/a.txt"))
    assert reader.read_article(first_txt).text.startswith("Officials in Baku")
    assert [e.path.rsplit("/", 1)[1] for e in entries[:4]] == ["wire.jsonl"] * 4  # files first


def test_batch_writes_events_summary_and_reports(tmp_path: Path, fake_encoder) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=4)
    out = tmp_path / "out"
    outcome = run_batch(corpus, out, fake_encoder)
    assert (outcome.events, outcome.processed, outcome.articles) == (4, 4, 8)
    assert len(outcome.errors) == 2
    summary = json.loads((out / "summary.json").read_text())
    assert [e["id"] for e in summary["events"]] == [f"event-0{n}" for n in range(4)]
    assert summary["counts"]["skipped"] == 2
    assert {s["path"].rsplit("/", 1)[1] for s in summary["skipped"]} == {"broken.txt", "wire.jsonl"}
    # compare scores framing, so every camp cell has a mean divergence in [0, 1]
    assert summary["has_divergence"] is True
    assert all(0 <= c["divergence"] <= 1 for c in summary["matrices"]["camp"]["cells"].values())
    cells = summary["matrices"]["camp"]["cells"]
    assert set(cells) == {"russian|western", "azerbaijani|ukrainian"}
    assert all((out / c["href"]).is_file() for c in cells.values())
    result = json.loads((out / summary["events"][0]["href"]).with_suffix(".json").read_text())
    assert "timings" not in result and result["event"] == {"id": "event-00"}
    article = result["articles"][0]
    assert all(article["text"][p["start"] : p["end"]] == p["text"] for p in article["passages"])
    index = (out / "index.html").read_text()
    assert "Divergence is not available" not in index and "broken.txt" in index
    assert len(Ledger(out / "ledger.jsonl")) == 4


def test_batch_refuses_a_used_folder_without_resume(tmp_path: Path, fake_encoder) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=2, bad=False)
    run_batch(corpus, tmp_path / "out", fake_encoder)
    with pytest.raises(BatchError, match="pass --resume"):
        run_batch(corpus, tmp_path / "out", fake_encoder)
    calls = fake_encoder.calls
    again = run_batch(corpus, tmp_path / "out", fake_encoder, resume=True)
    assert (again.processed, again.reused, fake_encoder.calls) == (0, 2, calls)


def test_crash_mid_run_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, fake_encoder
) -> None:
    from models.pipeline import compare

    corpus = write_corpus(tmp_path / "corpus", events=6)
    full = tmp_path / "full"
    run_batch(corpus, full, fake_encoder)

    seen: list[str] = []

    def crashing(articles, encoder, window=1, embeddings=None):
        seen.append(articles[0].id)
        if len(seen) == 4:
            raise RuntimeError("simulated crash")
        return compare(articles, encoder, window=window, embeddings=embeddings)

    part = tmp_path / "part"
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_batch(corpus, part, fake_encoder, compare_fn=crashing)
    assert len(Ledger(part / "ledger.jsonl")) == 3
    assert len(list((part / "events").glob("*.json"))) == 3
    assert not list(part.rglob("*.tmp")) and not (part / "summary.json").exists()
    resumed = run_batch(corpus, part, fake_encoder, resume=True)
    assert (resumed.reused, resumed.processed) == (3, 3)
    assert outputs(part) == outputs(full)


def test_changed_article_redoes_only_its_event(tmp_path: Path, fake_encoder) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=4, bad=False)
    out = tmp_path / "out"
    run_batch(corpus, out, fake_encoder)
    (corpus / "folder-02" / "a.txt").write_text("Officials in Shusha denied everything.")
    again = run_batch(corpus, out, fake_encoder, resume=True)
    assert (again.processed, again.reused) == (1, 3)
    result = json.loads(next((out / "events").glob("event-02-*.json")).read_text())
    assert result["articles"][0]["text"] == "Officials in Shusha denied everything."


def test_ledger_drops_a_torn_last_line_only(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger(path)
    ledger.record("e1", "k1", file="e1.json")
    ledger.record("e2", "k2")
    with open(path, "a") as handle:
        handle.write('{"item": "e3", "ke')  # killed mid-append
    reopened = Ledger(path)
    assert len(reopened) == 2 and reopened.is_done("e2", "k2")
    assert not reopened.is_done("e2", "other-key")
    reopened.record("e3", "k3")
    assert [json.loads(line)["item"] for line in path.read_text().splitlines()] == [
        "e1", "e2", "e3"]  # fmt: skip
    path.write_text('{"item": "e1", "key": "k"}\ngarbage\n{"item": "e2", "key": "k"}\n')
    with pytest.raises(LedgerError, match=r"ledger\.jsonl:2"):
        Ledger(path)


def test_cli_batch_runs_resumes_and_refuses_a_used_folder(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=2)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 events (2 run, 0 reused from the ledger), 4 articles, 2 skipped" in result.output
    assert "broken.txt: starts with a UTF-16 byte-order mark" in result.output
    assert "wire.jsonl:2" in result.output
    events = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "events").glob("*.json")]
    with (out / "pairs.csv").open(encoding="utf-8-sig", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    assert sorted((r["a"], r["b"]) for r in pairs) == sorted(
        (a["a"], a["b"]) for e in events for a in e["alignments"])  # fmt: skip
    assert pairs and {r["event"] for r in pairs} == {"event-00", "event-01"}
    event = json.loads(next((out / "events").glob("*.json")).read_text(encoding="utf-8"))
    assert event["method"]["stance"].startswith("stance-baseline-lr-v1")  # the default
    assert set(event["articles"][0]["passages"][0]["stance"]) == {"Russia", "Azerbaijan"}
    again = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(out)])
    assert again.exit_code == 2 and "--resume" in again.output
    resumed = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(out), "--resume"])
    assert resumed.exit_code == 0 and "(0 run, 2 reused" in resumed.output
    # another stance model changes the ledger key: the events are redone
    other = ["batch", str(corpus), "--out", str(out), "--resume", "--stance", "none"]
    redone = CliRunner().invoke(app, other)
    assert redone.exit_code == 0 and "(2 run, 0 reused" in redone.output
    # so does another link confidence, and every event is scored with it
    surer = CliRunner().invoke(app, [*other, "--min-confidence", "0.9"])
    assert surer.exit_code == 0 and "(2 run, 0 reused" in surer.output
    for path in (out / "events").glob("*.json"):
        event = json.loads(path.read_text(encoding="utf-8"))
        assert event["method"]["alignment_threshold"] == 0.9
        assert all(al["confidence"] >= 0.9 for al in event["alignments"])
    same = CliRunner().invoke(app, [*other, "--min-confidence", "0.9"])
    assert same.exit_code == 0 and "(0 run, 2 reused" in same.output
    nope = tmp_path / "[nope]"
    missing = CliRunner().invoke(app, ["batch", str(nope), "--out", str(out)])
    assert missing.exit_code == 2 and f"{nope}: no such file or folder" in missing.output


def test_cli_batch_leaves_an_output_folder_inside_the_corpus_out(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=2, bad=False)
    out = corpus / "runs" / "first"
    args = ["batch", str(corpus), "--out", str(out), "--stance", "none"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "4 articles" in result.output, result.output
    assert list(out.rglob("*.html"))  # reports that a search of the corpus would find
    resumed = CliRunner().invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0 and "(0 run, 2 reused" in resumed.output
    assert "4 articles" in resumed.output
    same = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(corpus)])
    assert same.exit_code == 2 and "is also the article folder" in same.output


@pytest.mark.slow
def test_cli_batch_on_the_demo_corpus(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["batch", str(DEMO_DIR / "articles"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 events (5 run, 0 reused" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert [e["id"] for e in summary["events"]] == [
        "azal-crash", "energy", "russian-house", "sputnik", "yekaterinburg"]  # fmt: skip
    assert [s["camp"] for s in summary["sources"]] == [
        "azerbaijani", "russian", "ukrainian", "western"]  # fmt: skip
    facts = {f["event"] for f in summary["top_facts"]}
    assert facts == {e["id"] for e in summary["events"]}


def test_explicit_sidecar_and_folder_grouping(tmp_path: Path, fake_encoder) -> None:
    corpus = tmp_path / "corpus"
    for folder in ("one", "two"):
        (corpus / folder).mkdir(parents=True)
        for name in ("a", "b"):
            text = f"The {folder} story from {name}. It happened in Baku on Monday."
            (corpus / folder / f"{name}.txt").write_text(text)
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"articles": [
        {"file": "a.txt", "outlet": "Left", "camp": "russian", "language": "en"},
        {"file": "b.txt", "outlet": "Right", "camp": "western", "language": "en"}]}))  # fmt: skip
    (corpus / "one" / "junk.tmp").write_text("not ours")
    out = tmp_path / "out"
    outcome = run_batch(corpus, out, fake_encoder, sidecar=meta)
    summary = json.loads((out / "summary.json").read_text())
    assert [e["id"] for e in summary["events"]] == ["folder:one", "folder:two"]
    assert [s["camp"] for s in summary["sources"]] == ["russian", "western"]
    assert outcome.errors == [] and (corpus / "one" / "junk.tmp").exists()
    (out / "events" / "tmp123.tmp").write_text("half a file")
    run_batch(corpus, out, fake_encoder, sidecar=meta, resume=True)
    assert not (out / "events" / "tmp123.tmp").exists()
