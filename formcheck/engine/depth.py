"""Lunge depth for views where the knee angle cannot be seen: how far the back knee drops.

From the front the thighs point at the camera, so image knee angles look straight at any depth,
and MediaPipe's 3D knee angles read 140-160 deg on straight legs. What every view shows is that
at the bottom of a lunge the back knee is near the floor while the front knee stays at shin
height: their height difference along the floor-normal, in trunk lengths
(``knee_height_diff_ratio``), goes from ~0 standing to ~0.8 at a 90/90 bottom (0.4 m / 0.5 m).
It is mapped onto the knee-angle scale the lunge counter's levels use (180 standing, 90 at that
bottom), so one counter and one set of levels serve every view. Squats and lateral lunges keep
the knees level and so never move this signal.
"""

from __future__ import annotations

import math

#: Knee height difference (trunk lengths) of a lunge bottom with both knees at 90 deg.
FULL_DROP_RATIO = 0.8


def knee_drop_deg(knee_height_diff_ratio: float) -> float:
    """Knee-equivalent lunge depth in degrees: 180 knees level, 90 at a full-depth drop."""
    if not math.isfinite(knee_height_diff_ratio):
        return math.nan
    return 180.0 - 90.0 * min(knee_height_diff_ratio / FULL_DROP_RATIO, 1.5)
