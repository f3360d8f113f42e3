"""Counting through the whole engine on stick-figure sequences: sides, views, squats, dropouts."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.config import EngineConfig
from formcheck.engine.session import Engine, _knee_within_hips
from formcheck.engine.types import Exercise, SessionSummary, Side, View
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose
from tests.synth import (
    LYING_CAM,
    STAND,
    Camera,
    Stance,
    bridge,
    lateral_lunge,
    lunge,
    reps,
    sequence,
    single_leg_bridge,
    squat,
    steep_world,
)

SIDE_CAM = Camera()
FRONT_CAM = Camera(yaw_deg=90)


def summary(poses: list[Pose], exercise: str = "auto"):
    eng = Engine(exercise=exercise)  # type: ignore[arg-type]
    for p in poses:
        eng.update(p)
    return eng.summary()


def alternating(n: int) -> list:
    keys = [(0.0, STAND), (1.0, STAND)]
    t = 1.0
    for i in range(n):
        front = "left" if i % 2 == 0 else "right"
        keys += [(t + 1.0, lunge(1.0, front=front)), (t + 1.4, lunge(1.0, front=front)),
                 (t + 2.4, STAND), (t + 3.2, STAND)]
        t += 3.2
    return keys


def test_alternating_reverse_lunges_count_per_side_in_both_views() -> None:
    for cam, view in ((SIDE_CAM, View.SIDE), (Camera(yaw_deg=180), View.SIDE),
                      (FRONT_CAM, View.FRONT)):
        s = summary(sequence(alternating(4), cam, noise_px=1.5, seed=2))
        assert s.exercise is Exercise.LUNGE, cam
        assert s.view is view
        assert dict(s.reps_by_side) == {Side.LEFT: 2, Side.RIGHT: 2}, cam
        assert [r.side for r in s.reps] == [Side.LEFT, Side.RIGHT] * 2


def test_squats_and_lateral_lunges_are_not_lunges() -> None:
    for make, cam in ((squat, SIDE_CAM), (squat, FRONT_CAM), (lateral_lunge, FRONT_CAM)):
        s = summary(sequence(reps(make, 3), cam, noise_px=1.5))
        assert s.reps_total == 0, (make.__name__, cam)
        assert s.exercise is Exercise.UNKNOWN
        assert s.reason is not None


@pytest.mark.parametrize("yaw_deg", [30.0, 45.0, 60.0, 120.0, 135.0])
def test_lunges_count_and_lateral_lunges_do_not_at_an_angle(yaw_deg: float) -> None:
    """Seen at an angle, a split stance spreads the feet sideways in the picture as much as a
    lateral lunge seen from the front; the stance is judged along the hips' own line instead
    (in the picture, lunges at 30-45 deg counted 0 of 3 and lateral lunges at 120-135 deg 3)."""
    cam = Camera(yaw_deg=yaw_deg)
    assert summary(sequence(reps(lunge, 3), cam, noise_px=1.0)).reps_total == 3
    assert summary(sequence(reps(lateral_lunge, 3), cam, noise_px=1.0)).reps_total == 0


def test_idle_standing_and_lying_give_nothing() -> None:
    for stance, cam in ((STAND, SIDE_CAM), (STAND, FRONT_CAM), (bridge(0.0), LYING_CAM)):
        s = summary(sequence([(0.0, stance), (12.0, stance)], cam, noise_px=2.0))
        assert s.reps_total == 0 and s.exercise is Exercise.UNKNOWN


def test_pose_dropouts_inside_reps() -> None:
    keys = reps(lunge, 4)
    # 0.3 s without a person in rep 2's descent: bridged; 2 s gap over rep 4: lost
    poses = sequence(keys, SIDE_CAM, noise_px=1.0, dropouts=((4.5, 4.8),))
    assert summary(poses).reps_total == 4
    t4 = 1.0 + 3 * 3.1
    poses = sequence(keys, SIDE_CAM, noise_px=1.0, dropouts=((t4 + 0.3, t4 + 2.3),))
    assert summary(poses).reps_total == 3


def test_walking_into_position_then_lunging() -> None:
    # the person enters from out of frame (nothing found), then stands, then 3 lunges
    keys = [(0.0, STAND)] + [(t + 2.0, s) for t, s in reps(lunge, 3)]
    poses = sequence(keys, SIDE_CAM, noise_px=1.0, dropouts=((0.0, 1.5),))
    s = summary(poses)
    assert s.reps_total == 3 and s.frames_with_pose < s.frames_total


def test_bridges_front_view_and_forced_exercise() -> None:
    s = summary(sequence(reps(bridge, 5), Camera(height_m=0.5, distance_m=3.5, yaw_deg=270),
                         noise_px=1.0))
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 5 and s.view is View.FRONT
    # lunge forced on a bridge clip: posture never matches, nothing counted
    s = summary(sequence(reps(bridge, 3), LYING_CAM), exercise="lunge")
    assert s.reps_total == 0 and s.exercise is Exercise.LUNGE


def test_bridges_seen_from_the_feet_by_a_steep_camera() -> None:
    # the world trunk reads near-upright from 55 deg up; the shoulders behind the feet say lying
    feet_cam = Camera(height_m=0.5, distance_m=3.5, yaw_deg=90)
    s = summary([steep_world(p, 55.0) for p in sequence(reps(bridge, 3), feet_cam,
                                                        noise_px=1.0)])
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 3 and s.view is View.FRONT


def test_heavy_landmark_jitter_does_not_double_count() -> None:
    for seed in range(3):
        s = summary(sequence(reps(lunge, 5), SIDE_CAM, noise_px=4.0, seed=seed))
        assert s.reps_total == 5, seed


@settings(max_examples=8, deadline=None)
@given(noise=st.floats(0.5, 6.0), seed=st.integers(0, 1000), yaw=st.sampled_from([0, 90, 180]),
       stance=st.sampled_from(["stand", "split", "lying"]))
def test_noise_alone_never_produces_a_rep(noise: float, seed: int, yaw: int, stance: str) -> None:
    body = {"stand": STAND, "split": lunge(0.0), "lying": bridge(0.0)}[stance]
    cam = LYING_CAM if stance == "lying" else Camera(yaw_deg=yaw)
    eng = Engine()
    for p in sequence([(0.0, body), (8.0, body)], cam, noise_px=noise, seed=seed):
        eng.update(p)
    assert eng.summary().reps_total == 0


def test_clips_cut_mid_rep_at_either_end() -> None:
    # opens at a bridge top and ends two thirds of the way down from the last top
    keys = [(0.0, bridge(1.0)), (0.4, bridge(1.0)), (1.4, bridge(0.0)), (2.2, bridge(0.0))]
    keys += [(t + 2.2, s) for t, s in reps(bridge, 2, lead_s=0.0)[1:]]
    t = keys[-1][0]
    keys += [(t + 1.0, bridge(1.0)), (t + 1.5, bridge(1.0)), (t + 2.2, bridge(0.33))]
    s = summary(sequence(keys, LYING_CAM, noise_px=1.0))
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 4
    # stopping at the top of the last bridge: not a rep
    s = summary(sequence(keys[:-1], LYING_CAM, noise_px=1.0))
    assert s.reps_total == 3


def _single_leg_keys(lift: float, n: int) -> list:
    keys = [(0.0, bridge(0.0)), (1.0, bridge(0.0))]
    t = 1.0
    for i in range(n):
        raised = "left" if i % 2 == 0 else "right"
        up = single_leg_bridge(lift, raised, 1.0)
        keys += [(t + 0.8, up), (t + 1.3, up), (t + 2.1, bridge(0.0)), (t + 3.0, bridge(0.0))]
        t += 3.0
    return keys


def test_single_leg_bridges_count_each_lift_once() -> None:
    for lift in (1.0, 0.3):  # full lifts (both counters see them) and small far-leg lifts
        s = summary(sequence(_single_leg_keys(lift, 4), LYING_CAM, noise_px=1.0))
        assert s.exercise is Exercise.BRIDGE and s.reps_total == 4, lift
        assert dict(s.reps_by_side) == {Side.LEFT: 2, Side.RIGHT: 2}, lift
    # raising a leg while the hips stay on the floor is not a bridge
    s = summary(sequence(_single_leg_keys(0.0, 4), LYING_CAM, noise_px=1.0))
    assert s.reps_total == 0
    # at 3/4 a raised straight leg reads shorter than at rest and is still a lift; from the
    # feet no lift is read, and the hips' rise alone counts the lifts, on their sides
    for yaw, view in ((315, View.OBLIQUE), (90, View.FRONT)):
        s = summary(sequence(_single_leg_keys(1.0, 4), replace(LYING_CAM, yaw_deg=yaw),
                             noise_px=1.0))
        assert s.view is view and s.reps_total == 4, yaw
        assert dict(s.reps_by_side) == {Side.LEFT: 2, Side.RIGHT: 2}, yaw


def test_a_leg_read_folded_at_a_bridge_top_is_not_a_lift() -> None:
    """From the side, one leg of a two-leg bridge read folded at the top (thigh and shin at
    0.45 of their length), its ankle up by the hips: each such reading was a lift (6 of 2)."""
    poses = sequence(reps(bridge, 2, hold_s=3.0), LYING_CAM, noise_px=1.0)
    tops_ms = [(2000 + 5800 * i, 5000 + 5800 * i) for i in range(2)]  # lead 1, down 1, top 3

    def fold(p: Pose) -> Pose:  # the left leg folded and "raised" in every other 0.6 s
        top = [lo for lo, hi in tops_ms if lo <= p.t_ms <= hi]
        if not p.found or not top or (p.t_ms - top[0]) // 600 % 2 == 1:
            return p
        xy = p.xy.copy()
        hip, knee, ankle = xy[LM.LEFT_HIP], xy[LM.LEFT_KNEE], xy[LM.LEFT_ANKLE]
        xy[LM.LEFT_KNEE] = hip + 0.45 * (knee - hip)
        xy[LM.LEFT_ANKLE] = xy[LM.LEFT_KNEE] - [0.0, 0.45 * float(np.linalg.norm(ankle - knee))]
        return replace(p, xy=xy)

    s = summary([fold(p) for p in poses])
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 2


def test_side_view_lunges_count_on_the_legs_when_the_head_leaves_the_frame() -> None:
    # a close-up of the legs (an edited clip, a camera too close): shoulders above the frame
    def crop(p: Pose) -> Pose:
        if not p.found:
            return p
        xy = p.xy.copy()
        xy[:23, 1] = -20.0  # head, shoulders and arms above the top edge
        return replace(p, xy=xy)

    poses = [crop(p) for p in sequence(reps(lunge, 2), SIDE_CAM, noise_px=1.0)]
    s = summary(poses, exercise="lunge")
    assert s.reps_total == 2
    # a bridge needs the shoulders for its hip angle: nothing counted without them
    poses = [crop(p) for p in sequence(reps(bridge, 2), LYING_CAM, noise_px=1.0)]
    assert summary(poses, exercise="bridge").reps_total == 0


def test_a_single_leg_bridge_held_long_is_a_hold_not_a_rep() -> None:
    up = single_leg_bridge(1.0, "left", 1.0)
    keys = [(0.0, bridge(0.0)), (1.0, bridge(0.0)), (1.8, up), (13.8, up), (14.6, bridge(0.0)),
            (16.0, bridge(0.0))]
    s = summary(sequence(keys, LYING_CAM, noise_px=1.0))
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 0
    assert len(s.holds) == 1 and s.holds[0].duration_s > 11.0
    # the same with the usual short top is a rep
    keys = [(0.0, bridge(0.0)), (1.0, bridge(0.0)), (1.8, up), (2.3, up), (3.1, bridge(0.0)),
            (4.5, bridge(0.0))]
    assert summary(sequence(keys, LYING_CAM, noise_px=1.0)).reps_total == 1


def test_a_lunge_held_long_with_a_jumping_reading_is_not_a_rep() -> None:
    """Down for 12 s with the knee reading swinging ~20 deg every 0.1 s (MediaPipe read a
    rendered 10 s lunge hold at 67-131 deg where the knee was at 90): too unsteady to time a
    hold, but in the working zone longer than any rep stays, so the way down and up is no rep
    either. The same unsteady bottom for 2 s is a rep, and so is a bridge squeezed still for
    7 s at the top (timed as a 7.8 s hold, 8.1 s in the zone with the way up and down)."""
    def keys(bottom_s: float) -> list:
        down, up = lunge(1.0), lunge(0.5)
        k = [(0.0, STAND), (2.0, STAND), (3.0, down)]
        t = 3.0
        while t < 3.0 + bottom_s:
            k += [(t + 0.1, up), (t + 0.2, down)]
            t += 0.2
        return [*k, (t + 1.0, STAND), (t + 3.0, STAND)]
    for exercise in ("lunge", "auto"):
        s = summary(sequence(keys(12.0), SIDE_CAM, noise_px=1.0), exercise=exercise)
        assert s.reps_total == 0, exercise
        s = summary(sequence(keys(2.0), SIDE_CAM, noise_px=1.0), exercise=exercise)
        assert s.reps_total == 1, exercise
    squeeze = reps(bridge, 1, down_s=1.0, hold_s=7.0, up_s=1.0, lead_s=2.0, rest_s=2.0)
    for exercise in ("bridge", "auto"):
        s = summary(sequence(squeeze, LYING_CAM, noise_px=1.0), exercise=exercise)
        assert s.reps_total == 1, exercise


def test_a_stream_opening_at_a_feet_far_rest_counts_its_first_bridge() -> None:
    """Feet far out, the hips rest where the assumed levels put the top; lying still there for
    10 s before the first bridge is not a held rep."""
    keys = reps(lambda d: bridge(d, feet_a_m=0.75), 3, lead_s=10.0, hold_s=0.8)
    for exercise in ("bridge", "auto"):
        s = summary(sequence(keys, LYING_CAM, noise_px=1.0), exercise=exercise)
        assert s.reps_total == 3, exercise


def test_a_bridge_held_from_a_rest_the_levels_call_work_is_a_hold_not_a_rep() -> None:
    """Lying 2 s at a rest the assumed levels put in the work zone, then a 10 s bridge hold:
    the stream opened at that rest, not mid-rep (a top is the top, and the hips rose a whole
    rep's amplitude beyond it), so the rest is neither a rep nor part of the hold."""
    keys = reps(lambda d: bridge(d, feet_a_m=0.75), 1, lead_s=2.0, hold_s=10.0)
    for exercise in ("bridge", "auto"):
        s = summary(sequence(keys, LYING_CAM, noise_px=1.0), exercise=exercise)
        assert s.reps_total == 0, exercise
        assert [round(h.start_ms / 1000) for h in s.holds] == [3], exercise
        assert abs(s.holds[0].end_ms - 13000) < 500, exercise


def test_a_bridge_whose_feet_far_rest_reads_163_counts_from_the_side() -> None:
    """From the side a rest may read up to 165 (feet far out); the default bound (160) is for
    views where a full top reads that low."""
    cfg = EngineConfig()
    old = replace(cfg, bridge=replace(cfg.bridge,
                                      side_hip_start_bounds_deg=cfg.bridge.hip_start_bounds_deg))
    for lead_s in (2.0, 10.0):
        keys = reps(lambda d: bridge(d, feet_a_m=0.8), 3, lead_s=lead_s, hold_s=0.8)
        poses = sequence(keys, LYING_CAM, noise_px=1.0)
        for exercise in ("bridge", "auto"):
            eng = Engine(exercise=exercise, config=cfg)  # type: ignore[arg-type]
            hips = [eng.update(p).metrics.get("bridge_hip_deg", math.nan) for p in poses]
            assert 161.0 < float(np.nanmedian(hips[:30])) < 165.0  # the rest, as read
            s = eng.summary()
            assert s.view is View.SIDE
            assert s.reps_total == 3, (lead_s, exercise)
            assert all("feet_too_far" in r.faults for r in s.reps[1:])
            eng = Engine(exercise=exercise, config=old)  # type: ignore[arg-type]
            for p in poses:
                eng.update(p)
            assert eng.summary().reps_total < 3


@pytest.mark.parametrize(("low", "high"), [(0.0, 0.38), (0.2, 0.46), (0.22, 0.47)])
def test_a_low_bridge_counts_from_the_side_with_its_fault(low: float, high: float) -> None:
    """Hips from a rest of 135-144 to tops 15-12 deg higher (152-156): a low bridge, counted
    and called low. With the top assumed at 165, as from the feet, the work threshold (0.6 of
    the way) was out of their reach: the bundled low-bridge sample, read at 144 and 156.5 with
    the mirror pass, was not counted at all."""
    keys = reps(lambda d: bridge(low + (high - low) * d), 3, hold_s=0.6)
    poses = sequence(keys, LYING_CAM, noise_px=1.0)
    cfg = EngineConfig()
    old = replace(cfg, bridge=replace(cfg.bridge, side_hip_work_deg=cfg.bridge.hip_work_deg))
    for exercise in ("bridge", "auto"):
        eng = Engine(exercise=exercise)  # type: ignore[arg-type]
        hips = np.array([eng.update(p).metrics.get("bridge_hip_deg", math.nan) for p in poses])
        assert 150.0 < np.nanmax(hips) < 157.0
        s = eng.summary()
        assert s.reps_total == 3, exercise
        assert all("low_bridge" in r.faults for r in s.reps)
        eng = Engine(exercise=exercise, config=old)  # type: ignore[arg-type]
        for p in poses:
            eng.update(p)
        assert eng.summary().reps_total == 0


def shallow_lunges(depth: float, config: EngineConfig | None = None) -> SessionSummary:
    eng = Engine(exercise="auto", config=config or EngineConfig())
    keys = reps(lambda d: lunge(depth * d), 3, rest_s=1.0, lead_s=1.5)
    for p in sequence(keys, SIDE_CAM, noise_px=1.0, seed=1):
        eng.update(p)
    return eng.summary()


def test_a_shallow_first_lunge_from_the_side_counts_with_its_depth_fault() -> None:
    # knee ~128-132 at the bottom: short of the work threshold the front view's assumed bottom
    # (100) gives, inside the side view's (110 -> 135, the side view's limit of a lunge rep)
    for depth in (0.25, 0.3):
        s = shallow_lunges(depth)
        assert s.exercise is Exercise.LUNGE
        assert len(s.reps) == 3, depth
        assert all(125.0 < r.metrics["front_knee_min_deg"] < 135.0 for r in s.reps)
        assert all("shallow_depth" in r.faults for r in s.reps)
        cfg = EngineConfig()
        old = replace(cfg, lunge=replace(cfg.lunge, side_knee_work_deg=cfg.lunge.knee_work_deg))
        assert len(shallow_lunges(depth, old).reps) < 3
    # a dip that keeps the knee above 135 is still no lunge rep
    assert len(shallow_lunges(0.2).reps) == 0


def _knees_drawn_in(share: float, back_too: bool) -> list[Pose]:
    """Three deep side lunges whose front knee (and the back knee: ``back_too``) is read
    ``share`` of the way toward the middle of its hip-ankle line wherever the front knee is bent
    past 120."""
    from formcheck.pose.landmarks import LM

    legs = [(LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)]
    if back_too:
        legs.append((LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))
    poses = sequence(reps(lunge, 3, hold_s=1.0, lead_s=1.5), SIDE_CAM, noise_px=1.0, seed=3)
    bent = []
    for p in poses:
        hip, knee, ankle = (p.xy[i] for i in legs[0])
        u, v = hip - knee, ankle - knee
        cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
        if math.degrees(math.acos(max(-1.0, min(1.0, cos)))) < 120.0:  # deep: misread
            xy = p.xy.copy()
            for h, k, a in legs:
                xy[k] = p.xy[k] + share * ((p.xy[h] + p.xy[a]) / 2.0 - p.xy[k])
            p = replace(p, xy=xy)
        bent.append(p)
    return bent


def test_a_knee_hidden_at_the_bottom_is_not_called_shallow_when_the_hips_went_low() -> None:
    """Hands resting on the front knee can pull its landmark off for a second (a clean render
    read 113-134 deg where it was 87); the hips' drop still shows the depth. Here both legs read
    too short to be believed (laid over each other), so neither knee is read from the lengths
    (see the next test)."""
    s = summary(_knees_drawn_in(0.6, back_too=True))
    assert s.exercise is Exercise.LUNGE and s.reps_total == 3
    assert all(r.metrics["front_knee_min_deg"] > 115.0 for r in s.reps)  # the knee reads shallow
    assert not any("shallow_depth" in r.faults for r in s.reps)
    assert all(r.metrics["lunge_bottom_min_deg"] < 110.0 for r in s.reps)


def test_a_front_knee_drawn_in_until_the_leg_reads_short_is_read_from_the_lengths() -> None:
    """Drawn in so far that the front thigh and shin read too short to be believed while the
    back leg reads whole (as MediaPipe does at deep bottoms with the shin far forward), the
    front knee's angle comes from the hip-ankle distance and the usual lengths: deep, as it
    is (the hips' drop alone already keeps these reps from being called shallow). The count
    runs on the landmarks' angle and is unchanged."""
    s = summary(_knees_drawn_in(0.5, back_too=False))
    assert s.exercise is Exercise.LUNGE and s.reps_total == 3
    assert all(r.metrics["front_knee_min_deg"] < 100.0 for r in s.reps)


def _flicker(poses: list[Pose], misread: list[Pose], window: tuple[float, float]) -> list[Pose]:
    """Inside ``window`` (s) the tracker loses the person on every other frame, and its fresh
    detections read ``misread`` for 0.6 s at a time, as MediaPipe's did on a render it could
    not hold."""
    out = []
    for i, (p, q) in enumerate(zip(poses, misread, strict=True)):
        if window[0] <= p.t_ms / 1000.0 < window[1]:
            low_now = int(p.t_ms / 600) % 2 == 0
            p = Pose.empty(p.t_ms, p.width, p.height) if i % 2 else (q if low_now else p)
        out.append(p)
    return out


def _flickering_hold(window: tuple[float, float]) -> list[Pose]:
    """A 10 s bridge hold seen from the side, misread as hips low (lift 0.2) in ``window``."""
    def keys(top: float) -> list[tuple[float, Stance]]:
        return [(0.0, bridge(0.0)), (2.0, bridge(0.0)), (3.0, bridge(top)),
                (13.0, bridge(top)), (14.0, bridge(0.0)), (16.0, bridge(0.0))]

    return _flicker(sequence(keys(1.0), LYING_CAM, noise_px=1.0),
                    sequence(keys(0.2), LYING_CAM, noise_px=1.0, seed=1), window)


def _lax() -> Engine:
    """An engine that believes every detection (the gate off)."""
    return Engine(EngineConfig(smoothing=replace(EngineConfig().smoothing,
                                                 unsteady_redetections=10**6)))


def test_a_flickering_tracker_neither_counts_nor_cues_its_misreadings() -> None:
    poses = _flickering_hold((5.0, 11.0))
    # the control: believed frame by frame, the misread detections are dips and count as reps
    lax = _lax()
    for p in poses:
        lax.update(p)
    assert lax.summary().reps_total >= 2
    eng = Engine()
    guidance = []
    for p in poses:
        guidance.append({c.code for c in eng.update(p).guidance})
    assert eng.summary().reps_total == 0
    assert eng.summary().reason is None  # steady for most of the session
    # from half a second into the flicker every frame, found or lost, says so, steadily
    during = [g for p, g in zip(poses, guidance, strict=True) if 5.5 <= p.t_ms / 1000 < 11.0]
    assert all(g == {"unsteady"} for g in during)
    assert not any("unsteady" in g for p, g in zip(poses, guidance, strict=True)
                   if p.t_ms < 5000)


def test_a_flickering_tracker_does_not_count_side_view_lunges_either() -> None:
    keys = reps(lunge, 4)  # a rep every 3.1 s from 1 s
    misread = [(t, lunge(1.0)) for t, _ in keys]
    poses = _flicker(sequence(keys, SIDE_CAM, noise_px=1.0),
                     sequence(misread, SIDE_CAM, noise_px=1.0, seed=1), (7.0, 14.0))
    lax = _lax()
    eng = Engine()
    for p in poses:
        lax.update(p)
        eng.update(p)
    assert lax.summary().reps_total != 2
    assert eng.summary().reps_total == 2  # the two reps before the flicker


def test_a_reset_forgets_an_unsteady_tracker() -> None:
    eng = Engine()
    for p in _flickering_hold((0.0, 16.1)):
        eng.update(p)
    eng.reset()
    codes = set()
    for p in sequence(reps(bridge, 2), LYING_CAM, noise_px=1.0):
        codes |= {c.code for c in eng.update(p).guidance}
    assert eng.summary().reps_total == 2 and "unsteady" not in codes


def test_a_frame_lost_now_and_then_is_not_unsteady() -> None:
    # a lost frame in every 8 (3.75 a second) is more than any steady clip showed (2)
    poses = [Pose.empty(p.t_ms, p.width, p.height) if i % 8 == 7 else p
             for i, p in enumerate(sequence(reps(bridge, 4), LYING_CAM, noise_px=1.0))]
    eng = Engine()
    codes = set()
    for p in poses:
        codes |= {c.code for c in eng.update(p).guidance}
    assert eng.summary().reps_total == 4
    assert "unsteady" not in codes


def test_a_session_unsteady_throughout_says_so() -> None:
    poses = _flickering_hold((0.0, 16.1))
    eng = Engine()
    for p in poses:
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 0 and not s.holds
    assert s.reason == "tracking unsteady in most frames (the person lost and found again)"


def test_coming_into_view_is_not_a_redetection() -> None:
    # nobody for 1 s, then the person, with four single frames lost in their first second:
    # four re-detections, one short of unsteady (the first sight is not one)
    lost = {31, 37, 43, 49}
    poses = [Pose.empty(p.t_ms, p.width, p.height) if i < 30 or i in lost else p
             for i, p in enumerate(sequence(reps(bridge, 1), LYING_CAM, noise_px=1.0))]
    eng = Engine()
    assert not any("unsteady" in {c.code for c in eng.update(p).guidance} for p in poses)


def _knee_read_straight(p: Pose, knee: int, hip: int, ankle: int) -> Pose:
    """``p`` with one knee landmark laid on its hip-ankle line: the leg reads straight."""
    xy, world = p.xy.copy(), p.world.copy()
    xy[knee] = (xy[hip] + xy[ankle]) / 2
    world[knee] = (world[hip] + world[ankle]) / 2
    return replace(p, xy=xy, world=world)


def test_a_lunge_hold_whose_knee_reads_straight_with_the_hips_down_is_no_rep() -> None:
    """MediaPipe read the front knee of rendered side-view lunge holds at 100-160 deg for
    moments where it was 89-93, with the hips as low as ever: reps were counted (4 on one
    10 s hold). From the side the knee's reading may not rise above what the hips' drop
    allows, so such moments stay at the bottom. A real rep raises the hips with the knee and
    still counts."""
    keys = [(0.0, STAND), (2.0, STAND), (3.0, lunge(1.0)), (13.0, lunge(1.0)), (14.0, STAND),
            (16.0, STAND)]
    misread = ((5.0, 5.6), (8.0, 8.6), (11.0, 11.6))
    poses = [_knee_read_straight(p, LM.LEFT_KNEE, LM.LEFT_HIP, LM.LEFT_ANKLE)
             if any(a <= p.t_ms / 1000 < b for a, b in misread) else p
             for p in sequence(keys, SIDE_CAM, noise_px=1.0)]
    for exercise in ("lunge", "auto"):
        s = summary(poses, exercise=exercise)
        assert s.reps_total == 0, exercise
        assert len(s.holds) == 1 and s.holds[0].duration_s > 9.0, exercise
    # two real reps with the same bottoms still count
    s = summary(sequence(reps(lunge, 2, hold_s=1.0, lead_s=1.5), SIDE_CAM, noise_px=1.0))
    assert s.reps_total == 2


_DEPTH = st.one_of(st.floats(45.0, 180.0), st.just(math.nan))


@given(knee=st.one_of(st.floats(0.0, 200.0), st.just(math.nan)), px=_DEPTH, ratio=_DEPTH)
def test_the_side_knee_bound_only_ever_lowers_a_known_reading(knee: float, px: float,
                                                              ratio: float) -> None:
    """The bound never makes up a reading, never raises one, takes the shallower of the hips'
    two drops, and leaves the knee alone where either drop is unknown."""
    out = _knee_within_hips(knee, px, ratio, 50.0)
    if math.isnan(knee):
        assert math.isnan(out)
    elif math.isnan(px) or math.isnan(ratio):
        assert out == knee
    else:
        assert out == min(knee, max(px, ratio) + 50.0)


def test_side_lunges_right_after_stepping_back_from_the_camera_all_count() -> None:
    """Told to step back, the person walks from 2.5 m to 4.5 m and starts at once. In pixels
    the hips then sit far below their standing height for the seconds the standing level takes
    to follow, as if down in a lunge; in trunk lengths they do not. Bounded by the pixels alone,
    the straight knee read as working and 1 of 3 reps counted."""
    def nearer(s: Stance, m: float) -> Stance:
        return replace(s, pelvis_c=s.pelvis_c + m, l_ankle_c=s.l_ankle_c + m,
                       r_ankle_c=s.r_ankle_c + m)

    keys = [(0.0, nearer(STAND, 2.0)), (4.0, nearer(STAND, 2.0)), (5.5, STAND)]
    t = 5.5
    for _ in range(3):
        keys += [(t + 1.0, lunge(1.0)), (t + 1.3, lunge(1.0)), (t + 2.3, STAND), (t + 3.1, STAND)]
        t += 3.1
    poses = sequence([*keys, (t + 2.0, STAND)], Camera(distance_m=4.5), noise_px=1.0)
    for exercise in ("lunge", "auto"):
        s = summary(poses, exercise=exercise)
        assert s.reps_total == 3 and not s.holds, exercise


def _knee_bent_to(p: Pose, knee: int, hip: int, ankle: int, angle_deg: float) -> Pose:
    """``p`` with the knee landmark drawn forward off the hip-ankle line until that knee reads
    ``angle_deg`` in the picture (the hip and ankle where they are)."""
    xy = p.xy.copy()
    h, a = xy[hip], xy[ankle]
    d = float(np.linalg.norm(a - h))
    perp = np.array([-(a - h)[1], (a - h)[0]]) / d
    if perp[0] < 0:  # forward: the side the front foot points to (+x in the picture here)
        perp = -perp
    xy[knee] = (h + a) / 2 + perp * (d / 2) / math.tan(math.radians(angle_deg / 2))
    return replace(p, xy=xy)


def test_a_split_stance_misread_bent_between_deep_reps_is_a_return_when_the_hips_are_up() -> None:
    """Two deep split squats with 0.4 s at the split stance between them, whose front knee
    MediaPipe read at 145 deg there (it is ~165; the legs' labels trading): short of the return
    from standing (~155), but back 70% of each rep's depth with the hips back up, so two reps."""
    keys = [(0.0, STAND), (1.0, STAND), (1.8, lunge(0.0)), (2.6, lunge(0.0)),
            (3.6, lunge(1.0)), (4.0, lunge(1.0)), (5.0, lunge(0.0)), (5.4, lunge(0.0)),
            (6.4, lunge(1.0)), (6.8, lunge(1.0)), (7.8, lunge(0.0)), (8.4, lunge(0.0)),
            (9.2, STAND), (10.0, STAND)]
    poses = [_knee_bent_to(p, LM.LEFT_KNEE, LM.LEFT_HIP, LM.LEFT_ANKLE, 145.0)
             if 4.85 <= p.t_ms / 1000 <= 5.55 else p
             for p in sequence(keys, SIDE_CAM, noise_px=0.5)]
    eng = Engine()
    between = []
    for p in poses:
        r = eng.update(p)
        if 4.9 <= p.t_ms / 1000 <= 5.5:
            between.append(r.metrics["lunge_signal_deg"])
    assert max(between) < 152.0  # no return to standing as read
    assert eng.summary().reps_total == 2
