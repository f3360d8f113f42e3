"""The render evaluation's scoring of clips with two faults at once (bench/render_eval.py)."""

from __future__ import annotations

import importlib.util
import sys

from tests.conftest import REPO


def _render_eval():
    spec = importlib.util.spec_from_file_location("render_eval", REPO / "bench" / "render_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_eval"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _row(name: str, injected: list[str], reported: list[str], arms: str = "hanging") -> dict:
    return {"name": name, "exercise": "lunge", "view": "side", "injected": injected,
            "reported": reported, "found": 1.0, "hold_true_s": 0.0, "hold_found_s": 0.0,
            "reps_true": 2, "reps_counted": 2, "exercise_detected": "lunge", "angle_err": {},
            "arms": arms}


def _table_line(text: str, code: str) -> list[str]:
    side = text.split("side-view faults on the side-view clips", 1)[1]
    line = next(ln for ln in side.splitlines() if ln.startswith(code + " "))
    return line.split()


def test_a_pair_is_scored_apart_and_its_other_calls_are_false_alarms() -> None:
    ev = _render_eval()
    rows = [_row("a", ["arched_back"], ["arched_back"]),
            _row("l", ["trunk_lean_back"], ["trunk_lean_back"]),
            # the pair: its arch missed and its lean found are not single-fault scores, its
            # hip-not-extended call is a false alarm like any other
            _row("p", ["arched_back", "trunk_lean_back"], ["hip_not_extended", "trunk_lean_back"])]
    text = ev.summarise(rows)
    # code, exercise, TP, FP, FN, precision, recall
    assert _table_line(text, "arched_back")[2:5] == ["1", "0", "0"]
    assert _table_line(text, "trunk_lean_back")[2:5] == ["1", "0", "0"]
    assert _table_line(text, "hip_not_extended")[2:5] == ["0", "1", "0"]
    pairs = text.split("two faults at once", 1)[1]
    assert "arms hanging   of 1: arched_back 0, trunk_lean_back 1" in pairs


def test_the_grid_renders_each_pair_once_per_seed_from_the_side() -> None:
    ev = _render_eval()
    jobs = ev.grid(quick=False, seeds=2, first_seed=1)
    pairs = [j for j in jobs if len(j.spec.faults) > 1]
    assert len(jobs) == 58 and len(pairs) == 2
    assert {j.name for j in pairs} == {"lunge_side_arched_back+trunk_lean_back_s1",
                                       "lunge_side_arched_back+trunk_lean_back_s2"}
    assert not any(len(j.spec.faults) > 1 for j in ev.grid(quick=True))
