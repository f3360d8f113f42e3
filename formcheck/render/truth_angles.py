"""True angles of a rendered skeleton, by the metric names the analyser uses.

Definitions follow the project's metric notes. Inclinations and signed angles are measured in the
body's sagittal plane (spanned by the facing direction and the vertical) or frontal plane (lateral
and vertical), which is what a camera square to that plane sees; interior joint angles
(knees) are true 3D angles.
"""

from __future__ import annotations

import numpy as np

from formcheck.engine.types import Exercise
from formcheck.render.body import Skeleton
from formcheck.render.geometry import angle_deg

_UP = np.array([0.0, 0.0, 1.0])


def interior_deg(a: np.ndarray, joint: np.ndarray, b: np.ndarray) -> float:
    """Angle at ``joint`` between the directions to ``a`` and ``b`` (180 = straight)."""
    return angle_deg(a - joint, b - joint)


def _sagittal(v: np.ndarray, facing: np.ndarray) -> tuple[float, float]:
    """``(forward, up)`` components of ``v``."""
    return float(v @ facing), float(v @ _UP)


def _from_down_backward(v: np.ndarray, forward: np.ndarray, up: np.ndarray) -> float:
    """Angle of ``v`` from straight down, positive toward backward (degrees)."""
    return float(np.degrees(np.arctan2(-(v @ forward), -(v @ up))))


def bridge_hip_angle(skel: Skeleton) -> float:
    """Shoulder-hip-knee angle in the sagittal plane; > 180 when the hips are above the line."""
    f = skel.facing
    s = 0.5 * (skel.shoulders[0] + skel.shoulders[1])
    h = 0.5 * (skel.hips[0] + skel.hips[1])
    k = 0.5 * (skel.knees[0] + skel.knees[1])
    sp, hp, kp = (np.array(_sagittal(p, f)) for p in (s, h, k))
    a, b = sp - hp, kp - hp
    inner = float(np.degrees(np.arccos(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)),
                                               -1.0, 1.0))))
    line = kp - sp
    rel = hp - sp
    above = line[0] * rel[1] - line[1] * rel[0]  # > 0: hip on the upper side of shoulder->knee
    return 360.0 - inner if above > 0 else inner


def _valgus(skel: Skeleton, i: int) -> float:
    """Knee's inward deviation from the hip-ankle line, as an angle at the hip (degrees).

    The knee's offset from the line is taken along the body's lateral axis, which is what a
    camera facing the person (or the feet, in a bridge) sees; positive toward the midline.
    """
    outward = skel.left * (1.0 if i == 0 else -1.0)
    hip, knee, ankle = skel.hips[i], skel.knees[i], skel.ankles[i]
    axis = ankle - hip
    axis = axis / np.linalg.norm(axis)
    rel = knee - hip
    along = float(rel @ axis)
    offset = rel - along * axis
    return float(np.degrees(np.arctan2(-float(offset @ outward), along)))


def _tilt_and_lumbar(skel: Skeleton) -> tuple[float, float]:
    """Pelvis tilt against the trunk line's neutral and lumbar extension against the pelvis."""
    lat = skel.root[:, 1]

    def pitch(frame_a: np.ndarray, frame_b: np.ndarray) -> float:
        za, zb = frame_a[:, 2], frame_b[:, 2]
        return float(np.degrees(np.arctan2(np.cross(za, zb) @ lat, za @ zb)))

    return pitch(skel.root, skel.pelvis), -pitch(skel.pelvis, skel.lumbar)


def true_angles(skel: Skeleton, exercise: Exercise, front: int) -> dict[str, float]:
    """Every truth angle for one frame; ``front`` = 0 if the left leg is forward, 1 if right."""
    f = skel.facing
    out: dict[str, float] = {}
    tilt, lumbar = _tilt_and_lumbar(skel)
    out["pelvis_tilt_deg"] = tilt
    out["lumbar_ext_deg"] = lumbar
    hl, hr = skel.hips
    hip_line = hl - hr
    out["pelvis_level_deg"] = float(np.degrees(np.arctan2(hip_line @ _UP,
                                                          hip_line @ skel.left)))
    valgus = (_valgus(skel, 0), _valgus(skel, 1))
    out["left_knee_valgus_deg"], out["right_knee_valgus_deg"] = valgus
    for i, name in ((0, "left"), (1, "right")):
        out[f"{name}_knee_deg"] = interior_deg(skel.hips[i], skel.knees[i], skel.ankles[i])
        out[f"{name}_hip_deg"] = interior_deg(skel.shoulders[i], skel.hips[i], skel.knees[i])
    pelvis_down, pelvis_fwd = -skel.pelvis[:, 2], skel.pelvis[:, 0]

    def true_hip_ext(i: int) -> float:
        thigh = skel.knees[i] - skel.hips[i]
        return float(np.degrees(np.arctan2(-(thigh @ pelvis_fwd), thigh @ pelvis_down)))

    if exercise is Exercise.LUNGE:
        back = 1 - front
        out["front_knee_deg"] = interior_deg(skel.hips[front], skel.knees[front],
                                             skel.ankles[front])
        out["back_knee_deg"] = interior_deg(skel.hips[back], skel.knees[back], skel.ankles[back])
        shin = skel.knees[front] - skel.ankles[front]
        out["front_shin_deg"] = float(np.degrees(np.arctan2(shin @ f, shin @ _UP)))
        trunk = skel.hips[back] - skel.shoulders[back]
        thigh = skel.knees[back] - skel.hips[back]
        out["back_hip_ext_deg"] = (_from_down_backward(thigh, f, _UP)
                                   - _from_down_backward(trunk, f, _UP))
        centre_trunk = (0.5 * (skel.shoulders[0] + skel.shoulders[1])
                        - 0.5 * (skel.hips[0] + skel.hips[1]))
        out["trunk_lean_deg"] = float(np.degrees(np.arctan2(centre_trunk @ f, centre_trunk @ _UP)))
        out["knee_valgus_deg"] = valgus[front]
        feet = skel.ankles[0] - skel.ankles[1]
        out["stance_width_ratio"] = abs(float(feet @ skel.left)) / max(
            abs(float(hip_line @ skel.left)), 1e-9)
        out["true_hip_ext_deg"] = true_hip_ext(back)
    else:
        out["bridge_hip_deg"] = bridge_hip_angle(skel)
        out["bridge_knee_deg"] = 0.5 * sum(
            interior_deg(skel.hips[i], skel.knees[i], skel.ankles[i]) for i in (0, 1))
        out["knee_valgus_deg"] = max(valgus)  # the worse knee, as the analyser reports it
        out["true_hip_ext_deg"] = 0.5 * (true_hip_ext(0) + true_hip_ext(1))
    return out
