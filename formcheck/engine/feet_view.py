"""The bridge's hip angle seen from the feet, from where the picture puts the hips.

End-on, the shoulder-hip-knee angle is not in the picture, and MediaPipe's 3D landmarks guess
it poorly: on bridges rendered from the feet the 3D angle read 8-14 degrees off (median of the
per-clip medians of each seed range), one resting person read 168-177 where the hips were at
131, and a held top swung between 100 and 173, which counted reps that never were.

What the picture does show from the feet, with the camera looking down on the body: lying flat,
the hips are nearer the camera than the shoulders and show below them; as they rise they move up
toward the shoulders, which stay on the floor. That offset (``end_on_hips_below_shoulders_px``,
along the picture's up direction) is taken against its own level lying flat
(:class:`~formcheck.engine.depth.RestHeight`: the median of recent still offsets, which a lift
leaves alone; in pixels and in shoulder widths, so that moving nearer or further is not taken
for a lift; still, so that lying back onto the mat is not taken for lying flat), and the share
by which it has shrunk is mapped onto the hip-angle scale: none is ``feet_view_rest_deg``,
``feet_view_full_lift_share`` is 180. A share, not pixels: it does not change with the distance
to the camera or the person's size.

On the bridges rendered from the feet (seeds 1-26 and 33-40) it read the hip angle 3.5-4.6
degrees off (median of the per-clip medians of each range; the 3D angle 8.3-14.3). The share a
full lift takes depends on how steeply the camera looks down (the renders place it 42-51
degrees above the floor) and on the body: seen from lower, the same lift is a larger share and
the angle reads high. The counter learns its levels from the person's own reps, so counts
depend little on the exact share (the same counts on seeds 1-26 at 0.30, 0.35 and 0.40).

The picture is used only while the level lying flat is at least
``feet_view_min_rest_shoulder_widths`` below the shoulders: from a camera near the floor the
hips lie nearly in front of the shoulders, and seen from the head they show above them; there
the 3D angle stands in for the whole stream, not frame by frame (the two are on different
scales): the choice is made once the level is known, or after ``feet_view_decide_ms`` end-on
with no still offset well below the shoulders, and kept until recalibration (before it, frames
whose hips do not show well below the shoulders are read in 3D, the others not at all). A frame
the picture cannot read while it is in use (the hips read above the shoulders: landmarks mixed
up) has no hip angle. A stream that opens with the hips up takes that height for lying flat
until they come down: that first top is not seen.
"""

from __future__ import annotations

import math
from collections import deque

from formcheck.engine.config import BridgeConfig
from formcheck.engine.depth import RestHeight
from formcheck.engine.geometry import NAN
from formcheck.engine.metrics import believable_bridge_hip_deg


def feet_view_hip_deg(below_px: float, rest_px: float, cfg: BridgeConfig) -> float:
    """Hip angle (deg) from the hips' offset below the shoulders against its level lying flat.

    NaN when either is unknown, the level is not positive, or the angle is one no body makes.
    """
    if not (math.isfinite(below_px) and math.isfinite(rest_px) and rest_px > 0.0):
        return NAN
    lift = 1.0 - below_px / rest_px
    rest = cfg.feet_view_rest_deg
    return believable_bridge_hip_deg(
        rest + (180.0 - rest) * lift / cfg.feet_view_full_lift_share)


class FeetViewHip:
    """Keeps the hips' offset level lying flat, seen end-on, and reads the hip angle from it."""

    def __init__(self, cfg: BridgeConfig) -> None:
        self._cfg = cfg
        self._rest = RestHeight(cfg.feet_view_rest)
        self._recent: deque[tuple[float, float]] = deque()  # (t_ms, below_px), still window
        self._use_picture: bool | None = None  # undecided until the level is known
        self._end_on_ms = 0.0  # time seen end-on so far (gaps not counted)
        self._last_ms: float | None = None  # the last end-on frame

    def reset(self) -> None:
        """Forget the level lying flat and the choice of reading (recalibration)."""
        self._rest.reset()
        self._recent.clear()
        self._use_picture = None
        self._end_on_ms = 0.0
        self._last_ms = None

    def update(self, t_ms: float, below_px: float, shoulder_width_px: float) -> float | None:
        """One end-on frame: the hip angle (deg), or None where the 3D angle stands in.

        Until the picture or the 3D angle is chosen for the stream, a frame whose hips show
        well below the shoulders has no angle (NaN: the picture is likely), any other the 3D
        one (a stream seen from the head is read from its first frame).
        """
        cfg = self._cfg
        widths = below_px / shoulder_width_px if shoulder_width_px > 0.0 else NAN
        still = self._still(t_ms, below_px)
        rest_px = self._rest.update(t_ms, below_px if still else NAN, widths)
        if self._last_ms is not None and t_ms - self._last_ms <= cfg.feet_view_still_ms:
            self._end_on_ms += t_ms - self._last_ms
        self._last_ms = t_ms
        if self._use_picture is None:
            usable = self._rest.ratio_level >= cfg.feet_view_min_rest_shoulder_widths
            if self._rest.settled:
                self._use_picture = usable
            elif self._end_on_ms >= cfg.feet_view_decide_ms and not usable:
                self._use_picture = False  # nothing still and well below the shoulders yet
        if self._use_picture is None:  # undecided: wait where the picture looks usable
            return NAN if widths >= cfg.feet_view_min_rest_shoulder_widths else None
        return feet_view_hip_deg(below_px, rest_px, cfg) if self._use_picture else None

    def _still(self, t_ms: float, below_px: float) -> bool:
        """Whether the offset has stayed within ``feet_view_still_share`` of itself lately."""
        cfg = self._cfg
        if not math.isfinite(below_px) or (self._recent
                                           and t_ms - self._recent[-1][0] > cfg.feet_view_still_ms):
            self._recent.clear()  # unread, or a gap (not end-on meanwhile): still from here on
        if not math.isfinite(below_px):
            return False
        self._recent.append((t_ms, below_px))
        # keep the newest sample from before the window, so it spans the window at any rate
        while len(self._recent) > 1 and self._recent[1][0] <= t_ms - cfg.feet_view_still_ms:
            self._recent.popleft()
        if t_ms - self._recent[0][0] < cfg.feet_view_still_ms:
            return False
        vals = [v for _, v in self._recent]
        return max(vals) - min(vals) <= cfg.feet_view_still_share * below_px
