"""End to end on a rendered front-view stepping-back lunge: counted from the hips' drop alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formcheck.app.analyze import AnalyzeOptions, run_analyze
from formcheck.engine.types import Exercise, View
from formcheck.render.clip import ClipSpec, render_clip
from formcheck.render.motion import LungeStyle


@pytest.mark.slow
def test_front_stepping_back_lunges_count_exactly(tmp_path: Path) -> None:
    """The back leg is hidden behind the front one, so only the hips' drop shows the depth.

    The grid's front stepping-back lunge of seed 1 (render seed 401): its bottoms read a drop of
    0.22-0.24 of the standing hip height in the picture, which the room's scale (0.45 at 90/90)
    put short of the working threshold: 0 of 2 were counted.
    """
    video = tmp_path / "step.mp4"
    truth = render_clip(ClipSpec(Exercise.LUNGE, reps=2, view=View.FRONT, seed=401,
                                 style=LungeStyle.STEP), video)
    report = tmp_path / "r.json"
    run_analyze(AnalyzeOptions(source=video, report=report, quiet=True))
    data = json.loads(report.read_text())
    assert data["exercise"] == "lunge"
    assert data["reps"]["total"] == len(truth.reps) == 2
