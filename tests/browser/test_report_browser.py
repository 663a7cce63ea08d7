"""Open generated reports in headless Chromium: content present, filters work, no errors.

Needs Debian's chromium (`apt-get install -y chromium`) and the `playwright` Python package;
skips with a message when either is missing. Never runs `playwright install`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.batch import run_batch
from service.report import render_report
from tests.service.batch_corpus import write_corpus
from tests.service.test_report import sample_result

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
HOSTILE = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2"> & <b>bold</b>'

if not CHROMIUM.is_file():
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM}: apt-get install -y chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Page:
    """A page that records console messages, page errors, dialogs and requested URLs."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        return self.page

    def assert_clean(self) -> None:
        assert self.errors == []
        assert [m for m in self.console if m.startswith(("error", "warning"))] == []
        assert all(url.startswith("file://") for url in self.requests), self.requests


def hostile_result() -> dict[str, Any]:
    result = copy.deepcopy(sample_result())
    article = result["articles"][2]
    article["text"] += " " + HOSTILE
    article["passages"].append({"id": "en1:3", "start": len(article["text"]) - len(HOSTILE),
                                "end": len(article["text"]), "text": HOSTILE})  # fmt: skip
    result["alignments"].append({"a": "ru1:2", "b": "en1:3", "similarity": 0.8, "margin": 1.1})
    return result


def test_event_page_in_chromium(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "event.html"
    path.write_text(render_report(hostile_result()), encoding="utf-8")
    tab = Page(browser)
    page = tab.open(path)
    page.screenshot(path=str(tmp_path / "event.png"), full_page=True)

    # aligned passages side by side: fact rows x source columns
    assert page.locator("tr.f-row").count() == 3
    assert page.locator("#fact-g1 td.cell.filled").count() == 3
    assert page.locator("#fact-g1 td.cell .ptext").nth(0).inner_text().startswith("Москва")
    assert page.locator("#fact-g1 td.cell .lang").all_inner_texts() == ["RU", "AZ", "EN"]
    # stance bars with widths, badges, contrast marks
    assert page.locator("#fact-g1 .stance .bar").count() == 2
    width = page.locator("#fact-g1 .stance .bar i.a").first.evaluate("e => e.style.width")
    assert width == "85%"
    assert page.locator("#fact-g1 .badge.commit").all_inner_texts() == ["hedged", "asserted"]
    for where in ("td.cell", ".terms"):  # in the passages, and listed beside their pair
        assert page.locator(f"#fact-g1 {where} mark.contrast").all_inner_texts() == [
            "недоразумением", "kəşfiyyat"]  # fmt: skip
    # hostile text is shown as text and never runs
    assert page.evaluate("window.pwned") is None
    assert HOSTILE in page.locator("#p-en1\\:3").inner_text()
    assert page.locator("article img").count() == 0

    # the passage behind a link is highlighted at its offsets
    page.click("#fact-g2 td.cell a[href='#p-en1:1']")
    target = page.locator("#p-en1\\:1")
    assert target.inner_text() == "The embassy is open."
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 240, 160)"

    # filters: camp hides its column, minimum divergence hides rows below it
    page.uncheck("input[name=camp][value=russian]")
    assert not page.locator("#fact-g1 td.cell").nth(0).is_visible()
    assert page.locator("#fact-g1 td.cell").nth(1).is_visible()
    page.check("input[name=camp][value=russian]")
    page.fill("input[name=min]", "0.5")
    assert page.locator("#fact-g1").is_visible() and not page.locator("#fact-g2").is_visible()
    page.screenshot(path=str(tmp_path / "event-filtered.png"), full_page=True)
    tab.assert_clean()


def test_event_grid_keeps_sources_and_fact_groups_in_view_when_scrolled(
    browser: Any, tmp_path: Path
) -> None:
    path = tmp_path / "event.html"
    path.write_text(render_report(hostile_result()), encoding="utf-8")
    tab = Page(browser)
    page = tab.open(path)
    page.set_viewport_size({"width": 500, "height": 300})  # smaller than the grid both ways
    wrap = page.locator(".grid-wrap")
    wrap.evaluate("w => w.scrollIntoView()")
    scrolled = wrap.evaluate(
        "w => { w.scrollTop = 150; w.scrollLeft = 200; return [w.scrollTop, w.scrollLeft]; }"
    )
    assert scrolled[0] > 0 and scrolled[1] > 0  # the grid scrolls inside its box
    box = wrap.bounding_box()
    header = page.locator("table.grid thead th.src").last.bounding_box()
    corner = page.locator("table.grid thead th.fact-h").bounding_box()
    fact = page.locator("#fact-g2 th.fact").bounding_box()
    assert abs(header["y"] - box["y"]) < 2 and abs(corner["y"] - box["y"]) < 2
    assert abs(corner["x"] - box["x"]) < 2 and abs(fact["x"] - box["x"]) < 2
    # the corner covers the fact column, which covers the passages scrolled under it
    top_left = page.evaluate(
        f"document.elementFromPoint({box['x'] + 5}, {box['y'] + 5}).closest('th').className"
    )
    assert "fact-h" in top_left
    tab.assert_clean()


def test_corpus_index_and_cell_pages_in_chromium(
    browser: Any, tmp_path: Path, fake_encoder: Any
) -> None:
    corpus = write_corpus(tmp_path / "corpus", events=4)
    out = tmp_path / "out"
    run_batch(corpus, out, fake_encoder)
    tab = Page(browser)
    page = tab.open(out / "index.html")
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    # compare scores framing, so the heatmap cells carry mean divergence scores
    assert "Divergence is not available" not in page.inner_text("body")
    assert page.locator("table.heat td.h a b").count() == 4
    assert page.locator("table.heat td.h a").count() == 4  # two camp pairs, both directions
    assert "broken.txt" in page.inner_text("#skipped + table")
    page.locator("table.heat td.h a").first.click()
    assert page.url.split("/")[-2] == "cells"
    assert page.locator("td .pcell").count() >= 2
    page.locator("td .pcell a").first.click()  # to the passage in its event page
    assert "/events/" in page.url and "#p-" in page.url
    page.go_back()
    page.goto((out / "index.html").as_uri())
    page.uncheck("input[name=camp][value=russian]")
    page.uncheck("input[name=camp][value=western]")
    visible = [r for r in page.locator("#events + table tr[data-camps]").all() if r.is_visible()]
    assert len(visible) == 2  # the two JSONL events (azerbaijani, ukrainian)
    tab.assert_clean()
    assert (tmp_path / "index.png").stat().st_size > 10_000  # kept under pytest's tmp dir
