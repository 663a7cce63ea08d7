"""Fact groups and coverage: which facts each source or camp reports, and which it leaves out.

A fact group is a fact of the alignment (`models.alignment.Fact`, split by event), or, for
results without facts, a connected component of the alignment graph within one event. A fact's
centrality is the number of articles in the event that report it. Coverage lists, for every
article and every camp of an event, the facts others report and it does not, most central
first: a fact that every other source reports is a more telling omission than one only a single
other source mentions.

An omission is the absence of an accepted link, and alignment misses links (its recall is in
eval/RESULTS.md), so an article that seems to leave a fact out may tell it in words the
alignment did not trust. Given the candidate links that fell below the threshold (`near`), each
omission names the most confident of them between the article (or the camp's articles) and the
fact's passages as `nearest` ({"passage", "confidence"}), for the reader to check; an omission
without `nearest` had no such candidate. `parallax eval framing` measures how often omissions of
either kind are wrong on the demo gold: those without a candidate are right far more often, so
among facts of equal centrality they are listed first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class FactGroup:
    id: str
    event: str
    passages: tuple[str, ...]
    articles: tuple[str, ...]
    alignments: tuple[int, ...]  # indices into the run's alignment list


def fact_groups(
    pairs: Sequence[tuple[str, str]],
    article_of: Mapping[str, str],
    event_of: Mapping[str, str],
) -> list[FactGroup]:
    """Connected components of aligned passage pairs (a, b) whose articles share an event.

    Pairs across events are ignored. Groups are ordered by event, then by size (largest first).
    """
    kept = [(i, a, b) for i, (a, b) in enumerate(pairs)
            if event_of[article_of[a]] == event_of[article_of[b]]]  # fmt: skip
    nodes = sorted({p for _, a, b in kept for p in (a, b)})
    if not nodes:
        return []
    index = {p: i for i, p in enumerate(nodes)}
    rows = [index[a] for _, a, _ in kept]
    cols = [index[b] for _, _, b in kept]
    graph = coo_matrix(([1] * len(rows), (rows, cols)), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[str]] = {}
    links: dict[int, list[int]] = {}
    for node, label in zip(nodes, labels, strict=True):
        members.setdefault(int(label), []).append(node)
    for i, a, _ in kept:
        links.setdefault(int(labels[index[a]]), []).append(i)
    groups = []
    for label, passages in members.items():
        articles = tuple(sorted({article_of[p] for p in passages}))
        event = event_of[articles[0]]
        groups.append((event, -len(articles), passages, articles, tuple(sorted(links[label]))))
    groups.sort(key=lambda g: (g[0], g[1], g[2][0]))
    counters: dict[str, int] = {}
    result = []
    for event, _, passages, articles, alignment_ids in groups:
        counters[event] = counters.get(event, 0) + 1
        result.append(FactGroup(f"{event}/fact-{counters[event]}", event, tuple(passages),
                                articles, alignment_ids))  # fmt: skip
    return result


def groups_from_facts(
    facts: Sequence[tuple[str, Sequence[str]]],
    pairs: Sequence[tuple[str, str]],
    article_of: Mapping[str, str],
    event_of: Mapping[str, str],
) -> list[FactGroup]:
    """Fact groups from the alignment's own facts (id, passage ids), split by event.

    A fact whose passages span events becomes one group per event (members of one article never
    form a group alone). `alignments` lists the pairs with both passages in the group.
    """
    pair_index: dict[frozenset[str], int] = {frozenset(p): i for i, p in enumerate(pairs)}
    result = []
    for fact_id, passages in facts:
        by_event: dict[str, list[str]] = {}
        for passage in passages:
            by_event.setdefault(event_of[article_of[passage]], []).append(passage)
        for event, members in sorted(by_event.items()):
            articles = tuple(sorted({article_of[p] for p in members}))
            if len(articles) < 2:
                continue
            links = sorted(i for key, i in pair_index.items() if key <= set(members))
            suffix = "" if len(by_event) == 1 else f"@{event}"
            result.append(FactGroup(f"{fact_id}{suffix}", event, tuple(members), articles,
                                    tuple(links)))  # fmt: skip
    return result


def coverage(
    groups: Sequence[FactGroup],
    event_of: Mapping[str, str],
    camp_of: Mapping[str, str],
    near: Sequence[tuple[str, str, float]] = (),
    article_of: Mapping[str, str] | None = None,
) -> dict[str, dict]:
    """Per event: its facts by centrality and, per article and per camp, the facts it omits.

    `near`: candidate links (passage a, passage b, confidence) below the alignment threshold;
    `article_of` (passage id -> article id) is needed with them.

    Returns {event: {"articles": [...], "facts": [{"id", "centrality", "articles", "camps"}],
    "omissions": {"by_article": {aid: [{"fact", "centrality", "nearest"?}]},
    "by_camp": {camp: [...]}}}}, "nearest" being {"passage", "confidence"}.
    """
    if near and article_of is None:
        raise ValueError("coverage needs article_of to place the near links")
    # passage -> [(other passage, confidence)], both directions
    partners: dict[str, list[tuple[str, float]]] = {}
    for a, b, confidence in near:
        partners.setdefault(a, []).append((b, confidence))
        partners.setdefault(b, []).append((a, confidence))
    nearest = functools.partial(_nearest, partners=partners, article_of=article_of or {})
    report: dict[str, dict] = {}
    for event in sorted(set(event_of.values())):
        articles = sorted(a for a, e in event_of.items() if e == event)
        camps = sorted({camp_of[a] for a in articles})
        facts = sorted((g for g in groups if g.event == event),
                       key=lambda g: (-len(g.articles), g.id))  # fmt: skip
        fact_rows = [_fact_row(g, camp_of) for g in facts]
        by_article = {a: _omitted(facts, fact_rows, "articles", a, {a}, nearest)
                      for a in articles}  # fmt: skip
        by_camp = {c: _omitted(facts, fact_rows, "camps", c,
                               {a for a in articles if camp_of[a] == c}, nearest)
                   for c in camps}  # fmt: skip
        report[event] = {"articles": articles, "facts": fact_rows,
                         "omissions": {"by_article": by_article, "by_camp": by_camp}}  # fmt: skip
    return report


def _fact_row(group: FactGroup, camp_of: Mapping[str, str]) -> dict:
    return {"id": group.id, "centrality": len(group.articles), "articles": list(group.articles),
            "camps": sorted({camp_of[a] for a in group.articles})}  # fmt: skip


def _omitted(
    facts: Sequence[FactGroup],
    fact_rows: list[dict],
    field: str,
    who: str,
    members: set[str],
    nearest: Callable[[FactGroup, set[str]], dict | None],
) -> list[dict]:
    """The facts whose `field` ("articles" or "camps") lacks `who`, with the nearest candidate
    from the articles `members` where there is one."""
    rows = []
    for group, row in zip(facts, fact_rows, strict=True):
        if who in row[field]:
            continue
        entry = {"fact": row["id"], "centrality": row["centrality"]}
        found = nearest(group, members)
        if found is not None:
            entry["nearest"] = found
        rows.append(entry)
    # most central first; at equal centrality, omissions with no candidate link before the others
    return sorted(rows, key=lambda r: (-r["centrality"], "nearest" in r))


def _nearest(
    group: FactGroup,
    articles: set[str],
    partners: Mapping[str, list[tuple[str, float]]],
    article_of: Mapping[str, str],
) -> dict | None:
    """The most confident near link from a passage of `articles` to one of the group's passages,
    as {"passage": the article's passage, "confidence"}; None when there is none."""
    best: tuple[float, str] | None = None
    for passage in group.passages:
        for other, confidence in partners.get(passage, ()):
            if article_of.get(other) in articles and (best is None or confidence > best[0]):
                best = (confidence, other)
    if best is None:
        return None
    return {"passage": best[1], "confidence": round(best[0], 4)}
