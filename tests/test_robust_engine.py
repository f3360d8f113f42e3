"""Garbage landmarks into the engine: NaN/inf, wild jumps, zero visibility -> no exception, no rep.

The pose stage should never produce such values, but a model update, a replayed track or a bug
upstream can; the engine is the last line before a rep is counted and must neither crash nor
count. A Hypothesis property runs random landmark streams through it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from formcheck.engine.session import Engine
from formcheck.engine.types import FrameResult
from formcheck.output.report import build_report, validate_report
from formcheck.pose.landmarks import NUM_LANDMARKS
from formcheck.pose.types import Pose
from tests.synth import Camera, lunge, reps, sequence

W, H = 640, 480


def pose_from(t_ms: int, xy: np.ndarray, world: np.ndarray | None = None,
              visibility: float | np.ndarray = 0.9, presence: float | np.ndarray = 1.0) -> Pose:
    vis = np.broadcast_to(np.asarray(visibility, float), (NUM_LANDMARKS,)).copy()
    pres = np.broadcast_to(np.asarray(presence, float), (NUM_LANDMARKS,)).copy()
    world = np.zeros((NUM_LANDMARKS, 3)) if world is None else world
    return Pose(t_ms, W, H, xy, np.zeros(NUM_LANDMARKS), world, vis, pres)


def run_engine(poses: list[Pose], exercise: str = "auto") -> tuple[Engine, list[FrameResult]]:
    engine = Engine(exercise=exercise)  # type: ignore[arg-type]
    return engine, [engine.update(p) for p in poses]


def assert_no_reps_and_a_valid_report(engine: Engine, results: list[FrameResult]) -> None:
    assert all(r.rep is None and r.reps_total == 0 for r in results)
    summary = engine.summary()
    assert summary.reps_total == 0
    assert validate_report(build_report(summary, "synthetic")) == []


def noise(seed: int, n: int = 150, nan: float = 0.3, inf: float = 0.1) -> list[Pose]:
    """Random landmark clouds with NaN and +-inf holes, a fresh cloud every frame."""
    rng = np.random.default_rng(seed)
    poses = []
    for i in range(n):
        xy = rng.uniform(0, W, (NUM_LANDMARKS, 2))
        world = rng.normal(0, 0.5, (NUM_LANDMARKS, 3))
        xy[rng.random(NUM_LANDMARKS) < nan] = np.nan
        xy[rng.random(NUM_LANDMARKS) < inf] = np.inf
        xy[rng.random(NUM_LANDMARKS) < inf] = -np.inf
        world[rng.random(NUM_LANDMARKS) < nan] = np.inf
        poses.append(pose_from(i * 33, xy, world))
    return poses


def jumping(seed: int) -> list[Pose]:
    """A real lunge set, every other frame replaced by a random body elsewhere in the frame."""
    real = sequence(reps(lunge, 4), Camera(width=W, height=H, focal_px=400.0))
    rng = np.random.default_rng(seed)
    return [pose_from(p.t_ms, p.xy + rng.uniform(-W / 2, W / 2, 2), p.world)
            if i % 2 else pose_from(p.t_ms, rng.uniform(0, W, (NUM_LANDMARKS, 2)),
                                    rng.normal(0, 1, (NUM_LANDMARKS, 3)))
            for i, p in enumerate(real)]


@pytest.mark.parametrize("exercise", ["auto", "lunge", "bridge"])
def test_nan_inf_and_jumping_landmarks_never_raise(exercise: str) -> None:
    for poses in (noise(0), noise(1, nan=0.0), jumping(1)):
        engine, results = run_engine(poses, exercise)
        assert len(results) == len(poses)
        assert validate_report(build_report(engine.summary(), "synthetic")) == []


def test_nan_inf_and_jumping_landmarks_count_no_lunge() -> None:
    for poses in (noise(0), noise(1, nan=0.0), jumping(1)):
        assert_no_reps_and_a_valid_report(*run_engine(poses, "lunge"))


@pytest.mark.parametrize("exercise", ["auto", "bridge"])
def test_nan_inf_and_jumping_landmarks_count_no_bridge(exercise: str) -> None:
    for poses in (noise(0), jumping(1)):
        assert_no_reps_and_a_valid_report(*run_engine(poses, exercise))


def test_one_jump_of_the_whole_body_does_not_stop_counting() -> None:
    """A bumped camera or a cut moves everyone at once: one frame is not trusted, then on."""
    real = sequence(reps(lunge, 4), Camera(width=W, height=H, focal_px=400.0))
    half = len(real) // 2
    while real[half].xy[:, 0].mean() > real[0].xy[:, 0].mean() + 5:  # between reps
        half += 1
    shift = np.array([0.25 * W, 0.1 * H])
    moved = [pose_from(p.t_ms, p.xy + (shift if i >= half else 0.0), p.world)
             for i, p in enumerate(real)]
    assert np.hypot(*shift) > 0.15 * np.hypot(W, H)  # a jump the engine does not trust
    engine, _ = run_engine(moved, "lunge")
    assert engine.summary().reps_total == 4


def test_zero_visibility_and_presence_count_nothing() -> None:
    """A real lunge sequence, but the model says it saw none of it: nothing may be counted."""
    real = sequence(reps(lunge, 4), Camera(width=W, height=H, focal_px=400.0))
    assert run_engine(real)[0].summary().reps_total == 4  # the motion itself does count
    for visibility, presence in ((0.0, 1.0), (0.0, 0.0)):
        poses = [pose_from(p.t_ms, p.xy, p.world, visibility, presence) for p in real]
        assert_no_reps_and_a_valid_report(*run_engine(poses))


def test_world_landmarks_all_at_one_point_do_not_raise() -> None:
    """Front view (the front leg is read from world depth), world output collapsed to zeros."""
    real = sequence(reps(lunge, 2), Camera(yaw_deg=90, width=W, height=H, focal_px=400.0))
    poses = [pose_from(p.t_ms, p.xy, np.zeros((NUM_LANDMARKS, 3))) for p in real]
    engine, results = run_engine(poses)
    assert len(results) == len(poses)
    assert validate_report(build_report(engine.summary(), "synthetic")) == []


finite = st.floats(-1e4, 1e4, allow_nan=False)
any_float = st.one_of(finite, st.just(np.nan), st.just(np.inf), st.just(-np.inf),
                      st.floats(allow_nan=True, allow_infinity=True))


@st.composite
def landmark_streams(draw: st.DrawFn) -> list[Pose]:
    n = draw(st.integers(1, 40))
    t = 0
    poses = []
    for _ in range(n):
        t += draw(st.integers(1, 200))
        xy = draw(hnp.arrays(np.float64, (NUM_LANDMARKS, 2), elements=any_float))
        world = draw(hnp.arrays(np.float64, (NUM_LANDMARKS, 3), elements=any_float))
        z = draw(hnp.arrays(np.float64, (NUM_LANDMARKS,), elements=any_float))
        vis = draw(hnp.arrays(np.float64, (NUM_LANDMARKS,), elements=st.floats(0, 1)))
        pres = draw(hnp.arrays(np.float64, (NUM_LANDMARKS,), elements=st.floats(0, 1)))
        poses.append(Pose(t, W, H, xy, z, world, vis, pres))
    return poses


ALL_AT_ORIGIN = [Pose(33 * i, W, H, np.full((NUM_LANDMARKS, 2), 100.0 + i),
                      np.zeros(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)),
                      np.ones(NUM_LANDMARKS), np.ones(NUM_LANDMARKS)) for i in range(3)]


# No shrinking: a failing stream is reported as drawn, so a failure costs seconds, not minutes.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@example(ALL_AT_ORIGIN, "auto")
@given(landmark_streams(), st.sampled_from(["auto", "lunge", "bridge"]))
def test_random_landmark_streams_never_raise_and_never_count(poses: list[Pose],
                                                             exercise: str) -> None:
    with np.errstate(all="ignore"):
        engine, results = run_engine(poses, exercise)
    assert len(results) == len(poses)
    assert_no_reps_and_a_valid_report(engine, results)
