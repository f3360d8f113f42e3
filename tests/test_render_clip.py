"""Rendering frames and whole (tiny) clips, and the ``formcheck render`` command."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.engine.types import Exercise, View
from formcheck.errors import InputError
from formcheck.pose.landmarks import LM
from formcheck.render.clip import ClipPlan, ClipSpec, render_frame
from formcheck.render.command import build_spec
from formcheck.render.raster import Renderer
from formcheck.render.truth import load_truth


@pytest.mark.parametrize(("exercise", "view"), [(Exercise.LUNGE, View.SIDE),
                                                (Exercise.LUNGE, View.FRONT),
                                                (Exercise.BRIDGE, View.OBLIQUE)])
def test_low_res_frames_show_the_body_where_the_truth_says(exercise: Exercise,
                                                           view: View) -> None:
    plan = ClipPlan(ClipSpec(exercise, reps=1, view=view, seed=4, width=200, height=150))
    renderer = Renderer(plan.camera, plan.room, plan.look)
    i = round(plan.choreo.reps[0].bottom_ms * plan.spec.fps / 1000)
    img, truth = render_frame(plan, renderer, i, np.random.default_rng(0))
    assert img.shape == (150, 200, 3) and img.dtype == np.uint8
    pts = truth.landmarks
    assert ((pts >= 0) & (pts < [200, 150])).all()  # the whole body is in the frame
    # Landmarks marked visible lie on body pixels: the body differs from the empty room there.
    empty = (renderer.stage.background * 255).astype(np.float32)
    diff = np.abs(img.astype(np.float32) - empty).sum(axis=2)
    for k in (LM.NOSE, LM.LEFT_HIP, LM.RIGHT_KNEE, LM.LEFT_SHOULDER):
        if truth.visible[k]:
            x, y = int(pts[k, 0]), int(pts[k, 1])
            assert diff[y, x] > 30.0, LM(k).name
    assert truth.visible.sum() >= 12


def test_same_seed_same_clip_other_seed_other_body() -> None:
    a = ClipPlan(ClipSpec(Exercise.BRIDGE, reps=2, seed=11))
    b = ClipPlan(ClipSpec(Exercise.BRIDGE, reps=2, seed=11))
    c = ClipPlan(ClipSpec(Exercise.BRIDGE, reps=2, seed=12))
    assert a.shape == b.shape and a.choreo.reps == b.choreo.reps
    assert a.camera_info == b.camera_info
    assert a.shape != c.shape


def test_cli_render_writes_video_and_truth(tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    result = CliRunner().invoke(app, ["render", "lunge", "--reps", "2", "--fault", "arched_back",
                                      "--seed", "5", "--fps", "6", "--width", "160",
                                      "--height", "120", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    cap = cv2.VideoCapture(str(out))
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape == (120, 160, 3)
    truth = load_truth(out.with_suffix(".truth.json"))
    assert len(truth.reps) == 2 and truth.exercise == "lunge" and truth.view == "side"
    assert abs(len(truth.frames) - count) <= 1
    assert [f.code for f in truth.faults] == ["arched_back", "arched_back"]
    for fault, rep in zip(truth.faults, truth.reps, strict=True):
        assert rep.start_ms <= fault.start_ms <= rep.bottom_ms <= fault.end_ms <= rep.end_ms
    lumbar = truth.angle("lumbar_ext_deg")
    inside = (truth.times_ms >= truth.faults[0].start_ms) & (
        truth.times_ms <= truth.faults[0].end_ms)
    assert lumbar[inside].min() > 15.0 and abs(lumbar[0]) < 1.0


def test_an_interrupted_render_leaves_what_was_there(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C while rendering left a partial video without its truth; with --force over an
    older clip, that clip was lost and its truth no longer fitted the video."""
    from formcheck.render import command

    out = tmp_path / "clip.mp4"
    out.write_bytes(b"old clip")
    out.with_suffix(".truth.json").write_text("old truth")

    def stopped(spec, path, tick=None):
        path.write_bytes(b"half a clip")
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "render_clip", stopped)
    with pytest.raises(KeyboardInterrupt):
        command.run_render(build_spec("lunge", 1, "side", [], 0, 0.0, "split", "auto", 6.0,
                                      160, 120, "auto"), out, quiet=True, force=True)
    assert out.read_bytes() == b"old clip"
    assert out.with_suffix(".truth.json").read_text() == "old truth"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "clip.truth.json"]


@pytest.mark.parametrize("args", [["render", "squat"], ["render", "bridge", "--fault", "nope"],
                                  ["render", "lunge", "--view", "top"],
                                  ["render", "lunge", "--reps", "-1"]])
def test_cli_render_rejects_bad_options(args: list[str], tmp_path: Path) -> None:
    with pytest.raises(InputError):
        CliRunner().invoke(app, [*args, "--out", str(tmp_path / "x.mp4")],
                           catch_exceptions=False)


def test_build_spec_defaults() -> None:
    spec = build_spec("bridge", None, "front", [], 0, 0.0, "split", "auto", 30.0, 640, 480)
    assert spec.reps == 5 and spec.view is View.FRONT
    hold_only = build_spec("lunge", None, "side", [], 0, 5.0, "step", "left", 30.0, 640, 480)
    assert hold_only.reps == 0 and hold_only.hold_s == 5.0


def test_fault_variety_leaves_body_and_tempo_alone() -> None:
    clean = ClipPlan(ClipSpec(Exercise.LUNGE, reps=2, seed=9))
    faulty = ClipPlan(ClipSpec(Exercise.LUNGE, reps=2, seed=9, faults=("arched_back",)))
    assert clean.shape == faulty.shape and clean.look == faulty.look
    assert clean.choreo.reps == faulty.choreo.reps
    styles = {ClipPlan(ClipSpec(Exercise.LUNGE, reps=1, seed=s, faults=("arched_back",)))
              .poser.style.severity for s in (1, 2, 3)}
    assert len(styles) == 3 and all(0.85 <= v <= 1.2 for v in styles)
