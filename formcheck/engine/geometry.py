"""Small vector helpers for angles in the image plane and in 3D. NaN in, NaN out, no exceptions.

Image coordinates are x right, y down. Directions that matter to exercise form ("up", "forward")
are passed in explicitly as unit vectors, so nothing here assumes a level camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

NAN = float("nan")


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1; NaN if ``v`` is zero or not finite."""
    n = float(np.linalg.norm(v))
    if not math.isfinite(n) or n < 1e-12:
        return np.full(v.shape, np.nan)
    return v / n


def angle_deg(a: Sequence[float], b: Sequence[float], c: Sequence[float]) -> float:
    """Interior angle a-b-c at ``b`` in degrees, 0..180 (any dimension); NaN if undefined.

    Takes arrays or plain float lists (lists are much cheaper per call).
    """
    u = [x - y for x, y in zip(a, b, strict=True)]
    w = [x - y for x, y in zip(c, b, strict=True)]
    nu = math.sqrt(sum(x * x for x in u))
    nw = math.sqrt(sum(x * x for x in w))
    if not (math.isfinite(nu) and math.isfinite(nw)) or nu < 1e-12 or nw < 1e-12:
        return NAN
    cos = sum(x * y for x, y in zip(u, w, strict=True)) / (nu * nw)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def triangle_angle_deg(a: float, b: float, opposite: float) -> float:
    """Angle between sides ``a`` and ``b`` of the triangle whose third side is ``opposite``.

    Law of cosines; NaN when the three lengths make no triangle (or one is not finite).
    """
    if not (a > 0.0 and b > 0.0 and abs(a - b) < opposite < a + b):
        return NAN
    cos = (a * a + b * b - opposite * opposite) / (2.0 * a * b)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def incline_deg(v: Sequence[float], up: Sequence[float], forward: Sequence[float]) -> float:
    """Angle of 2D vector ``v`` from ``up``, positive when tilted toward ``forward``; -180..180."""
    along_up = float(v[0] * up[0] + v[1] * up[1])
    along_fwd = float(v[0] * forward[0] + v[1] * forward[1])
    if not (math.isfinite(along_up) and math.isfinite(along_fwd)):
        return NAN
    if abs(along_up) < 1e-12 and abs(along_fwd) < 1e-12:
        return NAN
    return math.degrees(math.atan2(along_fwd, along_up))


def wrap_deg(a: float) -> float:
    """Angle wrapped to -180..180."""
    return (a + 180.0) % 360.0 - 180.0


def mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint; if one end is unknown, the other (side view: the far point is often hidden)."""
    fa = math.isfinite(float(a.sum()))
    fb = math.isfinite(float(b.sum()))
    if fa and fb:
        return (a + b) / 2.0
    if fa:
        return a
    if fb:
        return b
    return np.full(a.shape, np.nan)


def nanmean2(a: float, b: float) -> float:
    """Mean of two floats ignoring NaN (NaN only if both are)."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return (a + b) / 2.0


def nanmin2(a: float, b: float) -> float:
    """Minimum of two floats ignoring NaN."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return min(a, b)


# ---- the same on plain float lists (per-frame hot paths; ~20x cheaper than tiny arrays) ----

Vec = list[float]


def lmid(a: Vec, b: Vec) -> Vec:
    """:func:`mid` on lists."""
    fa = math.isfinite(sum(a))
    fb = math.isfinite(sum(b))
    if fa and fb:
        return [(x + y) / 2.0 for x, y in zip(a, b, strict=True)]
    if fa:
        return a
    if fb:
        return b
    return [NAN] * len(a)


def lsub(a: Vec, b: Vec) -> Vec:
    """A - b on lists."""
    return [x - y for x, y in zip(a, b, strict=True)]


def ldot(a: Vec, b: Vec) -> float:
    """Dot product on lists."""
    return sum(x * y for x, y in zip(a, b, strict=True))
