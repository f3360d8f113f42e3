"""Bridges seen from the feet: the hip angle from the hips' rise in the picture.

End-on, MediaPipe's 3D hip angle is a guess that may swing by tens of degrees while the picture
is right (``engine/feet_view.py``). These streams keep the picture exact and swing the 3D hips.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from formcheck.engine.config import BridgeConfig
from formcheck.engine.feet_view import feet_view_hip_deg
from formcheck.engine.session import Engine
from formcheck.engine.types import Exercise, SessionSummary, View
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose
from tests.synth import Camera, bridge, reps, sequence

CFG = BridgeConfig()
# looking down on the body from about 47 deg, as the renders do (the pinhole looks level, so
# the picture is shifted up to frame the body)
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


def _run(poses: list[Pose]) -> tuple[SessionSummary, list[float]]:
    eng = Engine()
    hip = [eng.update(p).metrics.get("bridge_hip_deg", math.nan) for p in poses]
    return eng.summary(), hip


def _hold_keys(hold_s: float = 10.0) -> list:
    return [(0.0, bridge(0.0)), (2.0, bridge(0.0)), (3.0, bridge(1.0)), (3.0 + hold_s, bridge(1.0)),
            (4.0 + hold_s, bridge(0.0)), (6.0 + hold_s, bridge(0.0))]


def test_the_lift_share_maps_rest_to_the_assumed_rest_and_a_full_lift_to_180() -> None:
    assert feet_view_hip_deg(80.0, 80.0, 70.0, CFG) == CFG.hip_start_deg
    full = 80.0 * (1.0 - CFG.feet_view_full_lift_share)
    assert math.isclose(feet_view_hip_deg(full, 80.0, 70.0, CFG), 180.0)
    for offset, rest in ((math.nan, 80.0), (60.0, math.nan), (60.0, 0.0), (60.0, -5.0)):
        assert math.isnan(feet_view_hip_deg(offset, rest, 70.0, CFG))
    # a camera near the floor: the hips lie nearly in front of the shoulders, not read
    assert math.isnan(feet_view_hip_deg(10.0, 10.0, 70.0, CFG))
    assert math.isnan(feet_view_hip_deg(1.0, 80.0, 70.0, CFG))  # an angle no body makes


@given(st.floats(1.0, 500.0), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_a_higher_lift_reads_a_larger_angle_at_any_scale(rest: float, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    deg_lo = feet_view_hip_deg(rest * (1.0 - lo), rest, rest, CFG)
    deg_hi = feet_view_hip_deg(rest * (1.0 - hi), rest, rest, CFG)
    assert not deg_hi < deg_lo  # NaN past what a body makes
    # a share of the person's own rest offset: the same at any distance or body size
    twice = feet_view_hip_deg(2.0 * rest * (1.0 - hi), 2.0 * rest, 2.0 * rest, CFG)
    assert twice == deg_hi or (math.isnan(twice) and math.isnan(deg_hi))


def test_bridges_seen_from_the_feet_count_on_the_picture_not_the_3d_guess() -> None:
    poses = _swinging_3d(sequence(reps(bridge, 3, hold_s=0.6), FEET_CAM, noise_px=1.0))
    s, hip = _run(poses)
    assert s.view is View.FRONT and s.exercise is Exercise.BRIDGE and s.reps_total == 3
    rest, top = np.nanmedian(hip[:25]), np.nanmax(hip)
    assert abs(rest - CFG.hip_start_deg) < 5.0 and top - rest > 30.0


def test_a_bridge_hold_seen_from_the_feet_is_timed_and_counts_no_rep() -> None:
    # the 3D hips swing the hip angle by tens of degrees through the hold; they counted reps
    poses = _swinging_3d(sequence(_hold_keys(), FEET_CAM, noise_px=1.0))
    s, _ = _run(poses)
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 0
    assert max(h.end_ms - h.start_ms for h in s.holds) > 9500


def test_seen_from_the_head_or_the_floor_the_3d_angle_stands_in() -> None:
    # the hips show above the shoulders from the head, and nearly in front of them from a
    # camera on the floor at the feet: the picture's offset is not read, the 3D angle is
    for cam in (HEAD_CAM, LOW_FEET_CAM):
        s, hip = _run(sequence(reps(bridge, 3, hold_s=0.6), cam, noise_px=1.0))
        assert s.view is View.FRONT and s.reps_total == 3, cam
        assert np.nanmax(hip) - np.nanmin(hip) > 30.0
