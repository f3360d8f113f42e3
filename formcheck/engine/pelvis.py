"""Seeing the pelvis: arch and anterior tilt without ASIS/PSIS landmarks.

MediaPipe has no pelvis landmarks, so sagittal pelvic tilt is not directly visible. Two estimates,
both against the person's own baseline at rest (standing for the lunge, lying for the bridge):

(a) landmark proxy ``arch_proxy_deg``: true hip extension is only ~10-20 deg, so back-hip
    extension measured against the trunk beyond ``hip_ext_anatomical_max_deg`` is the lower back
    arching or the pelvis tipping forward; and a trunk tilting back further than at rest shows
    the same arch from above. The proxy is the larger of the two excesses.
(b) back contour ``lumbar_curve_ratio``: from the segmentation mask, the distance from the
    shoulder-hip line to the back's silhouette edge is sampled along the trunk; the depth of the
    lumbar hollow below the line that bridges the upper back and the buttocks (its chord),
    divided by the trunk length. ``lumbar_curve_rise`` is that ratio above the baseline.

Both are reported as metrics. The lunge's ``arched_back`` uses the contour where it is measured
and the proxy only where it is not: the proxy reads an arch into any trunk tilting back, a lean
with a straight back too, which the contour tells apart.

The frontal hip line gets a rest baseline too: ``pelvis_level_change_deg``, how far the hip
line's tilt (``pelvis_level_deg``, front view) moved from its level at rest. Each posture keeps
baselines of its own, so a switch from lunges to bridges does not judge lying against standing.

Checked on rendered side-view lunges (seeds 1-32, MediaPipe landmarks and mask, each clip's
larger rep bottom): ``lumbar_curve_rise`` -0.01 to 0.01 clean, 0.05-0.08 arched with the arms
overhead or carried forward, 0.02-0.08 with them hanging (limit 0.03). An arm hanging straight
down behind a back that arches with the chest leaning back can fill the hollow, and that arch
goes unseen (README, known limits). For the bridge the rest baseline is lying flat, and the
top's contour curves anyway (ratio at the top 0.19-0.22 clean, 0.27-0.31 arched, 0.26-0.36 with
the feet close): no separation, so the bridge's ``arched_back`` is read from the hips rising
above the shoulder-knee line instead (``BridgeConfig.arch_hip_deg``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.engine.geometry import NAN, mid, unit
from formcheck.engine.view import Posture
from formcheck.pose.landmarks import LM
from formcheck.pose.types import MASK_THRESHOLD

#: Stations along shoulder (0) -> hip (1) where the contour is sampled; past 1 reaches the buttocks.
STATIONS = np.linspace(0.1, 1.15, 22)
#: Farthest the silhouette edge is searched, as a ratio of the trunk length.
MAX_DEPTH_RATIO = 0.7
#: Baseline smoothing per rest frame.
BASELINE_RATE = 0.05


def back_profile(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray,
                 back: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray:
    """Distance (px) from the shoulder-hip line to the silhouette edge along ``back``, per station.

    Points are in frame pixels (``frame_size`` = width, height); ``mask`` covers the same frame
    at any resolution. NaN where the station is outside the mask or no edge is found within reach.
    """
    w, h = frame_size
    mh, mw = mask.shape
    axis = hip - shoulder
    length = float(np.linalg.norm(axis))
    # one step per mask cell: finer steps would read the same cells again
    steps = np.arange(0.0, MAX_DEPTH_RATIO * length, max(1.0, w / mw, h / mh))
    base = shoulder[None, :] + STATIONS[:, None] * axis[None, :]  # (K, 2)
    pts = base[:, None, :] + steps[None, :, None] * back[None, None, :]  # (K, M, 2)
    xi = np.clip((pts[..., 0] * (mw / w)).astype(np.int64), 0, mw - 1)
    yi = np.clip((pts[..., 1] * (mh / h)).astype(np.int64), 0, mh - 1)
    inside = mask[yi, xi] >= MASK_THRESHOLD
    outside_frame = ((pts[..., 0] < 0) | (pts[..., 0] > w - 1) | (pts[..., 1] < 0)
                     | (pts[..., 1] > h - 1))
    inside &= ~outside_frame
    first_out = np.argmin(inside, axis=1)  # first False
    found = inside[:, 0] & ~inside.all(axis=1)
    return np.where(found, steps[first_out], np.nan)


def _upper_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Upper concave envelope of points (x sorted) evaluated at ``x``."""
    hull: list[int] = []
    for i in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (x[b] - x[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (x[i] - x[a])
            if cross >= 0:  # b lies under the line a-i: not on the upper hull
                hull.pop()
            else:
                break
        hull.append(i)
    return np.interp(x, x[hull], y[hull])


def curve_ratio(profile: np.ndarray, length: float) -> float:
    """Deepest hollow of ``profile`` under its bridging chord, divided by ``length``."""
    ok = np.isfinite(profile)
    if ok.sum() < len(profile) * 0.7 or length <= 0:
        return NAN
    x = STATIONS[ok] * length
    y = profile[ok]
    return float(np.max(_upper_hull(x, y) - y)) / length


def lumbar_curve_ratio(mask: np.ndarray, xy: np.ndarray, back_hint: np.ndarray,
                       frame_size: tuple[int, int]) -> float:
    """Lumbar curve depth / trunk length from ``mask`` and ``(33, 2)`` frame-pixel points.

    ``back_hint``: a direction pointing roughly toward the person's back (behind a standing
    person, toward the floor for one lying on their back); the contour is searched perpendicular
    to the trunk on that side.
    """
    s = mid(xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER])
    h = mid(xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP])
    axis = unit(h - s)
    if not (np.isfinite(axis).all() and np.isfinite(back_hint).all()):
        return NAN
    back = np.array([-axis[1], axis[0]])
    if float(np.dot(back, back_hint)) < 0:
        back = -back
    length = float(np.linalg.norm(h - s))
    return curve_ratio(back_profile(mask, s, h, back, frame_size), length)


def arch_proxy_deg(back_hip_ext_deg: float, trunk_lean_deg: float, baseline_trunk_deg: float,
                   hip_ext_max_deg: float) -> float:
    """Larger of: back-hip extension beyond anatomy, trunk tilting back vs baseline (deg)."""
    parts = []
    if math.isfinite(back_hip_ext_deg):
        parts.append(back_hip_ext_deg - hip_ext_max_deg)
    if math.isfinite(trunk_lean_deg) and math.isfinite(baseline_trunk_deg):
        parts.append(baseline_trunk_deg - trunk_lean_deg)
    return max(parts) if parts else NAN


@dataclass(frozen=True)
class RestBaselines:
    """One posture's levels at rest, smoothed over its rest frames; NaN until one is seen."""

    trunk_deg: float = NAN
    curve: float = NAN
    level_deg: float = NAN

    def learn(self, trunk_deg: float, curve: float, level_deg: float) -> RestBaselines:
        """These baselines moved toward one more rest frame's readings (NaN ones skipped)."""
        return RestBaselines(_ema(self.trunk_deg, trunk_deg), _ema(self.curve, curve),
                             _ema(self.level_deg, level_deg))


class PelvisEstimator:
    """Keeps the rest baselines per posture and adds the pelvis metrics to a frame's metrics."""

    def __init__(self, hip_ext_max_deg: float) -> None:
        self._hip_ext_max = hip_ext_max_deg
        self._rest: dict[Posture, RestBaselines] = {}

    def reset(self) -> None:
        """Forget the baselines (recalibration)."""
        self._rest.clear()

    def baselines(self, posture: Posture) -> RestBaselines:
        """The rest baselines learnt in ``posture`` so far."""
        return self._rest.get(posture, RestBaselines())

    def update(self, metrics: dict[str, float], xy: np.ndarray, mask: np.ndarray | None,
               frame_size: tuple[int, int], back_hint: np.ndarray, posture: Posture,
               at_rest: bool) -> None:
        """Add the arch, lumbar-curve and pelvis-level metrics (module docstring) in place."""
        curve = (lumbar_curve_ratio(mask, xy, back_hint, frame_size) if mask is not None
                 else NAN)
        trunk = metrics.get("trunk_lean_deg", NAN)
        level = metrics.get("pelvis_level_deg", NAN)
        base = self.baselines(posture)
        if at_rest:
            base = self._rest[posture] = base.learn(trunk, curve, level)
        # The contour sees the lumbar spine itself; the landmark proxy reads an arch into any
        # trunk tilting back (a lean with a straight back too), so it stands in only without it.
        metrics["arch_proxy_deg"] = (NAN if math.isfinite(curve) else arch_proxy_deg(
            metrics.get("back_hip_ext_deg", NAN), trunk, base.trunk_deg, self._hip_ext_max))
        metrics["lumbar_curve_ratio"] = curve
        metrics["lumbar_curve_rise"] = curve - base.curve
        # From the front the hip line reads tilted at rest by up to 10 deg on rendered bridges
        # seen from the feet (the camera a few degrees off the body's axis; the pelvis is level
        # on the floor): a drop is a change from the person's own level at rest.
        metrics["pelvis_level_change_deg"] = abs(level - base.level_deg)


def _ema(old: float, new: float) -> float:
    if not math.isfinite(new):
        return old
    if not math.isfinite(old):
        return new
    return old + BASELINE_RATE * (new - old)
