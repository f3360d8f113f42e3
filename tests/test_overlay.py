"""Overlay: text with umlauts, theme scaling, cue holding, and what the drawing puts where."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.types import (
    Cue,
    Exercise,
    FrameResult,
    Phase,
    RepEvent,
    Severity,
    Side,
    View,
)
from formcheck.output import theme as th
from formcheck.output.cueboard import CueBoard
from formcheck.output.overlay import Overlay, Stats, angle_marks, display_xy
from formcheck.output.text import draw_text, rasterise, text_size, wrap_text
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose

SIZES = [(640, 480), (1920, 1080), (1080, 1920)]


def lunge_pose(w: int, h: int, t_ms: int = 0) -> Pose:
    """A side-view lunge facing right, left leg in front, scaled to fill ~70 % of the height."""
    pts = {  # units: fractions of body height, origin at the front foot level, x to the right
        LM.NOSE: (0.06, -0.93), LM.LEFT_EAR: (0.0, -0.94), LM.RIGHT_EAR: (0.0, -0.94),
        LM.LEFT_SHOULDER: (0.0, -0.80), LM.RIGHT_SHOULDER: (-0.01, -0.80),
        LM.LEFT_ELBOW: (0.01, -0.62), LM.RIGHT_ELBOW: (0.0, -0.62),
        LM.LEFT_WRIST: (0.02, -0.47), LM.RIGHT_WRIST: (0.01, -0.47),
        LM.LEFT_HIP: (0.0, -0.45), LM.RIGHT_HIP: (-0.01, -0.45),
        LM.LEFT_KNEE: (0.24, -0.27), LM.LEFT_ANKLE: (0.22, -0.02),
        LM.LEFT_HEEL: (0.19, 0.0), LM.LEFT_FOOT_INDEX: (0.31, 0.0),
        LM.RIGHT_KNEE: (-0.2, -0.1), LM.RIGHT_ANKLE: (-0.42, -0.04),
        LM.RIGHT_HEEL: (-0.46, -0.06), LM.RIGHT_FOOT_INDEX: (-0.38, 0.0),
    }
    scale = 0.7 * h
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    for lm, (x, y) in pts.items():
        xy[lm] = (w * 0.5 + x * scale, h * 0.92 + y * scale)
        vis[lm] = 0.95
    return Pose(t_ms, w, h, xy, np.zeros(33), np.zeros((33, 3)), vis, vis.copy())


def lunge_result(w: int, h: int, *, t_ms: int = 0, cues: tuple[Cue, ...] = (),
                 rep: RepEvent | None = None, pose: Pose | None = None) -> FrameResult:
    return FrameResult(
        t_ms=t_ms, pose=pose or lunge_pose(w, h, t_ms), exercise=Exercise.LUNGE, view=View.SIDE,
        side=Side.LEFT, phase=Phase.WORK,
        metrics={"front_knee_deg": 92.0, "back_hip_ext_deg": 11.0},
        reps={Side.LEFT: 7, Side.RIGHT: 5}, cues=cues, progress=0.9, rep=rep, hold_ms=4200)


FAULT = Cue("arched_back", "Rippen runter – kein Hohlkreuz", Severity.FAULT)
WARN = Cue("hip_not_extended", "Hüfte nach vorn", Severity.WARNING)


def near(image: np.ndarray, colour: tuple[int, int, int], tol: int = 12) -> np.ndarray:
    return np.all(np.abs(image.astype(int) - np.array(colour)) <= tol, axis=-1)


# --- text ------------------------------------------------------------------------------------


def test_umlauts_have_their_own_glyphs() -> None:
    plain, umlaut = rasterise("U", 40), rasterise("Ü", 40)
    assert plain.fill.shape == umlaut.fill.shape
    extra = umlaut.fill - plain.fill
    # The dots are extra ink above the letter's top, not a missing-glyph box.
    assert extra.max() > 0.9
    rows = np.nonzero(extra.max(axis=1) > 0.5)[0]
    top_of_u = np.nonzero(plain.fill.max(axis=1) > 0.5)[0][0]
    assert rows.min() < top_of_u
    assert not np.array_equal(rasterise("ß", 40).fill, rasterise("?", 40).fill)


def test_draw_text_inks_only_its_box_and_clips_at_edges() -> None:
    image = np.zeros((60, 200, 3), np.uint8)
    w, h = draw_text(image, "Hüfte", (10, 5), 30, (0, 0, 255), outline=None)
    assert (w, h) == text_size("Hüfte", 30)
    ys, xs = np.nonzero(image[..., 2])
    assert xs.min() >= 10 and xs.max() < 10 + w and ys.min() >= 5 and ys.max() < 5 + h
    assert image[..., :2].max() == 0  # pure red: no colour bleeding into other channels
    draw_text(image, "Kante", (-30, -10), 30, (255, 255, 255))  # partly outside: no error
    draw_text(image, "weg", (500, 500), 30, (255, 255, 255))  # fully outside: no error


def test_wrap_text_respects_width() -> None:
    text = "Rippen runter, Becken aufrichten, kein Hohlkreuz machen"
    lines = wrap_text(text, 30, 300)
    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(text_size(line, 30)[0] <= 300 for line in lines)


# --- theme -----------------------------------------------------------------------------------


def test_theme_scales_with_the_short_side() -> None:
    small, large = th.Theme.for_frame(640, 480), th.Theme.for_frame(1920, 1080)
    portrait = th.Theme.for_frame(1080, 1920)
    assert large.font_count_px == pytest.approx(small.font_count_px * 1080 / 480, rel=0.05)
    assert portrait.font_cue_px == large.font_cue_px
    # Rep digits stay large enough to read across a room even on a small frame.
    assert small.font_count_px >= 0.12 * 480
    with pytest.raises(ValueError):
        th.Theme.for_frame(0, 480)


# --- cue board -------------------------------------------------------------------------------


def test_cue_is_held_after_it_disappears_then_dropped() -> None:
    board = CueBoard(hold_ms=1000)
    assert board.update(lunge_result(640, 480, t_ms=0, cues=(WARN,)), "ok") == (WARN,)
    assert board.update(lunge_result(640, 480, t_ms=900), "ok") == (WARN,)
    assert board.update(lunge_result(640, 480, t_ms=1100), "ok") == ()


def test_faults_come_before_warnings_and_count_is_capped() -> None:
    board = CueBoard(hold_ms=1000, max_cues=2)
    good = Cue("nice", "Gut", Severity.GOOD)
    shown = board.update(lunge_result(640, 480, cues=(good, WARN, FAULT)), "ok")
    assert shown == (FAULT, WARN)


def test_praise_for_a_clean_rep_only() -> None:
    clean = RepEvent(1, Side.LEFT, 0, 500, 1000)
    faulty = RepEvent(2, Side.LEFT, 0, 500, 1000, faults=("arched_back",))
    board = CueBoard()
    shown = board.update(lunge_result(640, 480, t_ms=1000, rep=clean), "Good rep!")
    assert [(c.text, c.severity) for c in shown] == [("Good rep!", Severity.GOOD)]
    board.reset()
    assert board.update(lunge_result(640, 480, t_ms=1000, rep=faulty), "Good rep!") == ()


def test_board_resets_when_time_goes_back() -> None:
    board = CueBoard(hold_ms=10_000)
    board.update(lunge_result(640, 480, t_ms=5000, cues=(WARN,)), "ok")
    assert board.update(lunge_result(640, 480, t_ms=0), "ok") == ()


# --- drawing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("w", "h"), SIZES)
def test_overlay_draws_counter_cues_and_skeleton(w: int, h: int) -> None:
    image = np.full((h, w, 3), 100, np.uint8)
    before = image.copy()
    out = Overlay("de").annotate(image, lunge_result(w, h, cues=(FAULT,)),
                                 stats=Stats(25.0, 40.0))
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.array_equal(image, before)  # the source frame is not drawn on
    t = th.Theme.for_frame(w, h)
    # The rep counter's working-side digit (7, left) is drawn in the working-side colour,
    # in the top-right quarter.
    top_right = out[: h // 4, w // 2:]
    assert near(top_right, th.WORKING_SIDE, 20).sum() > (t.font_count_px / 4) ** 2
    # The fault cue panel is red-ish and wide enough to read, in the top third (legs and hips,
    # which the angles are about, stay uncovered).
    red = near(out[: h // 3], th.FAULT, 40)
    assert red.sum() > 0.25 * w * t.font_cue_px
    # The front knee is drawn where the pose says.
    knee = lunge_pose(w, h).xy[LM.LEFT_KNEE].round().astype(int)
    patch = out[knee[1] - 3: knee[1] + 4, knee[0] - 3: knee[0] + 4]
    assert near(patch, th.WORKING_SIDE, 30).any()


def test_mirror_flips_picture_and_skeleton_together() -> None:
    w, h = 640, 480
    image = np.full((h, w, 3), 100, np.uint8)
    image[:, : w // 4] = (0, 0, 0)  # a dark band on the left of the camera picture
    out = Overlay("en", annotators=()).annotate(image, lunge_result(w, h), mirror=True)
    assert out[h // 2, w - 5].max() == 0 and out[h // 2, 5].min() == 100
    pose = lunge_pose(w, h)
    xy = display_xy(pose, mirror=True)
    assert xy[LM.LEFT_KNEE][0] == pytest.approx(w - 1 - pose.xy[LM.LEFT_KNEE][0])


def test_low_visibility_points_are_not_drawn() -> None:
    pose = lunge_pose(640, 480)
    vis = pose.visibility.copy()
    vis[LM.RIGHT_KNEE] = 0.1
    faint = Pose(0, 640, 480, pose.xy, pose.z, pose.world, vis, pose.presence)
    assert np.isnan(display_xy(faint, mirror=False)[LM.RIGHT_KNEE]).all()


def test_angle_marks_follow_the_front_leg() -> None:
    result = lunge_result(640, 480)
    xy = display_xy(result.pose, mirror=False)
    marks = {m.metric: m for m in angle_marks(result, xy)}
    assert set(marks) == {"front_knee_deg", "back_hip_ext_deg"}
    assert np.allclose(marks["front_knee_deg"].vertex, xy[LM.LEFT_KNEE])
    hips = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2  # the metric's points: the centres
    shoulders = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2
    assert np.allclose(marks["back_hip_ext_deg"].vertex, hips)
    assert np.allclose(marks["back_hip_ext_deg"].arm_a, 2 * hips - shoulders)
    assert np.allclose(marks["back_hip_ext_deg"].arm_b, xy[LM.RIGHT_KNEE])


def test_a_front_knee_value_its_drawn_joints_contradict_is_not_drawn_there() -> None:
    """From the side, where the front leg reads too short, the engine takes the knee angle from
    the leg's lengths, not from its drawn-in landmark: an arc at that landmark labelled with it
    would contradict the picture."""
    from dataclasses import replace

    from formcheck.engine.geometry import angle_deg

    w, h = 640, 480
    base = lunge_result(w, h)
    xy = display_xy(base.pose, mirror=False)
    drawn = angle_deg(xy[LM.LEFT_HIP], xy[LM.LEFT_KNEE], xy[LM.LEFT_ANKLE])
    x, y = xy[LM.LEFT_KNEE].astype(int)
    box = (slice(max(0, y - 60), y + 60), slice(max(0, x - 60), x + 60))

    def arc_pixels(value: float) -> int:
        result = replace(base, metrics={**base.metrics, "front_knee_deg": value})
        out = Overlay("en").annotate(np.full((h, w, 3), 100, np.uint8), result)
        return int(near(out[box], th.ANGLE, 20).sum())

    assert arc_pixels(drawn) > 20
    assert arc_pixels(drawn + 10) > 20
    assert arc_pixels(drawn - 40) == 0


def test_guidance_when_nobody_is_in_frame() -> None:
    w, h = 640, 480
    empty = lunge_result(w, h, pose=Pose.empty(0, w, h))
    out = Overlay("en").annotate(np.full((h, w, 3), 100, np.uint8), empty)
    centre = out[int(h * 0.3): int(h * 0.46), w // 4: 3 * w // 4]
    assert near(centre, th.WARNING, 40).mean() > 0.3


def test_overlay_is_fast_enough_for_live() -> None:
    import time

    overlay = Overlay("de")
    image = np.full((1080, 1920, 3), 100, np.uint8)
    result = lunge_result(1920, 1080, cues=(FAULT, WARN))
    overlay.annotate(image, result)  # warm the text cache
    start = time.perf_counter()
    for _ in range(10):
        overlay.annotate(image, result, stats=Stats(25.0, 40.0))
    per_frame_ms = (time.perf_counter() - start) * 100
    assert per_frame_ms < 60  # generous for slow CI; measured ~7 ms on 2 cores
