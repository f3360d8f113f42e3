"""Bridges seen from the feet: the hip angle from the hips' rise in the picture.

End-on, MediaPipe's 3D hip angle is a guess that may swing by tens of degrees while the picture
is right (``engine/feet_view.py``). Most streams here keep the picture exact and swing the 3D
hips, so a reading that leaned on the 3D angle would show it.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from formcheck.engine.config import BridgeConfig
from formcheck.engine.feet_view import FeetViewHip, feet_view_hip_deg
from formcheck.engine.session import Engine
from formcheck.engine.types import Exercise, SessionSummary, View
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose
from tests.synth import Camera, bridge, reps, sequence

CFG = BridgeConfig()
# looking down on the body from about 47 deg, as the renders do (the pinhole looks level, so
# the picture is shifted up to frame the body). On this stick figure a full lift shrinks the
# hips' offset by a share of 0.54, not the renders' 0.35, so its top reads ~205: the share
# depends on the body and the camera's height (engine/feet_view.py).
FEET_CAM = Camera(height_m=2.6, distance_m=2.4, yaw_deg=90, focal_px=550.0,
                  offset_px=(0.0, -480.0))
LOW_FEET_CAM = Camera(height_m=0.5, distance_m=3.5, yaw_deg=90)
HEAD_CAM = Camera(height_m=0.5, distance_m=3.5, yaw_deg=270)
HIPS = [LM.LEFT_HIP, LM.RIGHT_HIP]


def _swinging_3d(poses: list[Pose], amplitude_m: float = 0.25,
                 period_s: float = 1.3) -> list[Pose]:
    """``poses`` with the 3D hips moved up and down by ``amplitude_m`` (picture untouched)."""
    out = []
    for p in poses:
        world = p.world.copy()
        world[HIPS, 1] += amplitude_m * math.sin(2.0 * math.pi * p.t_ms / 1000.0 / period_s)
        out.append(Pose(p.t_ms, p.width, p.height, p.xy, p.z, world, p.visibility,
                        p.presence, p.mask))
    return out


def _zoomed(poses: list[Pose], from_s: float, scale: float) -> list[Pose]:
    """``poses`` with the picture scaled about its centre from ``from_s`` on (moved away)."""
    out = []
    for p in poses:
        if p.t_ms >= from_s * 1000.0:
            centre = np.array([p.width / 2.0, p.height / 2.0])
            p = Pose(p.t_ms, p.width, p.height, centre + scale * (p.xy - centre), p.z, p.world,
                     p.visibility, p.presence, p.mask)
        out.append(p)
    return out


def _run(poses: list[Pose]) -> tuple[SessionSummary, np.ndarray]:
    eng = Engine()
    hip = [eng.update(p).metrics.get("bridge_hip_deg", math.nan) for p in poses]
    return eng.summary(), np.array(hip)


def _hold_keys(hold_s: float = 10.0) -> list:
    return [(0.0, bridge(0.0)), (2.0, bridge(0.0)), (3.0, bridge(1.0)), (3.0 + hold_s, bridge(1.0)),
            (4.0 + hold_s, bridge(0.0)), (6.0 + hold_s, bridge(0.0))]


def test_the_lift_share_maps_rest_to_the_rest_angle_and_a_full_lift_to_180() -> None:
    assert feet_view_hip_deg(80.0, 80.0, CFG) == CFG.feet_view_rest_deg
    full = 80.0 * (1.0 - CFG.feet_view_full_lift_share)
    assert math.isclose(feet_view_hip_deg(full, 80.0, CFG), 180.0)
    for below, rest in ((math.nan, 80.0), (60.0, math.nan), (60.0, 0.0), (60.0, -5.0)):
        assert math.isnan(feet_view_hip_deg(below, rest, CFG))
    assert math.isnan(feet_view_hip_deg(1.0, 80.0, CFG))  # 262 deg: no body bends so
    assert math.isnan(feet_view_hip_deg(200.0, 80.0, CFG))  # hips far below their rest


@given(st.floats(1.0, 500.0), st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.floats(0.1, 10.0))
def test_a_higher_lift_reads_a_larger_angle_at_any_scale(rest: float, a: float, b: float,
                                                          zoom: float) -> None:
    lo, hi = sorted((a, b))
    deg_lo = feet_view_hip_deg(rest * (1.0 - lo), rest, CFG)
    deg_hi = feet_view_hip_deg(rest * (1.0 - hi), rest, CFG)
    assert deg_hi - deg_lo >= (hi - lo) * 45.0 / CFG.feet_view_full_lift_share - 1e-6
    # a share of the person's own rest offset: the same at any distance or body size
    assert math.isclose(feet_view_hip_deg(zoom * rest * (1.0 - hi), zoom * rest, CFG), deg_hi)


def _feed(feet: FeetViewHip, t0_ms: float, seconds: float, below_px: float,
          width_px: float = 70.0, fps: float = 30.0) -> list[float | None]:
    n = round(seconds * fps)
    return [feet.update(t0_ms + 1000.0 * i / fps, below_px, width_px) for i in range(n)]


def test_the_picture_is_chosen_once_where_the_hips_lie_well_below_the_shoulders() -> None:
    feet = FeetViewHip(CFG)
    # lying flat, 1.1 shoulder widths below: no angle until the level is learnt from still
    # frames, then the picture's
    hips = _feed(feet, 0.0, 1.0, 77.0)
    assert all(h is not None for h in hips) and math.isnan(hips[0])
    assert hips[-1] == CFG.feet_view_rest_deg
    # chosen: a frame with the hips read above the shoulders has no angle (not the 3D one),
    # and a rest reading near the shoulders later does not switch the stream to the 3D angle
    late = [*_feed(feet, 1000.0, 0.2, math.nan), *_feed(feet, 1200.0, 3.0, 77.0)]
    assert all(h is not None for h in late) and math.isnan(late[0])
    # a camera near the floor: the hips lie 0.2 widths below; the 3D angle throughout
    floor = FeetViewHip(CFG)
    assert all(h is None for h in _feed(floor, 0.0, 3.0, 14.0))
    # seen from the head the hips never show below: the 3D angle throughout, and after 2 s
    # it is chosen, so hips read well below the shoulders for a moment do not switch it
    head = FeetViewHip(CFG)
    hips = [*_feed(head, 0.0, 2.5, math.nan), *_feed(head, 2500.0, 1.0, 77.0)]
    assert all(h is None for h in hips)


def test_a_level_near_the_limit_does_not_switch_the_stream_between_readings() -> None:
    # the hips 0.5 shoulder widths below the shoulders, the width reading 70 or 76 px
    feet = FeetViewHip(CFG)
    hips = [feet.update(1000.0 * i / 30.0, 36.4, 70.0 if i % 2 else 76.0) for i in range(150)]
    decided = hips[30:]  # chosen within a second (0.3 s to be still, then 15 still samples)
    assert all(h is None for h in decided) or None not in decided


def test_a_few_misread_frames_among_the_first_do_not_set_the_level() -> None:
    # the hips read 100 px below the shoulders for the first half second, then 77: the level
    # is the median of the first still samples, not their top
    feet = FeetViewHip(CFG)
    _feed(feet, 0.0, 0.5, 100.0)
    hips = _feed(feet, 500.0, 2.0, 77.0)
    assert hips[-1] == CFG.feet_view_rest_deg


def test_two_frames_either_side_of_a_gap_are_not_still() -> None:
    # end-on at 0 s, then 3/4 for 5 s (not fed), then end-on again: the level lying flat is
    # learnt from 0.3 s of frames after the gap, not from one frame before it and one after,
    # and the 5 s away do not count toward choosing the 3D angle
    feet = FeetViewHip(CFG)
    _feed(feet, 0.0, 0.1, 77.0)
    hips = _feed(feet, 5000.0, 0.6, 77.0)  # 0.3 s to be still, then 15 still samples
    assert all(h is not None and math.isnan(h) for h in hips)
    assert _feed(feet, 5600.0, 1.0, 77.0)[-1] == CFG.feet_view_rest_deg


def test_the_level_lying_flat_is_learnt_at_a_slow_frame_rate_too() -> None:
    for fps in (5.0, 8.0, 60.0):
        hips = _feed(FeetViewHip(CFG), 0.0, 6.0, 77.0, fps=fps)
        assert hips[-1] == CFG.feet_view_rest_deg, fps


def test_a_hold_longer_than_the_window_keeps_the_level_lying_flat() -> None:
    feet = FeetViewHip(CFG)
    _feed(feet, 0.0, 2.0, 77.0)
    top = _feed(feet, 2000.0, 10.0, 77.0 * (1.0 - CFG.feet_view_full_lift_share))
    assert math.isclose(top[-1], 180.0)  # held 10 s, still 180
    after = _feed(feet, 12000.0, 0.5, 77.0)  # back down: read at once, no settling again
    assert all(h == CFG.feet_view_rest_deg for h in after[10:])
    # and a second top straight after reads 180 again (its still frames are not rest)
    again = _feed(feet, 12500.0, 2.0, 77.0 * (1.0 - CFG.feet_view_full_lift_share))
    assert math.isclose(again[-1], 180.0)


def test_bridges_seen_from_the_feet_count_on_the_picture_not_the_3d_guess() -> None:
    poses = _swinging_3d(sequence(reps(bridge, 3, hold_s=0.6), FEET_CAM, noise_px=1.0))
    s, hip = _run(poses)
    assert s.view is View.FRONT and s.exercise is Exercise.BRIDGE and s.reps_total == 3
    rest = hip[5:30]  # the first second lying flat, while the 3D hips swing by +-0.25 m
    assert np.nanmax(rest) - np.nanmin(rest) < 3.0
    assert np.nanmax(hip) > 175.0


def test_a_bridge_hold_seen_from_the_feet_is_timed_and_counts_no_rep() -> None:
    # the 3D hips swing the hip angle by tens of degrees through the hold; they counted reps
    poses = _swinging_3d(sequence(_hold_keys(), FEET_CAM, noise_px=1.0))
    s, _ = _run(poses)
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 0
    assert max(h.end_ms - h.start_ms for h in s.holds) > 9500


def test_a_bridge_held_for_70_s_from_the_feet_keeps_its_level_lying_flat() -> None:
    # the lunge's standing height is learnt afresh after 60 s away from it; a held bridge would
    # then become the level lying flat and read as rest
    s, _ = _run(sequence(_hold_keys(70.0), FEET_CAM, noise_px=1.0))
    assert s.reps_total == 0 and max(h.end_ms - h.start_ms for h in s.holds) > 69000


def test_moving_further_from_the_camera_between_reps_is_not_a_lift() -> None:
    # at 3.5 s the person rests; from there the picture shows them 20% smaller
    poses = _zoomed(sequence(reps(bridge, 3, hold_s=0.6, rest_s=2.0), FEET_CAM, noise_px=1.0),
                    3.5, 0.8)
    s, hip = _run(poses)
    assert s.reps_total == 3
    assert abs(np.nanmedian(hip[-20:]) - CFG.feet_view_rest_deg) < 5.0  # resting at the end
    # following the new distance takes a second or two, below the top assumed before reps
    assert np.nanmax(hip[105:130]) < CFG.hip_work_deg


def _lying_back(poses: list[Pose], seconds: float, extra_px: float) -> list[Pose]:
    """``poses`` whose hips show ``extra_px`` further below the shoulders at first, closing to
    none over ``seconds``: the last moment of lying back onto the mat."""
    out = []
    for p in poses:
        if p.t_ms < seconds * 1000.0:
            xy = p.xy.copy()
            xy[HIPS, 1] += extra_px * (1.0 - p.t_ms / (seconds * 1000.0))
            p = Pose(p.t_ms, p.width, p.height, xy, p.z, p.world, p.visibility, p.presence,
                     p.mask)
        out.append(p)
    return out


def test_lying_back_onto_the_mat_does_not_set_the_level_lying_flat() -> None:
    # learnt from those first frames, lying flat read as a bridge (160-194) and no rep counted
    keys = reps(bridge, 3, hold_s=0.6, lead_s=2.7)
    s, hip = _run(_lying_back(sequence(keys, FEET_CAM, noise_px=1.0), 1.5, 60.0))
    assert s.reps_total == 3 and not s.holds
    assert abs(np.nanmedian(hip[50:80]) - CFG.feet_view_rest_deg) < 3.0


def test_seen_from_the_head_or_the_floor_the_3d_angle_stands_in() -> None:
    # the hips show above the shoulders from the head, and nearly in front of them from a
    # camera on the floor at the feet: the picture is not used, the 3D angle is (its swing
    # shows at rest), and it still counts
    keys = reps(bridge, 3, hold_s=0.6, lead_s=4.0)
    for cam in (HEAD_CAM, LOW_FEET_CAM):
        s, _ = _run(sequence(keys, cam, noise_px=1.0))
        assert s.view is View.FRONT and s.reps_total == 3, cam
        _, swung = _run(_swinging_3d(sequence(keys, cam, noise_px=1.0)))
        rest = swung[75:115]  # 2.5-3.8 s, lying flat
        assert np.nanmax(rest) - np.nanmin(rest) > 10.0, cam
