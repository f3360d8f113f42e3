"""End-to-end checks of the engine's public API on synthetic sequences."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from formcheck.engine.config import EngineConfig
from formcheck.engine.cues import cue_text
from formcheck.engine.exercises import EXERCISES
from formcheck.engine.session import Engine, SessionSummary
from formcheck.engine.types import Exercise, FrameResult, Phase, Side, View
from formcheck.pose.types import Pose
from tests.synth import LYING_CAM, Camera, bridge, lunge, reps, sequence


def run(poses: list[Pose], **kw) -> tuple[list[FrameResult], SessionSummary]:
    eng = Engine(**kw)
    results = [eng.update(p) for p in poses]
    return results, eng.summary()


def test_side_lunges_are_counted_per_side() -> None:
    res, s = run(sequence(reps(lunge, 3, front="left"), Camera(), noise_px=1.0))
    assert s.exercise is Exercise.LUNGE
    assert s.view is View.SIDE
    assert dict(s.reps_by_side) == {Side.LEFT: 3}
    assert [r.index for r in s.reps] == [1, 2, 3]
    assert all(r.start_ms < r.bottom_ms < r.end_ms for r in s.reps)
    assert s.reason is None
    assert sum(r.rep is not None for r in res) == 3
    assert res[-1].reps == {Side.LEFT: 3}


def test_bridges_are_counted_as_both() -> None:
    _, s = run(sequence(reps(bridge, 4), LYING_CAM, noise_px=1.0))
    assert s.exercise is Exercise.BRIDGE
    assert dict(s.reps_by_side) == {Side.BOTH: 4}


def test_frame_result_fields() -> None:
    res, _ = run(sequence(reps(lunge, 1), Camera()), exercise=Exercise.LUNGE, lang="de")
    r = res[-1]
    assert r.exercise is Exercise.LUNGE
    assert r.phase is Phase.START
    assert 0.0 <= r.progress <= 0.3
    assert math.isfinite(r.metric("front_knee_deg"))
    assert math.isnan(r.metric("no_such_metric"))


def test_empty_session_has_a_reason() -> None:
    eng = Engine()
    s = eng.summary()
    assert s.frames_total == 0 and s.reason == "no frames"
    eng.update(Pose.empty(0, 640, 480))
    s = eng.summary()
    assert s.frames_total == 1 and s.frames_with_pose == 0 and s.reason == "no person found"


def test_reset_and_set_language() -> None:
    eng = Engine(exercise="lunge")
    for p in sequence(reps(lunge, 2), Camera()):
        eng.update(p)
    assert eng.summary().reps_total == 2
    eng.set_language("de")
    eng.reset()
    assert eng.summary().reps_total == 0
    with pytest.raises(ValueError):
        eng.set_language("fr")
    with pytest.raises(ValueError):
        Engine(exercise="squat")  # type: ignore[arg-type]


def test_cue_text_in_both_languages() -> None:
    assert cue_text("hip_not_extended", "en") == "Push your hips forward"
    assert cue_text("hip_not_extended", "de") == "Becken nach vorne schieben"
    assert cue_text("arched_back", "de") == "Bauch anspannen, kein Hohlkreuz"
    for spec in EXERCISES.values():
        for code in spec.cue_codes:
            assert cue_text(code, "en") and cue_text(code, "de")


def test_config_is_frozen_and_replaceable() -> None:
    cfg = EngineConfig()
    with pytest.raises(AttributeError):
        cfg.lunge = None  # type: ignore[misc]
    cfg2 = replace(cfg, lunge=replace(cfg.lunge, shallow_knee_deg=120.0))
    assert cfg2.lunge.shallow_knee_deg == 120.0


def test_injected_smoother_factory() -> None:
    from formcheck.engine.smoothing import NoSmoother

    eng = Engine(exercise="lunge", smoother=NoSmoother)
    for p in sequence(reps(lunge, 2), Camera(), noise_px=0.5):
        eng.update(p)
    assert eng.summary().reps_total == 2


def test_public_names_do_not_drift() -> None:
    import formcheck.engine.session as session

    assert session.__all__ == ["Engine", "SessionSummary"]
    for name in ("reset", "recalibrate", "set_exercise", "set_language", "update", "summary"):
        assert callable(getattr(Engine, name))
    fields = set(SessionSummary.__dataclass_fields__)
    assert {"exercise", "view", "frames_total", "frames_with_pose", "reps_by_side", "reps",
            "holds", "faults", "reason"} <= fields
