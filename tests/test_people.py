"""Who is in the picture: nobody, someone leaving and coming back, two people, half a body.

Stick-figure pose sequences (tests/synth.py) through the engine, and :func:`choose_main` on
synthetic lists of detections: fast, and each case isolates one behaviour.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from formcheck.engine.config import EngineConfig
from formcheck.engine.exercises import specs_for
from formcheck.engine.rules import Verdict, judge
from formcheck.engine.session import Engine
from formcheck.engine.types import Exercise, FrameResult, Phase
from formcheck.pose.estimator import choose_main
from formcheck.pose.landmarks import LM, NUM_LANDMARKS
from formcheck.pose.types import Pose
from tests.synth import STAND, Camera, lunge, reps, sequence

CAM = Camera(width=1280, height=720)


def run(poses: list[Pose], exercise: str = "auto") -> tuple[Engine, list[FrameResult]]:
    engine = Engine(exercise=exercise)  # type: ignore[arg-type]
    return engine, [engine.update(p) for p in poses]


def codes(cues: tuple) -> set[str]:
    return {c.code for c in cues}


def shifted(keys: list, dt: float) -> list:
    return [(t + dt, s) for t, s in keys]


# --- nobody ----------------------------------------------------------------------------------


def test_nobody_in_frame_gets_guidance_and_no_reps() -> None:
    poses = [Pose.empty(round(i * 1000 / 30), 640, 480) for i in range(90)]
    for exercise in ("auto", "lunge", "bridge"):
        engine, results = run(poses, exercise)
        assert all("no_person" in codes(r.guidance) for r in results)
        assert all(r.reps_total == 0 and r.rep is None and not r.cues for r in results)
        summary = engine.summary()
        assert summary.reps_total == 0 and summary.frames_with_pose == 0
        assert summary.reason == "no person found"


# --- leaving and coming back -----------------------------------------------------------------


def test_person_leaving_and_coming_back_pauses_the_counter() -> None:
    """Two lunges, 4 s out of the picture, two more: 4 reps, nothing moves while away."""
    first = reps(lunge, 2)
    away_from = first[-1][0] + 0.5
    back_at = away_from + 4.0
    keys = [*first, (back_at, STAND), *shifted(reps(lunge, 2)[1:], back_at)]
    poses = sequence(keys, CAM, noise_px=1.0, dropouts=((away_from, back_at),))
    engine, results = run(poses)
    away = [r for r in results if away_from <= r.t_ms / 1000 < back_at]
    assert away and all(not r.pose.found for r in away)
    counts = {r.reps_total for r in away}
    assert counts == {2}  # paused at the reps done before leaving
    assert all(r.rep is None and r.phase is not Phase.WORK for r in away)
    assert all("no_person" in codes(r.guidance) for r in away)
    assert engine.summary().reps_total == 4


def test_walking_out_at_the_bottom_and_back_standing_adds_no_phantom_rep() -> None:
    """Gone at the bottom of rep 3, back standing: rep 3 was never seen finishing."""
    keys = reps(lunge, 3)
    bottom3 = 1.0 + 2 * 3.1 + 1.0
    poses = sequence([*keys, (keys[-1][0] + 3.0, STAND)], CAM, noise_px=1.0,
                     dropouts=((bottom3 + 0.1, bottom3 + 3.0),))
    engine, _ = run(poses)
    assert engine.summary().reps_total == 2


# --- two people ------------------------------------------------------------------------------


def person(pose: Pose, scale: float, dx: float, dy: float = 0.0) -> Pose:
    """``pose`` scaled about its hip centre and moved by ``(dx, dy)`` pixels (same frame)."""
    hip = (pose.xy[LM.LEFT_HIP] + pose.xy[LM.RIGHT_HIP]) / 2
    xy = hip + (pose.xy - hip) * scale + np.array([dx, dy])
    return replace(pose, xy=xy)


def exerciser_and_bystander() -> tuple[list[Pose], list[Pose]]:
    """The exerciser lunging in the middle; a smaller bystander walking across the room behind."""
    lunges = sequence(reps(lunge, 3), CAM, noise_px=1.0)
    stand = sequence([(0.0, STAND), (len(lunges) / 30, STAND)], CAM, noise_px=1.0)
    walkers = [person(s, 0.55, -700 + 1400 * i / len(lunges), -60)
               for i, s in enumerate(stand[: len(lunges)])]
    return lunges, walkers


def test_choose_main_without_history_takes_the_largest_most_central() -> None:
    lunges, walkers = exerciser_and_bystander()
    big, small = lunges[0], walkers[0]
    assert choose_main([big, small], None) is big
    assert choose_main([small, big], None) is big
    off_centre = person(big, 1.0, 420)
    assert choose_main([off_centre, big], None) is big
    # a bigger person wins over a slightly more central small one
    assert choose_main([person(big, 0.5, 0), person(big, 1.0, 150)], None).xy[0, 0] == \
        pytest.approx(big.xy[0, 0] + 150)


def track_main(frames: list[list[Pose]]) -> list[Pose]:
    """What :class:`PoseEstimator` does frame by frame: choose, remember the last found choice."""
    previous, chosen = None, []
    for poses in frames:
        pick = choose_main(poses, previous) if poses else Pose.empty(0, CAM.width, CAM.height)
        chosen.append(pick)
        previous = pick if pick.found else previous
    return chosen


def test_main_person_does_not_jump_to_a_bystander_crossing_the_picture() -> None:
    lunges, walkers = exerciser_and_bystander()
    rng = np.random.default_rng(3)
    frames = [[a, b] if rng.random() < 0.5 else [b, a] for a, b in zip(lunges, walkers,
                                                                       strict=True)]
    chosen = track_main(frames)
    assert all(c is a for c, a in zip(chosen, lunges, strict=True))
    engine, _ = run(chosen)
    assert engine.summary().reps_total == 3


def test_a_bystander_alone_for_a_moment_does_not_take_over() -> None:
    """The exerciser is missed for a few frames (occluded); the choice must come back to them."""
    lunges, walkers = exerciser_and_bystander()
    frames = [[w] if 100 <= i < 104 else [w, a]
              for i, (a, w) in enumerate(zip(lunges, walkers, strict=True))]
    chosen = track_main(frames)
    later = chosen[110:]
    assert all(c is a for c, a in zip(later, lunges[110:], strict=True))


# --- half a body -----------------------------------------------------------------------------


def legs_cut_off(poses: list[Pose]) -> list[Pose]:
    """The camera frames only the upper body: hips down are below the picture, unseen."""
    lower = [lm for lm in LM if lm >= LM.LEFT_KNEE]
    out = []
    for p in poses:
        shift = np.array([0.0, p.height * 0.45])  # everything moves down by the camera tilt
        xy = p.xy + shift
        vis, pres = p.visibility.copy(), p.presence.copy()
        vis[lower], pres[lower] = 0.02, 0.05
        out.append(replace(p, xy=xy, visibility=vis, presence=pres))
    return out


def test_partial_body_gets_step_back_and_checks_needing_legs_say_not_applicable() -> None:
    poses = legs_cut_off(sequence(reps(lunge, 3), CAM, noise_px=1.0))
    assert all(p.xy[LM.LEFT_ANKLE, 1] > p.height for p in poses)
    engine, results = run(poses, "lunge")
    assert all(r.rep is None for r in results)
    later = results[len(results) // 3:]
    assert all("step_back" in codes(r.guidance) for r in later)
    spec = specs_for(EngineConfig())[Exercise.LUNGE]
    leg_metrics = {"front_knee_deg", "back_knee_deg", "front_shin_deg", "back_hip_ext_deg"}
    leg_rules = [r for r in spec.rules if r.metric in leg_metrics]
    assert leg_rules
    for r in later:
        assert all(not math.isfinite(r.metric(m)) for m in leg_metrics)
        verdicts = judge(leg_rules, r.metrics, r.view)
        assert set(verdicts.values()) == {Verdict.NOT_APPLICABLE}
        assert not codes(r.cues) & {rule.code for rule in leg_rules}
    summary = engine.summary()
    assert summary.reps_total == 0
    assert summary.reason == "body not fully visible in most frames"


def test_no_landmark_is_faked_for_an_unseen_joint() -> None:
    """The engine's input contract: unseen is NaN, never (0, 0)."""
    empty = Pose.empty(0, 640, 480)
    assert empty.xy.shape == (NUM_LANDMARKS, 2) and np.isnan(empty.xy).all()
    assert not empty.found
