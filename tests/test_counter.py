"""The generic rep counter on scalar signals: hysteresis, dwell, partial reps, dropouts, adapts."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.config import CounterConfig
from formcheck.engine.counter import CounterLevels, CounterState, RepCounter, SpikeGate
from formcheck.engine.exercises import EXERCISES
from formcheck.engine.types import Exercise, View

LUNGE = EXERCISES[Exercise.LUNGE].levels  # knee: start ~172, work ~100, falls toward work
BRIDGE = EXERCISES[Exercise.BRIDGE].levels  # hip: start ~135, work ~175, rises toward work
DT = 1000.0 / 30.0


def signal(segments: list[tuple[float, float, float]], fps: float = 30.0) -> np.ndarray:
    """Piecewise cosine-eased signal from (duration_s, from, to) segments."""
    out: list[float] = []
    for dur, a, b in segments:
        n = max(1, round(dur * fps))
        w = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
        out.extend(a + (b - a) * w)
    return np.asarray(out)


def lunge_reps(n: int, bottom: float = 92.0, top: float = 172.0, pause_s: float = 0.6,
               lead_s: float = 1.0) -> np.ndarray:
    segs = [(lead_s, top, top)]
    for _ in range(n):
        segs += [(1.0, top, bottom), (0.3, bottom, bottom), (1.0, bottom, top),
                 (pause_s, top, top)]
    return signal(segs)


def count(x: np.ndarray, levels: CounterLevels = LUNGE, ready: np.ndarray | None = None,
          cfg: CounterConfig | None = None,
          other: np.ndarray | float = math.nan) -> tuple[int, RepCounter]:
    """Reps counted on ``x``; ``other`` is the other reading, per sample or one for all."""
    c = RepCounter(levels, cfg or CounterConfig())
    others = np.broadcast_to(np.asarray(other, dtype=float), x.shape)
    n = 0
    for i, v in enumerate(x):
        up = c.update(i * DT, float(v), True if ready is None else bool(ready[i]),
                      float(others[i]))
        n += up.rep is not None
    return n, c


def test_clean_reps_count_on_return() -> None:
    x = lunge_reps(5)
    c = RepCounter(LUNGE, CounterConfig())
    events = []
    for i, v in enumerate(x):
        up = c.update(i * DT, float(v))
        if up.rep is not None:
            events.append((i, up.rep))
    assert len(events) == 5
    for i, rep in events:
        assert x[i] > 140  # counted on the way back up, near the start
        assert rep.start_ms < rep.bottom_ms < rep.end_ms
        assert abs(rep.extreme - 92.0) < 1.0


def test_bridge_direction_counts_too() -> None:
    segs = [(1.0, 135, 135)]
    for _ in range(4):
        segs += [(0.8, 135, 178), (0.5, 178, 178), (0.8, 178, 135), (0.5, 135, 135)]
    assert count(signal(segs), BRIDGE)[0] == 4


def test_a_rest_level_the_defaults_call_work_becomes_the_start() -> None:
    """Feet far out: lying at ~158 deg already looks like "work" to the assumed levels; the
    first lift opens mid-rep, and each return to that still rest is a rep and the new start."""
    segs = [(1.0, 158, 158)]
    for _ in range(3):
        segs += [(0.8, 158, 179), (1.0, 179, 179), (0.8, 179, 158), (1.0, 158, 158)]
    n, c = count(signal(segs), BRIDGE)
    assert n == 3
    assert abs(c.start_level - 158) < 2


def test_jitter_of_5_deg_around_each_threshold_never_counts() -> None:
    rng = np.random.default_rng(3)
    c = RepCounter(LUNGE, CounterConfig())
    enter = c.start_level + CounterConfig().work_enter_progress * (c.work_level - c.start_level)
    back = c.start_level + CounterConfig().return_progress * (c.work_level - c.start_level)
    for level in (enter, back):
        x = np.concatenate([np.full(30, 172.0), signal([(0.5, 172, level)]),
                            level + rng.uniform(-5, 5, 300)])
        assert count(x)[0] == 0, level


def test_jitter_at_the_bottom_and_top_gives_one_count_per_rep() -> None:
    rng = np.random.default_rng(4)
    x = lunge_reps(4) + rng.uniform(-5, 5, len(lunge_reps(4)))
    assert count(x)[0] == 4


def test_partial_reps_do_not_count() -> None:
    x = signal([(1.0, 172, 172), (0.8, 172, 140), (0.8, 140, 172), (0.5, 172, 172),
                (0.8, 172, 135), (0.8, 135, 172), (0.5, 172, 172)])
    assert count(x)[0] == 0


def test_long_pause_at_the_bottom_is_one_rep() -> None:
    x = signal([(1.0, 172, 172), (1.0, 172, 92), (8.0, 92, 92), (1.0, 92, 172),
                (0.5, 172, 172)])
    assert count(x)[0] == 1


def split_squats(n: int, split: float, rng: np.random.Generator | None = None) -> np.ndarray:
    """Stand, step into a split stance read at ``split``, ``n`` reps from it, stand up."""
    segs = [(1.0, 172, 172), (0.5, 172, split), (1.0, split, split)]
    for i in range(n):
        segs += [(1.0, split, 92), (0.3, 92, 92)]
        segs += [(1.0, 92, split), (0.3, split, split)] if i < n - 1 else [(1.0, 92, 172)]
    x = signal([*segs, (0.5, 172, 172)])
    return x if rng is None else x + rng.uniform(-3, 3, len(x))


def test_split_squats_from_a_split_stance_read_part_way_down_each_count() -> None:
    """From the front the depth estimate reads a split stance's top a third of the way down
    (where the knee is near straight): the reps go back to that stance, not to standing, and
    each is over once the person is still there."""
    rng = np.random.default_rng(7)
    for n in (2, 3):
        assert count(split_squats(n, 140.0))[0] == n
        assert count(split_squats(n, 140.0, rng))[0] == n
    # a rep ends on getting back to the split top (4.8 s here), the next begins on leaving it
    # (5.1 s), so neither holds the pause between them
    c = RepCounter(LUNGE, CounterConfig())
    reps = [up.rep for i, v in enumerate(split_squats(2, 140.0))
            if (up := c.update(i * DT, float(v))).rep is not None]
    assert 4500.0 <= reps[0].end_ms <= 4800.0 and 5100.0 <= reps[1].start_ms <= 5300.0, reps
    # a dip of less than a rep's amplitude from the split top is no rep
    x = signal([(1.0, 172, 172), (0.5, 172, 137), (1.0, 137, 137), (1.0, 137, 92),
                (0.3, 92, 92), (1.0, 92, 137), (0.6, 137, 137), (0.4, 137, 127), (0.4, 127, 137),
                (0.6, 137, 137), (1.0, 137, 172), (0.5, 172, 172)])
    assert count(x)[0] == 1


SIDE_LUNGE = EXERCISES[Exercise.LUNGE].levels_for(View.SIDE)  # work assumed at 110
STANDING = 174.0  # the other reading (the hips) back up at the start


def deep_split_squats(top: float, bottom: float, seed: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Stand, step into a split stance at 160, two deep reps, stand up: the knee as read, whose
    top between the reps reads ``top`` (MediaPipe, the legs' labels trading, read 142-152 where
    it was 161) with +-4 deg of noise, and as it is (the hips' reading, noise-free)."""
    def segs(mid: float) -> list[tuple[float, float, float]]:
        return [(1.0, 174, 174), (0.6, 174, 160), (0.8, 160, 160), (0.7, 160, bottom),
                (1.0, bottom, bottom), (0.6, bottom, mid), (0.4, mid, mid), (0.6, mid, bottom),
                (1.0, bottom, bottom), (0.7, bottom, 160), (0.6, 160, 160), (0.5, 160, 174),
                (0.5, 174, 174)]
    x = signal(segs(top))
    return x + np.random.default_rng(seed).uniform(-4, 4, len(x)), signal(segs(160.0))


def test_a_deep_rep_is_back_on_its_own_depth_where_the_other_reading_agrees() -> None:
    """Back 70 deg of a 95-deg rep is back up, though short of 30% of the range assumed from
    standing, where the hips read back up too: two deep split squats count two. Without the
    other reading, or with the hips still down (a hold whose knee is misread), they are one."""
    for seed in range(5):
        x, truth = deep_split_squats(147.0, 80.0, seed)
        assert count(x, SIDE_LUNGE, other=truth)[0] == 2, seed
        assert count(x, SIDE_LUNGE)[0] == 1, seed
        hips_down = np.where(np.arange(len(x)) * DT > 3000, 90.0, truth)
        assert count(x, SIDE_LUNGE, other=hips_down)[0] == 1, seed


def test_a_deep_rep_back_most_of_its_depth_is_not_back_past_the_cap() -> None:
    """The share of a rep's own depth stops at ``return_progress_max`` of the range the levels
    assume (29 deg below standing): up from 55 to 140 deg and down again is one rep, though
    140 is back 70% of the way; and from a split stance at 160 (22.5 deg below it), up to 132
    and down again, still so after deep reps adapted the work level to theirs."""
    uncapped = replace(CounterConfig(), return_progress_max=1.0)
    for seed in range(5):
        x, _ = deep_split_squats(140.0, 55.0, seed)
        assert count(x, SIDE_LUNGE, other=STANDING)[0] == 1, seed
        assert count(x, SIDE_LUNGE, cfg=uncapped, other=STANDING)[0] == 2, seed
    segs = [(1.0, 174, 174), (0.6, 174, 160), (0.8, 160, 160)]
    for _ in range(3):
        segs += [(0.8, 160, 55), (0.5, 55, 55), (0.8, 55, 160), (0.6, 160, 160)]
    segs += [(0.8, 160, 55), (0.5, 55, 55), (0.6, 55, 132), (0.3, 132, 132), (0.6, 132, 55),
             (0.5, 55, 55), (0.8, 55, 160), (0.6, 160, 174), (0.5, 174, 174)]
    assert count(signal(segs), SIDE_LUNGE, other=STANDING)[0] == 4


def test_a_rep_short_of_the_work_level_is_back_as_before() -> None:
    """Its own depth is no help to a shallow rep: back at 147 deg (+-4) after a bottom at 115
    is not back, at 156 it is (30% of the assumed range, as without the other reading)."""
    assert count(deep_split_squats(147.0, 115.0)[0], SIDE_LUNGE, other=STANDING)[0] == 1
    x = signal([(1.0, 174, 174), (0.8, 174, 120), (0.4, 120, 120), (0.8, 120, 157),
                (0.8, 157, 157), (0.8, 157, 174), (0.5, 174, 174)])
    assert count(x, SIDE_LUNGE)[0] == 1


def test_a_brief_misreading_at_a_deep_bottom_does_not_end_the_rep() -> None:
    """Back on its own depth judged on the median of the last ``min_work_ms``: the knee read
    rising from 88 to 150 deg and down again within 0.3 s (13 deg a frame or less, slower than
    the spike gate's 20) at the bottom of a deep rep is one rep, though 150 is back 70% of the
    way (the other reading here says back up throughout)."""
    bump = [101.0, 114.0, 127.0, 140.0, 150.0, 140.0, 127.0, 114.0, 101.0]
    x = np.concatenate([signal([(1.0, 174, 174), (0.8, 174, 88), (0.5, 88, 88)]), bump,
                        signal([(0.5, 88, 88), (0.8, 88, 174), (0.5, 174, 174)])])
    assert count(x, SIDE_LUNGE, other=STANDING)[0] == 1
    held = np.concatenate([signal([(1.0, 174, 174), (0.8, 174, 88), (0.5, 88, 88)]),
                           bump[:4], np.full(6, 150.0), bump[5:],
                           signal([(0.5, 88, 88), (0.8, 88, 174), (0.5, 174, 174)])])
    assert count(held, SIDE_LUNGE, other=STANDING)[0] == 2  # 0.2 s there is back up


def test_a_pause_on_the_way_down_then_an_unsteady_bottom_is_one_rep() -> None:
    """Where the movement lay still on its way down is a rest only once the person is still
    there again: the legs read mixed up for a third of a second at that level, mid-hold, do not
    end the rep (nor cut the hold)."""
    rng = np.random.default_rng(8)
    hold = 92 + rng.uniform(-5, 5, 300)
    hold[60:70] = [105, 118, 131, 138, 140, 140, 138, 131, 118, 105]
    x = np.concatenate([signal([(1.0, 172, 172), (0.5, 172, 140), (0.8, 140, 140),
                                (0.8, 140, 92)]), hold, signal([(1.0, 92, 172), (0.5, 172, 172)])])
    assert count(x)[0] == 1


def test_getting_into_position_is_not_counted() -> None:
    # walking in: knee swinging through deep angles before ever standing still at the start
    walk = 150 + 35 * np.sin(np.arange(90) / 4.0)
    x = np.concatenate([walk, lunge_reps(2)])
    assert count(x)[0] == 2
    # and nothing counts while the posture is wrong (lying down for a lunge, say)
    ready = np.zeros(len(lunge_reps(2)), dtype=bool)
    assert count(lunge_reps(2), ready=ready)[0] == 0


def test_short_dropouts_are_bridged_long_ones_reset() -> None:
    x = lunge_reps(3)
    short = x.copy()
    short[60:70] = np.nan  # 330 ms gap mid-descent of rep 1
    assert count(short)[0] == 3
    long_gap = x.copy()
    start = 30 + 20
    long_gap[start:start + 45] = np.nan  # 1.5 s gap: rep 1 is lost, the others count
    assert count(long_gap)[0] == 2


def test_twitch_shorter_than_min_rep_is_ignored() -> None:
    x = signal([(1.0, 172, 172), (0.15, 172, 95), (0.15, 95, 172), (1.0, 172, 172)])
    assert count(x)[0] == 0


def test_a_spike_that_settles_slowly_at_a_new_rest_is_a_twitch() -> None:
    # A bridge's hip angle jumps for 0.2 s as a leg starts to lift, then drifts to a new rest
    # (the single-leg bridge's lower start): the drift's dwell does not make the spike a rep.
    # From the side the work level assumed is lower (160), so 143-149 is not back at the start.
    side = EXERCISES[Exercise.BRIDGE].levels_for(View.SIDE)
    x = signal([(1.0, 135, 135), (0.1, 135, 175), (0.1, 175, 175), (0.05, 175, 143),
                (0.4, 143, 149), (1.0, 149, 149)])
    assert count(x, side)[0] == 0
    # a real lift that comes back to rest at that higher level is still a rep, and it ended
    # when the hips came to rest, not a dwell time later
    x = signal([(1.0, 135, 135), (0.8, 135, 178), (0.5, 178, 178), (0.8, 178, 156),
                (1.0, 156, 156)])
    c = RepCounter(BRIDGE, CounterConfig())
    reps = [up.rep for i, v in enumerate(x)
            if (up := c.update(i * DT, float(v))).rep is not None]
    assert len(reps) == 1
    # still (within 8 deg) from ~2.8 s on the eased way down; sure of it 0.4 s later
    assert 2600 <= reps[0].end_ms <= 3100


def gated(x: np.ndarray, fps: float = 30.0) -> np.ndarray:
    cfg = CounterConfig()
    gate = SpikeGate(cfg.max_signal_rate_deg_s, cfg.max_spike_ms)
    return np.array([gate(i * 1000.0 / fps, float(v)) for i, v in enumerate(x)])


def test_the_spike_gate_drops_a_glitch_and_keeps_movement() -> None:
    # legs mixed up for two frames at a lunge's bottom: the knee reads standing
    x = lunge_reps(2)
    bottom = int(np.argmin(x))  # the first rep's bottom
    glitch = x.copy()
    glitch[bottom:bottom + 2] = 160.0
    out = gated(glitch)
    assert np.isnan(out[bottom:bottom + 2]).all()
    np.testing.assert_array_equal(np.delete(out, [bottom, bottom + 1]),
                                  np.delete(glitch, [bottom, bottom + 1]))
    assert count(glitch)[0] == 3 and count(out)[0] == 2  # the glitch split a rep
    # a brisk rep (80 deg in 0.4 s) passes whole, at 30 and at 15 frames a second
    brisk = signal([(1.0, 172, 172), (0.4, 172, 92), (0.4, 92, 172), (1.0, 172, 172)])
    np.testing.assert_array_equal(gated(brisk), brisk)
    np.testing.assert_array_equal(gated(brisk[::2], fps=15.0), brisk[::2])


def test_the_spike_gate_follows_a_signal_that_really_moved() -> None:
    # a jump that stays (the camera moved, a new person) is followed after max_spike_ms
    x = np.r_[np.full(30, 170.0), np.full(30, 120.0)]
    out = gated(x)
    dropped = np.flatnonzero(np.isnan(out))
    assert dropped[0] == 30 and len(dropped) * 1000.0 / 30.0 <= CounterConfig().max_spike_ms + 1
    assert np.all(out[-20:] == 120.0)
    # unknown samples stay unknown and do not move what the gate keeps
    y = gated(np.r_[170.0, np.nan, np.nan, 169.0])
    assert np.isnan(y[1:3]).all() and y[3] == 169.0


def test_shallow_person_adapts_within_bounds() -> None:
    # someone whose reps only reach 120 deg still gets counted and the work level follows
    x = lunge_reps(6, bottom=120.0)
    n, c = count(x)
    assert n == 6
    lo, hi = LUNGE.work_bounds
    assert lo <= c.work_level <= hi
    assert c.work_level > LUNGE.work  # moved toward the shallower bottom
    # a very deep person cannot drag the level below the safe bound
    n, c = count(lunge_reps(6, bottom=60.0))
    assert n == 6 and c.work_level >= lo


def assumed(x: np.ndarray, levels: list[CounterLevels]) -> tuple[int, RepCounter]:
    """Count ``x``, offering the counter ``levels[i % len(levels)]`` before sample ``i``."""
    c = RepCounter(LUNGE, CounterConfig())
    n = 0
    for i, v in enumerate(x):
        c.use_levels(levels[i % len(levels)])
        n += c.update(i * DT, float(v)).rep is not None
    return n, c


def test_an_assumed_work_level_holds_only_until_reps_set_it() -> None:
    # bottoms at 131: short of the default threshold (0.6 of 172 -> 100 is 128.8), inside the
    # one an assumed bottom of 110 gives (134.8)
    x = lunge_reps(3, bottom=131.0)
    assert count(x)[0] == 0
    side = replace(LUNGE, work=110.0)
    n, c = assumed(x, [side])
    assert n == 3
    learned = c.work_level
    assert learned > 110.0 + 1.0  # the reps moved it toward their bottoms
    # switching to other levels at rest keeps what the reps set
    c.use_levels(LUNGE)
    assert c.work_level == learned
    # bounded like a learned level
    assert assumed(x, [replace(LUNGE, work=200.0)])[1].work_level <= max(LUNGE.work_bounds)


def test_levels_switched_on_every_frame_at_rest_keep_what_was_learned() -> None:
    x = lunge_reps(4, bottom=120.0, top=165.0)
    n, c = assumed(x, [replace(LUNGE, work=110.0), LUNGE])
    assert n == 4
    assert abs(c.start_level - 165.0) < 1.0
    assert c.work_level > 110.0  # learned from the reps, not reset by the switches


def test_levels_offered_during_a_rep_wait_for_the_rest() -> None:
    c = RepCounter(LUNGE, CounterConfig())
    side = replace(LUNGE, work=110.0)
    c.use_levels(side)
    # a dip to 140 leaves the rest but never reaches the work threshold (134.8): no rep
    x = signal([(1.0, 172.0, 172.0), (1.0, 172.0, 140.0), (1.0, 140.0, 172.0),
                (1.0, 172.0, 172.0)])
    i = 0
    while c.state is not CounterState.GOING:
        c.update(i * DT, float(x[i]))
        i += 1
    before = (c.start_level, c.work_level)
    c.use_levels(LUNGE)
    assert (c.start_level, c.work_level) == before == (172.0, 110.0)
    for j in range(i, len(x)):
        assert c.update(j * DT, float(x[j])).rep is None
        c.use_levels(LUNGE)
    assert c.state is CounterState.READY and c.work_level == LUNGE.work  # applied at the rest


def test_a_brief_switch_to_narrower_bounds_at_rest_does_not_start_a_rep() -> None:
    """A bridge resting at 163 from the side (bounds to 165); one frame of levels bounded at
    160 (another view) must neither read the rest as a lift nor lose it."""
    wide = replace(BRIDGE, start_bounds=(100.0, 165.0))
    rng = np.random.default_rng(0)
    x = signal([(3.0, 163.0, 163.0)] + [(1.0, 163.0, 178.0), (0.8, 178.0, 178.0),
                                        (1.0, 178.0, 163.0), (1.5, 163.0, 163.0)] * 3)
    x = np.concatenate([[150.0], x + rng.normal(0.0, 0.3, len(x))])  # lying down, then still
    for flicker in (range(80, 81), range(80, 90)):
        c = RepCounter(BRIDGE, CounterConfig())
        n = 0
        for i, v in enumerate(x):
            c.use_levels(BRIDGE if i in flicker else wide)
            up = c.update(i * DT, float(v))
            n += up.rep is not None
            if i < 85:
                assert up.state in (CounterState.NOT_READY, CounterState.READY), i
        assert n == 3
        assert abs(c.start_level - 163.0) < 1.0


def test_the_assumed_work_level_stays_a_rep_away_from_a_high_rest() -> None:
    # rest at 164 under bounds to 165: the assumed top (165) would leave a 1-degree span
    c = RepCounter(BRIDGE, CounterConfig())
    c.use_levels(replace(BRIDGE, start_bounds=(100.0, 165.0)))
    for i, v in enumerate([150.0] + [164.0] * 40):  # lying down, then still
        c.update(i * DT, v)
    assert c.state is CounterState.READY
    assert c.work_level - c.start_level >= BRIDGE.min_amplitude


def test_levels_in_use_bound_the_rest_a_person_may_have() -> None:
    # bridges from a rest at 163: outside the default start bounds (to 160), inside (to 165)
    x = signal([(1.5, 163.0, 163.0)] + [(1.0, 163.0, 180.0), (0.5, 180.0, 180.0),
                                        (1.0, 180.0, 163.0), (1.0, 163.0, 163.0)] * 3)
    assert count(x, BRIDGE)[0] == 0
    wide = replace(BRIDGE, start_bounds=(100.0, 165.0))
    c = RepCounter(BRIDGE, CounterConfig())
    n = 0
    for i, v in enumerate(x):
        c.use_levels(wide)
        n += c.update(i * DT, float(v)).rep is not None
    assert n == 3 and abs(c.start_level - 163.0) < 1.0
    # back to the narrower levels at rest: the learned start stays, clamped to their bounds
    c.use_levels(BRIDGE)
    assert c.start_level == max(BRIDGE.start_bounds)


def test_start_level_follows_the_baseline_within_bounds() -> None:
    n, c = count(lunge_reps(3, top=163.0))
    assert n == 3 and abs(c.start_level - 163.0) < 2.0
    n, c = count(lunge_reps(2, top=179.0))
    assert n == 2 and c.start_level <= LUNGE.start_bounds[1]


def test_states_walk_through_a_rep() -> None:
    c = RepCounter(LUNGE, CounterConfig())
    seen = []
    for i, v in enumerate(lunge_reps(1)):
        st_ = c.update(i * DT, float(v)).state
        if not seen or seen[-1] is not st_:
            seen.append(st_)
    assert seen == [CounterState.NOT_READY, CounterState.READY, CounterState.GOING,
                    CounterState.WORK, CounterState.RETURNING, CounterState.READY]


@settings(max_examples=40, deadline=None)
@given(sd=st.floats(0.0, 6.0), base=st.floats(150.0, 180.0), seed=st.integers(0, 10_000),
       drift=st.floats(-10.0, 10.0))
def test_noise_alone_never_makes_a_rep(sd: float, base: float, seed: int, drift: float) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    x = base + np.linspace(0, drift, n) + rng.normal(0, sd, n)
    assert count(x)[0] == 0


@settings(max_examples=30, deadline=None)
@given(sd=st.floats(0.0, 5.0), base=st.floats(120.0, 150.0), seed=st.integers(0, 10_000))
def test_noise_alone_never_makes_a_bridge_rep(sd: float, base: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = base + rng.normal(0, sd, 400)
    assert count(x, BRIDGE)[0] == 0


def test_nan_progress_when_no_signal() -> None:
    c = RepCounter(LUNGE, CounterConfig())
    assert math.isnan(c.update(0.0, math.nan).progress)


def test_an_opening_still_in_the_work_zone_then_a_rep_further_was_a_rest() -> None:
    # lying still at 156 (work for the assumed 135 -> 165), then lifting to 178: the top is
    # the top, so 156 was a rest; the lift is a rep from it, which also sets the work level
    x = signal([(1.5, 156, 156), (0.8, 156, 178), (1.0, 178, 178), (0.8, 178, 156),
                (1.0, 156, 156)])
    c = RepCounter(BRIDGE, CounterConfig())
    ups = [c.update(i * DT, float(v)) for i, v in enumerate(x)]
    assert sum(u.restarted_ms is not None for u in ups) == 1
    i = next(i for i, u in enumerate(ups) if u.restarted_ms is not None)
    assert ups[i].restarted_ms == 0.0  # the rest began where the stream opened
    assert 156 < x[i] < 170 and ups[i].state is CounterState.GOING
    reps = [u.rep for u in ups if u.rep is not None]
    # the rep starts where the signal left that rest's band (the rise begins at 1500 ms and is
    # 4 deg up at about 1750), and the rest is its level, not raised by the way out
    assert len(reps) == 1 and 1500 <= reps[0].start_ms <= 1750
    assert abs(c.start_level - 156) < 0.5 and c.work_level > 168
    # a stream opening at a still top and lowering from it keeps the opened rep
    top = signal([(1.5, 178, 178), (0.8, 178, 135), (1.0, 135, 135)])
    c = RepCounter(BRIDGE, CounterConfig())
    ups = [c.update(i * DT, float(v)) for i, v in enumerate(top)]
    assert all(u.restarted_ms is None for u in ups) and sum(u.rep is not None for u in ups) == 1


def test_stream_opening_at_the_bottom_counts_that_rep() -> None:
    # a clip cut from a longer recording: the first frame is already at the bottom
    opening = signal([(0.5, 92, 92), (1.0, 92, 172), (0.6, 172, 172)])
    x = np.concatenate([opening, lunge_reps(2, lead_s=0.2)])
    assert count(x)[0] == 3
    # opening standing, then swinging through deep angles (walking in): nothing extra
    walk = 160 + 40 * np.sin(np.arange(60) / 4.0)
    assert count(np.concatenate([walk, lunge_reps(2)]))[0] == 2


def test_stream_opening_on_the_way_down_counts_that_rep() -> None:
    # the recording began as the person went down: the first frame reads standing (a signal
    # measured against the first frame, like the lunge's hip drop, always does)
    for first in (172.0, 150.0):
        opening = signal([(0.6, first, 92), (0.3, 92, 92), (1.0, 92, 172), (0.6, 172, 172)])
        x = np.concatenate([opening, lunge_reps(2, lead_s=0.2)])
        assert count(x)[0] == 3, first
        # counted, not learned from: its start was not seen
        n, c = count(opening)
        assert n == 1 and c.work_level == RepCounter(LUNGE, CounterConfig()).work_level
    # jitter on the way down is still one steady descent
    rng = np.random.default_rng(3)
    x = signal([(0.6, 172, 92), (0.3, 92, 92), (1.0, 92, 172), (0.6, 172, 172)])
    assert count(x + rng.normal(0, 2.0, len(x)))[0] == 1
    # a fall faster than a joint moves is no opening (MediaPipe's first reading of a person)
    glitch = np.concatenate([[171.0, 150.0, 112.0, 73.0, 29.0, 26.0, 94.0, 41.0, 20.0],
                             signal([(0.8, 30, 172), (0.6, 172, 172)])])
    assert count(np.concatenate([glitch, lunge_reps(2)]))[0] == 2
    # a descent that turns back up on the way, briefly, before any rest was seen, is no opening
    turned = signal([(0.3, 172, 140), (0.15, 140, 160), (0.15, 160, 160), (0.5, 160, 92),
                     (0.3, 92, 92), (1.0, 92, 172), (0.6, 172, 172)])
    assert count(turned)[0] == 0
    # nor one after a gap longer than a dropout (the person was seen moving for 0.6 s, then
    # lost for 5 s); seen for two frames only, that reading is forgotten and the descent after
    # the gap opens the stream
    seen = signal([(0.6, 172, 150)])
    assert count(np.concatenate([seen, np.full(150, np.nan), x]))[0] == 0
    assert count(np.concatenate([[172.0, 172.0], np.full(150, np.nan), x]))[0] == 1


def test_a_first_reading_too_brief_for_a_rest_does_not_open_the_stream() -> None:
    # a bridge seen at 3/4 gave a usable hip angle for 0.2 s (92, 66: MediaPipe read the person
    # head at the feet), then none for 2.8 s, then the first rep at its top: the stream opened
    # there, and that rep counts
    top = signal([(0.3, 178, 178), (1.0, 178, 136), (0.8, 136, 136)])
    reps = signal([(0.8, 136, 178), (0.6, 178, 178), (0.8, 178, 136), (0.8, 136, 136)])
    x = np.concatenate([[92.0, 80.0, 66.0, 70.0, 72.0, 66.0], np.full(84, np.nan), top, reps])
    assert count(x, BRIDGE)[0] == 2
    # the same after a first reading lasting longer than a rest takes to be seen (0.4 s),
    # jumping between 140 and 160: the gap ends the opening, as before
    longer = np.concatenate([140.0 + 20.0 * (np.arange(18) % 2), np.full(84, np.nan),
                             top, reps])
    assert count(longer, BRIDGE)[0] == 1
    # a lunge reading blinking at the start, then seen already on the way down
    down = signal([(0.6, 172, 92), (0.3, 92, 92), (1.0, 92, 172), (0.6, 172, 172)])
    blink = np.concatenate([[171.0, 170.0, 172.0], np.full(40, np.nan), down])
    assert count(blink)[0] == 1
    # a first reading that itself opened a rep (at a bridge top) is kept: the gap ends that
    # opening as before (forgotten too, rest noise with dropouts counted more reps)
    at_top = np.concatenate([[170.0, 171.0, 170.0], np.full(40, np.nan), top, reps])
    assert count(at_top, BRIDGE)[0] == 1


def test_walking_in_toward_deep_angles_first_is_not_a_rep() -> None:
    # the stream opens on a step swinging toward deep knee angles and back within the step: the
    # opening rep is timed from the work zone and is back at the start sooner than a rep lasts.
    # (Where the stream opens swinging up, phases 1-3.75, the counter can take the upswing for
    # a rest and the next swing for a rep: 12 of 26 phases count 3-4 of 2, 15 before openings on
    # the way down counted.)
    for phase in (4.75, 5.25, 5.75, 0.0, 0.25, 0.5, 0.75):
        walk = 150 - 35 * np.sin(np.arange(60) / 4.0 + phase)
        assert count(np.concatenate([walk, lunge_reps(2)]))[0] == 2, phase


def test_noise_at_a_rest_the_levels_call_half_way_is_not_reps() -> None:
    # Lying at 150 deg with 4 deg of noise, against an assumed rest of 135 and top of 165: the
    # first sample read 161 (an opening "in the working position"), and every low sample after
    # it read as a return. Cases hypothesis found for the property test below.
    for seed in (684, 5949):
        x = 150.0 + np.random.default_rng(seed).normal(0.0, 4.0, 400)
        assert count(x, BRIDGE)[0] == 0, seed
    # ... and noise that drifted up from a low first sample into the work zone (an opening "on
    # the way up") and a low sample 0.5 s later (its "return"): such an opening rep must reach
    # the work level assumed (165), not just the zone. Found by the property test below and a
    # scan of 4000 noise streams.
    for sd, seed in ((3.5, 4898), (3.5, 193), (4.0, 8), (4.0, 193)):
        x = 150.0 + np.random.default_rng(seed).normal(0.0, sd, 400)
        assert count(x, BRIDGE)[0] == 0, (sd, seed)


def test_a_bridge_the_stream_opened_in_counts_only_if_it_reached_the_work_level() -> None:
    # the recording began on the way up a bridge (hips at 150), the top reads 170 or 158
    # against an assumed 165: only the first shows the rep's top; the second may be noise
    # around a rest (a bridge may rest where its work zone begins). A lunge may not, and its
    # opening rep counts from the work zone: a bottom of 125 against an assumed 100.
    x = signal([(0.3, 160, 125), (0.5, 125, 125), (0.8, 125, 172), (1.0, 172, 172)])
    assert count(x, LUNGE)[0] == 1
    for top, reps in ((170.0, 1), (158.0, 0)):
        x = signal([(0.3, 150, top), (0.5, top, top), (0.8, top, 135), (1.0, 135, 135)])
        assert count(x, BRIDGE)[0] == reps, top
        # nor is it a rep the stream ended in
        cut = signal([(0.3, 150, top), (0.5, top, top), (0.5, top, 149)])
        n, c = count(cut, BRIDGE)
        assert n == 0 and (c.pending() is not None) == bool(reps), top


def test_stream_ending_on_the_way_up_reports_a_pending_rep() -> None:
    x = lunge_reps(2)
    last_up = signal([(1.0, 172, 92), (0.3, 92, 92), (0.6, 92, 140)])  # 60% of the way back
    n, c = count(np.concatenate([x, last_up]))
    assert n == 2
    rep = c.pending()
    assert rep is not None and rep.extreme < 100
    # pending does not change the state: the rep still counts if the stream goes on
    assert c.state is CounterState.RETURNING
    # ending at the bottom or barely off it is not a rep
    for stop in (92.0, 110.0):
        cut = signal([(1.0, 172, 92), (0.3, 92, 92), (0.3, 92, stop)])
        n, c = count(np.concatenate([x, cut]))
        assert n == 2 and c.pending() is None


def test_a_rep_window_says_how_long_it_stayed_at_the_work_position() -> None:
    # down in 0.6 s, 4 s at the bottom with the reading leaving the work zone now and then
    # (MediaPipe's knee jumping on a deep hold), back up in 1 s: the time at work runs from
    # first reaching the work position to last leaving it, across those jumps
    bottom = np.full(120, 92.0)
    bottom[30:33] = bottom[70:73] = 150.0  # out of the work zone, not back at the start
    x = np.concatenate([signal([(1.0, 172, 172), (0.6, 172, 92)]), bottom,
                        signal([(1.0, 92, 172), (1.0, 172, 172)])])
    c = RepCounter(LUNGE, CounterConfig())
    wins = [up.rep for i, v in enumerate(x) if (up := c.update(i * DT, float(v))).rep]
    assert len(wins) == 1
    assert 4000.0 <= wins[0].work_ms <= 4900.0
    assert wins[0].work_ms < wins[0].end_ms - wins[0].start_ms
