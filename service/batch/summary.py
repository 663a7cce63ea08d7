"""The corpus summary of a batch run, aggregated one event result at a time.

`SummaryBuilder.add_event` takes one event's result document (see `service.report`) and keeps
only aggregates and bounded "top" lists, so memory does not grow with the corpus text.
`finish` returns the summary document (written as `summary.json`, rendered as `index.html`):

    {"corpus": str, "grouping": str, "method": {...},
     "counts": {"files", "articles", "events", "passages", "alignments", "fact_groups",
                "skipped"},
     "has_divergence": bool, "camps": [camp], "languages": [code],
     "events": [{"id", "href", "articles", "passages", "alignments", "facts",
                 "camps": {camp: n}, "languages": [code], "dates": [first, last] | None,
                 "divergence": {"max", "mean", "pairs"} | None}],
     "sources": [{"camp", "articles", "outlets": [{"outlet", "articles",
                                                    "events": [{"id", "href"}]}]}],
     "matrices": {"camp" | "outlet": {"labels": [str], "cells": {"A|B": {
         "a", "b", "href", "pairs", "divergence": mean | None, "scored": n,
         "items": [pair]}}}},                       # items: the most divergent pairs, at most ITEMS
     "top_facts": [{"event", "href", "fact", "divergence" | None, "camps", "languages",
                    "passages": [{"outlet", "camp", "language", "text", "href"}]}],
     "omissions": [{"camp", "count", "uncertain", "items": [{"event", "href", "fact",
                                                "reported_by", "excerpt", "uncertain"}]}],
     "skipped": [{"path", "line", "error"}]}

Camp x camp and outlet x outlet cells aggregate the divergence scores of aligned passage pairs
(mean over the pairs that carry one); a cell whose pairs carry no score has `divergence: None`
and the report says the score is not available. `pairs` counts all aligned pairs in the cell.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import Counter, defaultdict
from typing import Any

from service.report import fact_groups, omission_hints, omissions

ITEMS = 60  # pairs kept per matrix cell (the most divergent)
TOP_FACTS = 25
OMISSION_ITEMS = 10


def cell_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def slug(text: str) -> str:
    """A file-name-safe, readable and unique name for `text` (ASCII part + short hash)."""
    readable = re.sub(r"[^\w.-]+", "_", text, flags=re.ASCII).strip("_.")[:50]
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest


class _Cell:
    def __init__(self) -> None:
        self.pairs = 0
        self.total = 0.0
        self.scored = 0
        self.items: list[tuple[float, int, dict[str, Any]]] = []  # min-heap of the top ITEMS


class SummaryBuilder:
    """Accumulates event results into the corpus summary."""

    def __init__(self, corpus: str, grouping: str) -> None:
        self.corpus, self.grouping = corpus, grouping
        self.method: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.outlets: dict[tuple[str, str], dict[str, Any]] = {}
        self.cells: dict[str, dict[str, _Cell]] = {"camp": defaultdict(_Cell),
                                                   "outlet": defaultdict(_Cell)}  # fmt: skip
        self.top_facts: list[tuple[tuple[float, int], int, dict[str, Any]]] = []
        self.omitted: dict[str, list[tuple[int, bool, int, dict[str, Any]]]] = defaultdict(list)
        self.omitted_count: Counter[str] = Counter()
        # omissions for which a link refused for confidence joins the camp to the fact
        self.uncertain_count: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.languages: set[str] = set()
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def add_event(self, event_id: str, href: str, result: dict[str, Any]) -> None:
        self.method = self.method or dict(result.get("method", {}))
        articles = result.get("articles", [])
        by_passage = {p["id"]: (a, p) for a in articles for p in a.get("passages", [])}
        groups = fact_groups(result)
        scores = [al["divergence"]["score"] for al in result.get("alignments", [])
                  if isinstance(al.get("divergence"), dict)
                  and isinstance(al["divergence"].get("score"), int | float)]  # fmt: skip
        dates = sorted(a["date"] for a in articles if a.get("date"))
        self.events.append({
            "id": event_id, "href": href, "articles": len(articles),
            "passages": len(by_passage), "alignments": len(result.get("alignments", [])),
            "facts": len(groups), "camps": dict(Counter(a.get("camp") or "other"
                                                        for a in articles)),
            "languages": sorted({a.get("language") or "?" for a in articles}),
            "dates": [dates[0], dates[-1]] if dates else None,
            "divergence": {"max": max(scores), "mean": sum(scores) / len(scores),
                           "pairs": len(scores)} if scores else None,
        })  # fmt: skip
        self.counts.update(articles=len(articles), passages=len(by_passage), events=1,
                           alignments=len(result.get("alignments", [])),
                           fact_groups=len(groups))  # fmt: skip
        for article in articles:
            self.languages.add(article.get("language") or "?")
            key = (article.get("camp") or "other", article.get("outlet") or "unknown")
            entry = self.outlets.setdefault(key, {"articles": 0, "events": []})
            entry["articles"] += 1
            if not entry["events"] or entry["events"][-1]["id"] != event_id:
                entry["events"].append({"id": event_id, "href": href})
        for al in result.get("alignments", []):
            if al.get("a") in by_passage and al.get("b") in by_passage:
                self._add_pair(event_id, href, al, by_passage[al["a"]], by_passage[al["b"]])
        for group in groups:
            self._add_fact(event_id, href, group, by_passage)
        self._add_omissions(event_id, href, result, groups, by_passage)

    def _add_pair(self, event_id: str, href: str, al: dict[str, Any], a: tuple, b: tuple) -> None:
        divergence = al.get("divergence") if isinstance(al.get("divergence"), dict) else None
        score = divergence.get("score") if divergence else None
        item = {"event": event_id, "score": score, "similarity": al.get("similarity"),
                "components": (divergence or {}).get("components") or {},
                "a": _passage_ref(href, *a), "b": _passage_ref(href, *b)}  # fmt: skip
        for kind, field in (("camp", "camp"), ("outlet", "outlet")):
            cell = self.cells[kind][cell_key(a[0].get(field) or "?", b[0].get(field) or "?")]
            cell.pairs += 1
            if score is not None:
                cell.total += float(score)
                cell.scored += 1
            rank = float(score) if score is not None else -1.0
            entry = (rank, -self._next(), item)
            if len(cell.items) < ITEMS:
                heapq.heappush(cell.items, entry)
            else:
                heapq.heappushpop(cell.items, entry)

    def _add_fact(self, event_id: str, href: str, group: dict[str, Any], by_passage: dict) -> None:
        if len(group["articles"]) < 2:
            return
        members = [by_passage[pid] for pid in group["passages"]]
        camps = sorted({a.get("camp") or "other" for a, _ in members})
        fact = {
            "event": event_id, "href": f"{href}#fact-{group['id']}", "fact": group["id"],
            "label": group.get("label"), "divergence": group["divergence"], "camps": camps,
            "languages": sorted({a.get("language") or "?" for a, _ in members}),
            "passages": [_passage_ref(href, a, p) for a, p in members[:6]],
        }  # fmt: skip
        divergence = group["divergence"]
        rank = (float(divergence) if divergence is not None else -1.0, len(camps))
        entry: tuple[tuple[float, int], int, dict[str, Any]] = (rank, -self._next(), fact)
        if len(self.top_facts) < TOP_FACTS:
            heapq.heappush(self.top_facts, entry)
        else:
            heapq.heappushpop(self.top_facts, entry)

    def _add_omissions(
        self, event_id: str, href: str, result: dict, groups: list, by_passage: dict
    ) -> None:
        camp_of = {a["id"]: a.get("camp") or "other" for a in result.get("articles", [])}
        group_by_id = {g["id"]: g for g in groups}
        event_camps = set(camp_of.values())
        omitted = omissions(result, groups)
        hints = omission_hints(result)
        for camp in sorted(event_camps):
            articles = [aid for aid, c in camp_of.items() if c == camp]
            # a camp omits a fact when every one of its articles in the event omits it
            common = set.intersection(*(set(omitted.get(aid, [])) for aid in articles))
            for fact_id in sorted(common):
                group = group_by_id.get(fact_id)
                if group is None:
                    continue
                reported_by = sorted({camp_of[aid] for aid in group["articles"]})
                first = by_passage[group["passages"][0]][1]["text"]
                uncertain = any(fact_id in hints.get(aid, {}) for aid in articles)
                item = {"event": event_id, "href": f"{href}#fact-{fact_id}", "fact": fact_id,
                        "reported_by": reported_by, "excerpt": first[:160],
                        "uncertain": uncertain}  # fmt: skip
                self.omitted_count[camp] += 1
                self.uncertain_count[camp] += uncertain
                heap = self.omitted[camp]
                # the most widely reported first, then the sure before the uncertain
                entry = (len(reported_by), not uncertain, -self._next(), item)
                if len(heap) < OMISSION_ITEMS:
                    heapq.heappush(heap, entry)
                else:
                    heapq.heappushpop(heap, entry)

    def finish(self, files: int, skipped: list[dict[str, Any]]) -> dict[str, Any]:
        """The summary document."""
        has_divergence = any(c.scored for cells in self.cells.values() for c in cells.values())
        return {
            "corpus": self.corpus, "grouping": self.grouping, "method": self.method,
            "counts": {**{k: self.counts[k] for k in ("articles", "events", "passages",
                                                      "alignments", "fact_groups")},
                       "files": files, "skipped": len(skipped)},
            "has_divergence": has_divergence,
            "camps": sorted({camp for camp, _ in self.outlets}),
            "languages": sorted(self.languages),
            "events": self.events,
            "sources": self._sources(),
            "matrices": {kind: self._matrix(kind) for kind in ("camp", "outlet")},
            "top_facts": [f for _, _, f in sorted(self.top_facts, reverse=True)],
            "omissions": [
                {"camp": camp, "count": self.omitted_count[camp],
                 "uncertain": self.uncertain_count[camp],
                 "items": [i for *_, i in sorted(self.omitted[camp], reverse=True)]}
                for camp in sorted(self.omitted_count)
            ],
            "skipped": skipped,
        }  # fmt: skip

    def _sources(self) -> list[dict[str, Any]]:
        camps: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (camp, outlet), entry in sorted(self.outlets.items()):
            camps[camp].append({"outlet": outlet, **entry})
        return [{"camp": camp, "articles": sum(o["articles"] for o in outlets),
                 "outlets": outlets} for camp, outlets in sorted(camps.items())]  # fmt: skip

    def _matrix(self, kind: str) -> dict[str, Any]:
        cells = {}
        labels: set[str] = set()
        for key, cell in sorted(self.cells[kind].items()):
            a, _, b = key.partition("|")
            labels.update((a, b))
            cells[key] = {
                "a": a, "b": b, "href": f"cells/{kind}-{slug(a)}--{slug(b)}.html",
                "pairs": cell.pairs, "scored": cell.scored,
                "divergence": cell.total / cell.scored if cell.scored else None,
                "items": [i for _, _, i in sorted(cell.items, reverse=True)],
            }  # fmt: skip
        return {"labels": sorted(labels), "cells": cells}


def _passage_ref(href: str, article: dict[str, Any], passage: dict[str, Any]) -> dict[str, Any]:
    return {"id": passage["id"], "outlet": article.get("outlet"), "camp": article.get("camp"),
            "language": article.get("language"), "text": passage["text"],
            "href": f"{href}#p-{passage['id']}"}  # fmt: skip
