"""Generate a synthetic corpus for batch benchmarks from the built-in demo corpus.

Each generated article takes the language, camp and outlet of a random demo article and is made
of 8-16 sentences, each glued from the first part of one demo sentence and the last part of
another of the same language (cut at a word boundary), so passages are realistic in length and
vocabulary but almost all distinct (the embedding cache cannot short-cut the benchmark). Articles
get random event ids (`gen-000` ...), a few paragraphs, and go into one JSONL file, one record a
line with `text`, `outlet`, `camp`, `language`, `title`, `date` and `event`. Only our own demo text
is used. Deterministic for a given seed.

    python -m eval.make_corpus --articles 2000 --events 100 --out /tmp/corpus-2000.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from corpus.segment import split_sentences

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"


def demo_sentences() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Demo article metadata, and the demo sentences of each language."""
    meta = json.loads((DEMO / "meta.json").read_text(encoding="utf-8"))["articles"]
    by_language: dict[str, list[str]] = {}
    for record in meta:
        text = (DEMO / "articles" / record["file"]).read_text(encoding="utf-8")
        body = text.split("\n", 1)[1] if "\n" in text else text  # drop the title line
        spans = split_sentences(body, record["language"])
        by_language.setdefault(record["language"], []).extend(
            body[start:end].strip() for start, end in spans if end - start > 20
        )
    return meta, by_language


def _glue(rng: random.Random, pool: list[str]) -> str:
    left, right = rng.choice(pool).split(), rng.choice(pool).split()
    cut_left = rng.randint(max(1, len(left) // 3), max(1, 2 * len(left) // 3))
    cut_right = rng.randint(max(1, len(right) // 3), max(1, 2 * len(right) // 3))
    return " ".join(left[:cut_left] + right[cut_right:])


def generate(articles: int, events: int, seed: int = 0) -> list[dict[str, Any]]:
    """`articles` records spread over `events` random event ids."""
    rng = random.Random(seed)
    meta, by_language = demo_sentences()
    records = []
    for number in range(articles):
        source = rng.choice(meta)
        pool = by_language[source["language"]]
        sentences = [_glue(rng, pool) for _ in range(rng.randint(8, 16))]
        paragraphs, start = [], 0
        while start < len(sentences):
            size = rng.randint(2, 4)
            paragraphs.append(" ".join(sentences[start : start + size]))
            start += size
        records.append({
            "id": f"gen-{number:05d}",
            "text": "\n\n".join(paragraphs),
            "title": _glue(rng, pool)[:80],
            "outlet": source["outlet"], "camp": source["camp"], "language": source["language"],
            "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "event": f"gen-{rng.randrange(events):03d}",
        })  # fmt: skip
    return records


def write_jsonl(records: list[dict[str, Any]], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write.")
    args = parser.parse_args(argv)
    path = write_jsonl(generate(args.articles, args.events, args.seed), args.out)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
