"""The quality suites that `parallax eval` runs, each recorded into eval/results/."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eval.record import write_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuiteOutcome:
    figures: dict
    markdown: str
    data: str


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    command: str
    run: Callable[[Path], SuiteOutcome | None]  # shared_dir -> outcome, None when data is absent


def _segmentation(shared_dir: Path) -> SuiteOutcome | None:
    from eval.segmentation import evaluate_segmentation, to_markdown

    gold = Path(__file__).parent / "gold" / "segmentation"
    results = evaluate_segmentation(gold)
    return SuiteOutcome(results, to_markdown(results), "eval/gold/segmentation (team-written)")


SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in [
        Suite("segmentation", "Sentence segmentation", "parallax eval segmentation",
              _segmentation),
    ]
}  # fmt: skip


def run_suites(names: list[str], shared_dir: Path) -> dict[str, SuiteOutcome | None]:
    """Run the named suites and record each outcome; a suite whose data is absent is skipped."""
    outcomes: dict[str, SuiteOutcome | None] = {}
    for name in names:
        if name not in SUITES:
            raise ValueError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        suite = SUITES[name]
        outcome = suite.run(shared_dir)
        outcomes[name] = outcome
        if outcome is None:
            logger.warning("suite %s skipped: its data is not under %s", name, shared_dir)
            continue
        write_record(suite.name, suite.title, suite.command, outcome.data, outcome.figures,
                     outcome.markdown)  # fmt: skip
    return outcomes
