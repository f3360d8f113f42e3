"""The floor line in the image, from the soles of the feet.

A camera is rarely level (phone on a chair, laptop lid). Inclinations such as trunk lean are
measured from the floor-normal instead of the image vertical, so a tilted camera does not bias
them. In a side view each foot's heel-to-toe line lies on the floor unless the heel is raised (the
back foot of a lunge); a raised heel only tips the toe down, so the foot with the least toe-down
reading is the flat one and its line is one sample of the floor's tilt. The median of recent
samples is the estimate; with no evidence the camera is assumed level.

The line between the two feet is not used: the feet are at different distances from a side camera,
and perspective tilts that line by several degrees (4-8 deg with the camera at hip height 4 m away).
"""

from __future__ import annotations

import math
import statistics
from collections import deque

import numpy as np

from formcheck.engine.config import ViewConfig
from formcheck.pose.landmarks import LM


def floor_axes(tilt_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """``(along, up)`` unit vectors in the image for a floor tilted by ``tilt_deg``.

    ``along`` points right along the floor (x right, y down, positive tilt = floor descends to
    the right), ``up`` is the floor-normal pointing away from the floor.
    """
    a = math.radians(tilt_deg)
    along = np.array([math.cos(a), math.sin(a)])
    up = np.array([math.sin(a), -math.cos(a)])
    return along, up


class FloorEstimator:
    """Median floor tilt over recent contact-point pairs."""

    def __init__(self, cfg: ViewConfig) -> None:
        self._cfg = cfg
        self._samples: deque[float] = deque(maxlen=cfg.floor_window_samples)
        self._tilt = 0.0

    def reset(self) -> None:
        """Forget the floor (camera moved)."""
        self._samples.clear()
        self._tilt = 0.0

    @property
    def tilt_deg(self) -> float:
        """Current estimate, 0 (level camera) until there is evidence."""
        return self._tilt

    def update(self, pts: list[list[float]], side_view: bool) -> float:
        """Add this frame's evidence (side views only) and return the tilt in degrees.

        ``pts``: the 33 smoothed image points as ``[x, y]`` lists, NaN where unknown.
        """
        if not side_view:
            return self._tilt
        leg = leg_length(pts)
        best: tuple[float, float] | None = None  # (toe-down reading, floor tilt)
        for heel, toe in ((LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX), (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)):
            v = (pts[toe][0] - pts[heel][0], pts[toe][1] - pts[heel][1])
            n = math.hypot(v[0], v[1])
            too_short = n < self._cfg.floor_min_foot_ratio * leg
            if not (math.isfinite(n) and math.isfinite(leg)) or too_short:
                continue
            toe_down = math.degrees(math.atan2(v[1], abs(v[0])))
            tilt = toe_down if v[0] > 0 else -toe_down
            if best is None or toe_down < best[0]:
                best = (toe_down, tilt)
        if best is None:
            return self._tilt
        lim = self._cfg.floor_max_tilt_deg
        self._samples.append(max(-lim, min(lim, best[1])))
        self._tilt = float(statistics.median(self._samples))
        return self._tilt


def ankle_rise(pts: list[list[float]], up: tuple[float, float] | list[float]) -> float:
    """How far the left ankle shows above the right along the floor-normal ``up`` (px, - below).

    Lying, one ankle well above the other is a raised leg (a single-leg bridge).
    """
    la, ra = pts[LM.LEFT_ANKLE], pts[LM.RIGHT_ANKLE]
    return (la[0] - ra[0]) * up[0] + (la[1] - ra[1]) * up[1]


def leg_length(pts: np.ndarray | list[list[float]]) -> float:
    """Mean length hip-knee-ankle over the known legs (image or world points)."""
    sel = pts[_LEG].tolist() if isinstance(pts, np.ndarray) else [pts[i] for i in _LEG]
    lh, lk, la, rh, rk, ra = sel
    legs = [math.dist(lh, lk) + math.dist(lk, la), math.dist(rh, rk) + math.dist(rk, ra)]
    legs = [v for v in legs if math.isfinite(v)]
    return sum(legs) / len(legs) if legs else float("nan")


_LEG = [LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE]


