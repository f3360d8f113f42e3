"""The floor line in the image, from where the feet (or, lying, shoulders and heels) touch it.

A camera is rarely level (phone on a chair, laptop lid). Inclinations such as trunk lean are
measured from the floor-normal instead of the image vertical, so a tilted camera does not bias
them. The floor is what the feet stand on: whenever two contact points are far enough apart
along the floor, their line is one sample of the floor's tilt; the median of recent samples is the
estimate. With no evidence the camera is assumed level.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.engine.config import ViewConfig
from formcheck.engine.geometry import mid
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


def _lowest_foot_point(xy: np.ndarray, heel: LM, toe: LM, ankle: LM) -> np.ndarray:
    """The lowest (largest y) known point of one foot; NaN if the foot is unknown."""
    pts = xy[[heel, toe, ankle]]
    ok = np.isfinite(pts).all(axis=1)
    if not ok.any():
        return np.full(2, np.nan)
    pts = pts[ok]
    return pts[int(np.argmax(pts[:, 1]))]


class FloorEstimator:
    """Median floor tilt over recent contact-point pairs."""

    def __init__(self, cfg: ViewConfig) -> None:
        self._cfg = cfg
        self._samples: deque[float] = deque(maxlen=cfg.floor_window_samples)

    def reset(self) -> None:
        """Forget the floor (camera moved)."""
        self._samples.clear()

    @property
    def tilt_deg(self) -> float:
        """Current estimate, 0 (level camera) until there is evidence."""
        if not self._samples:
            return 0.0
        return float(np.median(np.fromiter(self._samples, float)))

    def update(self, xy: np.ndarray, lying: bool, depth_split: bool) -> float:
        """Add this frame's evidence and return the tilt in degrees.

        ``xy``: ``(33, 2)`` smoothed points; ``lying``: the person lies on the floor (shoulders
        and heels then mark it); ``depth_split``: the feet are at clearly different distances
        from the camera (front-view lunge), where their image line is perspective, not floor.
        """
        if lying:
            a = mid(xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER])
            b = mid(xy[LM.LEFT_HEEL], xy[LM.RIGHT_HEEL])
        elif depth_split:
            return self.tilt_deg
        else:
            a = _lowest_foot_point(xy, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX, LM.LEFT_ANKLE)
            b = _lowest_foot_point(xy, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX, LM.RIGHT_ANKLE)
        leg = leg_length(xy)
        d = b - a
        if not (np.isfinite(d).all() and math.isfinite(leg)):
            return self.tilt_deg
        if abs(d[0]) < self._cfg.floor_min_foot_spread_ratio * leg:
            return self.tilt_deg
        tilt = math.degrees(math.atan2(d[1], d[0]))
        if tilt > 90.0:
            tilt -= 180.0
        elif tilt < -90.0:
            tilt += 180.0
        lim = self._cfg.floor_max_tilt_deg
        self._samples.append(max(-lim, min(lim, tilt)))
        return self.tilt_deg


def leg_length(xy: np.ndarray) -> float:
    """Mean image length hip-knee-ankle over the known legs (scale for spreads)."""
    lengths = []
    for hip, knee, ankle in ((LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
                             (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)):
        n = float(np.linalg.norm(xy[knee] - xy[hip]) + np.linalg.norm(xy[ankle] - xy[knee]))
        if math.isfinite(n):
            lengths.append(n)
    return float(np.mean(lengths)) if lengths else float("nan")


