"""The HTML report of a compare result: aligned passages side by side (Jinja2, autoescaped)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("service", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(result: dict[str, Any]) -> str:
    """HTML for a `result.json` document (as produced by `models.pipeline.result_to_dict`)."""
    passages = {}
    articles = {}
    for article in result["articles"]:
        articles[article["id"]] = article
        for passage in article["passages"]:
            passages[passage["id"]] = {**passage, "article": article}
    rows = sorted(result["alignments"], key=lambda al: -al.get("margin", al["similarity"]))
    return (
        _environment()
        .get_template("report.html")
        .render(result=result, articles=articles, passages=passages, rows=rows)
    )
