"""A rep's deepest knee or highest hips is the level held for a moment, not a one-frame glitch."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.config import CueConfig, EngineConfig
from formcheck.engine.session import Engine, held_extreme
from formcheck.engine.types import SessionSummary
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose
from tests.synth import LYING_CAM, Camera, bridge, lunge, reps, sequence

FRAME_MS_30 = 1000.0 / 30.0
T30 = [i * FRAME_MS_30 for i in range(60)]


def test_a_spike_shorter_than_the_hold_does_not_move_the_extreme() -> None:
    vals = np.full(60, 120.0)
    vals[30:32] = 85.0  # two frames, 67 ms
    assert held_extreme(T30, vals, 200.0, lowest=True) == 120.0
    assert held_extreme(T30, -vals, 200.0, lowest=False) == -120.0
    # without a hold time the glitch is the extreme
    assert held_extreme(T30, vals, 0.0, lowest=True) == 85.0


def test_a_level_held_long_enough_is_the_extreme() -> None:
    vals = np.full(60, 120.0)
    vals[20:30] = 95.0  # 10 frames, 300 ms
    assert held_extreme(T30, vals, 200.0, lowest=True) == 95.0


def test_nan_samples_are_skipped_and_all_nan_is_unknown() -> None:
    vals = np.full(60, 120.0)
    vals[::3] = np.nan
    vals[20:30] = 100.0
    assert held_extreme(T30, vals, 200.0, lowest=True) == 100.0
    assert math.isnan(held_extreme(T30, np.full(60, np.nan), 200.0, lowest=True))


def test_a_spike_between_unknown_frames_or_across_a_gap_does_not_count() -> None:
    vals = np.full(60, 120.0)
    vals[20:42] = np.nan
    vals[31] = 85.0  # known alone among unknown frames, 300 ms either way
    assert held_extreme(T30, vals, 200.0, lowest=True) == 120.0
    # the same spike alone between two 300 ms gaps in an otherwise even stream
    t = [*T30[:20], 966.7, *[1266.7 + i * FRAME_MS_30 for i in range(20)]]
    vals = np.array([120.0] * 20 + [85.0] + [120.0] * 20)
    assert held_extreme(t, vals, 200.0, lowest=True) == 120.0


def test_a_stream_too_sparse_for_the_hold_gives_the_plain_extreme() -> None:
    """Frames 300 ms apart: no window holds two samples, so no level is held at all."""
    sparse = [i * 300.0 for i in range(10)]
    vals = np.array([120.0] * 4 + [85.0] + [120.0] * 5)
    assert held_extreme(sparse, vals, 200.0, lowest=True) == 85.0


def test_a_rep_shorter_than_the_hold_gives_its_plain_extreme() -> None:
    vals = np.array([130.0, 110.0, 125.0])
    assert held_extreme(T30[:3], vals, 200.0, lowest=True) == 110.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 200.0), min_size=1, max_size=80),
       st.floats(0.0, 500.0), st.booleans())
def test_held_extreme_lies_within_the_values(values: list[float], hold_ms: float,
                                             lowest: bool) -> None:
    vals = np.array(values)
    got = held_extreme([i * FRAME_MS_30 for i in range(len(vals))], vals, hold_ms, lowest)
    assert vals.min() <= got <= vals.max()
    plain = vals.min() if lowest else vals.max()
    # holding can only make the extreme less extreme
    assert (got >= plain) if lowest else (got <= plain)


SIDE = Camera()


def _glitch_front_knee(poses: list[Pose], starts_s: tuple[float, ...], frames: int
                       ) -> list[Pose]:
    """Put the front (left) knee where it makes a right angle, for ``frames`` frames from each
    of ``starts_s``: MediaPipe mixing the legs up for a moment."""
    hip, knee, ankle = LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE
    starts = [round(t * 30.0) for t in starts_s]
    out = list(poses)
    for s in starts:
        for i in range(s, s + frames):
            p = poses[i]
            h, a = p.xy[hip], p.xy[ankle]
            d = a - h
            n = np.array([-d[1], d[0]])
            if n @ (p.xy[knee] - h) < 0:
                n = -n
            xy = p.xy.copy()
            xy[knee] = 0.5 * (h + a) + 0.5 * n  # Thales: a right angle at the knee
            out[i] = replace(p, xy=xy)
    return out


def _shallow_session(cfg: EngineConfig, glitch_frames: int) -> SessionSummary:
    eng = Engine(exercise="lunge", config=cfg)
    # lead 1 s, down 1 s, hold 0.5 s, up 1 s, rest 0.8 s: the holds start at 2.0 s and 5.3 s
    poses = sequence(reps(lambda d: lunge(0.45 * d), 2, hold_s=0.5), SIDE, noise_px=1.0, seed=5)
    for p in _glitch_front_knee(poses, (2.0, 5.3), glitch_frames):
        eng.update(p)
    return eng.summary()


def test_a_two_frame_glitch_does_not_hide_a_shallow_lunge() -> None:
    s = _shallow_session(EngineConfig(), 2)
    assert s.reps_total == 2
    assert all("shallow_depth" in r.faults for r in s.reps)
    # the glitch is what would have hidden it: counted as the rep's depth, the fault is gone
    instant = replace(EngineConfig(), cues=replace(CueConfig(), rep_extreme_hold_ms=0.0))
    s0 = _shallow_session(instant, 2)
    assert s0.reps_total == 2
    assert not any("shallow_depth" in r.faults for r in s0.reps)


def _bridge_codes(cam: Camera) -> set[str]:
    eng = Engine(exercise="bridge")
    for p in sequence(reps(lambda d: bridge(0.6 * d), 2, hold_s=0.8), cam, noise_px=1.0, seed=5):
        eng.update(p)
    s = eng.summary()
    assert s.reps_total == 2
    return {f.code for f in s.faults}


def test_low_bridge_is_judged_from_the_side_only() -> None:
    """From the feet a full top reads up to 18 deg low on rendered bridges: no height verdict
    there, while the same low bridge seen from the side is called low."""
    assert "low_bridge" in _bridge_codes(LYING_CAM)
    assert "low_bridge" not in _bridge_codes(replace(LYING_CAM, yaw_deg=270))
