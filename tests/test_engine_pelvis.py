"""Seeing the pelvis: lumbar curve from the segmentation mask and the landmark arch proxy."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from formcheck.engine.pelvis import PelvisEstimator, arch_proxy_deg, curve_ratio, lumbar_curve_ratio
from formcheck.engine.session import Engine
from formcheck.engine.types import Phase
from formcheck.engine.view import Posture
from formcheck.pose.landmarks import LM
from tests.synth import (
    LYING_CAM,
    STAND,
    Camera,
    bridge,
    lunge,
    make_pose,
    reps,
    sequence,
    trunk_mask,
    with_masks,
)


def test_curve_ratio_of_straight_and_hollow_profiles() -> None:
    flat = np.full(22, 30.0)
    assert curve_ratio(flat, 100.0) == 0.0
    hollow = flat.copy()
    hollow[12:16] -= 8.0
    assert abs(curve_ratio(hollow, 100.0) - 0.08) < 1e-9
    ramp = 30.0 + np.arange(22.0)  # a straight slanted back has no hollow either
    assert abs(curve_ratio(ramp, 100.0)) < 1e-9
    gaps = flat.copy()
    gaps[::2] = np.nan
    assert math.isnan(curve_ratio(gaps, 100.0))  # too little contour to judge


def test_lumbar_curve_grows_with_injected_arch_standing_and_lying() -> None:
    cases = ((make_pose(STAND, Camera(), 0), (-1.0, 0.0)),
             (make_pose(STAND, Camera(yaw_deg=180), 0), (1.0, 0.0)),
             (make_pose(bridge(1.0), LYING_CAM, 0), (0.0, 1.0)))
    for pose, back in cases:
        trunk_px = float(np.linalg.norm(
            (pose.xy[LM.LEFT_SHOULDER] + pose.xy[LM.RIGHT_SHOULDER]) / 2
            - (pose.xy[LM.LEFT_HIP] + pose.xy[LM.RIGHT_HIP]) / 2))
        size = (pose.width, pose.height)
        ratios = [lumbar_curve_ratio(trunk_mask(pose, back, a), pose.xy, np.array(back), size)
                  for a in (0.0, 6.0, 12.0)]
        assert ratios[0] < ratios[1] < ratios[2]
        # the rise follows the injected depth (px / trunk length) within 30 %
        assert abs((ratios[2] - ratios[0]) - 12.0 / trunk_px) < 0.3 * 12.0 / trunk_px


def test_mask_at_model_resolution_reads_like_the_full_size_one() -> None:
    """MediaPipe's mask stays at inference size; frame points are scaled into it."""
    import cv2

    pose = make_pose(STAND, Camera(), 0)
    size = (pose.width, pose.height)
    for arch_px in (0.0, 12.0):
        full = trunk_mask(pose, (-1.0, 0.0), arch_px)
        half = cv2.resize(full, (pose.width // 2, pose.height // 2), interpolation=cv2.INTER_AREA)
        ratio_full = lumbar_curve_ratio(full, pose.xy, np.array([-1.0, 0.0]), size)
        ratio_half = lumbar_curve_ratio(half, pose.xy, np.array([-1.0, 0.0]), size)
        assert math.isfinite(ratio_full) and abs(ratio_half - ratio_full) < 0.015


def test_no_mask_or_no_landmarks_is_unknown() -> None:
    pose = make_pose(STAND, Camera(), 0)
    est = PelvisEstimator(20.0)
    m: dict[str, float] = {}
    est.update(m, pose.xy, None, (pose.width, pose.height), np.array([-1.0, 0.0]),
               Posture.STANDING, at_rest=True)
    assert math.isnan(m["lumbar_curve_ratio"]) and math.isnan(m["lumbar_curve_rise"])
    xy = pose.xy.copy()
    xy[[LM.LEFT_HIP, LM.RIGHT_HIP]] = np.nan
    mask = trunk_mask(pose, (-1.0, 0.0), 0.0)
    assert math.isnan(lumbar_curve_ratio(mask, xy, np.array([-1.0, 0.0]),
                                         (pose.width, pose.height)))


def test_the_hip_line_is_measured_from_its_level_at_rest() -> None:
    """No rest seen, no change to judge; then the change from the rest's level, either way;
    each posture from its own rest."""
    pose = make_pose(lunge(0.0), Camera(yaw_deg=90), 0)
    est = PelvisEstimator(20.0)
    hint = np.array([-1.0, 0.0])

    def change(level: float, at_rest: bool, posture: Posture = Posture.STANDING) -> float:
        m = {"pelvis_level_deg": level}
        est.update(m, pose.xy, None, (pose.width, pose.height), hint, posture, at_rest=at_rest)
        return m["pelvis_level_change_deg"]

    assert math.isnan(change(9.0, at_rest=False))
    assert change(7.0, at_rest=True) == 0.0
    assert change(-3.0, at_rest=False) == 10.0
    assert change(17.0, at_rest=False) == 10.0
    assert math.isnan(change(math.nan, at_rest=True))  # a frame without the hip line ...
    assert change(7.0, at_rest=False) == 0.0  # ... leaves the baseline as it was
    assert math.isnan(change(7.0, at_rest=False, posture=Posture.LYING))  # no lying rest yet
    assert change(-2.0, at_rest=True, posture=Posture.LYING) == 0.0
    assert change(7.0, at_rest=False) == 0.0  # standing keeps its own
    assert est.baselines(Posture.LYING).level_deg == -2.0
    est.reset()
    assert math.isnan(change(7.0, at_rest=False))


def test_the_start_of_a_rise_is_not_rest() -> None:
    """Seen from the feet, the hips lift a little with a 20-degree twist and stay there, short of
    a rep (the counter still at rest, but past half of the progress that leaves it, where the
    counter's own rest level stops learning): the hip line's baseline does not follow, and the
    twist keeps reading as a change. When every frame of the counter's rest taught the baseline,
    the change read 3.6 degrees 0.8 s later."""
    keys = [(0.0, bridge(0.0)), (1.5, bridge(0.0)),
            (2.1, replace(bridge(0.2), pelvis_roll_deg=20.0)),
            (3.0, replace(bridge(0.2), pelvis_roll_deg=20.0)), (3.6, bridge(0.0))]
    eng = Engine(exercise="bridge")
    changes = []
    for p in sequence(keys, replace(LYING_CAM, yaw_deg=270), noise_px=1.0, seed=5):
        r = eng.update(p)
        if 2100 <= p.t_ms <= 2900:
            assert r.phase is Phase.START and r.progress > 0.2
            changes.append(r.metrics["pelvis_level_change_deg"])
    assert min(changes) > 15.0


def test_a_rejected_glitch_at_rest_does_not_teach_the_baseline() -> None:
    """A tenth of a second read as hips jumped up with a 30-degree twist, lying at rest: the
    counter rejects the jump (its progress unknown) and so do the baselines. When they learnt
    from it, the hip line's baseline moved 4.5 degrees."""
    keys = [(0.0, bridge(0.0)), (1.5, bridge(0.0)),
            (1.533, replace(bridge(0.9), pelvis_roll_deg=30.0)),
            (1.6, replace(bridge(0.9), pelvis_roll_deg=30.0)), (1.633, bridge(0.0)),
            (2.5, bridge(0.0))]
    eng = Engine(exercise="bridge")
    changes = {}
    for p in sequence(keys, replace(LYING_CAM, yaw_deg=270), noise_px=0.0, seed=5):
        changes[p.t_ms] = eng.update(p).metrics["pelvis_level_change_deg"]
    assert changes[1567] > 25.0  # the glitch itself reads as a change
    assert changes[1800] < 0.5  # back at rest 0.2 s later: no change (it read 3.7)


def test_arch_proxy_takes_the_larger_excess() -> None:
    assert arch_proxy_deg(30.0, 3.0, 3.0, 20.0) == 10.0  # extension beyond anatomy
    assert arch_proxy_deg(5.0, -9.0, 3.0, 20.0) == 12.0  # trunk tipped back vs baseline
    assert arch_proxy_deg(math.nan, -9.0, math.nan, 20.0) != arch_proxy_deg(5.0, -9.0, 3.0, 20.0)
    assert math.isnan(arch_proxy_deg(math.nan, math.nan, 3.0, 20.0))


SMALL_CAM = Camera(width=640, height=360, focal_px=575.0)


def lunge_session(arch_bottom_px: float | None, exercise: str = "lunge") -> set[str]:
    poses = sequence(reps(lunge, 2, rest_s=0.5), SMALL_CAM, noise_px=0.3)
    if arch_bottom_px is not None:
        hip_y = np.array([(p.xy[LM.LEFT_HIP, 1] + p.xy[LM.RIGHT_HIP, 1]) / 2 for p in poses])
        depth = (hip_y - hip_y.min()) / (hip_y.max() - hip_y.min())
        poses = with_masks(poses, (-1.0, 0.0), lambda i: arch_bottom_px * depth[i])
    eng = Engine(exercise=exercise)  # type: ignore[arg-type]
    for p in poses:
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 2
    if exercise == "auto":  # the reps' own faults: the first is judged at its bottom
        return set.intersection(*(set(r.faults) for r in s.reps))
    return {f.code for f in s.faults}


def test_lunge_arch_seen_in_the_mask_fires_arched_back() -> None:
    assert "arched_back" in lunge_session(6.0)  # ~0.08 of the trunk at 360 p
    assert "arched_back" not in lunge_session(0.0)
    assert "arched_back" not in lunge_session(None)  # no mask, no landmark arch: quiet


def test_auto_mode_learns_the_rest_contour_before_the_first_rep() -> None:
    """Before auto mode recognises the lunge (when the first rep ends), the rest of the
    standing counter teaches the contour's baseline: the first rep's arch is seen too."""
    assert "arched_back" in lunge_session(6.0, exercise="auto")
    assert "arched_back" not in lunge_session(0.0, exercise="auto")
