"""Named joint angles and inclinations from smoothed landmarks (definitions: docs in METRICS).

Angles between three landmarks come from the checked table :data:`ANGLES`; inclinations are
measured against the floor-normal of :class:`~formcheck.engine.view.ViewState`, never the image
vertical. Side view uses the image plane (the sagittal plane faces the camera); front and oblique
views take joint angles from the 3D world landmarks, where the image would foreshorten them, and
leave sagittal inclinations unknown. Unknown inputs give NaN, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from formcheck.engine.geometry import (
    NAN,
    angle_deg,
    incline_deg,
    mid,
    nanmin2,
    unit,
    wrap_deg,
)
from formcheck.engine.types import Side, View
from formcheck.engine.view import Posture, ViewState
from formcheck.pose.landmarks import LM

#: Interior angles as landmark triplets (a, vertex, c); tests check each is two skeleton bones.
ANGLES: Mapping[str, tuple[LM, LM, LM]] = {
    "left_knee_deg": (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
    "right_knee_deg": (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
    "left_hip_deg": (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE),
    "right_hip_deg": (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE),
}

#: Every metric the engine may report, with its meaning (units in the names).
METRICS: Mapping[str, str] = {
    "left_knee_deg": "left hip-knee-ankle angle, 180 = straight",
    "right_knee_deg": "right hip-knee-ankle angle, 180 = straight",
    "left_hip_deg": "left shoulder-hip-knee angle",
    "right_hip_deg": "right shoulder-hip-knee angle",
    "lunge_knee_deg": "smaller knee angle: the lunge counter's signal",
    "front_knee_deg": "front leg hip-knee-ankle angle (~90 at a good lunge bottom)",
    "back_knee_deg": "back leg hip-knee-ankle angle",
    "front_shin_deg": "front shin from the floor-normal, + knee ahead of the ankle",
    "back_hip_ext_deg": "back thigh behind the trunk line, + extension (includes any arch)",
    "trunk_lean_deg": "trunk from the floor-normal, + forward",
    "bridge_hip_deg": "shoulder-hip-knee angle, 180 = in line, > 180 hips above the line",
    "bridge_knee_deg": "hip-knee-ankle angle on the bridge (~90 at the top)",
    "pelvis_level_deg": "hip line against the floor line, + left hip higher",
    "pelvis_level_abs_deg": "size of pelvis_level_deg",
    "left_knee_valgus_deg": "left knee inside the hip-ankle line, + toward the midline",
    "right_knee_valgus_deg": "right knee inside the hip-ankle line, + toward the midline",
    "knee_valgus_deg": "working knee (front leg / larger of both) inside the hip-ankle line",
    "knee_width_ratio": "lateral distance between the knees / between the ankles",
    "stance_width_ratio": "lateral distance between the feet / hip width",
    "arch_proxy_deg": "apparent arch: back-hip extension beyond anatomy or trunk tilting back",
    "lumbar_curve_ratio": "depth of the back contour's lumbar curve / its chord (mask)",
    "lumbar_curve_rise": "lumbar_curve_ratio above the person's own baseline",
}

_LEGS = {
    Side.LEFT: (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
    Side.RIGHT: (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
}


def table_angles(points: np.ndarray) -> dict[str, float]:
    """All :data:`ANGLES` from ``(33, d)`` points (image or world)."""
    return {name: angle_deg(points[a], points[b], points[c]) for name, (a, b, c) in ANGLES.items()}


def _other(side: Side) -> Side:
    return Side.RIGHT if side is Side.LEFT else Side.LEFT


def _thigh_ext_deg(xy: np.ndarray, side: Side, up: np.ndarray, fwd: np.ndarray) -> float:
    """Thigh behind the downward trunk line, degrees (+ = extension)."""
    sh, hip, knee, _ = _LEGS[side]
    other_sh, other_hip = _LEGS[_other(side)][0], _LEGS[_other(side)][1]
    s, h = xy[sh], xy[hip]
    if not (np.isfinite(s).all() and np.isfinite(h).all()):  # far side hidden: use centres
        s, h = mid(xy[sh], xy[other_sh]), mid(xy[hip], xy[other_hip])
    down = -up
    trunk_down = incline_deg(h - s, down, fwd)
    thigh = incline_deg(xy[knee] - xy[hip], down, fwd)
    return wrap_deg(trunk_down - thigh)


def _valgus_deg(pts: np.ndarray, side: Side, medial: np.ndarray) -> float:
    """Signed angle at the hip between hip->ankle and hip->knee, + knee toward ``medial``."""
    _, hip, knee, ankle = _LEGS[side]
    ha = pts[ankle] - pts[hip]
    hk = pts[knee] - pts[hip]
    a = angle_deg(pts[ankle], pts[hip], pts[knee])
    if math.isnan(a):
        return NAN
    # which side of the hip-ankle line the knee is on, measured along the medial direction
    n = np.array([-ha[1], ha[0]])
    if float(np.dot(n, medial)) < 0:
        n = -n
    return a if float(np.dot(hk, n)) > 0 else -a


def _bridge_hip_deg(xy: np.ndarray, up: np.ndarray) -> float:
    """Shoulder-hip-knee angle, reflexive (> 180) when the hip is above the shoulder-knee line."""
    s = mid(xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER])
    h = mid(xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP])
    k = mid(xy[LM.LEFT_KNEE], xy[LM.RIGHT_KNEE])
    a = angle_deg(s, h, k)
    if math.isnan(a):
        return NAN
    line = k - s
    n = np.array([-line[1], line[0]])
    if float(np.dot(n, up)) < 0:
        n = -n
    return 360.0 - a if float(np.dot(h - s, n)) > 0 else a


def compute_metrics(xy: np.ndarray, world: np.ndarray, vs: ViewState) -> dict[str, float]:
    """Named metrics of one frame; ``xy`` ``(33, 2)`` px, ``world`` ``(33, 3)`` m; NaN = unknown."""
    side_view = vs.view is View.SIDE
    pts = xy if side_view else world
    m: dict[str, float] = table_angles(pts)
    m["lunge_knee_deg"] = nanmin2(m["left_knee_deg"], m["right_knee_deg"])
    front = vs.front
    if front in (Side.LEFT, Side.RIGHT):
        m["front_knee_deg"] = m[f"{front.value}_knee_deg"]
        m["back_knee_deg"] = m[f"{_other(front).value}_knee_deg"]
    else:
        m["front_knee_deg"] = m["back_knee_deg"] = NAN
    up, fwd = vs.up, vs.forward
    standing = vs.posture is Posture.STANDING
    lying = vs.posture is Posture.LYING
    m["front_shin_deg"] = m["back_hip_ext_deg"] = m["trunk_lean_deg"] = NAN
    if side_view and standing and vs.facing != 0:
        sc = mid(xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER])
        hc = mid(xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP])
        m["trunk_lean_deg"] = incline_deg(sc - hc, up, fwd)
        if front in (Side.LEFT, Side.RIGHT):
            _, _, knee, ankle = _LEGS[front]
            m["front_shin_deg"] = incline_deg(xy[knee] - xy[ankle], up, fwd)
            m["back_hip_ext_deg"] = _thigh_ext_deg(xy, _other(front), up, fwd)
    if lying:
        if side_view:
            m["bridge_hip_deg"] = _bridge_hip_deg(xy, up)
        else:
            s = mid(world[LM.LEFT_SHOULDER], world[LM.RIGHT_SHOULDER])
            h = mid(world[LM.LEFT_HIP], world[LM.RIGHT_HIP])
            k = mid(world[LM.LEFT_KNEE], world[LM.RIGHT_KNEE])
            m["bridge_hip_deg"] = angle_deg(s, h, k)
        knees = [v for v in (m["left_knee_deg"], m["right_knee_deg"]) if math.isfinite(v)]
        m["bridge_knee_deg"] = float(np.mean(knees)) if knees else NAN
    else:
        m["bridge_hip_deg"] = m["bridge_knee_deg"] = NAN

    # front view: frontal-plane checks in the image, against the floor line
    lh, rh = xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP]
    m["pelvis_level_deg"] = m["left_knee_valgus_deg"] = m["right_knee_valgus_deg"] = NAN
    m["knee_valgus_deg"] = m["stance_width_ratio"] = m["pelvis_level_abs_deg"] = NAN
    m["knee_width_ratio"] = NAN
    if vs.view is View.FRONT:
        lat = unit(rh - lh)  # image direction from the left hip to the right hip
        if np.isfinite(lat).all():
            d = lh - rh  # + when the left hip is higher, whichever way the person faces
            m["pelvis_level_deg"] = math.degrees(
                math.atan2(float(np.dot(d, up)), abs(float(np.dot(d, vs.along)))))
            m["pelvis_level_abs_deg"] = abs(m["pelvis_level_deg"])
            feet_w = abs(float(np.dot(xy[LM.LEFT_ANKLE] - xy[LM.RIGHT_ANKLE], lat)))
            knees_w = abs(float(np.dot(xy[LM.LEFT_KNEE] - xy[LM.RIGHT_KNEE], lat)))
            if feet_w > 1e-9:
                m["knee_width_ratio"] = knees_w / feet_w
        if np.isfinite(lat).all() and not lying:  # lying seen from the feet: legs foreshortened
            m["left_knee_valgus_deg"] = _valgus_deg(xy, Side.LEFT, lat)
            m["right_knee_valgus_deg"] = _valgus_deg(xy, Side.RIGHT, -lat)
            if front in (Side.LEFT, Side.RIGHT):
                m["knee_valgus_deg"] = m[f"{front.value}_knee_valgus_deg"]
            else:
                vals = [v for v in (m["left_knee_valgus_deg"], m["right_knee_valgus_deg"])
                        if math.isfinite(v)]
                m["knee_valgus_deg"] = max(vals) if vals else NAN
            hip_w = float(np.linalg.norm(rh - lh))
            feet = xy[LM.LEFT_ANKLE] - xy[LM.RIGHT_ANKLE]
            if hip_w > 1e-9:
                m["stance_width_ratio"] = abs(float(np.dot(feet, lat))) / hip_w
    return m
