"""Camera view, facing direction, posture, front leg and stance from smoothed landmarks.

Everything here is judged over a short window with hysteresis: one twisted frame changes nothing.

- View: ``(shoulder width + hip width) / (2 x torso length)`` in the image is ~0.65 when the person
  faces the camera and ~0.05 sideways (lying or standing alike; a bridge seen from the feet has a
  foreshortened torso, so it reads as front).
- Posture: trunk angle from the vertical, from world landmarks (camera-aligned, so it needs a
  roughly level camera) with the image trunk against the floor-normal as fallback.
- Facing (side view): toes ahead of heels and nose ahead of ears, along the floor line; lying, the
  direction from hips to knees.
- Front leg: side view, the ankle further along the facing direction; front view, the ankle
  nearer the camera (world z).
- Stance: fore-aft and lateral foot spread, for telling a lunge from a squat or a lateral lunge.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from formcheck.engine.config import ViewConfig
from formcheck.engine.floor import FloorEstimator, floor_axes, leg_length
from formcheck.engine.geometry import angle_deg, mid, nanmean2
from formcheck.engine.types import Side, View
from formcheck.pose.landmarks import LM

#: Fore-aft ankle offset (ratio of leg length) that decides which leg is in front.
FRONT_LEG_MARGIN_RATIO = 0.12


class Posture(str, Enum):
    """Standing (lunge) or lying on the back (bridge)."""

    STANDING = "standing"
    LYING = "lying"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ViewState:
    """The geometry context every metric needs; directions are image unit vectors ``(2,)``."""

    view: View
    posture: Posture
    facing: int  # +1 facing along ``along`` (image right on the floor), -1 the other way, 0 unknown
    near_side: Side  # body side turned toward the camera
    front: Side  # front leg (lunge working side), UNKNOWN when the feet are level
    tilt_deg: float  # floor line tilt in the image
    along: np.ndarray = field(repr=False)  # along the floor, pointing image-right
    up: np.ndarray = field(repr=False)  # floor-normal, pointing away from the floor
    width_ratio: float = float("nan")
    fore_aft_ratio: float = float("nan")  # fore-aft foot spread / leg length
    lateral_ratio: float = float("nan")  # lateral foot spread / hip width

    @property
    def forward(self) -> np.ndarray:
        """Facing direction along the floor (NaN when the facing is unknown)."""
        if self.facing == 0:
            return np.full(2, np.nan)
        return self.along * float(self.facing)


def _window_median(buf: deque[tuple[float, float]], t_ms: float, window_ms: float) -> float:
    while buf and buf[0][0] < t_ms - window_ms:
        buf.popleft()
    vals = [v for _, v in buf if math.isfinite(v)]
    return float(statistics.median(vals)) if vals else float("nan")


class ViewEstimator:
    """Turns a stream of smoothed landmarks into :class:`ViewState` values."""

    def __init__(self, cfg: ViewConfig) -> None:
        self._cfg = cfg
        self.floor = FloorEstimator(cfg)
        self.reset()

    def reset(self) -> None:
        """Forget everything (new person, camera moved)."""
        self.floor.reset()
        self._ratio: deque[tuple[float, float]] = deque()
        self._trunk: deque[tuple[float, float]] = deque()
        self._facing_votes: deque[tuple[float, float]] = deque()
        self._view = View.UNKNOWN
        self._posture = Posture.UNKNOWN
        self._front = Side.UNKNOWN

    def update(self, t_ms: float, xy: np.ndarray, world: np.ndarray,
               z: np.ndarray) -> ViewState:
        """Judge one frame. ``xy``/``world``/``z``: smoothed, NaN where unknown."""
        cfg = self._cfg
        ls, rs = xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER]
        lh, rh = xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP]
        sc, hc = mid(ls, rs), mid(lh, rh)
        torso = float(np.linalg.norm(sc - hc))
        widths = [float(np.linalg.norm(a - b)) for a, b in ((ls, rs), (lh, rh))]
        widths = [w for w in widths if math.isfinite(w)]
        ratio = (sum(widths) / len(widths)) / torso if widths and torso > 1e-9 else float("nan")
        self._ratio.append((t_ms, ratio))
        med = _window_median(self._ratio, t_ms, cfg.window_ms)
        self._view = self._classify_view(med)

        # posture: world trunk against world vertical (y down), image trunk as fallback
        wsc = mid(world[LM.LEFT_SHOULDER], world[LM.RIGHT_SHOULDER])
        whc = mid(world[LM.LEFT_HIP], world[LM.RIGHT_HIP])
        trunk = angle_deg(wsc, whc, whc + np.array([0.0, -1.0, 0.0]))
        tilt = self.floor.tilt_deg
        along, up = floor_axes(tilt)
        if math.isnan(trunk):
            trunk = angle_deg(sc, hc, hc + up)
        self._trunk.append((t_ms, trunk))
        trunk_med = _window_median(self._trunk, t_ms, cfg.window_ms)
        if trunk_med >= cfg.lying_min_trunk_deg:
            self._posture = Posture.LYING
        elif trunk_med <= cfg.standing_max_trunk_deg:
            self._posture = Posture.STANDING
        elif math.isnan(trunk_med):
            self._posture = Posture.UNKNOWN

        lying = self._posture is Posture.LYING
        wleg = _world_leg(world)
        tilt = self.floor.update(xy, side_view=self._view is View.SIDE)
        along, up = floor_axes(tilt)

        facing = self._facing(t_ms, xy, along, lying)
        near = self._near_side(z, facing)
        leg = leg_length(xy)
        fore_aft, lateral = self._stance(xy, world, along, leg, wleg)
        self._front = self._front_leg(xy, world, along * facing if facing else None, leg, wleg)
        return ViewState(self._view, self._posture, facing, near, self._front, tilt, along, up,
                         ratio, fore_aft, lateral)

    def _classify_view(self, med: float) -> View:
        cfg = self._cfg
        if math.isnan(med):
            return self._view
        h = cfg.width_ratio_hysteresis
        if self._view is View.SIDE and med <= cfg.side_max_width_ratio + h:
            return View.SIDE
        if self._view is View.FRONT and med >= cfg.front_min_width_ratio - h:
            return View.FRONT
        if med <= cfg.side_max_width_ratio:
            return View.SIDE
        if med >= cfg.front_min_width_ratio:
            return View.FRONT
        return View.OBLIQUE

    def _facing(self, t_ms: float, xy: np.ndarray, along: np.ndarray, lying: bool) -> int:
        votes: list[float] = []
        if lying:
            d = mid(xy[LM.LEFT_KNEE], xy[LM.RIGHT_KNEE]) - mid(xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP])
            votes.append(float(np.dot(d, along)))
        else:
            for heel, toe in ((LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
                              (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)):
                votes.append(float(np.dot(xy[toe] - xy[heel], along)))
            ears = mid(xy[LM.LEFT_EAR], xy[LM.RIGHT_EAR])
            votes.append(float(np.dot(xy[LM.NOSE] - ears, along)))
        s = sum(math.copysign(1.0, v) for v in votes if math.isfinite(v) and abs(v) > 1e-9)
        self._facing_votes.append((t_ms, s))
        med = _window_median(self._facing_votes, t_ms, self._cfg.window_ms * 2)
        if math.isnan(med) or med == 0.0:
            return 0
        return 1 if med > 0 else -1

    @staticmethod
    def _near_side(z: np.ndarray, facing: int) -> Side:
        left = nanmean2(float(z[LM.LEFT_SHOULDER]), float(z[LM.LEFT_HIP]))
        right = nanmean2(float(z[LM.RIGHT_SHOULDER]), float(z[LM.RIGHT_HIP]))
        if math.isfinite(left) and math.isfinite(right) and left != right:
            return Side.LEFT if left < right else Side.RIGHT
        # geometry: facing image-right shows the right side (y up, z toward the viewer)
        if facing:
            return Side.RIGHT if facing > 0 else Side.LEFT
        return Side.UNKNOWN

    def _stance(self, xy: np.ndarray, world: np.ndarray, along: np.ndarray, leg: float,
                wleg: float) -> tuple[float, float]:
        d_img = xy[LM.LEFT_ANKLE] - xy[LM.RIGHT_ANKLE]
        d_w = world[LM.LEFT_ANKLE] - world[LM.RIGHT_ANKLE]
        hip_w = float(np.linalg.norm(xy[LM.LEFT_HIP] - xy[LM.RIGHT_HIP]))
        if self._view is View.SIDE:
            fore_aft = abs(float(np.dot(d_img, along))) / leg if leg > 0 else float("nan")
            lateral = float("nan")
        else:
            fore_aft = abs(float(d_w[2])) / wleg if wleg > 0 else float("nan")
            lateral = abs(float(np.dot(d_img, along))) / hip_w if hip_w > 1e-9 else float("nan")
        return fore_aft, lateral

    def _front_leg(self, xy: np.ndarray, world: np.ndarray, forward: np.ndarray | None,
                   leg: float, wleg: float) -> Side:
        if self._view is View.SIDE:
            if forward is None or not math.isfinite(leg):
                return self._front
            ahead = float(np.dot(xy[LM.LEFT_ANKLE] - xy[LM.RIGHT_ANKLE], forward)) / leg
        else:
            if not math.isfinite(wleg):
                return self._front
            ahead = float(world[LM.RIGHT_ANKLE][2] - world[LM.LEFT_ANKLE][2]) / wleg
        if not math.isfinite(ahead):
            return self._front
        if ahead > FRONT_LEG_MARGIN_RATIO:
            return Side.LEFT
        if ahead < -FRONT_LEG_MARGIN_RATIO:
            return Side.RIGHT
        return self._front if abs(ahead) > FRONT_LEG_MARGIN_RATIO / 2 else Side.UNKNOWN


def _world_leg(world: np.ndarray) -> float:
    """Mean 3D leg length (m) over the known legs."""
    return leg_length(world)
