"""The seeds review: the pairs of a folder of real articles that show a framing difference.

    python -m eval.seeds_review [FOLDER] [--top 10] [--stance finetuned|ensemble|baseline|none]
                                [--record]
    parallax eval seeds [FOLDER] [...]

Runs compare on FOLDER (default: the shared folder's `seeds`, with its `meta.json`), keeping
candidate links down to confidence `MIN_CONFIDENCE` (below compare's own 0.5, so that a few
articles offer enough pairs), frames every pair with the default divergence (`divergence.v7`)
and, as compare does, the default stance model (`--stance`; "none" leaves stance out), and
lists the pairs of one event whose evidence of a framing difference reaches `EVIDENCE_MIN`, the
most evident first: ids, evidence, score, components, commitment and voice, the top
contrast terms of each side and the two passages to read. Pairs below the bar are counted, not
listed. Without FOLDER the review is skipped with a message, never an error.

It also lists every link that compare itself accepts (confidence >= `LINK_THRESHOLD`), for a
reader to check that each joins two sentences reporting the same fact.

`--record` writes eval/results/seeds_review.json, rendered in RESULTS.md: ids, figures and
terms with the team's verdicts from `eval/gold/seeds_verdicts.jsonl` (pair ids, verdict, a
reason in our own words), and the accepted links with the verdicts of
`eval/gold/seeds_link_verdicts.jsonl` ("same fact" or "not same fact"). Never the articles'
text: it is not ours to redistribute.

It also measures those links against an exhaustive reading of the seeds (`READINGS`: readers who
listed every pair of sentences that report one fact, with a framing verdict for each): precision
and recall of the links compare accepts and of those down to `MIN_CONFIDENCE`, and how many of
the pairs every reader calls framed differently compare links and the review lists.

A verdict names passages by id ("article:index"), and ids move when segmentation or cleaning
changes. Each verdict therefore also keeps a fingerprint of the two passages it judged (the first
12 hex digits of the SHA-1 of each text, `fingerprint`): a verdict whose passages have since
changed is reported as "stale", never applied to passages nobody read; so is a reading's pair.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.alignment import THRESHOLD
from eval.framing import model_stance_provider, run_compare
from eval.record import markdown_table, rewrite_results_md, write_record
from models.encoders import DEFAULT_ENCODER
from models.framing.divergence import EVIDENCE_MIN
from models.framing.frame import frame_result

MIN_CONFIDENCE = 0.2
TERMS_SHOWN = 3
VERDICTS = Path(__file__).resolve().parent / "gold" / "seeds_verdicts.jsonl"
LINK_VERDICTS = Path(__file__).resolve().parent / "gold" / "seeds_link_verdicts.jsonl"
# Two readings that list every same-fact pair of the seeds (eval/gold/seeds_facts/README.md).
READINGS = Path(__file__).resolve().parent / "gold" / "seeds_facts"
FRAMING_WORDS = ("different", "alike")
FRAMING_VERDICTS = ("real", "not real")
LINK_VERDICT_WORDS = ("same fact", "not same fact")
LINK_THRESHOLD = THRESHOLD  # the confidence at which compare accepts a link
STANCE_CHOICES = ("none", "finetuned", "ensemble", "baseline")
DEFAULT_STANCE = "finetuned"  # compare's default: the review reads what a user sees
STALE = {"verdict": "stale", "reason": "the passages changed since this verdict; judge again"}
UNJUDGED = {"verdict": "unjudged", "reason": ""}


def fingerprint(text: str) -> str:
    """A passage's fingerprint: the first 12 hex digits of the SHA-1 of its text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def review_pairs(
    paths: list[Path],
    meta: Path | None = None,
    k: int = 10,
    stance: str = DEFAULT_STANCE,
    encoder_spec: str = DEFAULT_ENCODER,
    cache_dir: Path | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    evidence_min: float = EVIDENCE_MIN,
) -> dict[str, Any]:
    """The `k` most evident pairs at or above `evidence_min` (module docstring), with counts.

    `stance`: "none", or a shipped stance model (`models.stance.MODEL_KINDS`) whose stance enters
    the divergence. Returns {"method", "stance", "candidates", "below_min", "pairs": [row],
    "below": [{a, b, evidence}] (the candidates under the bar, most evident first), "links":
    [{a, b, confidence, outlets, texts, fingerprints}] (the links compare accepts, most confident
    first), "rejected": [{a, b, confidence, fingerprints}] (candidate links from
    `min_confidence` up to `LINK_THRESHOLD`, which compare drops), "passages": {id:
    fingerprint} of every passage}.
    """
    if stance not in STANCE_CHOICES:
        raise ValueError(f"unknown stance {stance!r}; use one of {', '.join(STANCE_CHOICES)}")
    result, embeddings = run_compare(paths, meta, encoder_spec, cache_dir,
                                     threshold=min_confidence)  # fmt: skip
    scores = None if stance == "none" else model_stance_provider(stance)(result)
    framing = frame_result(result, scores, embeddings=embeddings)
    passages = result.passage_index()
    outlet = {a.id: a.outlet for a in result.articles}
    confidence = {(al.a, al.b): al.confidence for al in result.alignments}
    candidates = [p for p in framing.pairs if p.same_event]

    def fingerprints(pair: Any) -> dict[str, str]:
        return {"a": fingerprint(passages[pair.a].text), "b": fingerprint(passages[pair.b].text)}

    ranked = sorted(candidates, key=lambda p: (-(p.divergence.evidence or 0.0), p.a, p.b))
    shown = [p for p in ranked if (p.divergence.evidence or 0.0) >= evidence_min][:k]
    rows = []
    for pair in shown:
        details = pair.divergence.details
        rows.append({
            "a": pair.a, "b": pair.b, "evidence": pair.divergence.evidence,
            "score": pair.divergence.score, "confidence": round(confidence[(pair.a, pair.b)], 4),
            "components": pair.divergence.components, "commitment": details.get("commitment"),
            "voice": details.get("voice"), "concepts_only": details.get("concepts_only"),
            "outlets": {"a": outlet[passages[pair.a].article_id],
                        "b": outlet[passages[pair.b].article_id]},
            "terms": {"a": [t.term for t in pair.contrast.terms_a[:TERMS_SHOWN]],
                      "b": [t.term for t in pair.contrast.terms_b[:TERMS_SHOWN]]},
            "texts": {"a": passages[pair.a].text, "b": passages[pair.b].text},
            "fingerprints": fingerprints(pair),
        })  # fmt: skip
    below = [{"a": p.a, "b": p.b, "evidence": p.divergence.evidence,
              "fingerprints": fingerprints(p)}
             for p in ranked if (p.divergence.evidence or 0.0) < evidence_min]  # fmt: skip
    accepted = sorted((al for al in result.alignments if al.confidence >= LINK_THRESHOLD),
                      key=lambda al: (-al.confidence, al.a, al.b))  # fmt: skip
    links = [{"a": al.a, "b": al.b, "confidence": round(al.confidence, 4),
              "outlets": {"a": outlet[passages[al.a].article_id],
                          "b": outlet[passages[al.b].article_id]},
              "texts": {"a": passages[al.a].text, "b": passages[al.b].text},
              "fingerprints": fingerprints(al)} for al in accepted]  # fmt: skip
    rejected = [{"a": al.a, "b": al.b, "confidence": round(al.confidence, 4),
                 "fingerprints": fingerprints(al)}
                for al in result.alignments if al.confidence < LINK_THRESHOLD]  # fmt: skip
    return {"method": framing.method, "stance": stance, "min_confidence": min_confidence,
            "evidence_min": evidence_min, "candidates": len(candidates),
            "below_min": len(below), "pairs": rows, "below": below, "links": links,
            "rejected": rejected,
            "passages": {pid: fingerprint(p.text) for pid, p in passages.items()}}  # fmt: skip


def format_review(review: dict[str, Any], width: int = 160) -> str:
    """Plain-text listing: one block per pair (figures, terms, the two passages shortened)."""
    reached = review["candidates"] - review["below_min"]
    lines = [f"{reached} pairs with evidence >= {review['evidence_min']}, the first "
             f"{len(review['pairs'])} listed ({review['candidates']} candidate pairs, "
             f"{review['below_min']} below the bar; {review['method']['divergence']}, "
             f"stance: {review['stance']})"]  # fmt: skip
    for i, row in enumerate(review["pairs"], 1):
        lines.append(f"{i:2d}. {row['a']} | {row['b']}  evidence {row['evidence']:.3f}  "
                     f"score {row['score']:.3f}  confidence {row['confidence']:.2f}")  # fmt: skip
        lines.append(f"    components {row['components']}  commitment {row['commitment']}  "
                     f"voice {row['voice']}")  # fmt: skip
        for side in ("a", "b"):
            lines.append(_passage_line(row, side, width))
            lines.append(f"      terms: {', '.join(row['terms'][side]) or '-'}")
    links = review.get("links", [])
    lines.append(f"{len(links)} links accepted (confidence >= {LINK_THRESHOLD}), the most "
                 "confident first:")  # fmt: skip
    for i, link in enumerate(links, 1):
        lines.append(f"{i:2d}. {link['a']} | {link['b']}  confidence {link['confidence']:.2f}")
        lines += [_passage_line(link, side, width) for side in ("a", "b")]
    return "\n".join(lines)


def _passage_line(item: dict[str, Any], side: str, width: int) -> str:
    """One side of a listed pair or link: its outlet and its text, shortened to `width`."""
    text = textwrap.shorten(item["texts"][side], width=width, placeholder="...")
    return f"    {side.upper()} [{item['outlets'][side]}] {text}"


def read_verdicts(
    path: Path = VERDICTS, allowed: tuple[str, ...] = FRAMING_VERDICTS
) -> dict[tuple[str, str], dict[str, Any]]:
    """(a, b) -> {"verdict", "reason", "fingerprint"} from a verdicts JSONL (absent file: none;
    "fingerprint" is None in a row written without one); `allowed`: the verdict words."""
    if not path.is_file():
        return {}
    verdicts = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("verdict") not in allowed:
            words = " or ".join(repr(word) for word in allowed)
            raise ValueError(f"{path}:{number}: verdict must be {words}")
        verdicts[(row["a"], row["b"])] = {"verdict": row["verdict"], "reason": row["reason"],
                                          "fingerprint": row.get("fingerprint")}  # fmt: skip
    return verdicts


def judge(verdicts: dict[tuple[str, str], dict[str, Any]], pair: dict[str, Any]) -> dict[str, str]:
    """The team's {"verdict", "reason"} on a reviewed pair: UNJUDGED when there is none, STALE
    when the verdict's fingerprints are not those of the pair's passages now."""
    judged = verdicts.get((pair["a"], pair["b"]))
    if judged is None:
        return UNJUDGED
    if judged["fingerprint"] and judged["fingerprint"] != pair.get("fingerprints"):
        return STALE
    return {"verdict": judged["verdict"], "reason": judged["reason"]}


def record_review(
    review: dict[str, Any],
    verdicts_path: Path = VERDICTS,
    link_verdicts_path: Path = LINK_VERDICTS,
    readings_folder: Path = READINGS,
    top: int = 10,
) -> Path:
    """Write the review (texts left out) with the verdicts, and compare's links against the
    readings (`against_readings`), into eval/results and RESULTS.md."""
    verdicts = read_verdicts(verdicts_path)
    readings = against_readings(review, read_readings(readings_folder))
    readers = readings["listed"] if readings is not None else {}
    rows, figures = [], []
    for row in review["pairs"]:
        judged = judge(verdicts, row)
        kept = {key: value for key, value in row.items() if key != "texts"}
        # a speaker is a span of the article: record only whose voice it is, never the words
        kept["voice"] = {side: "outlet" if voice == "outlet" else "source"
                         for side, voice in (row.get("voice") or {}).items()}  # fmt: skip
        figures.append({**kept, **judged})
        terms = " / ".join(", ".join(row["terms"][side]) or "-" for side in ("a", "b"))
        pair = f"{row['a']} / {row['b']}"
        rows.append([pair, row["evidence"], row["score"], terms, judged["verdict"],
                     judged["reason"], readers.get(pair, "")])  # fmt: skip
    real = sum(f["verdict"] == "real" for f in figures)
    judged_below = [judge(verdicts, p)["verdict"] for p in review.get("below", [])]
    judged_below = [verdict for verdict in judged_below if verdict in ("real", "not real")]
    real_below = judged_below.count("real")
    verb = "is a real framing difference" if real_below == 1 else "are real framing differences"
    missed = (f" Of the {len(judged_below)} judged candidates below the bar, {real_below} {verb}."
              if judged_below else "")  # fmt: skip
    table = markdown_table(["pair (a / b)", "evidence", "score", "top terms (a / b)", "verdict",
                            "reason", "readers (seeds_facts)"], rows)  # fmt: skip
    reached = review["candidates"] - review["below_min"]
    listed = "" if reached == len(rows) else f"; the {len(rows)} most evident are listed"
    links, link_figures = _judged_links(review.get("links", []), review.get("rejected", []),
                                        link_verdicts_path, review["min_confidence"])  # fmt: skip
    if readings is not None:
        links += "\n\n" + _readings_markdown(readings, top)
    markdown = (
        f"{reached} pairs reach evidence {review['evidence_min']} out of "
        f"{review['candidates']} candidate pairs (links of confidence >= "
        f"{review['min_confidence']}){listed}; {real} of the {len(rows)} listed are judged a "
        f"real framing difference by a reader. Stance: {review['stance']}. Verdicts and reasons "
        f"are the team's, in eval/gold/seeds_verdicts.jsonl; the articles' text is not "
        f"reproduced.{missed}"
        f"\n\n{table}\n\n{links}"
    )
    summary = {key: review.get(key) for key in ("stance", "min_confidence", "evidence_min",
                                                "candidates", "below_min", "below")}  # fmt: skip
    path = write_record("seeds_review", "Seeds review: most divergent pairs of the seed articles",
                        "python -m eval.seeds_review --record", "../shared/seeds (5 real "
                        "English-language articles, not in the repository)",
                        {**summary, "method": review["method"], "pairs": figures,
                         "links": link_figures, "readings": readings},
                        markdown)  # fmt: skip
    rewrite_results_md()
    return path


def _judged_links(
    links: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    verdicts_path: Path,
    floor: float,
) -> tuple[str, list[dict[str, Any]]]:
    """The accepted links as markdown (a count, then a table) and as figures, each with the
    team's verdict on whether its two sentences report the same fact, and how many judged
    candidates compare drops report one fact all the same; never the texts."""
    verdicts = read_verdicts(verdicts_path, LINK_VERDICT_WORDS)
    rows, figures = [], []
    for link in links:
        judged = judge(verdicts, link)
        figures.append({key: link[key] for key in ("a", "b", "confidence", "fingerprints")}
                       | judged)  # fmt: skip
        rows.append([f"{link['a']} / {link['b']}", link["confidence"], judged["verdict"],
                     judged["reason"]])  # fmt: skip
    same = sum(f["verdict"] == "same fact" for f in figures)
    text = (f"Links that compare accepts (confidence >= {LINK_THRESHOLD}): {len(links)}; {same} "
            f"of them judged by a reader to join two sentences that report the same fact "
            f"(verdicts in eval/gold/seeds_link_verdicts.jsonl).")  # fmt: skip
    one_fact = [pair for pair, judged in verdicts.items() if judged["verdict"] == "same fact"]
    text += (f" The verdicts cover {len(verdicts)} pairs, {len(one_fact)} of them one fact; "
             f"{same} of those are accepted.")  # fmt: skip
    dropped = [judge(verdicts, link)["verdict"] for link in rejected]
    dropped = [verdict for verdict in dropped if verdict in LINK_VERDICT_WORDS]
    if dropped:
        text += (f" Of the {len(dropped)} judged candidates that it drops (confidence from "
                 f"{floor} up to {LINK_THRESHOLD}), {dropped.count('same fact')} report the same "
                 f"fact.")  # fmt: skip
    if rows:
        table = markdown_table(["link (a / b)", "confidence", "verdict", "reason"], rows)
        text += f"\n\n{table}"
    return text, figures


@dataclass(frozen=True)
class Reading:
    """One reader's list of the seeds' same-fact pairs (`READINGS`): {a, b} -> whether the two
    passages tell the fact with a real framing difference, and the fingerprint of every passage
    named."""

    annotator: str
    pairs: dict[frozenset[str], bool]
    fingerprints: dict[str, str]


def read_reading(path: Path) -> Reading:
    """A reading file, checked: every pair joins two articles and names fingerprinted passages,
    its framing is one of `FRAMING_WORDS`. A pair listed under two facts is framed differently
    when either says so."""
    document = json.loads(path.read_text(encoding="utf-8"))
    prints = document["fingerprints"]
    pairs: dict[frozenset[str], bool] = {}
    for fact in document["facts"]:
        for pair in fact["pairs"]:
            a, b = pair["a"], pair["b"]
            where = f"{path.name}, fact {fact['id']!r}, pair {a} / {b}"
            if a.split(":")[0] == b.split(":")[0]:
                raise ValueError(f"{where}: both passages are of one article")
            if a not in prints or b not in prints:
                raise ValueError(f"{where}: a passage without a fingerprint")
            if pair["framing"] not in FRAMING_WORDS:
                raise ValueError(f"{where}: framing must be one of {FRAMING_WORDS}")
            key = frozenset((a, b))
            pairs[key] = pairs.get(key, False) or pair["framing"] == "different"
    return Reading(str(document["annotator"]), pairs, dict(prints))


def read_readings(folder: Path = READINGS) -> list[Reading]:
    """Every `annotator_*.json` of `folder`, in name order (none when it is absent)."""
    return [read_reading(path) for path in sorted(folder.glob("annotator_*.json"))]


def against_readings(review: dict[str, Any], readings: list[Reading]) -> dict[str, Any] | None:
    """Compare's links against the pairs that every reading lists (the gold here), with how far
    the readings agree, and the pairs they all call framed differently: how many compare links
    and how many the review lists over its bar. Pairs naming a passage whose text changed since
    it was read are left out and counted as stale. None without readings."""
    if not readings:
        return None
    now = review.get("passages", {})

    def fresh(reading: Reading) -> dict[frozenset[str], bool]:
        return {pair: different for pair, different in reading.pairs.items()
                if all(reading.fingerprints[pid] == now.get(pid) for pid in pair)}  # fmt: skip

    current = [fresh(reading) for reading in readings]
    gold = set.intersection(*(set(pairs) for pairs in current))
    different = {pair for pair in gold if all(pairs[pair] for pairs in current)}
    accepted = {frozenset((link["a"], link["b"])) for link in review["links"]}
    floor = accepted | {frozenset((link["a"], link["b"])) for link in review["rejected"]}
    listed = {frozenset((row["a"], row["b"])) for row in review["pairs"]}

    def scored(links: set[frozenset[str]], threshold: float) -> dict[str, Any]:
        right = len(links & gold)
        return {"min_confidence": threshold, "links": len(links), "right": right,
                "precision": right / len(links) if links else None,
                "recall": right / len(gold) if gold else None}  # fmt: skip

    readers = [{"annotator": reading.annotator, "pairs": len(pairs),
                "different": sum(pairs.values()),
                "stale": len(reading.pairs) - len(pairs)}
               for reading, pairs in zip(readings, current, strict=True)]  # fmt: skip
    framing_agree = sum(len({pairs[pair] for pairs in current}) == 1 for pair in gold)

    def readers_say(pair: frozenset[str]) -> str:
        """The readers' word on a listed pair: "different" / "alike" when all agree."""
        if pair not in gold:
            return "no one fact" if not any(pair in pairs for pairs in current) else "split"
        words = {"different" if pairs[pair] else "alike" for pairs in current}
        return words.pop() if len(words) == 1 else "split"

    return {"readers": readers, "gold": len(gold),
            "union": len(set.union(*(set(pairs) for pairs in current))),
            "framing_agree": framing_agree, "different": len(different),
            "links": [scored(accepted, LINK_THRESHOLD), scored(floor, review["min_confidence"])],
            "different_linked": len(different & accepted),
            "different_listed": len(different & listed),
            "listed": {f"{row['a']} / {row['b']}": readers_say(frozenset((row["a"], row["b"])))
                       for row in review["pairs"]}}  # fmt: skip


def _readings_markdown(figures: dict[str, Any], top: int) -> str:
    """The comparison with the readings: two tables and a sentence on framed pairs."""
    readers = markdown_table(
        ["reading", "same-fact pairs", "framed differently", "stale"],
        [[f"annotator {r['annotator']}", r["pairs"], r["different"], r["stale"]]
         for r in figures["readers"]]
        + [["in every reading (the gold here)", figures["gold"], figures["different"], ""]],
    )  # fmt: skip
    links = markdown_table(
        ["links of confidence >=", "links", "same fact (gold)", "precision", "recall"],
        [[row["min_confidence"], row["links"], row["right"], row["precision"], row["recall"]]
         for row in figures["links"]],
    )  # fmt: skip
    return (
        f"Against an exhaustive reading (eval/gold/seeds_facts: two readers each listed every "
        f"fact that two or more of the articles report, and every pair of its sentences from "
        f"two articles with a framing verdict; {figures['gold']} pairs are in every reading, "
        f"{figures['union']} in any, and {figures['framing_agree']} of the {figures['gold']} get "
        f"the same framing verdict from all):\n\n{readers}\n\n{links}\n\n"
        f"Of the {figures['different']} pairs every reader calls framed differently, compare "
        f"links {figures['different_linked']} and the review lists "
        f"{figures['different_listed']} (at most {top} are listed)."
    )


def default_folder() -> Path:
    from service.settings import get_settings

    return get_settings().shared_dir / "seeds"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="[default: ../shared/seeds]")
    parser.add_argument("--meta", type=Path, help="[default: FOLDER/meta.json when present]")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--stance", choices=STANCE_CHOICES, default=DEFAULT_STANCE)
    parser.add_argument("--record", action="store_true", help="Record into eval/results.")
    args = parser.parse_args(argv)
    print(run_review(args.folder, args.meta, args.top, args.stance, args.record))
    return 0


def run_review(
    folder: Path | None,
    meta: Path | None,
    top: int,
    stance: str,
    record: bool,
    encoder_spec: str = DEFAULT_ENCODER,
    cache_dir: Path | None = None,
) -> str:
    """The review as text, or the reason it was skipped (no folder); records when `record`."""
    folder = folder or default_folder()
    if not folder.is_dir():
        return f"seeds review skipped: no folder {folder} (the seed articles live in ../shared)"
    if meta is None and (folder / "meta.json").is_file():
        meta = folder / "meta.json"
    review = review_pairs([folder], meta, k=top, stance=stance, encoder_spec=encoder_spec,
                          cache_dir=cache_dir)  # fmt: skip
    text = format_review(review)
    readings = against_readings(review, read_readings())
    if readings is not None:
        text += "\n" + _readings_markdown(readings, top)
    if record:
        text += f"\nrecorded {record_review(review, top=top)}"
    return text


if __name__ == "__main__":
    raise SystemExit(main())
