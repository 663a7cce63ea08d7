"""HTML reports (Jinja2, autoescaped, self-contained): event page, article view, corpus index.

Entry points, each returning one self-contained HTML page (inline CSS and JS only):

- `render_report(result)`: the event page of one compare result (also what `parallax compare`
  and the API write); `render_event` is the same page with links for a batch output folder.
- `render_article(result, article_id, passage_id=None)`: one article's text with its passages
  marked at their character offsets, `passage_id` highlighted.
- `render_corpus_index(summary)` and `render_cell(summary, kind, key)`: the corpus summary of
  `parallax batch` (see `service.batch.summary`) and the pages behind its matrix numbers.

The result document (`result.json`). Every field marked optional may be absent, and then its
part of the page is left out (no placeholders, no invented numbers):

    {"method": {name: value},
     "event": {"id": str},                                        # optional (batch)
     "articles": [{
         "id", "outlet", "camp", "country", "language", "date", "title", "source",
         "text": str,                                             # optional, full text
         "stance": {target: {"favor": p, "against": p, "none": p}},   # optional, aggregate
         "passages": [{
             "id", "start", "end", "text",                        # text == article text[start:end]
             "stance": {target: {"favor": p, "against": p, "none": p}},  # optional, p in [0, 1]
             "voice": str | {"label": str, "speaker": str},       # optional: own/quoted/...
             "commitment": str | {"label": str}}]}],              # optional: asserted/hedged/...
     "alignments": [{
         "a": passage id, "b": passage id, "similarity": float, "margin": float,
         "confidence": float,                                     # optional, in [0, 1]
         "divergence": {                                          # optional
             "score": float in [0, 1], "components": {name: float},
             "evidence": float in [0, 1]},                        # optional (v3 and later)
         "contrast_terms": {"a": [{"term": str, "z": float,       # optional, best first
                                   "spans": [[start, end]]}],     # offsets into a's text
                            "b": [...]}}],                        # likewise for b
     "facts": [{"id": str, "passages": [passage id], "label": str,   # optional; label optional
                "divergence": float}],                            # optional per fact
     "coverage": {event id: {"articles": [article id],           # optional
                  "omissions": {"by_article": {article id: [
                      {"fact": fact id, "centrality": int,         # most central first
                       "nearest": {"passage": passage id,          # optional: a link
                                   "confidence": float}}]}}}},     # refused for confidence
     "events": [{"id": str, "articles": [article id]}],           # optional
     "translations": [{"a": article id, "b": article id,          # optional
                       "links": int, "only_a": [passage id], "only_b": [passage id]}],
     "skipped": [{"path": str, "line": int | None, "error": str}]}   # optional

Without `facts`, the fact groups are the connected components of the alignments
(`FACT_GROUPING_METHOD`). A fact group's divergence is its `divergence` when given, else the
largest divergence score among its aligned pairs, and its evidence the largest pair `evidence`
(divergence.v3 and later: P(same fact) x the framing signals). Rows, and the pairs inside a
row, are ordered by evidence when the result has it, then by divergence: a high score between
passages that may not state one fact should not top the page. Groups at or above the result's bar
(`method.divergence.evidence_min`) are marked. A source's omissions are the facts that `coverage`
lists for it (a fact id may end in `@event` where compare split a fact by event), most central
first; without `coverage`, the fact groups of two or more sources that it has no passage in, the
most widely reported first. An omission with a `nearest` candidate (a link that alignment refused
for confidence) is shown as uncertain, with that passage: on the demo gold most such omissions are
wrong (`parallax eval framing`, Coverage). Every pair lists the first `TOP_TERMS` contrast terms of
each side (`pair_terms`); those of a row's leading pair (the one listed first) are marked in its two
passages. A term whose spans do not lie in the passage text is marked where its words first occur,
if they do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

FACT_GROUPING_METHOD = "aligned-components.v1"
STANCE_LABELS = ("favor", "against", "none")
OUTLET_ROWS = 100  # outlet pairs listed on the corpus index
# contrast terms marked per side of a pair: the best few, as the seeds review lists them; the
# long tail of a pair's terms is mostly the words that one telling happens to use
TOP_TERMS = 3


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("service", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["heat"] = heat_colour
    env.filters["label"] = badge_label
    return env


def render_report(result: dict[str, Any]) -> str:
    """The event page of a compare `result` (standalone: no links outside the page)."""
    return render_event(result, index_href=None)


def render_event(result: dict[str, Any], index_href: str | None = "../index.html") -> str:
    """The event page: fact groups as rows, sources as columns, then the articles' texts."""
    view = event_view(result)
    return _environment().get_template("event.html").render(**view, index_href=index_href)


def render_article(result: dict[str, Any], article_id: str, passage_id: str | None = None) -> str:
    """One article with its passages marked at their offsets, `passage_id` highlighted."""
    view = event_view(result)
    matches = [a for a in view["sources"] if a["id"] == article_id]
    if not matches:
        known = ", ".join(a["id"] for a in view["sources"])
        raise KeyError(f"no article {article_id!r} in this result; articles: {known}")
    return (
        _environment()
        .get_template("article.html")
        .render(view=view, article=matches[0], current=passage_id)
    )


def render_corpus_index(summary: dict[str, Any]) -> str:
    """The corpus index of a batch `summary` (from `service.batch.summary`)."""
    cells = list(summary["matrices"]["outlet"]["cells"].values())
    cells.sort(key=lambda c: (-(c["divergence"] if c["divergence"] is not None else -1),
                              -c["pairs"], c["a"], c["b"]))  # fmt: skip
    template = _environment().get_template("index.html")
    return template.render(s=summary, outlet_rows=cells[:OUTLET_ROWS])


def render_cell(summary: dict[str, Any], kind: str, key: str) -> str:
    """The aligned pairs behind one number of the camp x camp or outlet x outlet matrix."""
    cell = summary["matrices"][kind]["cells"][key]
    return _environment().get_template("cell.html").render(s=summary, kind=kind, cell=cell)


# ----------------------------------------------------------------------------- view building


def event_view(result: dict[str, Any]) -> dict[str, Any]:
    """Everything the event page shows, computed once from a result document.

    A result with `events` (two or more) gets one section per event: its sources as columns
    and the fact groups among them as rows; alignments across events are counted, not shown.
    """
    articles = result.get("articles", [])
    passages = {p["id"]: (a, p) for a in articles for p in a.get("passages", [])}
    alignments = [al for al in result.get("alignments", [])
                  if al.get("a") in passages and al.get("b") in passages]  # fmt: skip
    parts = _event_parts(result)
    sections = [_section_view(event_id, sub, passages, len(parts) > 1)
                for event_id, sub in parts]  # fmt: skip
    sources = [source for section in sections for source in section["sources"]]
    rows = [row for section in sections for row in section["rows"]]
    aligned = {pid for row in rows for pid in row["passages"]}
    section_of = {s["id"]: n for n, section in enumerate(sections) for s in section["sources"]}
    return {
        "result": result,
        "title": _event_title(result),
        "sections": sections,
        "sources": sources,
        "rows": rows,
        "aligned": aligned,
        "has_divergence": any(r["divergence"] is not None for r in rows),
        "has_evidence": any(r["evidence"] is not None for r in rows),
        "evidence_min": _evidence_min(result),
        "has_stance": any(p.get("stance") for _, p in passages.values())
        or any(a.get("stance") for a in articles),
        "camps": sorted({a.get("camp") or "other" for a in articles}),
        "languages": sorted({a.get("language") or "?" for a in articles}),
        "facts_given": bool(result.get("facts")),
        "fact_method": "facts" if result.get("facts") else FACT_GROUPING_METHOD,
        "unaligned": sum(1 for pid in passages if pid not in aligned),
        "cross_event": sum(1 for al in alignments if section_of.get(passages[al["a"]][0]["id"])
                           != section_of.get(passages[al["b"]][0]["id"])),
        "translations": _translations_view(result, passages),
    }  # fmt: skip


def _translations_view(
    result: dict[str, Any], passages: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Article pairs aligned as translations (`translations` of a compare result), each side
    with its outlet and the passages (id, text) that only it has."""
    articles = {a["id"]: a for a in result.get("articles", [])}
    view = []
    for t in result.get("translations") or []:
        if t.get("a") not in articles or t.get("b") not in articles:
            continue
        sides = []
        for side in ("a", "b"):
            article = articles[t[side]]
            only = [{"id": pid, "text": passages[pid][1].get("text", "")}
                    for pid in t.get(f"only_{side}", []) if pid in passages]  # fmt: skip
            sides.append({"id": article["id"], "outlet": article.get("outlet") or "unknown",
                          "language": article.get("language") or "?", "only": only})  # fmt: skip
        view.append({"a": sides[0], "b": sides[1], "links": t.get("links", 0),
                     "coverage": t.get("coverage")})  # fmt: skip
    return view


def _event_parts(result: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """(event id, sub-result) per event listed in `events`; the whole result without them."""
    events = result.get("events")
    if not isinstance(events, list) or len(events) < 2:
        return [(None, result)]
    articles = result.get("articles", [])
    placed: set[str] = set()
    parts = []
    for event in events:
        ids = [aid for aid in event.get("articles", []) if aid not in placed]
        placed.update(ids)
        parts.append((str(event.get("id")), _sub_result(result, set(ids))))
    rest = {a["id"] for a in articles} - placed
    if rest:
        parts.append(("(no event)", _sub_result(result, rest)))
    return [(event_id, sub) for event_id, sub in parts if sub["articles"]]


def _sub_result(result: dict[str, Any], article_ids: set[str]) -> dict[str, Any]:
    articles = [a for a in result.get("articles", []) if a["id"] in article_ids]
    inside = {p["id"] for a in articles for p in a.get("passages", [])}
    sub = {**result, "articles": articles,
           "alignments": [al for al in result.get("alignments", [])
                          if al.get("a") in inside and al.get("b") in inside]}  # fmt: skip
    if result.get("facts"):
        sub["facts"] = [f for f in result["facts"] if set(f.get("passages", [])) & inside]
    if isinstance(result.get("coverage"), dict):  # the entries of the events of these articles
        sub["coverage"] = {event: entry for event, entry in result["coverage"].items()
                           if isinstance(entry, dict)
                           and set(entry.get("articles") or []) & article_ids}  # fmt: skip
    return sub


def _section_view(
    event_id: str | None,
    sub: dict[str, Any],
    passages: dict[str, tuple[dict, dict]],
    prefix: bool,
) -> dict[str, Any]:
    groups = fact_groups(sub)
    if prefix and not sub.get("facts"):  # derived ids restart per event: keep them unique
        for group in groups:
            group["id"] = f"{event_id}/{group['id']}"
    # each row's passages are marked with its leading pair's terms (every pair lists its own):
    # the marks of all pairs together would cover much of every passage
    leading = [min(g["alignments"], key=pair_order) for g in groups if g["alignments"]]
    marks = contrast_marks(leading, passages)
    omitted = omissions(sub, groups)
    hints = omission_hints(sub)
    sources = [_source_view(a, marks, omitted.get(a["id"], []), hints.get(a["id"], {}))
               for a in sub["articles"]]  # fmt: skip
    source_ids = [s["id"] for s in sources]
    rows = [_row_view(g, passages, marks, source_ids) for g in groups]
    rows.sort(key=lambda r: (-_or_minus_one(r["evidence"]), -_or_minus_one(r["divergence"]),
                             -len(r["articles"]), r["order"]))  # fmt: skip
    return {"id": event_id, "sources": sources, "rows": rows}


def fact_groups(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Fact groups: `{"id", "passages": [pid], "articles": [aid], "alignments": [al],
    "divergence": float | None, "label": str | None, "order": int}`, in document order."""
    articles = result.get("articles", [])
    owner = {p["id"]: a["id"] for a in articles for p in a.get("passages", [])}
    rank = {pid: n for n, pid in enumerate(owner)}
    alignments = [al for al in result.get("alignments", [])
                  if al.get("a") in owner and al.get("b") in owner]  # fmt: skip
    if result.get("facts"):
        raw = [(str(f["id"]), [p for p in f.get("passages", []) if p in owner], f)
               for f in result["facts"]]  # fmt: skip
    else:
        raw = [(f"g{n}", members, {}) for n, members in
               enumerate(_components(alignments, rank), start=1)]  # fmt: skip
    groups = []
    for fact_id, members, fact in raw:
        if not members:
            continue
        member_set = set(members)
        inside = [al for al in alignments if al["a"] in member_set and al["b"] in member_set]
        scores = [score for al in inside if (score := _score(al)) is not None]
        divergence = fact.get("divergence")
        if divergence is None and scores:
            divergence = max(scores)
        evidence = [e for al in inside if (e := _evidence(al)) is not None]
        groups.append({
            "id": fact_id, "passages": members, "alignments": inside,
            "articles": list(dict.fromkeys(owner[p] for p in members)),
            "divergence": divergence, "evidence": max(evidence) if evidence else None,
            "label": fact.get("label"),
            "order": min(rank[p] for p in members),
        })  # fmt: skip
    return groups


def omissions(result: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Article id -> ids of the fact groups it leaves out, most central first: as `coverage`
    lists them, when the result has it (only ids of `groups` are kept), else every group of two or
    more sources that the article has no passage in, the most widely reported first."""
    coverage = result.get("coverage")
    if isinstance(coverage, dict) and coverage:
        known = {g["id"] for g in groups}
        listed: dict[str, list[str]] = defaultdict(list)
        for article_id, fact_id, _ in _coverage_omissions(result):
            if fact_id in known and fact_id not in listed[article_id]:
                listed[article_id].append(fact_id)
        return {aid: ids for aid, ids in listed.items() if ids}
    omitted: dict[str, list[str]] = defaultdict(list)
    widest_first = sorted(groups, key=lambda g: -len(g["articles"]))
    for article in result.get("articles", []):
        for group in widest_first:
            if len(group["articles"]) >= 2 and article["id"] not in group["articles"]:
                omitted[article["id"]].append(group["id"])
    return dict(omitted)


def pair_terms(alignment: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The first `TOP_TERMS` contrast terms of each side of an aligned pair: {"a": [...], "b":
    [...]}, each term as `result.json` gives it ({term, z, spans}); empty lists without any."""
    terms = alignment.get("contrast_terms")
    if not isinstance(terms, dict):
        return {"a": [], "b": []}
    return {side: [t for t in terms.get(side) or [] if isinstance(t, dict)][:TOP_TERMS]
            for side in ("a", "b")}  # fmt: skip


def contrast_marks(
    alignments: list[dict[str, Any]], passages: dict[str, tuple[dict, dict]]
) -> dict[str, list[tuple[int, int]]]:
    """Passage id -> sorted, merged (start, end) spans of its pairs' top contrast terms
    (`pair_terms`), as offsets into the passage text."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for al in alignments:
        for side, terms in pair_terms(al).items():
            pid = al.get(side)
            if pid not in passages:
                continue
            for term in terms:
                spans[pid] += _term_spans(term, passages[pid][1]["text"])
    return {pid: _merge(sorted(found)) for pid, found in spans.items()}


def _term_spans(term: dict[str, Any], text: str) -> list[tuple[int, int]]:
    """The term's spans that lie in `text`; when none does, where its words first occur (any
    case), if they do."""
    inside = [
        (start, end)
        for start, end in (
            span
            for span in term.get("spans") or []
            if isinstance(span, list | tuple) and len(span) == 2
        )
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    ]
    if inside:
        return inside
    word = str(term.get("term") or "")
    found = text.casefold().find(word.casefold()) if word else -1
    return [(found, found + len(word))] if found >= 0 else []


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_marked) at `spans`; the template escapes each piece."""
    out, cursor = [], 0
    for start, end in spans:
        if start > cursor:
            out.append((text[cursor:start], False))
        out.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        out.append((text[cursor:], False))
    return out


def _components(alignments: list[dict[str, Any]], rank: dict[str, int]) -> list[list[str]]:
    """Connected groups of aligned passage ids, each in document order (by `rank`), in order."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes = sorted({pid for al in alignments for pid in (al["a"], al["b"])}, key=rank.__getitem__)
    if not nodes:
        return []
    index = {pid: i for i, pid in enumerate(nodes)}
    rows = [index[al["a"]] for al in alignments]
    cols = [index[al["b"]] for al in alignments]
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[str]] = defaultdict(list)
    for pid, label in zip(nodes, labels, strict=True):
        members[int(label)].append(pid)  # nodes are in rank order, so members are too
    return sorted(members.values(), key=lambda m: rank[m[0]])


def pair_order(alignment: dict[str, Any]) -> tuple[float, float]:
    """Sort key of the pairs of a fact group: most evidence first, then most divergent (or most
    similar, without divergence)."""
    score = _score(alignment)
    return (-_or_minus_one(_evidence(alignment)),
            -(score if score is not None else alignment["similarity"]))  # fmt: skip


def _evidence(alignment: dict[str, Any]) -> float | None:
    """The pair's evidence of a framing difference (divergence.v3 and later), when given."""
    divergence = alignment.get("divergence")
    if isinstance(divergence, dict) and isinstance(divergence.get("evidence"), int | float):
        return float(divergence["evidence"])
    return None


def _evidence_min(result: dict[str, Any]) -> float | None:
    """The evidence bar the result was scored with (`method.divergence.evidence_min`), if any."""
    divergence = (result.get("method") or {}).get("divergence")
    value = divergence.get("evidence_min") if isinstance(divergence, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _or_minus_one(value: float | None) -> float:
    return -1.0 if value is None else value


def _score(alignment: dict[str, Any]) -> float | None:
    divergence = alignment.get("divergence")
    if isinstance(divergence, dict) and isinstance(divergence.get("score"), int | float):
        return float(divergence["score"])
    return None


def _passage_view(
    article: dict[str, Any], passage: dict[str, Any], marks: dict[str, list[tuple[int, int]]]
) -> dict[str, Any]:
    return {
        "id": passage["id"], "article": article["id"],
        "language": article.get("language") or "?", "camp": article.get("camp") or "other",
        "outlet": article.get("outlet"),
        "segments": segments(passage["text"], marks.get(passage["id"], [])),
        "stance": stance_bars(passage.get("stance")),
        "voice": passage.get("voice"), "commitment": passage.get("commitment"),
    }  # fmt: skip


def omission_hints(result: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Article id -> fact id -> the `nearest` candidate that `coverage` gives with the article's
    omission of that fact ({"passage", "confidence"}), where it gives one and the passage is the
    article's."""
    passages = {p["id"] for a in result.get("articles", []) for p in a.get("passages", [])}
    hints: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for article_id, fact_id, fact in _coverage_omissions(result):
        nearest = fact.get("nearest")
        if not isinstance(nearest, dict) or nearest.get("passage") not in passages:
            continue
        hints[article_id].setdefault(fact_id, {
            "passage": nearest["passage"],
            "index": str(nearest["passage"]).rsplit(":", 1)[-1],
            "confidence": float(nearest.get("confidence", 0.0)),
        })  # fmt: skip
    return dict(hints)


def _coverage_omissions(result: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(article id, fact id, entry) for every omission that the result's `coverage` lists, in its
    order; the fact id without the `@event` that compare adds where it split a fact by event."""
    coverage = result.get("coverage")
    for entry in coverage.values() if isinstance(coverage, dict) else ():
        found = entry.get("omissions") if isinstance(entry, dict) else None
        by_article = found.get("by_article") if isinstance(found, dict) else None
        for article_id, facts in (by_article or {}).items():
            for fact in facts if isinstance(facts, list) else []:
                if isinstance(fact, dict):
                    yield article_id, str(fact.get("fact", "")).split("@")[0], fact


def _source_view(
    article: dict[str, Any],
    marks: dict[str, list[tuple[int, int]]],
    omitted: list[str],
    hints: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": article["id"], "outlet": article.get("outlet") or "unknown",
        "camp": article.get("camp") or "other", "language": article.get("language") or "?",
        "title": article.get("title"), "date": article.get("date"),
        "source": article.get("source"), "stance": stance_bars(article.get("stance")),
        "omitted": omitted, "hints": hints or {}, "body": article_body(article, marks),
        "passages": len(article.get("passages", [])),
    }  # fmt: skip


def article_body(
    article: dict[str, Any], marks: dict[str, list[tuple[int, int]]]
) -> list[dict[str, Any]]:
    """The article as pieces: `{"text"}` between passages, `{"passage", "segments"}` for each."""
    passages = sorted(article.get("passages", []), key=lambda p: p["start"])
    text = article.get("text")
    pieces: list[dict[str, Any]] = []
    cursor = 0
    for passage in passages:
        if isinstance(text, str):
            if passage["start"] > cursor:
                pieces.append({"text": text[cursor : passage["start"]]})
            cursor = max(cursor, passage["end"])
        elif pieces:
            pieces.append({"text": " "})
        marked = segments(passage["text"], marks.get(passage["id"], []))
        pieces.append({"passage": passage["id"], "segments": marked})
    if isinstance(text, str) and cursor < len(text):
        pieces.append({"text": text[cursor:]})
    return pieces


def _row_view(
    group: dict[str, Any],
    passages: dict[str, tuple[dict, dict]],
    marks: dict[str, list[tuple[int, int]]],
    source_ids: list[str],
) -> dict[str, Any]:
    cells: dict[str, list[dict[str, Any]]] = {sid: [] for sid in source_ids}
    for pid in group["passages"]:
        article, passage = passages[pid]
        cells[article["id"]].append(_passage_view(article, passage, marks))
    pairs = []
    for al in group["alignments"]:
        a_art, b_art = passages[al["a"]][0], passages[al["b"]][0]
        pairs.append({**al, "score": _score(al), "evidence": _evidence(al), "terms": pair_terms(al),
                      "a_outlet": a_art.get("outlet"), "b_outlet": b_art.get("outlet"),
                      "a_article": a_art["id"], "b_article": b_art["id"]})  # fmt: skip
    pairs.sort(key=pair_order)
    camps = sorted({passages[pid][0].get("camp") or "other" for pid in group["passages"]})
    langs = sorted({passages[pid][0].get("language") or "?" for pid in group["passages"]})
    return {**group, "cells": [cells[sid] for sid in source_ids], "pairs": pairs,
            "camps": camps, "languages": langs}  # fmt: skip


def stance_bars(stance: Any) -> list[dict[str, Any]]:
    """`{target: {favor, against, none}}` -> [{"target", "favor", "against", "none", "label"}]."""
    if not isinstance(stance, dict):
        return []
    bars = []
    for target in sorted(stance):
        probs = stance[target]
        if not isinstance(probs, dict):
            continue
        values = {k: float(probs.get(k, 0.0) or 0.0) for k in STANCE_LABELS}
        label = max(STANCE_LABELS, key=values.__getitem__)
        bars.append({"target": target, **values, "label": label})
    return bars


def badge_label(value: Any) -> str:
    """A voice/commitment value (str or {"label", "speaker"}) as short badge text."""
    if isinstance(value, dict):
        label = str(value.get("label") or value.get("type") or "")
        speaker = value.get("speaker")
        return f"{label}: {speaker}" if speaker and speaker != label else label
    return "" if value is None else str(value)


def heat_colour(score: float | None) -> str:
    """CSS background for a divergence in [0, 1]: white (alike) to deep red (divergent)."""
    if score is None:
        return "#f4f4f4"
    clamped = min(max(float(score), 0.0), 1.0)
    return f"hsl(4, 75%, {round(97 - 52 * clamped)}%)"


def _event_title(result: dict[str, Any]) -> str:
    event = result.get("event")
    if isinstance(event, dict) and event.get("id"):
        return str(event.get("title") or event["id"])
    return "Parallax report"
