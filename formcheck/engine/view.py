"""Camera view, facing direction, posture, front leg and stance from smoothed landmarks.

Everything here is judged over a short window with hysteresis: one twisted frame changes nothing.

- View: ``(shoulder width + hip width) / (2 x torso length)`` in the image is ~0.65 when the person
  faces the camera and ~0.05 sideways (lying or standing alike; a bridge seen from the feet has a
  foreshortened torso, so it reads as front). Lying, the torso is foreshortened at 3/4 too: there
  a "front" reading counts as oblique unless the shoulder-ankle line runs up the picture.
- Posture: trunk angle from the vertical, from world landmarks (camera-aligned, so it needs a
  roughly level camera) with the image trunk against the floor-normal as fallback; or, for a
  body lying along the camera axis seen from the feet, the shoulders far behind the feet
  (:func:`_shoulders_behind_feet`).
- Facing (side view): toes ahead of heels and nose ahead of ears, along the floor line; lying, the
  direction from hips to knees.
- Front leg: side view, the ankle further along the facing direction; front view, the ankle
  nearer the camera (world z).
- Turn: how far a person seen from the front is turned away from the camera, from the hip and
  shoulder lines' depth in the world landmarks; frontal-plane checks need them square-on.
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
from formcheck.engine.floor import FloorEstimator, ankle_rise, floor_axes, leg_length
from formcheck.engine.geometry import lmid, lsub, nanmean2
from formcheck.engine.types import Side, View
from formcheck.pose.landmarks import LM

#: Fore-aft ankle offset (ratio of leg length) that decides which leg is in front.
FRONT_LEG_MARGIN_RATIO = 0.12
#: How often the usual thigh and shin lengths are taken afresh.
USUAL_REFRESH_MS = 300.0
_THIGHS = ((LM.LEFT_HIP, LM.LEFT_KNEE), (LM.RIGHT_HIP, LM.RIGHT_KNEE))
_SHINS = ((LM.LEFT_KNEE, LM.LEFT_ANKLE), (LM.RIGHT_KNEE, LM.RIGHT_ANKLE))
#: Lying, an ankle this much higher than the other (ratio of leg length) is a raised leg.
RAISED_LEG_RATIO = 0.3


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
    lateral_ratio: float = float("nan")  # lateral foot spread / hip width (not from the side)
    lying_leg: Side = Side.BOTH  # lying: the leg whose foot is on the floor (single-leg bridge)
    # The usual thigh and shin lengths in this frame's pixels (both legs pooled: the far leg
    # shows a little shorter than the near one); NaN: not known.
    thigh_px: float = float("nan")
    shin_px: float = float("nan")
    # Share of the usual length a segment may read and still be believed: shorter is a mixed-up
    # reading of the legs (:attr:`ViewConfig.min_leg_segment_share`); NaN: not known.
    min_segment_share: float = float("nan")
    # Seen from the front, turned no further from the camera than
    # ``ViewConfig.square_max_turn_deg`` (with hysteresis): the knee line, stance width and hip
    # line can be read in the picture. Always so lying (the bridge's checks from the feet are
    # read otherwise); meaningless from the side (the turn reads ~90 there).
    square: bool = True

    @property
    def thigh_min_px(self) -> float:
        """Shortest a thigh may read in this frame (px) and still be believed; NaN: not known."""
        return self.thigh_px * self.min_segment_share

    @property
    def shin_min_px(self) -> float:
        """Shortest a shin may read in this frame (px) and still be believed; NaN: not known."""
        return self.shin_px * self.min_segment_share

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
        self._behind: deque[tuple[float, float]] = deque()
        self._turn: deque[tuple[float, float]] = deque()
        self._square = True
        self._axis: deque[tuple[float, float]] = deque()
        self._lying_across = False  # lying across the picture: a "front" width ratio is 3/4
        self._facing_votes: deque[tuple[float, float]] = deque()
        self._thigh: deque[tuple[float, float]] = deque()
        self._shin: deque[tuple[float, float]] = deque()
        self._usual = (math.nan, math.nan)  # thigh, shin / trunk length
        self._usual_ms = -math.inf
        self._view = View.UNKNOWN
        self._posture = Posture.UNKNOWN
        self._front = Side.UNKNOWN

    def update(self, t_ms: float, xy: np.ndarray, world: np.ndarray,
               z: np.ndarray) -> ViewState:
        """Judge one frame. ``xy``/``world``/``z``: smoothed, NaN where unknown."""
        cfg = self._cfg
        pts: list[list[float]] = xy.tolist()
        wpts: list[list[float]] = world.tolist()
        ls, rs = pts[LM.LEFT_SHOULDER], pts[LM.RIGHT_SHOULDER]
        lh, rh = pts[LM.LEFT_HIP], pts[LM.RIGHT_HIP]
        sc, hc = lmid(ls, rs), lmid(lh, rh)
        torso = math.dist(sc, hc)
        widths = [w for w in (math.dist(ls, rs), math.dist(lh, rh)) if math.isfinite(w)]
        ratio = (sum(widths) / len(widths)) / torso if widths and torso > 1e-9 else math.nan
        self._ratio.append((t_ms, ratio))
        self._view = self._classify_view(_window_median(self._ratio, t_ms, cfg.window_ms))

        # posture: world trunk against world vertical (y down), image trunk as fallback
        wt = lsub(lmid(wpts[LM.LEFT_SHOULDER], wpts[LM.RIGHT_SHOULDER]),
                  lmid(wpts[LM.LEFT_HIP], wpts[LM.RIGHT_HIP]))
        n = math.hypot(*wt)
        trunk = math.degrees(math.acos(max(-1.0, min(1.0, -wt[1] / n)))) if n > 1e-9 else math.nan
        if math.isnan(trunk):
            _, up0 = floor_axes(self.floor.tilt_deg)
            it = lsub(sc, hc)
            n = math.hypot(*it)
            if n > 1e-9:
                c = (it[0] * up0[0] + it[1] * up0[1]) / n
                trunk = math.degrees(math.acos(max(-1.0, min(1.0, c))))
        self._trunk.append((t_ms, trunk))
        trunk_med = _window_median(self._trunk, t_ms, cfg.window_ms)
        self._behind.append((t_ms, _shoulders_behind_feet(wpts)))
        behind_med = _window_median(self._behind, t_ms, cfg.window_ms)
        if (trunk_med >= cfg.lying_min_trunk_deg
                or behind_med >= cfg.lying_min_shoulders_behind_feet_ratio):
            self._posture = Posture.LYING
        elif trunk_med <= cfg.standing_max_trunk_deg and not (
                self._posture is Posture.LYING
                and behind_med >= cfg.standing_max_shoulders_behind_feet_ratio):
            self._posture = Posture.STANDING
        elif math.isnan(trunk_med):
            self._posture = Posture.UNKNOWN

        lying = self._posture is Posture.LYING
        tilt = self.floor.update(pts, side_view=self._view is View.SIDE)
        along, up = floor_axes(tilt)
        al = (float(along[0]), float(along[1]))
        facing = self._facing(t_ms, pts, al, lying)
        near = self._near_side(z, facing)
        leg = leg_length(pts)
        wleg = leg_length(wpts)
        fore_aft, lateral = self._stance(pts, wpts, al, leg, wleg)
        fwd = (al[0] * facing, al[1] * facing) if facing else None
        self._front = self._front_leg(pts, wpts, fwd, leg, wleg)
        lying_leg = _floor_leg(pts, (float(up[0]), float(up[1])), leg) if lying else Side.BOTH
        # kept only while lying, and pruned on every frame it is: it holds what it judges
        if lying:
            self._axis.append((t_ms, _axis_to_floor_deg(pts, al, lying_leg)))
            axis = _window_median(self._axis, t_ms, cfg.window_ms)
        else:
            self._axis.clear()
            axis = math.nan
        view = self._view
        if lying and view is View.FRONT:
            margin = cfg.lying_axis_hysteresis_deg * (1 if self._lying_across else -1)
            if math.isfinite(axis):
                self._lying_across = axis < cfg.lying_front_min_axis_deg + margin
            if self._lying_across:
                view = View.OBLIQUE
        thigh, shin = self._usual_lengths(t_ms, pts, torso)
        # lying, the turn means nothing (side-on it reads ~90): standing up starts afresh
        if lying:
            self._turn.clear()
            self._square = True
        else:
            self._turn.append((t_ms, _turn_deg(wpts)))
            self._square = self._judge_square(_window_median(self._turn, t_ms, cfg.window_ms))
        return ViewState(view, self._posture, facing, near, self._front, tilt, along, up,
                         ratio, fore_aft, lateral, lying_leg,
                         thigh_px=thigh, shin_px=shin,
                         min_segment_share=cfg.min_leg_segment_share, square=self._square)

    def _usual_lengths(self, t_ms: float, pts: list[list[float]], torso: float
                       ) -> tuple[float, float]:
        """The person's usual thigh and shin lengths in this frame (px).

        The usual length is the window median of both legs' segments over the trunk length, so
        a mixed-up leg now and then does not move it and the person's distance does not matter.
        """
        if not torso > 1e-9:
            return math.nan, math.nan
        for buf, segments in ((self._thigh, _THIGHS), (self._shin, _SHINS)):
            for a, b in segments:
                buf.append((t_ms, math.dist(pts[a], pts[b]) / torso))
        # a 10 s median moves slowly: taken every USUAL_REFRESH_MS it costs a tenth
        if not t_ms - self._usual_ms < USUAL_REFRESH_MS:
            window = self._cfg.segment_window_ms
            self._usual = (_window_median(self._thigh, t_ms, window),
                           _window_median(self._shin, t_ms, window))
            self._usual_ms = t_ms
        return self._usual[0] * torso, self._usual[1] * torso

    def _judge_square(self, turn: float) -> bool:
        """Square-on: lost past the limit, regained only well inside it.

        An unknown turn (no world landmarks) changes nothing: the checks read the picture.
        """
        cfg = self._cfg
        if math.isnan(turn):
            return self._square
        if self._square:
            return turn <= cfg.square_max_turn_deg
        return turn <= cfg.square_max_turn_deg - cfg.square_turn_hysteresis_deg

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

    def _facing(self, t_ms: float, pts: list[list[float]], al: tuple[float, float],
                lying: bool) -> int:
        votes: list[float] = []
        if lying:
            d = lsub(lmid(pts[LM.LEFT_KNEE], pts[LM.RIGHT_KNEE]),
                     lmid(pts[LM.LEFT_HIP], pts[LM.RIGHT_HIP]))
            votes.append(d[0] * al[0] + d[1] * al[1])
        else:
            for heel, toe in ((LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
                              (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)):
                votes.append((pts[toe][0] - pts[heel][0]) * al[0]
                             + (pts[toe][1] - pts[heel][1]) * al[1])
            ears = lmid(pts[LM.LEFT_EAR], pts[LM.RIGHT_EAR])
            nose = pts[LM.NOSE]
            votes.append((nose[0] - ears[0]) * al[0] + (nose[1] - ears[1]) * al[1])
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

    def _stance(self, pts: list[list[float]], wpts: list[list[float]],
                al: tuple[float, float], leg: float, wleg: float) -> tuple[float, float]:
        if self._view is View.SIDE:
            d_img = lsub(pts[LM.LEFT_ANKLE], pts[LM.RIGHT_ANKLE])
            along_img = abs(d_img[0] * al[0] + d_img[1] * al[1])
            return (along_img / leg if leg > 0 else math.nan), math.nan
        # other views: in the body's own frame, from the 3D landmarks seen from above (x, z):
        # across the hip line is fore-aft, along it lateral, whatever the camera's angle
        hip = (wpts[LM.RIGHT_HIP][0] - wpts[LM.LEFT_HIP][0],
               wpts[LM.RIGHT_HIP][2] - wpts[LM.LEFT_HIP][2])
        feet = (wpts[LM.LEFT_ANKLE][0] - wpts[LM.RIGHT_ANKLE][0],
                wpts[LM.LEFT_ANKLE][2] - wpts[LM.RIGHT_ANKLE][2])
        hip_w = math.hypot(*hip)
        if not hip_w > 1e-9:
            return math.nan, math.nan
        ahead = abs(feet[0] * hip[1] - feet[1] * hip[0]) / hip_w
        across = abs(feet[0] * hip[0] + feet[1] * hip[1]) / hip_w
        return (ahead / wleg if wleg > 0 else math.nan), across / hip_w

    def _front_leg(self, pts: list[list[float]], wpts: list[list[float]],
                   fwd: tuple[float, float] | None, leg: float, wleg: float) -> Side:
        if self._view is View.SIDE:
            if fwd is None or not math.isfinite(leg) or leg <= 0:
                return self._front
            d = lsub(pts[LM.LEFT_ANKLE], pts[LM.RIGHT_ANKLE])
            ahead = (d[0] * fwd[0] + d[1] * fwd[1]) / leg
        else:
            if not math.isfinite(wleg) or wleg <= 0:
                return self._front
            ahead = (wpts[LM.RIGHT_ANKLE][2] - wpts[LM.LEFT_ANKLE][2]) / wleg
        if not math.isfinite(ahead):
            return self._front
        if ahead > FRONT_LEG_MARGIN_RATIO:
            return Side.LEFT
        if ahead < -FRONT_LEG_MARGIN_RATIO:
            return Side.RIGHT
        return self._front if abs(ahead) > FRONT_LEG_MARGIN_RATIO / 2 else Side.UNKNOWN


def _turn_deg(wpts: list[list[float]]) -> float:
    """How far the body is turned from facing the camera (0 square-on, 90 side-on), degrees.

    The mean over the hip and shoulder lines (whichever are known) of each line's angle out of
    the picture plane, from the world landmarks' depth (camera-aligned axes).
    """
    turns = []
    for a, b in ((LM.LEFT_HIP, LM.RIGHT_HIP), (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER)):
        dx = abs(wpts[b][0] - wpts[a][0])
        dz = abs(wpts[b][2] - wpts[a][2])
        if math.isfinite(dx) and math.isfinite(dz) and dx + dz > 1e-9:
            turns.append(math.degrees(math.atan2(dz, dx)))
    return sum(turns) / len(turns) if turns else math.nan


def _shoulders_behind_feet(wpts: list[list[float]]) -> float:
    """How far the shoulders lie behind the ankles along the camera axis, in trunk lengths.

    Standing, the shoulders stay above the feet (balance), so along the camera axis they are
    within about half a stance of the ankles whatever the view. Lying with the feet toward the
    camera, they are a whole thigh and trunk further away. This needs no level camera: seen
    from the feet at a steep angle, the world trunk reads nearly upright (MediaPipe shortens
    depth), but the shoulders still come out far behind the feet.
    """
    sc = lmid(wpts[LM.LEFT_SHOULDER], wpts[LM.RIGHT_SHOULDER])
    hc = lmid(wpts[LM.LEFT_HIP], wpts[LM.RIGHT_HIP])
    ac = lmid(wpts[LM.LEFT_ANKLE], wpts[LM.RIGHT_ANKLE])
    trunk = math.dist(sc, hc)
    if not math.isfinite(trunk + sc[2] + ac[2]) or trunk < 1e-9:
        return math.nan
    return (sc[2] - ac[2]) / trunk


def _axis_to_floor_deg(pts: list[list[float]], along: tuple[float, float], leg: Side) -> float:
    """Lying: angle (deg, 0-90) of the shoulders-to-ankle line against the floor line.

    Both ends stay on the floor through a bridge, so the angle shows where the camera stands,
    not how high the hips are; a raised leg's ankle is left out.
    """
    sc = lmid(pts[LM.LEFT_SHOULDER], pts[LM.RIGHT_SHOULDER])
    if leg is Side.BOTH:
        ankle = lmid(pts[LM.LEFT_ANKLE], pts[LM.RIGHT_ANKLE])
    else:
        ankle = pts[LM.LEFT_ANKLE if leg is Side.LEFT else LM.RIGHT_ANKLE]
    d = lsub(ankle, sc)
    n = math.hypot(*d)
    if not n > 1e-9:
        return math.nan
    return math.degrees(math.acos(min(1.0, abs(d[0] * along[0] + d[1] * along[1]) / n)))


def _floor_leg(pts: list[list[float]], up: tuple[float, float], leg: float) -> Side:
    """Lying: the leg with its foot on the floor when the other is raised, else BOTH."""
    d = ankle_rise(pts, up)
    if not (math.isfinite(d) and math.isfinite(leg)) or abs(d) < RAISED_LEG_RATIO * leg:
        return Side.BOTH
    return Side.RIGHT if d > 0 else Side.LEFT
