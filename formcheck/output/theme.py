"""Colours, font sizes, line widths and margins of the overlay, scaled to the frame.

Every size is a fraction of the frame's short side, so the same layout reads the same at 640x480,
1920x1080 and in portrait: what matters for reading from the mat is the size relative to the
picture, not the pixel count. Colours are BGR (OpenCV order).
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.engine.types import Severity

BGR = tuple[int, int, int]

#: Green for good form and praise, amber for warnings, red for faults: traffic-light colours
#: that stay apart for the common red-green colour weaknesses because they also differ in
#: brightness (the amber is the brightest, the red the darkest).
GOOD: BGR = (80, 205, 60)
WARNING: BGR = (0, 185, 255)
FAULT: BGR = (60, 50, 235)

WHITE: BGR = (255, 255, 255)
LIGHT_GREY: BGR = (200, 200, 200)
DARK: BGR = (20, 20, 20)
#: Working side of the skeleton (bright cyan) and the other side (muted grey-blue).
WORKING_SIDE: BGR = (255, 220, 40)
OTHER_SIDE: BGR = (170, 150, 140)
ANGLE: BGR = (255, 255, 255)


@dataclass(frozen=True)
class Theme:
    """Pixel sizes for one frame size; build with :meth:`for_frame`.

    Font sizes are TrueType pixel sizes (cap height is about 0.73 of that for DejaVu Sans).
    """

    width: int
    height: int
    margin_px: int
    font_small_px: int  # fps/latency, labels
    font_body_px: int  # exercise/view line, angle values
    font_cue_px: int  # cues and guidance: read while moving
    font_count_px: int  # rep numbers: read from 2-3 m
    line_px: int  # skeleton bones, working side
    line_thin_px: int  # skeleton bones, other side; arcs
    joint_px: int  # joint dot radius
    arc_radius_px: int  # angle arc radius
    bar_width_px: int  # phase/depth bar
    bar_length_px: int
    panel_alpha: float  # opacity of the dark panels behind text

    @classmethod
    def for_frame(cls, width: int, height: int) -> Theme:
        """Sizes for a ``width`` x ``height`` frame (fractions of the short side)."""
        if width <= 0 or height <= 0:
            raise ValueError("frame size must be positive")
        short = min(width, height)
        # Minimums keep text legible in pixels on tiny frames (thumbnails, tests).

        def px(fraction: float, minimum: int) -> int:
            return max(minimum, round(short * fraction))

        return cls(
            width=width,
            height=height,
            margin_px=px(0.02, 6),
            font_small_px=px(0.032, 10),
            font_body_px=px(0.045, 11),
            font_cue_px=px(0.06, 12),
            font_count_px=px(0.14, 16),
            line_px=px(0.009, 3),
            line_thin_px=px(0.005, 2),
            joint_px=px(0.009, 3),
            arc_radius_px=px(0.06, 16),
            bar_width_px=px(0.03, 10),
            bar_length_px=round(height * 0.45),
            panel_alpha=0.62,
        )


def severity_colour(severity: Severity) -> BGR:
    """Traffic-light colour of a cue."""
    return {Severity.GOOD: GOOD, Severity.WARNING: WARNING, Severity.FAULT: FAULT}[severity]
