"""The overlay both ``analyze`` and ``live`` draw: small annotators composed by :class:`Overlay`.

Each annotator draws one thing (skeleton, angle arcs, rep counter, hold timer, phase bar, cues,
guidance, fps corner) from a :class:`Scene` and holds no state. The one piece of state, which cues
are still on screen, lives in :mod:`formcheck.output.cueboard`, apart from the drawing. Sizes and
colours come from :class:`~formcheck.output.theme.Theme`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

from formcheck.engine.geometry import mid
from formcheck.engine.types import Cue, Exercise, FrameResult, Phase, Severity, Side
from formcheck.output import theme as th
from formcheck.output.cueboard import CueBoard
from formcheck.output.labels import Labels, labels_for
from formcheck.output.text import draw_text, text_size, wrap_text
from formcheck.pose.landmarks import LM, SKELETON
from formcheck.pose.types import Pose

#: Landmarks below this visibility are not drawn (MediaPipe guesses occluded points).
MIN_VISIBILITY = 0.3

_LEFT = {lm for lm in LM if lm.name.startswith("LEFT_")}
_RIGHT = {lm for lm in LM if lm.name.startswith("RIGHT_")}


@dataclass(frozen=True)
class Stats:
    """Live performance figures for the corner readout."""

    fps: float  # frames analysed per second (wall clock)
    latency_ms: float  # capture to drawn, for the frame shown


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything one overlay frame is drawn from.

    ``xy`` is the pose in display pixels (already mirrored when the display is), ``(33, 2)``,
    NaN where a landmark is unknown or not visible enough to draw.
    """

    result: FrameResult
    xy: np.ndarray
    cues: tuple[Cue, ...]
    labels: Labels
    theme: th.Theme
    stats: Stats | None = None
    banner: str | None = None


class Annotator(Protocol):
    """Draws one element of the overlay onto ``image`` in place."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw onto ``image`` (BGR uint8, modified in place)."""


# --- geometry helpers ------------------------------------------------------------------------


def display_xy(pose: Pose, mirror: bool) -> np.ndarray:
    """Pose landmarks as ``(33, 2)`` display pixels, NaN where not visible enough to draw."""
    xy = pose.xy.copy()
    xy[pose.visibility < MIN_VISIBILITY] = np.nan
    if mirror:
        xy[:, 0] = (pose.width - 1) - xy[:, 0]
    return xy


def working_sides(result: FrameResult) -> frozenset[LM]:
    """Landmarks of the side to emphasise.

    The front leg's side in a lunge; in a bridge the side facing the camera (the one with the
    more visible hip-knee-ankle chain).
    """
    if result.side is Side.LEFT:
        return frozenset(_LEFT)
    if result.side is Side.RIGHT:
        return frozenset(_RIGHT)
    if result.exercise is Exercise.BRIDGE:
        return frozenset(_LEFT if _nearer_side(result.pose) is Side.LEFT else _RIGHT)
    return frozenset()


def _nearer_side(pose: Pose) -> Side:
    """The side whose hip, knee and ankle MediaPipe sees better (the one facing the camera)."""
    vis = pose.visibility
    left = vis[LM.LEFT_HIP] + vis[LM.LEFT_KNEE] + vis[LM.LEFT_ANKLE]
    right = vis[LM.RIGHT_HIP] + vis[LM.RIGHT_KNEE] + vis[LM.RIGHT_ANKLE]
    return Side.LEFT if left >= right else Side.RIGHT


def _pt(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def _finite(*points: np.ndarray) -> bool:
    return all(bool(np.isfinite(p).all()) for p in points)


def fill_panel(image: np.ndarray, box: tuple[int, int, int, int], colour: th.BGR,
               alpha: float) -> None:
    """Blend a filled rectangle ``(x0, y0, x1, y1)`` into ``image``; only the box is touched."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x0 >= x1 or y0 >= y1:
        return
    roi = image[y0:y1, x0:x1]
    solid = _solid(colour, h, w)[: y1 - y0, : x1 - x0]
    roi[:] = cv2.addWeighted(solid, alpha, roi, 1.0 - alpha, 0.0)


@lru_cache(maxsize=16)
def _solid(colour: th.BGR, height: int, width: int) -> np.ndarray:
    """A frame-sized block of one colour (filling one per panel per frame costs milliseconds)."""
    block = np.empty((height, width, 3), np.uint8)
    block[:] = colour
    block.flags.writeable = False
    return block


# --- annotators ------------------------------------------------------------------------------


class SkeletonAnnotator:
    """Bones and joints; the working side thick and bright, the other side thin and muted."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the skeleton."""
        t, xy = scene.theme, scene.xy
        strong = working_sides(scene.result)
        # Finiteness and integer pixels once per frame, not per bone end (this runs every frame).
        finite = np.isfinite(xy).all(axis=1).tolist()
        pts = [(round(x), round(y)) if ok else (0, 0)
               for (x, y), ok in zip(xy.tolist(), finite, strict=True)]
        bones = sorted(SKELETON, key=lambda bone: bone[0] in strong and bone[1] in strong)
        for a, b in bones:  # strong bones last, so they are on top
            if not (finite[a] and finite[b]):
                continue
            emphasised = a in strong and b in strong
            colour = th.WORKING_SIDE if emphasised else th.OTHER_SIDE
            width = t.line_px if emphasised else t.line_thin_px
            cv2.line(image, pts[a], pts[b], th.DARK, width + 2, cv2.LINE_AA)
            cv2.line(image, pts[a], pts[b], colour, width, cv2.LINE_AA)
        for lm in LM:
            if lm < LM.LEFT_SHOULDER or not finite[lm]:
                continue  # face points would only clutter
            colour = th.WORKING_SIDE if lm in strong else th.OTHER_SIDE
            cv2.circle(image, pts[lm], t.joint_px, th.DARK, -1, cv2.LINE_AA)
            cv2.circle(image, pts[lm], max(1, t.joint_px - 2), colour, -1, cv2.LINE_AA)


@dataclass(frozen=True)
class AngleMark:
    """One angle to show: the engine's metric value drawn as an arc at ``vertex``.

    ``vertex``, ``arm_a`` and ``arm_b`` are ``(2,)`` display pixels; an arm can be a landmark or a
    constructed point (the trunk line continued below the hip). ``max_off_deg``: the mark is left
    out where the drawn angle and the value differ by more, as the value then does not come from
    these points (the side-view front knee from the leg's lengths, its landmark drawn in).
    """

    metric: str
    vertex: np.ndarray
    arm_a: np.ndarray
    arm_b: np.ndarray
    max_off_deg: float = math.inf


#: Largest difference between the front knee's value and its drawn angle that is still shown.
FRONT_KNEE_MAX_OFF_DEG = 15.0


def angle_marks(result: FrameResult, xy: np.ndarray) -> list[AngleMark]:
    """The angles that matter for the current exercise.

    Front knee and back hip in a lunge, hip and knee in a bridge. Points are display pixels;
    unknown ones are NaN.
    """
    marks: list[AngleMark] = []
    if result.exercise is Exercise.LUNGE and result.side in (Side.LEFT, Side.RIGHT):
        front, back = ("LEFT", "RIGHT") if result.side is Side.LEFT else ("RIGHT", "LEFT")
        f = {name: xy[LM[f"{front}_{name}"]] for name in ("HIP", "KNEE", "ANKLE")}
        marks.append(AngleMark("front_knee_deg", f["KNEE"], f["HIP"], f["ANKLE"],
                               max_off_deg=FRONT_KNEE_MAX_OFF_DEG))
        # the back hip's angle is measured from the centres of the hips and shoulders
        hip = mid(xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP])
        shoulder = mid(xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER])
        trunk_below = 2 * hip - shoulder  # trunk line continued past the hip
        marks.append(AngleMark("back_hip_ext_deg", hip, trunk_below, xy[LM[f"{back}_KNEE"]]))
    elif result.exercise is Exercise.BRIDGE:
        s = _nearer_side(result.pose).value.upper()
        p = {name: xy[LM[f"{s}_{name}"]] for name in ("SHOULDER", "HIP", "KNEE", "ANKLE")}
        marks.append(AngleMark("bridge_hip_deg", p["HIP"], p["SHOULDER"], p["KNEE"]))
        marks.append(AngleMark("bridge_knee_deg", p["KNEE"], p["HIP"], p["ANKLE"]))
    return marks


class AngleAnnotator:
    """Arcs with degree values at the joints that matter (front knee, back hip, bridge hip)."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw each measurable angle."""
        t = scene.theme
        for mark in angle_marks(scene.result, scene.xy):
            value = scene.result.metric(mark.metric)
            if not math.isfinite(value) or not _finite(mark.vertex, mark.arm_a, mark.arm_b):
                continue
            va, vb = mark.arm_a - mark.vertex, mark.arm_b - mark.vertex
            if np.linalg.norm(va) < 1 or np.linalg.norm(vb) < 1:
                continue
            a1 = math.degrees(math.atan2(va[1], va[0]))
            a2 = math.degrees(math.atan2(vb[1], vb[0]))
            span = (a2 - a1 + 180.0) % 360.0 - 180.0  # short way round
            if abs(abs(span) - value) > mark.max_off_deg:
                continue
            radius = min(t.arc_radius_px, int(0.6 * min(np.linalg.norm(va), np.linalg.norm(vb))))
            centre = _pt(mark.vertex)
            cv2.ellipse(image, centre, (radius, radius), 0, a1, a1 + span, th.DARK,
                        t.line_thin_px + 2, cv2.LINE_AA)
            cv2.ellipse(image, centre, (radius, radius), 0, a1, a1 + span, th.ANGLE,
                        t.line_thin_px, cv2.LINE_AA)
            # Value on the far side of the joint from the arc, so it never sits on the limbs.
            mid = math.radians(a1 + span / 2 + 180.0)
            text = f"{value:.0f}°"
            w, h = text_size(text, t.font_body_px)
            # Distance so the label box just clears the joint dot in that direction.
            reach = t.joint_px + t.margin_px // 2 + 0.5 * (abs(math.cos(mid)) * w
                                                           + abs(math.sin(mid)) * h)
            cx = centre[0] + math.cos(mid) * reach
            cy = centre[1] + math.sin(mid) * reach
            x = int(min(max(cx - w / 2, 0), image.shape[1] - w))
            y = int(min(max(cy - h / 2, 0), image.shape[0] - h))
            draw_text(image, text, (x, y), t.font_body_px, th.ANGLE)


def _stats_line_height(theme: th.Theme) -> int:
    return text_size("0", theme.font_small_px, bold=False)[1] + theme.margin_px // 2


class HeaderAnnotator:
    """Bottom left, above the fps line: exercise, view and working side (what is judged)."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the header panel."""
        t, r, lab = scene.theme, scene.result, scene.labels
        title = lab.exercise(r.exercise)
        detail = lab.view(r.view)
        if r.exercise is Exercise.LUNGE and lab.front_leg[r.side]:
            detail = f"{detail} · {lab.front_leg[r.side]}"
        pad = t.margin_px // 2
        tw, th_ = text_size(title, t.font_body_px)
        dw, dh = text_size(detail, t.font_small_px, bold=False)
        bottom = t.height - _stats_line_height(t) - pad
        top = bottom - th_ - dh
        fill_panel(image, (0, top - pad, t.margin_px + max(tw, dw) + pad, bottom + pad), th.DARK,
                   t.panel_alpha)
        draw_text(image, title, (t.margin_px, top), t.font_body_px, th.WHITE)
        draw_text(image, detail, (t.margin_px, top + th_), t.font_small_px, th.LIGHT_GREY,
                  bold=False)


def counter_box(scene: Scene) -> tuple[int, int, int, int]:
    """Where :class:`RepCounterAnnotator` draws (the hold timer goes right below it)."""
    return _counter_layout(scene)[0]


def _counter_columns(scene: Scene) -> list[tuple[str, int, bool]]:
    r, lab = scene.result, scene.labels
    if r.exercise is Exercise.LUNGE:
        return [(lab.left, r.reps.get(Side.LEFT, 0), r.side is Side.LEFT),
                (lab.right, r.reps.get(Side.RIGHT, 0), r.side is Side.RIGHT)]
    return [(lab.reps, r.reps_total, r.exercise is not Exercise.UNKNOWN)]


def _counter_layout(scene: Scene) -> tuple[tuple[int, int, int, int], list[int], int]:
    t = scene.theme
    columns = _counter_columns(scene)
    widths = [max(text_size(label, t.font_small_px)[0], text_size("00", t.font_count_px)[0])
              for label, _, _ in columns]
    gap = t.margin_px
    label_h = text_size("A", t.font_small_px)[1]
    count_h = text_size("0", t.font_count_px)[1]
    total_w = sum(widths) + gap * (len(widths) - 1)
    x1 = t.width - t.margin_px
    x0 = x1 - total_w
    pad = t.margin_px // 2
    box = (x0 - pad, t.margin_px - pad, x1 + pad, t.margin_px + label_h + count_h + pad)
    return box, widths, label_h


class RepCounterAnnotator:
    """Top right: reps per side in large digits, the working side highlighted."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the rep counter."""
        t = scene.theme
        box, widths, label_h = _counter_layout(scene)
        fill_panel(image, box, th.DARK, t.panel_alpha)
        x = box[0] + t.margin_px // 2
        for (label, count, active), width in zip(_counter_columns(scene), widths, strict=True):
            colour = th.WORKING_SIDE if active else th.WHITE
            lw = text_size(label, t.font_small_px)[0]
            draw_text(image, label, (x + (width - lw) // 2, t.margin_px), t.font_small_px,
                      th.LIGHT_GREY)
            digits = str(count)
            cw = text_size(digits, t.font_count_px)[0]
            draw_text(image, digits, (x + (width - cw) // 2, t.margin_px + label_h),
                      t.font_count_px, colour)
            x += width + t.margin_px


class HoldTimerAnnotator:
    """Under the rep counter: the running hold time, while the person holds the position."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the hold timer when a hold is running."""
        r, t = scene.result, scene.theme
        if r.hold_ms <= 0:
            return
        text = f"{scene.labels.hold} {r.hold_ms / 1000.0:.1f} s"
        w, h = text_size(text, t.font_cue_px)
        top = counter_box(scene)[3] + t.margin_px // 2
        x = t.width - t.margin_px - w
        pad = t.margin_px // 2
        fill_panel(image, (x - pad, top, x + w + pad, top + h + pad), th.DARK, t.panel_alpha)
        draw_text(image, text, (x, top + pad // 2), t.font_cue_px, th.GOOD)


class PhaseBarAnnotator:
    """Right edge, below the counter: a bar from the start (0) to the working position (1).

    It turns green once the working position is reached, so depth can be judged without reading.
    """

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the phase/depth bar."""
        r, t = scene.result, scene.theme
        if r.exercise is Exercise.UNKNOWN or r.phase is Phase.NOT_READY:
            return
        x1 = t.width - t.margin_px
        x0 = x1 - t.bar_width_px
        y1 = t.height - t.margin_px - _stats_line_height(t)
        y0 = max(_top_row_bottom(scene) + t.margin_px, y1 - t.bar_length_px)
        fill_panel(image, (x0, y0, x1, y1), th.DARK, t.panel_alpha)
        progress = r.progress
        if math.isfinite(progress):
            level = min(1.0, max(0.0, progress))
            colour = th.GOOD if r.phase in (Phase.WORK, Phase.HOLD) else th.WORKING_SIDE
            top = y1 - round(level * (y1 - y0))
            if top < y1:
                cv2.rectangle(image, (x0, top), (x1, y1), colour, -1)
        cv2.rectangle(image, (x0, y0), (x1, y1), th.WHITE, max(1, t.line_thin_px // 2))


def _top_row_bottom(scene: Scene) -> int:
    """Lowest pixel row of the counter and the hold timer (when shown)."""
    t = scene.theme
    bottom = counter_box(scene)[3]
    if scene.result.hold_ms > 0:
        bottom += t.margin_px // 2 + text_size("0", t.font_cue_px)[1] + t.margin_px // 2
    return bottom


class CueAnnotator:
    """Top left, beside the rep counter: the held cues, large, on traffic-light panels.

    The top of the picture is the least harmful place to cover: legs and hips, which the angles
    are about, are lower down. Most severe first. When the room beside the counter is too narrow
    (portrait, small frames) the cues go below it, across the full width.
    """

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the cues, stacked downwards."""
        t = scene.theme
        size = t.font_cue_px
        pad = max(4, size // 4)
        beside = counter_box(scene)[0] - 2 * t.margin_px
        if beside >= 0.45 * t.width:
            left, max_w, top = t.margin_px, beside, t.margin_px // 2
        else:
            left, max_w = t.margin_px, t.width - 2 * t.margin_px
            top = _top_row_bottom(scene) + t.margin_px // 2
        line_h = text_size("Ag", size)[1]
        for cue in scene.cues:
            lines = wrap_text(cue.text, size, max_w - 2 * pad)
            widths = [text_size(line, size)[0] for line in lines]
            bottom = top + line_h * len(lines) + 2 * pad
            if bottom > t.height:
                break
            colour = th.severity_colour(cue.severity)
            fill_panel(image, (left - pad, top, left + max(widths) + pad, bottom), colour, 0.85)
            ink = th.WHITE if cue.severity is Severity.FAULT else th.DARK
            outline = th.DARK if cue.severity is Severity.FAULT else None
            for i, line in enumerate(lines):
                draw_text(image, line, (left, top + pad + i * line_h), size, ink, outline=outline)
            top = bottom + pad


class GuidanceAnnotator:
    """Centre: what to change so the check can work ("turn sideways", "step back")."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw guidance (or "step into the frame" when nobody is found)."""
        t, r = scene.theme, scene.result
        texts = [g.text for g in r.guidance]
        if not texts and not r.pose.found:
            texts = [scene.labels.step_in]
        if scene.banner:
            texts = [scene.banner, *texts]
        if not texts:
            return
        size = t.font_cue_px
        pad = max(4, size // 3)
        lines = [line for text in texts
                 for line in wrap_text(text, size, t.width - 2 * t.margin_px - 2 * pad)]
        line_h = text_size("Ag", size)[1]
        widths = [text_size(line, size)[0] for line in lines]
        box_w, box_h = max(widths) + 2 * pad, line_h * len(lines) + 2 * pad
        x0, y0 = (t.width - box_w) // 2, int(t.height * 0.38) - box_h // 2
        fill_panel(image, (x0, y0, x0 + box_w, y0 + box_h), th.WARNING, 0.88)
        for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
            draw_text(image, line, ((t.width - w) // 2, y0 + pad + i * line_h), size, th.DARK,
                      outline=None)


class StatsAnnotator:
    """Bottom left, small: frames per second and capture-to-screen latency."""

    def annotate(self, image: np.ndarray, scene: Scene) -> None:
        """Draw the fps/latency readout (live only)."""
        if scene.stats is None:
            return
        t = scene.theme
        text = f"{scene.stats.fps:.1f} fps · {scene.stats.latency_ms:.0f} ms"
        w, h = text_size(text, t.font_small_px, bold=False)
        y = t.height - t.margin_px // 2 - h
        fill_panel(image, (0, y, t.margin_px + w + t.margin_px // 2, t.height), th.DARK,
                   t.panel_alpha)
        draw_text(image, text, (t.margin_px, y), t.font_small_px, th.LIGHT_GREY, bold=False)


# --- composition -----------------------------------------------------------------------------

DEFAULT_ANNOTATORS: tuple[Annotator, ...] = (
    SkeletonAnnotator(), AngleAnnotator(), PhaseBarAnnotator(), HeaderAnnotator(),
    RepCounterAnnotator(), HoldTimerAnnotator(), GuidanceAnnotator(), CueAnnotator(),
    StatsAnnotator(),
)


class Overlay:
    """Draws the full overlay for a stream of results; one instance per stream.

    Args:
        lang: language of the overlay's own labels (cue texts come translated from the engine).
        annotators: what to draw, bottom layer first.
        cue_hold_ms: how long a cue stays after the engine stops reporting it.

    """

    def __init__(self, lang: str = "en", *, annotators: Sequence[Annotator] = DEFAULT_ANNOTATORS,
                 cue_hold_ms: int = 1500, max_cues: int = 2) -> None:
        self.labels = labels_for(lang)
        self.annotators = tuple(annotators)
        self.board = CueBoard(cue_hold_ms, max_cues)
        self._theme: th.Theme | None = None

    def set_language(self, lang: str) -> None:
        """Switch label language; held cues (in the old language) are dropped."""
        self.labels = labels_for(lang)
        self.board.reset()

    def reset(self) -> None:
        """Forget held cues."""
        self.board.reset()

    def theme_for(self, width: int, height: int) -> th.Theme:
        """The theme for this frame size (rebuilt only when the size changes)."""
        if self._theme is None or (self._theme.width, self._theme.height) != (width, height):
            self._theme = th.Theme.for_frame(width, height)
        return self._theme

    def annotate(self, image: np.ndarray, result: FrameResult, *, stats: Stats | None = None,
                 mirror: bool = False, banner: str | None = None,
                 in_place: bool = False) -> np.ndarray:
        """A new image: ``image`` (the frame ``result`` belongs to) with the overlay drawn on it.

        With ``mirror`` the picture is flipped left-right for display while the landmarks keep
        their anatomical sides (the pose was estimated on the unflipped frame). ``in_place``
        draws on ``image`` itself and returns it (no copy; for a frame nothing else reads after).
        """
        canvas = cv2.flip(image, 1) if mirror else (image if in_place else image.copy())
        height, width = canvas.shape[:2]
        scene = Scene(result=result, xy=display_xy(result.pose, mirror) if result.pose.found
                      else np.full((len(LM), 2), np.nan),
                      cues=self.board.update(result, self.labels.good_rep),
                      labels=self.labels, theme=self.theme_for(width, height), stats=stats,
                      banner=banner)
        if (result.pose.width, result.pose.height) != (width, height) and result.pose.found:
            scale = np.array([width / result.pose.width, height / result.pose.height])
            scene = replace(scene, xy=scene.xy * scale)
        for annotator in self.annotators:
            annotator.annotate(canvas, scene)
        return canvas
