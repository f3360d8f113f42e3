"""The bridge's hip angle seen from the feet, from where the picture puts the hips.

End-on, the shoulder-hip-knee angle is not in the picture, and MediaPipe's 3D landmarks guess
it poorly: on bridges rendered from the feet the 3D angle read 8-14 degrees off (median of the
per-clip medians of each seed range), one resting person read 168-177 where the hips were at
131, and a held top swung between 100 and 173, which counted reps that never were.

What the picture does show from the feet, with the camera looking down on the body: lying
flat, the hips are nearer the camera than the shoulders and show below them; as they rise they
move up toward the shoulders, which stay on the floor. That offset (``feet_hip_offset_px``,
along the picture's up direction) is taken against its own level lying flat
(:class:`~formcheck.engine.depth.RestHeight`: a high percentile of recent offsets, which a lift
leaves alone), and the share by which it has shrunk is mapped onto the hip-angle scale: none is
the assumed rest (``hip_start_deg``), ``feet_view_full_lift_share`` is 180. A share, not
pixels: it does not change with the distance to the camera or the person's size.

On the bridges rendered from the feet (seeds 1-26 and 33-40) it read the hip angle 3.4-5.6
degrees off (median of the per-clip medians of each range; the 3D angle 8.3-14.3). The share a
full lift takes depends on how steeply the camera looks down; the renders place it 42-51
degrees above the floor. The counter learns its levels from the person's own reps, so counts
depend little on the exact share (the same counts on seeds 1-26 at 0.30 and 0.35, one fewer
at 0.40). From a camera near the floor the hips lie nearly in front of the shoulders in the
picture: below ``feet_view_min_rest_offset_ratio`` shoulder widths of offset lying flat the
picture is not used, and the 3D angle stands in, as it does seen from the head.
"""

from __future__ import annotations

import math

from formcheck.engine.config import BridgeConfig
from formcheck.engine.geometry import NAN
from formcheck.engine.metrics import BRIDGE_HIP_BELIEVABLE_DEG


def feet_view_hip_deg(offset_px: float, rest_px: float, shoulder_width_px: float,
                      cfg: BridgeConfig) -> float:
    """Hip angle (deg) from the hips' offset below the shoulders against its level lying flat.

    NaN where the picture cannot tell: either offset unknown, the level lying flat under
    ``feet_view_min_rest_offset_ratio`` shoulder widths (a camera near the floor, or the hips
    read above the shoulders, as seen from the head), or an angle no body makes.
    """
    if not (math.isfinite(offset_px) and math.isfinite(rest_px)
            and rest_px >= cfg.feet_view_min_rest_offset_ratio * shoulder_width_px > 0.0):
        return NAN
    lift = 1.0 - offset_px / rest_px
    deg = cfg.hip_start_deg + (180.0 - cfg.hip_start_deg) * lift / cfg.feet_view_full_lift_share
    lo, hi = BRIDGE_HIP_BELIEVABLE_DEG
    return deg if lo <= deg <= hi else NAN
