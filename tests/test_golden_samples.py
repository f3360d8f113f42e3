"""Golden end-to-end: the bundled rendered clips through pixels -> MediaPipe -> engine vs truth."""

from __future__ import annotations

import json

import pytest

from formcheck.app.analyze import AnalyzeOptions, run_analyze
from formcheck.render.truth import load_truth
from tests.conftest import REPO

SAMPLES = REPO / "sample_videos"
CASES = [  # clip, injected fault that must be found (None: a clean clip)
    ("lunge_side_clean", None),
    ("lunge_side_arched_back", "arched_back"),
    ("bridge_side_clean", None),
    # its no_pause is not found: on a 17 deg lift even the true hip angle stays within the
    # pause band (5 deg of the top) for 0.8-1.0 s (limit 0.6); see the README
    ("bridge_side_low_no_pause", "low_bridge"),
    ("lunge_front_knee_cave", "knee_cave"),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, fault", CASES)
def test_sample_clip_counts_exactly_and_finds_its_fault(tmp_path, name, fault):
    clip = SAMPLES / f"{name}.mp4"
    truth = load_truth(SAMPLES / f"{name}.truth.json")
    report = tmp_path / "r.json"
    run_analyze(AnalyzeOptions(source=clip, report=report, quiet=True))
    data = json.loads(report.read_text())
    assert data["exercise"] == truth.exercise
    assert data["reps"]["total"] == len(truth.reps)
    found = {f["code"] for f in data["faults"]}
    if fault is None:
        assert "arched_back" not in found and "shallow_depth" not in found, found
    else:
        assert fault in found, found


@pytest.mark.slow
def test_sample_oblique_hold_is_timed(tmp_path):
    """Auto mode recognises the lunge from the hold itself; the way into it and out is no rep."""
    clip = SAMPLES / "lunge_oblique_hold.mp4"
    truth = load_truth(SAMPLES / "lunge_oblique_hold.truth.json")
    report = tmp_path / "r.json"
    run_analyze(AnalyzeOptions(source=clip, report=report, quiet=True))
    data = json.loads(report.read_text())
    assert data["exercise"] == "lunge"
    assert data["reps"]["total"] == 0
    (true_hold,) = truth.holds
    seconds = [h["end_s"] - h["start_s"] for h in data["holds"]]
    assert seconds and abs(max(seconds) - (true_hold.end_ms - true_hold.start_ms) / 1000) < 1.0
