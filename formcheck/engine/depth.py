"""Lunge depth for views where the knee angle cannot be seen: how far the back knee drops.

From the front the thighs point at the camera, so image knee angles look straight at any depth,
and MediaPipe's 3D knee angles read 140-160 deg on straight legs. What every view shows is that
at the bottom of a lunge the back knee is near the floor while the front knee stays at shin
height: how far the back knee is below the front one along the floor-normal, in trunk lengths
(``back_knee_drop_ratio``), goes from 0 standing to ~0.8 at a 90/90 bottom (0.4 m / 0.5 m).
Only a back knee *below* the front one counts: the back leg of a split stance is further from
the camera, so from a camera above hip height its knee shows higher than the front knee, and the
unsigned difference read a standing split as half-way down. The drop is mapped onto the
knee-angle scale the lunge counter's levels use (180 standing, 90 at that bottom), so one
counter and one set of levels serve every view. Squats and lateral lunges keep the knees level
and so never move this signal.

When the back leg is hidden behind the front leg (walking lunges seen from the front), MediaPipe
lays both legs' landmarks on the front one and the knee drop is lost. The hips still drop: at a
90/90 bottom they sit at about shin height, ~0.45 of their standing height lower in the room. In
the picture, above the lowest foot, the drop reads less: the front foot is nearer the camera and
shows lower, and the bottom is rarely a flat thigh over an upright shin. That drop, against the
person's recent standing height, is the second depth estimate
(:func:`hip_drop_deg`); the deeper of the two drives the counter. Hip heights are compared in
pixels, not in trunk lengths: a trunk leaning toward the camera is shorter in the picture (106
-> 87 px in a rendered split stance), and a lean alone read as a hip drop. A squat drops the
hips too, so the split-stance test on each rep still decides what is a lunge.
"""

from __future__ import annotations

import math
from collections import deque

from formcheck.engine.config import DepthConfig, RestLevelConfig


def knee_drop_deg(knee_height_diff_ratio: float, cfg: DepthConfig) -> float:
    """Knee-equivalent lunge depth in degrees: 180 knees level, 90 at a full-depth drop."""
    if not math.isfinite(knee_height_diff_ratio):
        return math.nan
    return 180.0 - 90.0 * min(knee_height_diff_ratio / cfg.full_knee_drop_ratio, 1.5)


def hip_drop_deg(height: float, standing: float, cfg: DepthConfig) -> float:
    """Knee-equivalent depth from the hips' drop below standing: 180 standing, 90 at a full drop.

    ``height`` and ``standing`` in the same unit (pixels, or trunk lengths).
    """
    if not (math.isfinite(height) and math.isfinite(standing) and standing > 1e-9):
        return math.nan
    drop = max(0.0, 1.0 - height / standing)
    return 180.0 - 90.0 * min(drop / cfg.full_hip_drop_share, 1.5)


class RestHeight:
    """A height the body rests at: a quantile of recent heights near it.

    Standing, the hip height a lunge drops from; lying seen from the feet, the hips' offset
    below the shoulders, which a bridge shrinks (``engine/feet_view.py``). Heights well below it
    (away from rest) leave it where it is, so a deep lunge held for 30 s keeps its depth; before
    this, a 5 s hold faded from 112 to 143 deg on the depth scale as its own height became
    "standing". A shallow hold (less than half a full drop) still fades. Each height comes in
    pixels and as a scale-free ratio (trunk lengths, shoulder widths): away from rest needs both
    below their levels, so stepping nearer or further from the camera is not taken for moving.
    """

    def __init__(self, cfg: RestLevelConfig) -> None:
        self._cfg = cfg
        self.reset()

    def reset(self) -> None:
        """Forget the level (recalibration)."""
        self._px: deque[tuple[float, float]] = deque()
        self._ratio: deque[tuple[float, float]] = deque()
        self._level = self._ratio_level = math.nan
        self._last_rest_ms = -math.inf

    def update(self, t_ms: float, px: float, ratio: float) -> float:
        """Add one sample (NaN ignored); returns the level in pixels, NaN before any.

        ``ratio`` is the same height on a scale-free measure (NaN: judged on pixels alone).
        """
        if math.isfinite(px) and not self._is_away(t_ms, px, ratio):
            self._px.append((t_ms, px))
            if math.isfinite(ratio):
                self._ratio.append((t_ms, ratio))
            self._last_rest_ms = t_ms
        # the window ends at the newest rest sample: while away from rest it keeps the seconds
        # before leaving, not the way away alone
        for buf in (self._px, self._ratio):
            while (len(buf) > self._cfg.min_kept
                   and buf[0][0] < self._last_rest_ms - self._cfg.window_ms):
                buf.popleft()
        if self._px:
            self._level = _high(self._px, self._cfg.quantile)
        if self._ratio:
            self._ratio_level = _high(self._ratio, self._cfg.quantile)
        return self._level

    @property
    def settled(self) -> bool:
        """Whether the level rests on enough samples to judge others by it."""
        return len(self._px) >= self._cfg.min_samples

    @property
    def ratio_level(self) -> float:
        """The level on the scale-free measure (NaN before any).

        Unlike the pixels, it does not change as the person comes nearer or goes further away.
        """
        return self._ratio_level

    def _is_away(self, t_ms: float, px: float, ratio: float) -> bool:
        cfg = self._cfg
        if not self.settled or t_ms - self._last_rest_ms > cfg.stale_ms:
            return False
        low = 1.0 - cfg.band_share
        # a NaN ratio cannot clear the pixels' verdict
        return px < self._level * low and not ratio >= self._ratio_level * low


def _high(buf: deque[tuple[float, float]], quantile: float) -> float:
    """``quantile`` (0-1) of the values, interpolated as ``np.quantile`` does.

    Plain Python: ``np.percentile`` on ~120 values, twice a frame, was a fifth of the engine.
    """
    vals = sorted(v for _, v in buf)
    pos = (len(vals) - 1) * quantile
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)
