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

from formcheck.engine.config import DepthConfig


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
    """A height the body rests at: a high percentile of recent heights near it.

    Standing, the hip height a lunge drops from. Heights well below it (the hips down) leave it
    where it is, so a deep lunge held for 30 s keeps its depth; before this, a 5 s hold faded
    from 112 to 143 deg on the depth scale as its own height became "standing". A shallow hold
    (less than half a full drop) still fades. Lying seen from the feet, the same keeps the hips'
    offset below the shoulders lying flat, which a bridge shrinks (``engine/feet_view.py``).
    """

    def __init__(self, cfg: DepthConfig) -> None:
        self._cfg = cfg
        self.reset()

    def reset(self) -> None:
        """Forget the standing height (recalibration)."""
        self._px: deque[tuple[float, float]] = deque()
        self._ratio: deque[tuple[float, float]] = deque()
        self._level = self._ratio_level = math.nan
        self._last_standing_ms = -math.inf

    def update(self, t_ms: float, hip_height_px: float, hip_height_ratio: float) -> float:
        """Add one sample (NaN ignored); returns the standing height in pixels, NaN before any.

        ``hip_height_ratio`` is the same height in trunk lengths (NaN: judged on pixels alone).
        """
        if math.isfinite(hip_height_px) and not self._is_down(t_ms, hip_height_px,
                                                              hip_height_ratio):
            self._px.append((t_ms, hip_height_px))
            if math.isfinite(hip_height_ratio):
                self._ratio.append((t_ms, hip_height_ratio))
            self._last_standing_ms = t_ms
        # the window ends at the newest standing sample: while the hips are down it keeps the
        # seconds before they went down, not the way down alone
        for buf in (self._px, self._ratio):
            while buf and buf[0][0] < self._last_standing_ms - self._cfg.standing_window_ms:
                buf.popleft()
        if self._px:
            self._level = _high(self._px, self._cfg.standing_quantile)
        if self._ratio:
            self._ratio_level = _high(self._ratio, self._cfg.standing_quantile)
        return self._level

    @property
    def ratio_level(self) -> float:
        """The standing hip height in trunk lengths (NaN before any).

        Unlike the pixels, it does not change as the person steps nearer or further away.
        """
        return self._ratio_level

    def _is_down(self, t_ms: float, px: float, ratio: float) -> bool:
        cfg = self._cfg
        if (len(self._px) < cfg.standing_min_samples
                or t_ms - self._last_standing_ms > cfg.standing_stale_ms):
            return False
        low = 1.0 - cfg.standing_band_share
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
