"""Named metrics: the angle table, values on the stick figure, NaN handling, image invariances."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.config import EngineConfig
from formcheck.engine.floor import floor_axes
from formcheck.engine.geometry import angle_deg
from formcheck.engine.metrics import ANGLES, METRICS, _bridge_hip_deg, compute_metrics
from formcheck.engine.types import Side, View
from formcheck.engine.view import Posture, ViewEstimator, ViewState
from formcheck.pose.landmarks import LM, SKELETON
from formcheck.pose.types import Pose
from tests.synth import (
    LYING_CAM,
    STAND,
    Camera,
    body_points,
    bridge,
    lunge,
    make_pose,
    single_leg_bridge,
)

BONES = {frozenset(e) for e in SKELETON}


def test_angle_table_is_two_connected_bones() -> None:
    for name, (a, b, c) in ANGLES.items():
        assert name.endswith("_deg") and name in METRICS
        assert frozenset((a, b)) in BONES and frozenset((b, c)) in BONES, name
        assert len({a, b, c}) == 3


def test_angle_deg_values_and_nan() -> None:
    o, x, y = np.zeros(2), np.array([1.0, 0]), np.array([0, 1.0])
    assert angle_deg(x, o, y) == 90.0
    assert angle_deg(x, o, -x) == 180.0
    assert math.isnan(angle_deg(x, o, o))
    assert math.isnan(angle_deg(np.array([np.nan, 0]), o, y))


def settled_view(stance, cam: Camera, frames: int = 25) -> tuple[Pose, ViewState]:
    """The last pose of ``stance`` held still and the view the estimator settled on (the
    legs' usual lengths learned from whole legs)."""
    ve = ViewEstimator(EngineConfig().view)
    for i in range(frames):
        p = make_pose(stance, cam, i * 33)
        vs = ve.update(p.t_ms, p.xy, p.world, p.z)
    return p, vs


def measured(stance, cam: Camera, frames: int = 25) -> dict[str, float]:
    """Metrics after the view has settled on a still pose."""
    p, vs = settled_view(stance, cam, frames)
    return compute_metrics(p.xy, p.world, vs)


def truth_knee(stance, side: str) -> float:
    b = body_points(stance)
    hip, knee, ankle = ((LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE) if side == "left"
                        else (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))
    return angle_deg(b[hip], b[knee], b[ankle])


def test_side_view_lunge_angles_match_the_body() -> None:
    for cam in (Camera(), Camera(yaw_deg=180)):
        for depth in (0.3, 1.0):
            st_ = lunge(depth, front="left")
            m = measured(st_, cam)
            assert abs(m["front_knee_deg"] - truth_knee(st_, "left")) < 3.0
            assert abs(m["back_knee_deg"] - truth_knee(st_, "right")) < 3.0
            assert abs(m["trunk_lean_deg"] - 3.0) < 1.5  # the stance's trunk angle


def test_trunk_lean_sign_and_tilted_camera() -> None:
    fwd = replace(lunge(0.8), trunk_deg=20.0)
    back = replace(lunge(0.8), trunk_deg=-12.0)
    for cam in (Camera(), Camera(yaw_deg=180), Camera(roll_deg=8.0), Camera(roll_deg=-8.0)):
        assert abs(measured(fwd, cam, 40)["trunk_lean_deg"] - 20.0) < 2.5
        assert abs(measured(back, cam, 40)["trunk_lean_deg"] + 12.0) < 2.5


def test_front_shin_and_back_hip_extension() -> None:
    ok = measured(lunge(1.0), Camera())
    past = measured(lunge(1.0, front_shin_shift_m=0.25), Camera())
    assert past["front_shin_deg"] > ok["front_shin_deg"] + 15
    pushed = measured(lunge(1.0, hip_shift_m=0.12), Camera())
    sitting = measured(lunge(1.0, hip_shift_m=-0.15), Camera())
    assert pushed["back_hip_ext_deg"] > ok["back_hip_ext_deg"] + 5
    assert sitting["back_hip_ext_deg"] < ok["back_hip_ext_deg"] - 5
    # trunk leaning back raises the apparent extension by the same amount
    arched = measured(replace(lunge(1.0), trunk_deg=-15.0), Camera())
    assert abs((arched["back_hip_ext_deg"] - ok["back_hip_ext_deg"]) - 18.0) < 3.0


def test_back_hip_extension_reads_from_the_hip_and_shoulder_centres() -> None:
    """From the side MediaPipe's hip labels often disagree with its leg labels: hips or shoulders
    that spread around their centre (or trade places) must not move the reading; one hip alone
    still reads."""
    p, vs = settled_view(lunge(1.0), Camera())
    base = compute_metrics(p.xy, p.world, vs)["back_hip_ext_deg"]
    xy = p.xy.copy()
    centre = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2
    shoulders = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2
    for spread in (np.array([12.0, -6.0]), np.array([-12.0, 6.0])):
        xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP] = centre + spread, centre - spread
        xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER] = shoulders - spread, shoulders + spread
        assert abs(compute_metrics(xy, p.world, vs)["back_hip_ext_deg"] - base) < 0.5
    xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP] = np.nan, centre
    assert abs(compute_metrics(xy, p.world, vs)["back_hip_ext_deg"] - base) < 0.5


def test_bridge_hip_angle_passes_180_when_overextended() -> None:
    low, top, over = (measured(b, LYING_CAM) for b in (bridge(0.0), bridge(1.0),
                                                        bridge(1.0, extra_m=0.08)))
    assert low["bridge_hip_deg"] < 140
    assert 170 < top["bridge_hip_deg"] < 186
    assert over["bridge_hip_deg"] > 195


def test_a_bridge_hip_angle_no_body_can_make_is_not_believed() -> None:
    # landmarks mixed up lying down (the head read at the feet) give angles no body makes
    p, vs = settled_view(bridge(0.0), LYING_CAM)
    assert math.isfinite(compute_metrics(p.xy, p.world, vs)["bridge_hip_deg"])
    knees = (p.xy[LM.LEFT_KNEE] + p.xy[LM.RIGHT_KNEE]) / 2
    hips = (p.xy[LM.LEFT_HIP] + p.xy[LM.RIGHT_HIP]) / 2
    along = knees - hips
    across = np.array([-along[1], along[0]])
    for shoulders, raw in ((knees + 0.8 * along, "above 230"),  # beyond the knees: 360
                           (hips + along + 0.3 * across, "below 90"),  # folded onto the thighs
                           (hips + along - 0.3 * across, "below 90")):
        xy = p.xy.copy()
        xy[LM.LEFT_SHOULDER] = xy[LM.RIGHT_SHOULDER] = shoulders
        a = _bridge_hip_deg(xy.tolist(), vs.up.tolist())
        assert (a > 230) if raw == "above 230" else (a < 90), (raw, a)
        assert math.isnan(compute_metrics(xy, p.world, vs)["bridge_hip_deg"]), raw


def test_front_view_frontal_metrics() -> None:
    cam = Camera(yaw_deg=90)
    level = measured(STAND, cam)
    assert abs(level["pelvis_level_deg"]) < 1.0
    assert abs(level["stance_width_ratio"] - 0.24 / 0.26) < 0.1
    tilt = measured(replace(STAND, pelvis_roll_deg=10.0), cam)
    assert 6.0 < tilt["pelvis_level_deg"] < 12.0  # left hip higher
    cave = measured(replace(lunge(1.0), l_valgus_m=0.08), cam)
    out = measured(replace(lunge(1.0), l_valgus_m=-0.08), cam)
    assert cave["left_knee_valgus_deg"] > 8.0 > out["left_knee_valgus_deg"]
    assert out["left_knee_valgus_deg"] < 0


def test_side_only_metrics_are_nan_in_front_view_and_nan_in_nan_out() -> None:
    m = measured(lunge(1.0), Camera(yaw_deg=90))
    assert math.isnan(m["trunk_lean_deg"]) and math.isnan(m["back_hip_ext_deg"])
    p = make_pose(lunge(1.0), Camera(), 0)
    xy = p.xy.copy()
    xy[LM.LEFT_KNEE] = np.nan
    vs = fixed_view(0.0)
    m = compute_metrics(xy, p.world, vs)
    assert math.isnan(m["left_knee_deg"]) and math.isfinite(m["right_knee_deg"])
    assert math.isnan(m["front_knee_deg"])


def test_a_leg_raise_is_read_from_the_side_and_at_3_4_and_judged_whole_from_the_side() -> None:
    """A single-leg bridge's raised leg: read from the side and at 3/4 (there a straight raised
    leg reads shorter than at rest, and is still a lift), not end-on; from the side a "raised"
    leg read folded is the legs mixed up (a rendered two-leg bridge counted 4 lifts so)."""
    for raised in ("left", "right"):
        hip, knee, ankle = ((LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE) if raised == "left"
                            else (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))
        for yaw, view in ((0, View.SIDE), (180, View.SIDE), (315, View.OBLIQUE),
                          (90, View.FRONT), (270, View.FRONT)):
            p, vs = settled_view(single_leg_bridge(1.0, raised), replace(LYING_CAM, yaw_deg=yaw))
            assert vs.view is view and vs.posture is Posture.LYING, (raised, yaw)
            lift = compute_metrics(p.xy, p.world, vs)["leg_raise_deg"]
            if view is View.FRONT:
                assert math.isnan(lift), (raised, yaw)
                continue
            assert lift > 20.0, (raised, yaw)
            folded = p.xy.copy()  # knee and ankle pulled in to the hip, the ankle still up
            folded[knee] = p.xy[hip] + 0.4 * (p.xy[knee] - p.xy[hip])
            folded[ankle] = folded[knee] + 0.4 * (p.xy[ankle] - p.xy[knee])
            lift = compute_metrics(folded, p.world, vs)["leg_raise_deg"]
            assert math.isnan(lift) if view is View.SIDE else lift > 0.0, (raised, yaw)


def fixed_view(tilt_deg: float, front: Side = Side.LEFT) -> ViewState:
    along, up = floor_axes(tilt_deg)
    return ViewState(View.SIDE, Posture.STANDING, 1, Side.RIGHT, front, tilt_deg, along, up)


SIDE_METRICS = ("left_knee_deg", "right_knee_deg", "front_knee_deg", "back_knee_deg",
                "front_shin_deg", "back_hip_ext_deg", "trunk_lean_deg", "lunge_knee_deg")


@settings(max_examples=40, deadline=None)
@given(dx=st.floats(-500, 500), dy=st.floats(-500, 500), scale=st.floats(0.3, 3.0),
       rot=st.floats(-30, 30), depth=st.floats(0.0, 1.0))
def test_metrics_invariant_to_image_translation_scale_rotation(dx: float, dy: float,
                                                               scale: float, rot: float,
                                                               depth: float) -> None:
    p = make_pose(lunge(depth), Camera(), 0)
    base = compute_metrics(p.xy, p.world, fixed_view(0.0))
    r = math.radians(rot)
    rm = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    xy2 = (p.xy @ rm.T) * scale + np.array([dx, dy])
    # the floor turns with the image: a rotation by +rot tilts the floor line by +rot
    moved = compute_metrics(xy2, p.world, fixed_view(rot))
    for name in SIDE_METRICS:
        assert abs(moved[name] - base[name]) < 1e-6, name


def test_swapped_knee_labels_are_undone_in_a_side_view() -> None:
    from formcheck.engine.metrics import unswap_knees

    p = make_pose(lunge(1.0), Camera(), 0)
    good = compute_metrics(p.xy, p.world, fixed_view(0.0))
    xy = p.xy.copy()
    xy[[LM.LEFT_KNEE, LM.RIGHT_KNEE]] = xy[[LM.RIGHT_KNEE, LM.LEFT_KNEE]]
    fixed = compute_metrics(xy, p.world, fixed_view(0.0))
    for name in ("front_knee_deg", "back_knee_deg", "front_shin_deg", "back_hip_ext_deg"):
        assert abs(fixed[name] - good[name]) < 1e-9, name
    # correct labels are left alone
    pts = p.xy.tolist()
    assert unswap_knees(pts, [1.0, 0.0]) is pts


def test_a_leg_read_too_short_to_be_one_is_not_judged() -> None:
    """From the side a thigh and shin keep their length; MediaPipe laying the legs over each
    other shortens them. Then neither the front shin's direction nor the back thigh's extension
    is known; the knee angles (the counter's signal) stay."""
    p = make_pose(lunge(1.0), Camera(), 0)
    vs = ViewEstimator(EngineConfig().view)
    for i in range(20):  # the usual lengths, learned from whole legs
        state = vs.update(i * 33.0, p.xy, p.world, p.z)
    m = compute_metrics(p.xy, p.world, state)
    front_shin = math.dist(p.xy[LM.LEFT_KNEE], p.xy[LM.LEFT_ANKLE])
    assert state.front is Side.LEFT and state.shin_min_px < front_shin
    assert math.isfinite(m["front_shin_deg"]) and math.isfinite(m["back_hip_ext_deg"])
    mixed = p.xy.copy()
    mixed[LM.LEFT_ANKLE] = (mixed[LM.LEFT_KNEE] + mixed[LM.LEFT_ANKLE]) / 2  # front shin halved
    mixed[LM.RIGHT_KNEE] = (mixed[LM.RIGHT_HIP] + 2 * mixed[LM.RIGHT_KNEE]) / 3  # back thigh 2/3
    m2 = compute_metrics(mixed, p.world, replace(state, front=Side.LEFT))
    assert math.isnan(m2["front_shin_deg"]) and math.isnan(m2["back_hip_ext_deg"])
    assert math.isfinite(m2["front_knee_deg"]) and math.isfinite(m2["lunge_knee_deg"])
    # one leg too short is enough: the other leg's landmarks come from the same mix-up
    for leg_ok, leg_short in ((LM.LEFT_ANKLE, LM.RIGHT_KNEE), (LM.RIGHT_KNEE, LM.LEFT_ANKLE)):
        one = mixed.copy()
        one[leg_ok] = p.xy[leg_ok]
        m3 = compute_metrics(one, p.world, replace(state, front=Side.LEFT))
        assert math.isnan(m3["front_shin_deg"]) and math.isnan(m3["back_hip_ext_deg"]), leg_short
        assert math.isfinite(m3["front_knee_deg"])
    # a frame or two of mixed-up legs does not move the usual lengths
    for i in range(20, 23):
        vs.update(i * 33.0, mixed, p.world, p.z)
    assert vs.update(23 * 33.0, p.xy, p.world, p.z).shin_min_px == state.shin_min_px


def test_a_front_knee_drawn_toward_the_hip_ankle_line_is_read_from_the_lengths() -> None:
    """At deep lunge bottoms MediaPipe may draw the front knee back toward the line from hip to
    ankle (the thigh and shin then read short, the angle open) while the hip and the ankle stay
    right: the knee angle is then taken from their distance and the usual lengths. The counter's
    signal keeps the landmarks' angle; the shin's direction stays unknown."""
    p, state = settled_view(lunge(1.0), Camera(), 20)
    assert state.front is Side.LEFT
    true_knee = angle_deg(p.xy[LM.LEFT_HIP], p.xy[LM.LEFT_KNEE], p.xy[LM.LEFT_ANKLE])
    assert 80 < true_knee < 100
    drawn = p.xy.copy()
    line_mid = (p.xy[LM.LEFT_HIP] + p.xy[LM.LEFT_ANKLE]) / 2
    drawn[LM.LEFT_KNEE] = p.xy[LM.LEFT_KNEE] + 0.8 * (line_mid - p.xy[LM.LEFT_KNEE])
    assert math.dist(drawn[LM.LEFT_KNEE], drawn[LM.LEFT_ANKLE]) < state.shin_min_px
    read = angle_deg(drawn[LM.LEFT_HIP], drawn[LM.LEFT_KNEE], drawn[LM.LEFT_ANKLE])
    assert read > 150
    m = compute_metrics(drawn, p.world, state)
    # within a few degrees: the usual lengths are medians over both legs, and the far leg
    # shows a little shorter in perspective
    assert abs(m["front_knee_deg"] - true_knee) < 5.0
    assert abs(m["lunge_knee_deg"] - read) < 1e-9
    assert math.isnan(m["front_shin_deg"]) and math.isnan(m["back_hip_ext_deg"])
    # no triangle from these lengths (the ankle read further off than the leg reaches): as read
    far = drawn.copy()
    far[LM.LEFT_ANKLE] = p.xy[LM.LEFT_HIP] + 2.5 * (p.xy[LM.LEFT_ANKLE] - p.xy[LM.LEFT_HIP])
    m_far = compute_metrics(far, p.world, state)
    assert m_far["front_knee_deg"] == m_far["left_knee_deg"]
    # the back leg not read at all is no sign the legs are apart: as read
    unseen = drawn.copy()
    unseen[[LM.RIGHT_KNEE, LM.RIGHT_ANKLE]] = np.nan
    assert abs(compute_metrics(unseen, p.world, state)["front_knee_deg"] - read) < 1e-9
    # a knee read more bent than the lengths allow is not drawn in: as read
    bent = p.xy.copy()
    bent[LM.LEFT_KNEE] = p.xy[LM.LEFT_KNEE] + 0.5 * (p.xy[LM.LEFT_KNEE] - line_mid)
    bent[LM.LEFT_ANKLE] = bent[LM.LEFT_KNEE] + 0.7 * (p.xy[LM.LEFT_ANKLE] - p.xy[LM.LEFT_KNEE])
    m_bent = compute_metrics(bent, p.world, state)
    assert m_bent["front_knee_deg"] == m_bent["left_knee_deg"]
    # both legs short (laid over each other): both as read
    both = drawn.copy()
    both[LM.RIGHT_KNEE] = (p.xy[LM.RIGHT_HIP] + 2 * p.xy[LM.RIGHT_KNEE]) / 3
    both[LM.RIGHT_ANKLE] = both[LM.RIGHT_KNEE]
    m_both = compute_metrics(both, p.world, state)
    assert abs(m_both["front_knee_deg"] - read) < 1e-9


@settings(max_examples=60, deadline=None)
@given(a=st.floats(10, 500), b=st.floats(10, 500), gamma=st.floats(1, 179))
def test_triangle_angle_inverts_the_law_of_cosines(a: float, b: float, gamma: float) -> None:
    from formcheck.engine.geometry import triangle_angle_deg

    c = math.sqrt(a * a + b * b - 2 * a * b * math.cos(math.radians(gamma)))
    assert abs(triangle_angle_deg(a, b, c) - gamma) < 1e-3
    assert math.isnan(triangle_angle_deg(a, b, a + b + 1.0))
    assert math.isnan(triangle_angle_deg(a, b, abs(a - b) * 0.5))
    assert math.isnan(triangle_angle_deg(math.nan, b, c))


def _right_shin_bent(xy: np.ndarray, share: float) -> np.ndarray:
    """``xy`` with the right shin turned 60 deg at the knee, ``share`` of its length long."""
    out = xy.copy()
    knee, ankle = out[LM.RIGHT_KNEE], out[LM.RIGHT_ANKLE]
    c, s = math.cos(math.radians(60)), math.sin(math.radians(60))
    out[LM.RIGHT_ANKLE] = knee + share * np.array([[c, -s], [s, c]]) @ (ankle - knee)
    return out


def test_standing_the_smaller_knee_comes_from_the_leg_read_whole() -> None:
    """Feet together from the side, the far leg is hidden and MediaPipe may draw its knee
    anywhere (a rendered stepping lunge read it at 65-157 deg where it is 175, its shin a quarter
    to two thirds long): the counter's knee then comes from the leg read whole. With both legs
    whole it is the smaller angle, as before; a leg not read at all is not the whole one."""
    p, state = settled_view(STAND, Camera(), 20)
    assert state.view is View.SIDE and state.front is Side.UNKNOWN
    assert state.posture is Posture.STANDING

    short = compute_metrics(_right_shin_bent(p.xy, 0.4), p.world, state)
    assert short["right_knee_deg"] < 130 and short["left_knee_deg"] > 165
    assert short["lunge_knee_deg"] == short["left_knee_deg"]
    whole = compute_metrics(_right_shin_bent(p.xy, 1.0), p.world, state)
    assert whole["right_knee_deg"] < 130
    assert whole["lunge_knee_deg"] == whole["right_knee_deg"]
    missing = _right_shin_bent(p.xy, 0.4)
    missing[[LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE]] = np.nan
    m = compute_metrics(missing, p.world, state)
    assert math.isnan(m["left_knee_deg"]) and m["lunge_knee_deg"] == m["right_knee_deg"] < 130


def _shin_limit(xy: np.ndarray, world: np.ndarray, z: np.ndarray) -> tuple[float, ViewState]:
    """The share of the front (left) shin's length below which it is not believed."""
    vs = ViewEstimator(EngineConfig().view)
    for i in range(12):
        state = vs.update(i * 33.0, xy, world, z)
    return state.shin_min_px / math.dist(xy[LM.LEFT_KNEE], xy[LM.LEFT_ANKLE]), state


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(0.4, 2.5), dx=st.floats(-300, 300), share=st.floats(0.3, 1.0))
def test_the_short_leg_check_is_the_same_at_any_distance(scale: float, dx: float,
                                                         share: float) -> None:
    """Lengths are judged against the person's own usual ones in trunk lengths, so the
    picture's scale and position do not move the limit (about the configured 0.8 of the shin's
    own length: the usual length is the median of both shins)."""
    p = make_pose(lunge(1.0), Camera(), 0)
    limit0, _ = _shin_limit(p.xy, p.world, p.z)
    assert abs(limit0 - EngineConfig().view.min_leg_segment_share) < 0.05
    xy = p.xy * scale + np.array([dx, 0.0])
    limit, state = _shin_limit(xy, p.world, p.z)
    assert abs(limit - limit0) < 1e-9
    short = xy.copy()
    short[LM.LEFT_ANKLE] = short[LM.LEFT_KNEE] + share * (xy[LM.LEFT_ANKLE] - xy[LM.LEFT_KNEE])
    m = compute_metrics(short, p.world, state)
    if share > limit + 1e-6:
        assert math.isfinite(m["front_shin_deg"])
    elif share < limit - 1e-6:
        assert math.isnan(m["front_shin_deg"])
