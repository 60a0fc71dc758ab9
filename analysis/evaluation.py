"""Scoring the theme coder against hand-coded comments (`feedback themes evaluate FILE.jsonl`).

A partnership can double-code a sample of its own comments and measure the coder on it. Each line
of the file is a JSON object with `id`, `text` and `themes` (a list of theme keys); other fields are
ignored. Scores are per theme (precision, recall, F1, support = comments a person gave that theme),
micro-averaged over every (comment, theme) decision, and macro-averaged over the themes that
occur in the file or that the coder used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from analysis.codebook import Codebook
from analysis.coding import code_many, default_codebook


class EvaluationFileInvalid(ValueError):
    pass


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    """The hand-coded comments in a JSONL file (blank lines skipped)."""
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise EvaluationFileInvalid(f"line {number}: not JSON ({error.msg})") from error
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise EvaluationFileInvalid(f"line {number}: needs a 'text' string")
            themes = item.get("themes", [])
            if isinstance(themes, str):
                themes = [themes]
            if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
                raise EvaluationFileInvalid(f"line {number}: 'themes' must be a list of theme keys")
            items.append({"id": item.get("id", number), "text": item["text"], "themes": themes})
    return items


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(gold: Iterable[Iterable[str]], predicted: Iterable[Iterable[str]], themes: Iterable[str] = ()) -> dict[str, Any]:
    """Micro and macro F1 and per-theme precision/recall/F1/support for multi-label predictions.

    Themes scored: `themes` plus every theme in `gold` or `predicted`. A theme nobody used and the
    coder never predicted would score 0/0; it is left out of the macro average.
    """
    gold_sets = [set(g) for g in gold]
    predicted_sets = [set(p) for p in predicted]
    if len(gold_sets) != len(predicted_sets):
        raise ValueError("gold and predicted must have the same length")
    keys = list(dict.fromkeys([*themes, *sorted({t for g in gold_sets for t in g}), *sorted({t for p in predicted_sets for t in p})]))
    per_theme: dict[str, dict[str, float]] = {}
    total_tp = total_fp = total_fn = 0
    for key in keys:
        tp = sum(1 for g, p in zip(gold_sets, predicted_sets) if key in g and key in p)
        fp = sum(1 for g, p in zip(gold_sets, predicted_sets) if key not in g and key in p)
        fn = sum(1 for g, p in zip(gold_sets, predicted_sets) if key in g and key not in p)
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        if tp + fp + fn == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_theme[key] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": tp + fn,
        }
    micro_p = total_tp / (total_tp + total_fp) if total_tp + total_fp else 0.0
    micro_r = total_tp / (total_tp + total_fn) if total_tp + total_fn else 0.0
    macro = sum(v["f1"] for v in per_theme.values()) / len(per_theme) if per_theme else 0.0
    return {
        "micro_f1": round(_f1(micro_p, micro_r), 4),
        "macro_f1": round(macro, 4),
        "per_theme": per_theme,
        "comments": len(gold_sets),
    }


def confusion(gold: Iterable[Iterable[str]], predicted: Iterable[Iterable[str]]) -> list[dict[str, Any]]:
    """Which themes the coder mistakes for which: in each comment, every theme a person gave that
    the coder missed is paired with every theme the coder gave that the person did not ("a missed
    'placements' was coded 'school_support'"). Pairs counted over comments, most frequent first;
    a miss with nothing in its place is paired with None (the coder saw no theme instead)."""
    counts: dict[tuple[str, str | None], int] = {}
    for g, p in zip(gold, predicted):
        g, p = set(g), set(p)
        missed, added = sorted(g - p), sorted(p - g)
        for theme in missed:
            for instead in added or [None]:
                counts[(theme, instead)] = counts.get((theme, instead), 0) + 1
    return [
        {"theme": theme, "mistaken_for": instead, "comments": n}
        for (theme, instead), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
    ]


def evaluate(path: str | Path, codebook: Codebook | None = None) -> dict[str, Any]:
    """Score the coder (with `codebook`, the default SEND codebook if None) on a hand-coded JSONL file,
    with the confusion pairs (see `confusion`) under "confusion"."""
    codebook = codebook or default_codebook()
    items = read_gold(path)
    predicted = [[theme for theme, _ in coded] for coded in code_many([i["text"] for i in items], codebook)]
    gold = [i["themes"] for i in items]
    result = score(gold, predicted)
    result["confusion"] = confusion(gold, predicted)
    return result


def disagreements(path: str | Path, codebook: Codebook | None = None) -> list[dict[str, Any]]:
    """The comments where the coder and the hand coding differ: what was missed and what was added."""
    codebook = codebook or default_codebook()
    items = read_gold(path)
    found = []
    for item, coded in zip(items, code_many([i["text"] for i in items], codebook)):
        predicted = {theme for theme, _ in coded}
        gold = set(item["themes"])
        if predicted != gold:
            found.append({
                "id": item["id"], "text": item["text"], "missed": sorted(gold - predicted),
                "added": {theme: terms for theme, terms in coded if theme not in gold},
            })
    return found


def naive_codebook(codebook: Codebook | None = None) -> Codebook:
    """The baseline: each theme coded by the words of its own key and nothing else ("ehc",
    "timeliness"; "short", "breaks"...), no spelling table, no word groups, no excludes."""
    codebook = codebook or default_codebook()
    stop = {"to", "and", "of", "the", "in"}
    themes: Mapping[str, Any] = {
        key: {"label": theme.label, "include": [w for w in key.split("_") if w not in stop] or [key]}
        for key, theme in codebook.themes.items()
    }
    return Codebook.from_dict({"themes": themes, "name": "keywords from theme names"})
