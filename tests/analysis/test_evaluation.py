"""`feedback themes evaluate FILE.jsonl` and the scoring behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.evaluation import EvaluationFileInvalid, evaluate, naive_codebook, read_gold, score
from feedback.cli import main

DATA = Path(__file__).parent / "data"
DEV = DATA / "themes_dev.jsonl"
HELD_OUT = DATA / "themes_heldout.jsonl"


def test_the_hand_coded_set_has_two_separate_halves_of_realistic_size():
    dev, held = read_gold(DEV), read_gold(HELD_OUT)
    assert len(dev) + len(held) >= 200 and len(dev) >= 100 and len(held) >= 100
    assert not {i["text"] for i in dev} & {i["text"] for i in held}
    for items in (dev, held):
        sizes = {len(i["themes"]) for i in items}
        assert {0, 1, 2} <= sizes  # comments with no theme, one, and several


def test_score_counts_multi_label_decisions():
    result = score([["a", "b"], ["a"], []], [["a"], ["a", "c"], ["b"]])
    assert result["per_theme"]["a"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}
    assert result["per_theme"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert result["per_theme"]["c"]["support"] == 0
    # micro: tp 2, fp 2, fn 1 -> p 0.5, r 0.667
    assert result["micro_f1"] == pytest.approx(0.5714, abs=1e-4)
    assert result["macro_f1"] == pytest.approx(1 / 3, abs=1e-4)


def test_cli_prints_one_json_object_with_the_stable_keys(tmp_path, capsys):
    path = tmp_path / "sample.jsonl"
    lines = [
        {"id": 1, "text": "Nobody picks up the phone", "themes": ["communication"], "coder": "A"},
        {"id": 2, "text": "the taxi is always late", "themes": ["transport"]},
        {"id": 3, "text": "nothing", "themes": []},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    assert main(["themes", "evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    result = json.loads(out)
    assert list(result) == ["micro_f1", "macro_f1", "per_theme"]
    assert result["micro_f1"] == 1.0 and result["macro_f1"] == 1.0
    assert result["per_theme"]["transport"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_cli_with_an_edited_codebook_and_with_bad_input(tmp_path, capsys):
    sample = tmp_path / "sample.jsonl"
    sample.write_text(json.dumps({"id": "x", "text": "the portage worker", "themes": ["family_support"]}) + "\n")
    codebook = tmp_path / "codebook.json"
    codebook.write_text(json.dumps({"themes": {"family_support": {"label": "Families", "include": ["portage"]}}}))
    assert main(["themes", "evaluate", str(sample), "--codebook", str(codebook)]) == 0
    assert json.loads(capsys.readouterr().out)["macro_f1"] == 1.0
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1, "text": "ok", "themes": []}\nnot json\n')
    assert main(["themes", "evaluate", str(broken)]) == 2
    assert "line 2" in capsys.readouterr().err
    with pytest.raises(EvaluationFileInvalid):
        read_gold(broken)


def test_the_coder_does_far_better_than_keywords_from_the_theme_names_on_the_dev_half():
    coder = evaluate(DEV)
    naive = evaluate(DEV, naive_codebook())
    assert coder["macro_f1"] >= 0.8
    assert naive["macro_f1"] < 0.5
