from __future__ import annotations

import json
from pathlib import Path

from corpus.loaders import load_articles

EN = "Azerbaijan closed the Russian House in Baku after accusing it of intelligence work."
RU = "Москва назвала закрытие Русского дома в Баку недоразумением и призвала к диалогу."


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_txt_with_sidecar_metadata_and_title_line(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", f"Baku shuts Russian House\n\n{EN}\n")
    write(tmp_path / "meta.json", json.dumps({"articles": [
        {"file": "a.txt", "outlet": "Trend", "date": "2025-02-10"}]}))  # fmt: skip
    result = load_articles([tmp_path])
    assert result.errors == []
    [article] = result.articles
    assert (article.id, article.title, article.text) == ("a", "Baku shuts Russian House", EN)
    # camp, country and ownership come from the outlet registry
    assert (article.outlet, article.camp, article.country, article.language) == (
        "Trend", "azerbaijani", "AZ", "en")  # fmt: skip


def test_unknown_outlet_gets_camp_other(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", json.dumps({"text": RU, "outlet": "Some Blog"}) + "\n")
    [article] = load_articles([tmp_path / "a.jsonl"]).articles
    assert (article.camp, article.language, article.id) == ("other", "ru", "a-1")


def test_a_folder_search_leaves_out_the_output_folders_of_earlier_runs(tmp_path: Path) -> None:
    write(tmp_path / "baku.txt", EN)
    report = f"<html><body><p>{RU}</p></body></html>"
    write(tmp_path / "out" / "report.html", report)
    write(tmp_path / "runs" / "big" / "events" / "e1.html", report)
    assert {a.id for a in load_articles([tmp_path]).articles} == {"baku", "report", "e1"}
    write(tmp_path / "out" / "result.json", "{}")  # compare's output
    write(tmp_path / "runs" / "big" / "ledger.jsonl", "")  # batch's
    assert {a.id for a in load_articles([tmp_path]).articles} == {"baku"}
    # named or searched as the input itself, an output folder is read
    assert {a.id for a in load_articles([tmp_path / "out"]).articles} == {"report"}


def test_an_article_without_an_outlet_goes_by_its_id(tmp_path: Path) -> None:
    write(tmp_path / "baku.txt", EN)
    write(tmp_path / "moscow.txt", RU)
    records = [{"text": EN, "url": "https://www.tass.ru/politika/1"}, {"text": RU}]
    write(tmp_path / "wire.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    articles = load_articles([tmp_path]).articles
    outlets = {a.id: (a.outlet, a.camp) for a in articles}
    assert outlets == {"baku": ("baku", "other"), "moscow": ("moscow", "other"),
                       "wire-1": ("TASS", "russian"), "wire-2": ("wire-2", "other")}  # fmt: skip


def test_jsonl_bad_lines_are_reported_with_line_numbers_and_others_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok1", "text": EN}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "ok2", "text": RU}),
    ]
    path = write(tmp_path / "c.jsonl", "\n".join(lines))
    result = load_articles([path])
    assert [a.id for a in result.articles] == ["ok1", "ok2"]
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (2, "invalid JSON"), (3, "each line must be a JSON object with a 'text' field"),
        (4, "empty article")]  # fmt: skip
    assert str(result.errors[0]).startswith(f"{path}:2: ")


def test_bad_inputs_name_the_file_and_do_not_stop_the_rest(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", EN)
    latin1 = write(tmp_path / "latin1.txt", "Caf\xe9 news about Baku and Moscow.".encode("latin-1"))
    empty = write(tmp_path / "empty.txt", "\n\n  \n")
    pdf = write(tmp_path / "doc.pdf", b"%PDF-1.4")
    utf16 = write(tmp_path / "utf16.txt", "\ufeffBaku".encode("utf-16-le") + b"\x00")
    german = write(tmp_path / "de.txt", "Die Regierung in Baku schloss das russische Kulturhaus.")
    result = load_articles([good, latin1, utf16, empty, pdf, german, tmp_path / "missing.txt"])
    assert [a.id for a in result.articles] == ["good"]
    messages = {Path(e.path).name: e.message for e in result.errors}
    assert messages["latin1.txt"].startswith("not valid UTF-8 (byte 0xe9 at offset 3)")
    assert messages["empty.txt"].startswith("empty article")
    assert "not valid UTF-16" in messages["utf16.txt"]
    assert messages["doc.pdf"].startswith("unsupported format '.pdf'")
    assert messages["de.txt"].startswith("text is in German (de)")
    assert messages["missing.txt"] == "no such file or folder"


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    body = " ".join([EN] * 3)
    html = (
        "<html><head><title>Baku closes Russian House | Example</title>"
        '<meta property="article:published_time" content="2025-02-10">'
        '<meta property="og:title" content="Baku closes Russian House"></head><body>'
        "<nav>Home | World | Sport</nav><article><h1>Baku closes Russian House</h1>"
        f"<p>{body}</p><p>{EN}</p></article><footer>Copyright</footer></body></html>"
    )
    [article] = load_articles([write(tmp_path / "page.html", html)]).articles
    assert article.title == "Baku closes Russian House"
    assert article.date == "2025-02-10"
    assert EN in article.text and "Copyright" not in article.text and "Sport" not in article.text


def test_markdown_heading_becomes_title_and_ids_stay_unique(tmp_path: Path) -> None:
    write(tmp_path / "x" / "a.md", f"# Russian House closed\n\n{EN}")
    write(tmp_path / "y" / "a.md", f"# Another\n\n{RU}")
    articles = load_articles([tmp_path]).articles
    assert [(a.id, a.title) for a in articles] == [
        ("a", "Russian House closed"), ("a-2", "Another")]  # fmt: skip


def test_declared_language_outside_the_four_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", json.dumps({"text": EN, "language": "de"}))
    [error] = load_articles([path]).errors
    assert error.line == 1 and "not supported" in error.message
