"""View, posture, facing, front leg, floor tilt, holds and guidance on stick-figure sequences."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from formcheck.engine.config import EngineConfig, HoldConfig
from formcheck.engine.holds import HoldTimer
from formcheck.engine.session import Engine
from formcheck.engine.types import Exercise, Phase, Side, View
from formcheck.engine.view import Posture, ViewEstimator
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose
from tests.synth import (
    LYING_CAM,
    STAND,
    Camera,
    bridge,
    lunge,
    make_pose,
    reps,
    sequence,
    squat,
    steep_world,
)


def settle(stance, cam: Camera, frames: int = 30):
    ve = ViewEstimator(EngineConfig().view)
    vs = None
    for i in range(frames):
        p = make_pose(stance, cam, i * 33)
        vs = ve.update(p.t_ms, p.xy, p.world, p.z)
    return vs


def test_view_classes_by_camera_yaw() -> None:
    assert settle(STAND, Camera(yaw_deg=0)).view is View.SIDE
    assert settle(STAND, Camera(yaw_deg=180)).view is View.SIDE
    assert settle(STAND, Camera(yaw_deg=90)).view is View.FRONT
    assert settle(STAND, Camera(yaw_deg=45)).view is View.OBLIQUE
    assert settle(bridge(0.5), LYING_CAM).view is View.SIDE
    assert settle(bridge(0.5), replace(LYING_CAM, yaw_deg=270)).view is View.FRONT


def test_lying_at_three_quarters_is_oblique_though_the_torso_is_foreshortened() -> None:
    # the width ratio alone calls this 3/4 view front (0.53, front from 0.45): the
    # foreshortened torso makes the shoulders look wide
    cam = replace(LYING_CAM, yaw_deg=315)
    for lift in (0.0, 1.0):
        vs = settle(bridge(lift), cam)
        assert vs.width_ratio > EngineConfig().view.front_min_width_ratio
        assert vs.view is View.OBLIQUE, lift
    # from the feet, a little off the axis, it stays front
    for yaw in (265, 270, 275):
        assert settle(bridge(0.5), replace(LYING_CAM, yaw_deg=yaw)).view is View.FRONT, yaw


def test_square_on_only_while_facing_the_camera() -> None:
    """Frontal-plane checks need the person square to the camera: the turn read from the hip
    and shoulder lines' depth. 35 degrees off the front is still the front view by the width
    ratio, but not square-on; lying, the bridge's checks are read otherwise."""
    for yaw in (85, 90, 95):
        assert settle(lunge(0.5), Camera(yaw_deg=yaw)).square, yaw
    for yaw in (55, 125):
        vs = settle(lunge(0.5), Camera(yaw_deg=yaw))
        assert vs.view is View.FRONT and not vs.square, yaw
    assert settle(bridge(1.0), replace(LYING_CAM, yaw_deg=315)).square


@pytest.mark.parametrize("yaw", [70, 110])
def test_square_on_does_not_flicker_at_its_limit(yaw: float) -> None:
    """Turned about as far as the limit, with the readings jittering: square-on is lost past the
    limit and regained only well inside it, so it changes at most once (without the margin it
    changed 13-15 times in 7 s)."""
    ve = ViewEstimator(EngineConfig().view)
    states = []
    for p in sequence([(0.0, lunge(0.5)), (7.0, lunge(0.5))], Camera(yaw_deg=yaw),
                      noise_px=1.0, seed=3):
        states.append(ve.update(p.t_ms, p.xy, p.world, p.z).square)
    assert sum(a != b for a, b in pairwise(states)) <= 1


def test_standing_up_from_lying_side_on_starts_square_on_afresh() -> None:
    """Lying seen from the side the turn reads ~90 degrees, which means nothing there: standing
    up facing the camera, turned 17 degrees (inside the limit, outside its margin), is
    square-on. When the lying readings counted, it stayed not square-on."""
    ve = ViewEstimator(EngineConfig().view)
    for i in range(60):
        p = make_pose(bridge(0.0), LYING_CAM, i * 33)
        assert ve.update(p.t_ms, p.xy, p.world, p.z).posture is Posture.LYING or i < 30
    for i in range(60, 120):
        p = make_pose(STAND, Camera(yaw_deg=107), i * 33)
        vs = ve.update(p.t_ms, p.xy, p.world, p.z)
    assert vs.posture is Posture.STANDING and vs.view is View.FRONT and vs.square


def test_the_view_windows_stay_short_however_long_the_session() -> None:
    # five minutes standing, then five lying from the side: every window keeps its last second
    ve = ViewEstimator(EngineConfig().view)
    for stance, cam, start in ((STAND, Camera(), 0), (bridge(0.0), LYING_CAM, 300_000)):
        p = make_pose(stance, cam, 0)
        for i in range(9000):
            ve.update(start + i * 33.3, p.xy, p.world, p.z)
        windows = {k: len(v) for k, v in vars(ve).items() if isinstance(v, deque)}
        # the longest are the 10 s leg-length windows, two legs a frame: 600 at 30 fps
        assert max(windows.values()) < 700, windows


def test_posture_facing_and_near_side() -> None:
    right = settle(lunge(0.5), Camera(yaw_deg=0))
    left = settle(lunge(0.5), Camera(yaw_deg=180))
    assert right.posture is Posture.STANDING and right.facing == 1 and left.facing == -1
    assert right.near_side is Side.RIGHT and left.near_side is Side.LEFT
    lying = settle(bridge(0.0), LYING_CAM)
    assert lying.posture is Posture.LYING and lying.facing == 1  # feet to the image right


def test_lying_seen_from_the_feet_by_a_steep_camera() -> None:
    ve = ViewEstimator(EngineConfig().view)
    feet_cam = replace(LYING_CAM, yaw_deg=90)  # feet toward the camera
    for lift in (0.0, 1.0):
        ve.reset()
        for i in range(30):
            p = steep_world(make_pose(bridge(lift), feet_cam, i * 33), 45.0)
            vs = ve.update(p.t_ms, p.xy, p.world, p.z)
            w = p.world
            trunk = (w[11] + w[12]) / 2 - (w[23] + w[24]) / 2
            if lift == 0.0:  # at rest the world trunk alone reads upright
                assert math.degrees(math.acos(-trunk[1] / np.linalg.norm(trunk))) < 40.0
        assert vs.posture is Posture.LYING, lift
    # standing front views (a deep split, a squat) keep the shoulders over the feet
    for stance in (lunge(1.0), lunge(1.0, front="right"), squat(1.0)):
        ve.reset()
        for i in range(30):
            p = steep_world(make_pose(stance, Camera(yaw_deg=90), i * 33), 10.0)
            vs = ve.update(p.t_ms, p.xy, p.world, p.z)
        assert vs.posture is Posture.STANDING, stance


def test_front_leg_in_side_and_front_views() -> None:
    for cam in (Camera(), Camera(yaw_deg=180), Camera(yaw_deg=90)):
        assert settle(lunge(1.0, front="left"), cam).front is Side.LEFT, cam
        assert settle(lunge(1.0, front="right"), cam).front is Side.RIGHT, cam
    assert settle(STAND, Camera()).front is Side.UNKNOWN  # feet together: no front leg


def test_floor_tilt_follows_a_rolled_camera() -> None:
    for roll in (-10.0, 0.0, 7.0):
        vs = settle(lunge(0.6), Camera(roll_deg=roll), frames=40)
        assert abs(vs.tilt_deg - roll) < 1.5, roll
    # a front view gives no floor evidence: the camera is assumed level
    assert settle(STAND, Camera(yaw_deg=90, roll_deg=8.0)).tilt_deg == 0.0


def test_hold_timer_times_stable_holds_per_side() -> None:
    cfg = HoldConfig()
    h = HoldTimer(cfg)
    events = []
    t = 0.0
    for i in range(300):  # 10 s: 1 s moving, 6 s still at work, then leave
        t = i * 1000 / 30
        at_work = 1000 <= t < 7000
        x = 90.0 + (20.0 if t < 1000 else 1.0 * ((i % 3) - 1))
        up = h.update(t, x, at_work, Side.LEFT)
        if up.finished:
            events.append(up.finished)
    assert len(events) == 1
    ev = events[0]
    assert ev.side is Side.LEFT
    assert abs(ev.start_ms - 1000) < 60 and abs(ev.end_ms - 7000) < 60
    # a short pause is not a hold; a side switch ends the hold
    h = HoldTimer(cfg)
    assert all(h.update(i * 33.3, 90.0, i < 30, Side.LEFT).finished is None for i in range(60))
    h = HoldTimer(cfg)
    done = [h.update(i * 33.3, 90.0, True, Side.LEFT if i < 150 else Side.RIGHT).finished
            for i in range(300)]
    (left,) = [e for e in done if e]
    assert left.side is Side.LEFT and abs(left.end_ms - 150 * 33.3) < 40  # when the switch began
    assert h.flush().side is Side.RIGHT
    # flushing is a look, not an end: the hold carries on and ends later as one hold
    more = [h.update(10_000 + i * 33.3, 90.0, i < 60, Side.RIGHT).finished for i in range(90)]
    (ev,) = [e for e in more if e]
    assert ev.side is Side.RIGHT and ev.start_ms < 6_100 and ev.end_ms > 11_900


def test_a_hold_survives_short_gaps_and_side_flickers() -> None:
    """A knee hidden for 450 ms every 3 s, and the side estimate flipping for 200 ms, in a 20 s
    hold: one hold, as long as the whole."""
    h = HoldTimer(HoldConfig())
    events = []
    for i in range(600):
        t = i * 1000 / 30
        x = math.nan if (t % 3000) > 2550 else 90.0
        side = Side.RIGHT if 9000 <= t < 9200 else Side.LEFT
        up = h.update(t, x, t < 19_000, side)
        if up.finished:
            events.append(up.finished)
    (ev,) = events
    assert ev.side is Side.LEFT and ev.end_ms - ev.start_ms > 17_500
    # a gap longer than max_gap_ms does end it
    h = HoldTimer(HoldConfig())
    ends = [h.update(i * 33.3, math.nan if 150 <= i < 180 else 90.0, True, Side.LEFT).finished
            for i in range(300)]
    assert len([e for e in ends if e]) == 1 and h.flush() is not None


def test_a_hold_carries_on_when_its_signal_changes_measure() -> None:
    """A lunge hold seen at 3/4 then read from the side: the depth estimate (71) gives way to
    the knee angle (109) after 4 s. Told so (``use_measure``), the timer keeps one 10 s hold;
    untold, that jump leaves the hold's level and no hold of 8 s is reported."""
    def run(tell: bool) -> list:
        h = HoldTimer(HoldConfig())
        out = []
        for i in range(12 * 30):
            t = i * 1000 / 30
            side = i >= 4 * 30
            h.use_measure(side if tell else "one")
            x = (109.0 if side else 71.0) + (i % 3 - 1) * 0.5
            up = h.update(t, x, 1000 <= t < 11_000, Side.RIGHT)
            if up.finished:
                out.append(up.finished)
        return out
    (ev,) = run(True)
    assert ev.start_ms < 1200 and ev.end_ms > 10_800
    assert all(e.end_ms - e.start_ms < 8000 for e in run(False))
    # a hold that had already left its level by then is not carried on by the new measure
    h = HoldTimer(HoldConfig())
    ends = []
    for i in range(12 * 30):
        t = i * 1000 / 30
        h.use_measure(i >= 6 * 30)
        x = 90.0 if i < 3 * 30 else (120.0 if i < 6 * 30 else 60.0)
        up = h.update(t, x, 1000 <= t < 11_000, Side.RIGHT)
        if up.finished:
            ends.append(up.finished)
    assert all(e.end_ms <= 3100 for e in ends)


def test_a_flickering_measure_does_not_carry_a_hold_out_of_its_level() -> None:
    """The view flips between side and 3/4 every 3 frames from 3 s on, while a 4 s hold at 90
    (knee) / 60 (depth) is left at 20 deg/s from 5 s: the hold ends where the way out begins,
    not where the counter leaves the work zone (6.3 s)."""
    h = HoldTimer(HoldConfig())
    ends = []
    for i in range(8 * 30):
        t = i * 1000 / 30
        side = t < 3000 or (i // 3) % 2 == 0
        out = max(0.0, (t - 5000) / 1000 * 20.0)
        x = (90.0 if side else 60.0) + out
        h.use_measure(side)
        up = h.update(t, x, 1000 <= t < 6300, Side.RIGHT)
        if up.finished:
            ends.append(up.finished)
    (ev,) = ends
    assert 5000 <= ev.end_ms <= 5300


@pytest.mark.parametrize(("fps", "every", "width", "jump"),
                         [(30, 12, 2, 30.0), (30, 8, 1, -25.0), (15, 6, 1, 40.0)])
def test_a_hold_starts_through_jumps_of_the_reading(fps: int, every: int, width: int,
                                                    jump: float) -> None:
    """A 10 s hold whose reading jumps for ``width`` frames in every ``every`` (a hand crossing
    the knee): timed from where the position was reached."""
    h = HoldTimer(HoldConfig())
    rng = np.random.default_rng(5)
    events = []
    for i in range(12 * fps):
        t = i * 1000 / fps
        x = 90.0 + (jump if i % every < width else rng.normal(0.0, 1.5))
        up = h.update(t, x, 1000 <= t < 11_000, Side.LEFT)
        if up.finished:
            events.append(up.finished)
    (ev,) = events
    assert ev.start_ms < 1200 and ev.end_ms > 10_500


def test_a_lunge_hold_keeps_its_leg_through_swapped_labels() -> None:
    """MediaPipe swaps the legs' labels for a second at a time in a deep split: a lunge's front
    leg cannot change while held, so that is one hold, on the leg seen most; a bridge's legs may
    switch at the top, so there it ends the hold."""
    def run(side_switches: bool) -> list:
        h = HoldTimer(HoldConfig(), side_switches)
        out = []
        for i in range(360):
            t = i * 1000 / 30
            side = Side.RIGHT if (t // 1000) % 3 == 2 else Side.LEFT  # 1 s right in every 3
            up = h.update(t, 90.0, t < 11_000, side)
            if up.finished:
                out.append(up.finished)
        return out

    (ev,) = run(False)
    assert ev.side is Side.LEFT and ev.end_ms - ev.start_ms > 10_000
    assert all(e.end_ms - e.start_ms < 3000 for e in run(True))
    # started on a swapped label: the leg seen most, the start window included, is the hold's
    h = HoldTimer(HoldConfig(), side_switches_at_work=False)
    for i in range(80):
        t = i * 1000 / 30
        h.update(t, 90.0, True, Side.RIGHT if t < 1450 else Side.LEFT)  # 44 of 80 right
    ev = h.finish()
    assert ev is not None and ev.side is Side.RIGHT


_LEG_PAIRS = ((LM.LEFT_HIP, LM.RIGHT_HIP), (LM.LEFT_KNEE, LM.RIGHT_KNEE),
              (LM.LEFT_ANKLE, LM.RIGHT_ANKLE), (LM.LEFT_HEEL, LM.RIGHT_HEEL),
              (LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX))


def _legs_swapped(p: Pose) -> Pose:
    """The legs' labels exchanged, as MediaPipe does for a moment in a deep split."""
    arrays = {}
    for name in ("xy", "z", "world", "visibility", "presence"):
        a = getattr(p, name).copy()
        for left, right in _LEG_PAIRS:
            a[[left, right]] = a[[right, left]]
        arrays[name] = a
    return replace(p, **arrays)


def test_a_lunge_rep_shows_its_front_leg_through_swapped_labels() -> None:
    """Labels swapped for 0.3 s in the middle of each bottom: the frames of the rep still say
    left (the overlay said "right leg front" there), and the reps are counted on the left."""
    poses = sequence(reps(lunge, 2, hold_s=1.0), Camera())
    eng = Engine(exercise="lunge")
    work = [i for i, p in enumerate(poses) if eng.update(p).phase is Phase.WORK]
    stretches = [list(g) for g in np.split(np.array(work), np.where(np.diff(work) > 1)[0] + 1)]
    assert len(stretches) == 2 and all(len(s) > 30 for s in stretches)
    swapped = {int(i) for s in stretches for i in s[len(s) // 2 - 4: len(s) // 2 + 5]}
    eng = Engine(exercise="lunge")
    shown = set()
    for i, p in enumerate(poses):
        r = eng.update(_legs_swapped(p) if i in swapped else p)
        if i in swapped:
            shown.add(r.side)
    assert shown == {Side.LEFT}
    assert eng.summary().reps_by_side == {Side.LEFT: 2}


def test_no_hold_time_shows_before_a_pause_is_a_hold() -> None:
    """The overlay said "Hold 0.6 s" at the bottom of ordinary reps: the running hold time
    shows once the position has been held 2 s (counted from where it was reached)."""
    eng = Engine(exercise="lunge")
    paused = [eng.update(p).hold_ms for p in sequence(reps(lunge, 3, hold_s=0.8), Camera())]
    assert max(paused) == 0
    eng = Engine(exercise="lunge")
    held = [eng.update(p).hold_ms for p in sequence(reps(lunge, 1, hold_s=10.0), Camera())]
    shown = [ms for ms in held if ms > 0]
    assert shown and shown[0] >= 2000 and max(shown) > 9000


def test_held_lunge_reports_a_hold_and_hold_phase() -> None:
    keys = reps(lunge, 1, hold_s=10.0)
    eng = Engine(exercise="lunge")
    phases = []
    for p in sequence(keys, Camera(), noise_px=1.0):
        phases.append(eng.update(p).phase)
    s = eng.summary()
    assert s.reps_total == 0  # the way down into the hold and back up is not a rep
    assert len(s.holds) == 1 and 9.0 < s.holds[0].duration_s < 11.5
    assert s.holds[0].side is Side.LEFT
    assert Phase.HOLD in phases
    # the default reps (0.3 s at the bottom) are not holds
    eng = Engine(exercise="lunge")
    for p in sequence(reps(lunge, 3), Camera()):
        eng.update(p)
    assert eng.summary().holds == ()


def test_a_hold_ends_where_the_way_back_begins() -> None:
    """A slow way back (2 s) stays in the counter's work zone for a while; that part is not the
    hold. A slow sag during a hold is still the hold."""
    for make, cam in ((lunge, Camera()), (bridge, LYING_CAM)):
        eng = Engine()
        for p in sequence(reps(make, 1, hold_s=10.0, up_s=2.0), cam, noise_px=1.0):
            eng.update(p)
        (hold,) = eng.summary().holds
        assert 9.8 < hold.duration_s < 11.0, make.__name__
    keys = [(0.0, bridge(0.0)), (1.0, bridge(0.0)), (2.0, bridge(1.0)), (22.0, bridge(0.8)),
            (23.0, bridge(0.0)), (24.0, bridge(0.0))]
    eng = Engine(exercise="bridge")
    for p in sequence(keys, LYING_CAM, noise_px=1.0):
        eng.update(p)
    (hold,) = eng.summary().holds
    assert hold.duration_s > 19.0


@pytest.mark.parametrize("up_s", [1.0, 2.0, 3.0])
def test_the_way_back_out_of_a_bridge_hold_is_not_the_hold(up_s: float) -> None:
    """A good 5 s hold at the top, lowered over 1-3 s: the way down stays in the counter's work
    zone for a while, with the hips already well below the top. It is not judged as the hold
    ("hips sagging during a hold"); a hold whose level is low is."""
    eng = Engine(exercise="bridge")
    frames = [eng.update(p) for p in sequence(reps(bridge, 1, hold_s=5.0, up_s=up_s),
                                              LYING_CAM, noise_px=1.0)]
    assert any(f.phase is Phase.HOLD for f in frames)
    low = EngineConfig().bridge.low_bridge_deg
    assert all(f.metrics["bridge_hip_deg"] >= low - 4.0 for f in frames
               if f.phase is Phase.HOLD)
    assert not any(c.code == "low_bridge" for f in frames for c in f.cues)
    (hold,) = eng.summary().holds
    assert hold.faults == ()
    # held low (hips ~157): the hold itself is judged, and called low
    keys = [(0.0, bridge(0.0)), (1.0, bridge(0.0)), (2.0, bridge(0.5)), (12.0, bridge(0.5)),
            (12.0 + up_s, bridge(0.0)), (13.0 + up_s, bridge(0.0))]
    eng = Engine(exercise="bridge")
    frames = [eng.update(p) for p in sequence(keys, LYING_CAM, noise_px=1.0)]
    (hold,) = eng.summary().holds
    assert hold.faults == ("low_bridge",)
    assert sum(any(c.code == "low_bridge" for c in f.cues) for f in frames) > 200  # ~7 s


def test_a_rep_pausing_at_the_bottom_is_still_a_rep() -> None:
    """Still for 2 s at the bottom (a hold by the timer's measure) is a paused rep, not a hold."""
    eng = Engine(exercise="lunge")
    for p in sequence(reps(lunge, 2, hold_s=2.0), Camera(), noise_px=1.0):
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 2
    assert s.holds and all(h.duration_s < 4.0 for h in s.holds)


def test_a_rep_set_counts_a_held_rep() -> None:
    """A routine's rep set: every way down and up is a rep, however long it was held."""
    eng = Engine()
    eng.set_exercise("lunge", holds_are_reps=True)
    for p in sequence(reps(lunge, 1, hold_s=10.0), Camera(), noise_px=1.0):
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 1 and len(s.holds) == 1


def test_switching_the_exercise_mid_hold_keeps_the_hold() -> None:
    for to in ("bridge", "auto"):
        eng = Engine(exercise="lunge")
        for p in sequence(reps(lunge, 1, hold_s=10.0), Camera(), noise_px=1.0):
            if p.t_ms == 9000:
                eng.set_exercise(to)
            eng.update(p)
        (hold,) = eng.summary().holds
        assert 6.0 < hold.duration_s < 7.5, to  # held from about 2 s to the switch


def test_auto_mode_recognises_a_lunge_from_a_hold_alone() -> None:
    """A session that is one held crescent lunge: no rep to recognise it by, still timed."""
    eng = Engine()
    for p in sequence(reps(lunge, 1, hold_s=10.0), Camera(), noise_px=1.0):
        eng.update(p)
    s = eng.summary()
    assert s.exercise is Exercise.LUNGE and s.reps_total == 0
    assert len(s.holds) == 1 and 9.0 < s.holds[0].duration_s < 11.5


def test_a_summary_mid_hold_does_not_end_the_hold() -> None:
    eng = Engine(exercise="lunge")
    poses = sequence(reps(lunge, 1, hold_s=10.0), Camera(), noise_px=1.0)
    for i, p in enumerate(poses):
        eng.update(p)
        if i % 30 == 0:
            eng.summary()
    (hold,) = eng.summary().holds
    assert 9.0 < hold.duration_s < 11.5


def test_auto_mode_takes_no_hold_from_a_stream_that_opens_at_an_unusual_rest() -> None:
    """Lying with the feet far out, the hips rest at 163 deg, where the assumed levels put the
    top: without a rest seen first, ten still seconds there are not a bridge hold."""
    rest = bridge(0.0, feet_a_m=0.8)
    eng = Engine()
    for p in sequence([(0.0, rest), (10.0, rest)], LYING_CAM, noise_px=1.0):
        r = eng.update(p)
    assert r.metrics["bridge_hip_deg"] > 160.0
    s = eng.summary()
    assert s.exercise is Exercise.UNKNOWN and s.holds == ()


def test_auto_mode_does_not_recognise_a_bridge_on_its_way_down() -> None:
    """A 1.5 s pause at the top reads as a 2 s hold only once the hips are coming down (a hold
    lasts until the top is left): recognised then, the way down would be judged as the top. The
    rep recognises it when it is done."""
    eng = Engine()
    seen = []
    for p in sequence(reps(bridge, 1, hold_s=1.5, up_s=0.8), LYING_CAM, noise_px=1.0):
        r = eng.update(p)
        seen.append((r.exercise, r.rep is not None))
    first = next(i for i, (ex, _) in enumerate(seen) if ex is Exercise.BRIDGE)
    assert seen[first][1]  # on the frame the rep is counted, not before


def test_auto_mode_recognises_a_bridge_from_a_hold_alone() -> None:
    eng = Engine()
    for p in sequence(reps(bridge, 1, hold_s=10.0), LYING_CAM, noise_px=1.0):
        eng.update(p)
    s = eng.summary()
    assert s.exercise is Exercise.BRIDGE and s.reps_total == 0
    assert len(s.holds) == 1 and 9.0 < s.holds[0].duration_s < 11.5


def test_auto_mode_does_not_take_a_held_squat_or_sitting_for_a_lunge_hold() -> None:
    # feet side by side, held deep: no split stance
    eng = Engine()
    for p in sequence(reps(squat, 1, hold_s=6.0), Camera(), noise_px=1.0):
        eng.update(p)
    assert eng.summary().exercise is Exercise.UNKNOWN and eng.summary().holds == ()
    # sitting (hips at knee height, shins upright) with one foot a little ahead of the other
    seated = replace(STAND, pelvis_a=-0.35, pelvis_b=0.50, l_ankle_a=0.15, r_ankle_a=-0.05)
    eng = Engine()
    for p in sequence([(0.0, STAND), (1.0, STAND), (2.5, seated), (12.0, seated)], Camera(),
                      noise_px=1.0):
        eng.update(p)
    assert eng.summary().exercise is Exercise.UNKNOWN and eng.summary().holds == ()


def test_guidance_step_back_turn_sideways_face_camera_and_no_person() -> None:
    eng = Engine(exercise="lunge")
    cut = Camera(offset_px=(0.0, 300.0))  # feet below the frame
    codes = set()
    for p in sequence([(0.0, STAND), (2.0, STAND)], cut):
        codes |= {g.code for g in eng.update(p).guidance}
    assert "step_back" in codes
    eng = Engine(exercise="lunge")
    codes = set()
    for p in sequence([(0.0, STAND), (2.0, STAND)], Camera(yaw_deg=45)):
        codes |= {g.code for g in eng.update(p).guidance}
    assert "turn_sideways" in codes and "step_back" not in codes
    # front view by the width ratio, but turned 35 degrees away: the knee checks are off
    for yaw, asked in ((125, True), (90, False)):
        eng = Engine(exercise="lunge")
        codes = set()
        for p in sequence([(0.0, STAND), (2.0, STAND)], Camera(yaw_deg=yaw)):
            r = eng.update(p)
            codes |= {g.code for g in r.guidance}
        assert r.view is View.FRONT
        assert ("face_camera" in codes) is asked and "turn_sideways" not in codes, yaw
    # a bridge has no standing checks to lose: standing turned before it, no such hint
    eng = Engine(exercise="bridge")
    codes = set()
    for p in sequence([(0.0, STAND), (2.0, STAND)], Camera(yaw_deg=125)):
        codes |= {g.code for g in eng.update(p).guidance}
    assert "face_camera" not in codes
    eng = Engine()
    for p in sequence([(0.0, STAND), (1.0, STAND)], Camera(), dropouts=((0.0, 1.1),)):
        r = eng.update(p)
    assert [g.code for g in r.guidance] == ["no_person"]
    s = eng.summary()
    assert s.reason == "no person found"


def _guidance_codes(poses: list[Pose]) -> list[set[str]]:
    eng = Engine()
    return [{g.code for g in eng.update(p).guidance} for p in poses]


def test_lost_lying_end_on_says_move_the_camera_not_step_into_the_picture() -> None:
    """A body lying along the camera axis is what MediaPipe loses (rendered bridge holds from
    the feet); seen from the side, or lost for long, the usual advice stands."""
    keys = [(0.0, bridge(0.0)), (3.0, bridge(0.0)), (4.0, bridge(1.0)), (20.0, bridge(1.0))]
    feet_cam = Camera(height_m=0.5, distance_m=3.5, yaw_deg=90)
    lost = ((4.5, 19.0),)
    end_on = [steep_world(p, 55.0) if p.found else p
              for p in sequence(keys, feet_cam, noise_px=1.0, dropouts=lost)]
    oblique = sequence(keys, Camera(height_m=0.5, distance_m=3.5, yaw_deg=45), noise_px=1.0,
                       dropouts=lost)
    side = sequence(keys, LYING_CAM, noise_px=1.0, dropouts=lost)
    for poses, first_lost in ((end_on, "camera_at_side"), (oblique, "camera_at_side"),
                              (side, "no_person")):
        codes = _guidance_codes(poses)
        at = {round(p.t_ms / 1000, 1): c for p, c in zip(poses, codes, strict=True)}
        assert first_lost in at[5.0] and first_lost in at[14.0], first_lost
        assert "no_person" in at[15.0] and "camera_at_side" not in at[15.0]  # 10 s lost
        assert not any("camera_at_side" in c for p, c in zip(poses, codes, strict=True)
                       if p.t_ms < 4500)
    # found afresh every few frames: from the feet the same hint, from the side "unsteady"
    flicker = tuple((5.0 + 0.2 * i, 5.05 + 0.2 * i) for i in range(30))
    end_on = [steep_world(p, 55.0) if p.found else p
              for p in sequence(keys, feet_cam, noise_px=1.0, dropouts=flicker)]
    for poses, advice in ((end_on, "camera_at_side"),
                          (sequence(keys, LYING_CAM, noise_px=1.0, dropouts=flicker),
                           "unsteady")):
        codes = _guidance_codes(poses)
        during = [c for p, c in zip(poses, codes, strict=True) if 6.0 <= p.t_ms / 1000 < 11.0]
        assert all(c == {advice} for c in during), advice


def test_cut_off_clip_cannot_be_judged() -> None:
    eng = Engine()
    for p in sequence(reps(lunge, 2), Camera(offset_px=(0.0, 300.0))):
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 0 and s.reason == "body not fully visible in most frames"


def _read_as_side(p: Pose) -> Pose:
    """``p`` with the shoulders and hips drawn 0.3 as wide about their middles: what MediaPipe
    gives when it reads a 3/4 body as seen from the side (the camera and the body stay put)."""
    xy = p.xy.copy()
    for a, b in ((LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER), (LM.LEFT_HIP, LM.RIGHT_HIP)):
        mid = (xy[a] + xy[b]) / 2
        xy[a], xy[b] = mid + (xy[a] - mid) * 0.3, mid + (xy[b] - mid) * 0.3
    return Pose(p.t_ms, p.width, p.height, xy, p.z, p.world, p.visibility, p.presence, p.mask)


@pytest.mark.parametrize("switch_ms", [3000, 5000])
def test_a_3_4_lunge_hold_read_as_side_half_way_is_one_hold(switch_ms: int) -> None:
    """The view turns from 3/4 to side during a 10 s hold, and the lunge signal from the depth
    estimate to the knee angle (a rendered 3/4 hold read so was timed live and not reported):
    one hold, all of it."""
    eng = Engine(exercise="lunge")
    views = []
    for p in sequence(reps(lunge, 1, hold_s=10.0), Camera(yaw_deg=45), noise_px=1.0):
        views.append(eng.update(_read_as_side(p) if p.t_ms >= switch_ms else p).view)
    assert views[0] is View.OBLIQUE and views[-1] is View.SIDE
    assert sum(a is not b for a, b in pairwise(views)) == 1
    (hold,) = eng.summary().holds
    assert 9.5 < hold.duration_s < 11.0
