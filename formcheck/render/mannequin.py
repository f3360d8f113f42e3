"""Dress a :class:`~formcheck.render.body.Skeleton` in shapes and read off its landmarks.

The mannequin is built from capsules (limbs, neck, shoulders) and ellipsoids (trunk, muscles,
head, hands, feet) with a simple face: eyes with irises, brows, nose, lips, ears and hair. The face
matters: the pose detector starts from a face-like head. Landmarks are placed anatomically on the
same skeleton, so the truth is exact by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.pose.landmarks import LM, NUM_LANDMARKS
from formcheck.render.body import Skeleton, frame_from_axis
from formcheck.render.geometry import unit
from formcheck.render.primitives import Capsule, Ellipsoid, Material, Primitive

_SKIN_TONES = ((0.96, 0.80, 0.69), (0.91, 0.72, 0.58), (0.80, 0.60, 0.45), (0.64, 0.45, 0.32),
               (0.47, 0.32, 0.22), (0.36, 0.24, 0.17))
_HAIR = ((0.10, 0.07, 0.05), (0.25, 0.16, 0.09), (0.45, 0.32, 0.18), (0.05, 0.05, 0.05),
         (0.62, 0.50, 0.32))
_TOPS = ((0.85, 0.20, 0.20), (0.15, 0.35, 0.75), (0.95, 0.95, 0.95), (0.20, 0.55, 0.35),
         (0.95, 0.60, 0.15), (0.55, 0.25, 0.60), (0.30, 0.30, 0.32))
# No pure black: a black-clad body shows no shading, and a detector (like a person) then has to
# guess where the knees are.
_BOTTOMS = ((0.24, 0.24, 0.28), (0.20, 0.24, 0.45), (0.40, 0.40, 0.44), (0.12, 0.30, 0.50),
            (0.50, 0.16, 0.24), (0.30, 0.36, 0.24))
_SHOES = ((0.85, 0.85, 0.85), (0.15, 0.15, 0.15), (0.30, 0.45, 0.80), (0.85, 0.30, 0.25),
          (0.45, 0.45, 0.48))
_SOCKS = ((0.95, 0.95, 0.95), (0.12, 0.12, 0.12), (0.70, 0.70, 0.72))


@dataclass(frozen=True)
class Look:
    """Colours (RGB in [0, 1]) of each material and which parts the clothes cover."""

    colours: dict[Material, tuple[float, float, float]]
    sleeves: bool  # shirt covers the upper arms
    long_pants: bool  # trousers/leggings cover the shins

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Look:
        """Random everyday sportswear; top and bottom always differ clearly."""
        skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))]
        top = _TOPS[rng.integers(len(_TOPS))]
        bottom = _BOTTOMS[rng.integers(len(_BOTTOMS))]
        colours = {
            Material.SKIN: skin,
            Material.SHIRT: top,
            Material.PANTS: bottom,
            Material.SHOES: _SHOES[rng.integers(len(_SHOES))],
            Material.HAIR: _HAIR[rng.integers(len(_HAIR))],
            Material.EYE_WHITE: (0.93, 0.93, 0.90),
            Material.IRIS: (0.08, 0.06, 0.05),
            Material.LIPS: (0.62 * skin[0], 0.36 * skin[1], 0.36 * skin[2]),
            Material.SOCKS: _contrasting(_SOCKS[rng.integers(len(_SOCKS))], bottom),
            Material.BROW: (0.12, 0.09, 0.07),
        }
        return cls(colours, bool(rng.random() < 0.6), bool(rng.random() < 0.65))

    @classmethod
    def default(cls) -> Look:
        """A fixed look for tests."""
        return cls.sample(np.random.default_rng(0))


def _contrasting(colour: tuple[float, float, float],
                 against: tuple[float, float, float]) -> tuple[float, float, float]:
    """``colour``, or white if it is too close to ``against`` to tell apart."""
    return colour if np.abs(np.subtract(colour, against)).sum() > 0.5 else (0.95, 0.95, 0.95)


def _ell(centre: np.ndarray, frame: np.ndarray, radii: tuple[float, float, float],
         material: Material) -> Ellipsoid:
    return Ellipsoid(np.asarray(centre, dtype=np.float64), frame, np.asarray(radii), material)


def _perp(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return v - float(v @ axis) * axis


def build_primitives(skel: Skeleton, look: Look) -> list[Primitive]:
    """Every shape of the dressed mannequin in ``skel``'s posture."""
    s = skel.shape
    h = s.height_m
    prims: list[Primitive] = []
    top = Material.SHIRT
    arm_mat = Material.SHIRT if look.sleeves else Material.SKIN
    shin_mat = Material.PANTS if look.long_pants else Material.SKIN

    # Trunk.
    pel = skel.pelvis
    prims.append(_ell(skel.hip_centre + pel @ np.array([-0.010 * h, 0.0, 0.005 * h]), pel,
                      (0.058 * h, s.hip_girth, 0.072 * h), Material.PANTS))
    # Buttocks: rounder and lower at the back, down to the gluteal fold below the hip joints.
    prims.append(_ell(skel.hip_centre + pel @ np.array([-0.028 * h, 0.0, -0.018 * h]), pel,
                      (0.048 * h, 0.85 * s.hip_girth, 0.058 * h), Material.PANTS))
    lum = skel.lumbar
    prims.append(_ell(skel.lumbar_joint + lum @ np.array([0.008 * h, 0.0, 0.45 * s.lumbar_len]),
                      lum, (0.054 * h, s.waist_girth, 0.75 * s.lumbar_len), top))
    tho = skel.thorax
    prims.append(_ell(skel.thoracic_joint + tho @ np.array([0.004 * h, 0.0, 0.52 * s.thorax_len]),
                      tho, (s.chest_depth, 0.090 * h, 0.60 * s.thorax_len), top))
    # Waist: fills the pinch between the abdomen and the ribcage ellipsoids.
    prims.append(_ell(skel.thoracic_joint + lum @ np.array([0.004 * h, 0.0, -0.01 * h]), lum,
                      (0.052 * h, 0.95 * s.waist_girth, 0.075 * h), top))
    sl, sr = skel.shoulders
    prims.append(Capsule(sl, sr, 0.030 * h, top))
    for sh in (sl, sr):  # trapezius: the slope from the neck down to each shoulder
        prims.append(Capsule(skel.neck_base + tho @ np.array([-0.004 * h, 0.0, 0.004 * h]), sh,
                             0.026 * h, top))
    # Neck and head.
    hd = skel.head
    rx, ry, rz = s.head_radii
    hc = skel.head_centre
    prims.append(Capsule(skel.neck_base, hc + hd @ np.array([-0.25 * rx, 0.0, -0.45 * rz]),
                         0.031 * h, Material.SKIN))
    prims.append(_ell(hc, hd, (rx, ry, rz), Material.SKIN))
    prims.append(_ell(hc + hd @ np.array([-0.12 * rx, 0.0, 0.2 * rz]), hd,
                      (0.96 * rx, 1.04 * ry, 0.93 * rz), Material.HAIR))
    for side in (1.0, -1.0):
        eye = hc + hd @ np.array([0.86 * rx, side * 0.40 * ry, 0.18 * rz])
        prims.append(_ell(eye, hd, (0.007 * h, 0.0075 * h, 0.006 * h), Material.EYE_WHITE))
        prims.append(_ell(eye + hd @ np.array([0.0045 * h, 0.0, 0.0]), hd,
                          (0.004 * h, 0.0042 * h, 0.0042 * h), Material.IRIS))
        prims.append(Capsule(hc + hd @ np.array([0.90 * rx, side * 0.20 * ry, 0.36 * rz]),
                             hc + hd @ np.array([0.84 * rx, side * 0.60 * ry, 0.36 * rz]),
                             0.0028 * h, Material.BROW))
        prims.append(_ell(hc + hd @ np.array([-0.05 * rx, side * 0.97 * ry, 0.0]), hd,
                          (0.011 * h, 0.006 * h, 0.018 * h), Material.SKIN))
    prims.append(_ell(hc + hd @ np.array([0.97 * rx, 0.0, -0.08 * rz]), hd,
                      (0.012 * h, 0.008 * h, 0.016 * h), Material.SKIN))
    prims.append(_ell(hc + hd @ np.array([0.86 * rx, 0.0, -0.47 * rz]), hd,
                      (0.007 * h, 0.0135 * h, 0.004 * h), Material.LIPS))

    # Arms.
    for i in (0, 1):
        sh, el, wr, hand = skel.shoulders[i], skel.elbows[i], skel.wrists[i], skel.hands[i]
        prims.append(_ell(sh, skel.thorax, (0.032 * h, 0.030 * h, 0.034 * h), arm_mat))
        prims.append(Capsule(sh, el, s.arm_girth, arm_mat))
        prims.append(Capsule(el, wr, 0.8 * s.arm_girth, Material.SKIN))
        prims.append(_ell(wr + hand[:, 2] * 0.45 * s.hand, hand,
                          (0.024 * h, 0.0095 * h, 0.5 * s.hand), Material.SKIN))

    # Legs.
    for i in (0, 1):
        hip, knee, ankle, foot = skel.hips[i], skel.knees[i], skel.ankles[i], skel.feet[i]
        thigh_dir = unit(knee - hip)
        tf = frame_from_axis(thigh_dir, skel.left)
        prims.append(Capsule(hip, knee, 0.72 * s.thigh_girth, Material.PANTS))
        # Widest near the groin, tapering to the knee, as a thigh is.
        prims.append(_ell(hip + 0.34 * s.thigh * thigh_dir, tf,
                          (s.thigh_girth, 0.95 * s.thigh_girth, 0.44 * s.thigh), Material.PANTS))
        shin_dir = unit(ankle - knee)
        back = _perp(hip - knee, shin_dir) + 0.3 * _perp(-skel.pelvis[:, 0], shin_dir)
        back = unit(back) if np.linalg.norm(back) > 1e-6 else -skel.facing
        sf = frame_from_axis(shin_dir, skel.left)
        # Trousers stop above the ankle: a visible sock or skin band marks where the ankle is.
        hem = knee + 0.86 * s.shin * shin_dir
        prims.append(Capsule(knee, hem, 0.68 * s.calf_girth, shin_mat))
        prims.append(Capsule(hem, ankle, 0.52 * s.calf_girth, Material.SOCKS))
        prims.append(_ell(knee + 0.32 * s.shin * shin_dir + 0.3 * s.calf_girth * back, sf,
                          (s.calf_girth, 0.92 * s.calf_girth, 0.34 * s.shin), shin_mat))
        # Shoe: a higher heel part and a flatter, longer forefoot.
        prims.append(_ell(ankle + foot @ np.array([0.2 * s.toe_front - 0.3 * s.heel_back, 0.0,
                                                   -0.45 * s.ankle_height]),
                          foot, (s.heel_back + 0.28 * s.toe_front, 0.022 * h,
                                 0.55 * s.ankle_height + 0.004 * h), Material.SHOES))
        prims.append(_ell(ankle + foot @ np.array([0.58 * s.toe_front, 0.0,
                                                   -s.ankle_height + 0.014 * h]),
                          foot, (0.44 * s.toe_front, 0.026 * h, 0.014 * h), Material.SHOES))
    return prims


def landmarks_3d(skel: Skeleton) -> np.ndarray:
    """World positions ``(33, 3)`` of the BlazePose landmarks on this skeleton."""
    s = skel.shape
    h = s.height_m
    rx, ry, rz = s.head_radii
    hd, hc = skel.head, skel.head_centre
    out = np.zeros((NUM_LANDMARKS, 3))

    def head_pt(x: float, y: float, z: float) -> np.ndarray:
        return hc + hd @ np.array([x, y, z])

    out[LM.NOSE] = head_pt(0.97 * rx + 0.012 * h, 0.0, -0.08 * rz)
    for side, inner, mid, outer, ear, mouth in (
        (1.0, LM.LEFT_EYE_INNER, LM.LEFT_EYE, LM.LEFT_EYE_OUTER, LM.LEFT_EAR, LM.MOUTH_LEFT),
        (-1.0, LM.RIGHT_EYE_INNER, LM.RIGHT_EYE, LM.RIGHT_EYE_OUTER, LM.RIGHT_EAR,
         LM.MOUTH_RIGHT),
    ):
        eye_x = 0.86 * rx + 0.0085 * h
        out[mid] = head_pt(eye_x, side * 0.40 * ry, 0.18 * rz)
        out[inner] = head_pt(eye_x - 0.002 * h, side * (0.40 * ry - 0.0065 * h), 0.18 * rz)
        out[outer] = head_pt(eye_x - 0.004 * h, side * (0.40 * ry + 0.0065 * h), 0.18 * rz)
        out[ear] = head_pt(-0.05 * rx, side * 0.97 * ry, 0.0)
        out[mouth] = head_pt(0.84 * rx, side * 0.0125 * h, -0.47 * rz)
    pairs = ((LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX,
              LM.LEFT_THUMB, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL,
              LM.LEFT_FOOT_INDEX),
             (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX,
              LM.RIGHT_THUMB, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL,
              LM.RIGHT_FOOT_INDEX))
    for i, (sh, el, wr, pk, ix, th, hp, kn, an, he, fi) in enumerate(pairs):
        out[sh], out[el], out[wr] = skel.shoulders[i], skel.elbows[i], skel.wrists[i]
        hand = skel.hands[i]
        wrist = skel.wrists[i]
        out[ix] = wrist + hand @ np.array([0.018 * h, 0.0, 0.8 * s.hand])
        out[pk] = wrist + hand @ np.array([-0.018 * h, 0.0, 0.7 * s.hand])
        out[th] = wrist + hand @ np.array([0.026 * h, 0.0, 0.45 * s.hand])
        out[hp], out[kn], out[an] = skel.hips[i], skel.knees[i], skel.ankles[i]
        foot = skel.feet[i]
        out[he] = skel.ankles[i] + foot @ np.array([-s.heel_back, 0.0, -0.8 * s.ankle_height])
        out[fi] = skel.ankles[i] + foot @ np.array([0.95 * s.toe_front, 0.0,
                                                     -0.75 * s.ankle_height])
    return out
