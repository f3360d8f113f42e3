"""One generic repetition counter over a smoothed scalar signal; emits rep windows, draws nothing.

The signal runs from a start level (standing knee ~172 deg, lying hip ~135 deg) toward a work
level (lunge bottom ~95 deg, bridge top ~178 deg); either direction works because everything is
judged on ``progress = (x - start) / (work - start)``. Two thresholds far apart (enter the work
position at ``work_enter_progress``, back at the start below ``return_progress``) and a minimum
time at the work position mean jitter around either threshold can never produce a second count:
a rep needs the whole way from start to work and back (or, where another reading of the movement
agrees, back most of a deep rep's own depth: :meth:`RepCounter._returned`). A rep counts on the
return to the start (counting begins only once the person has stood, or lain, still at the start
for ``ready_dwell_ms``), or on keeping still for as long at another plausible rest: one inside
the start bounds, or the level the movement kept still at on its way to the work zone (someone
who steps into a split stance and does split squats from there comes back to the stance, not to
standing).

Both levels adapt to the person: the start level to their own baseline at rest, the work level to
the extremes of their reps, each clamped to safe bounds from the exercise spec. The caller may
offer other levels at rest (:meth:`RepCounter.use_levels`) when its signal reads differently, as
the engine does by view.

Streams cut from longer recordings start and end mid-rep. A stream whose signal is already in the
work zone on its first sample, or gets there moving steadily toward it from its first sample (no
faster than a joint moves), opened mid-rep: that rep counts when it returns to the start (the
descent began before the recording). A dropout longer than ``max_dropout_ms`` ends an opening,
except after a first reading too brief to be a rest (under ``ready_dwell_ms``) that started
nothing: the counter forgets it, and the stream opens anew at its next sample, as if it began
there. A signal measured against the person's own first frame, as the lunge's hip drop is, starts
at the start level (unless that frame was a blip the counter forgot): a stream that opens on the
way down then only ever shows the approach. Where a rest can lie in the work zone (a bridge), such
a rep counts only if it reached the work level (the top the levels assume), not just the work zone,
as noise around a rest can (see :meth:`RepCounter._countable`). It is timed from the work zone,
where the counter first saw it: someone walking in swings through deep knee angles but is back up
within a step, sooner than a rep lasts. It does not set the work level either: MediaPipe's first
reading of a person once read a knee falling from 171 to 8 deg in a second. But an opening that
lies still in the work zone, at a level the start bounds allow, and then goes a rep's minimum
amplitude further was a rest the assumed levels call work (a top is the top): a rep from that rest
is then in progress, and :attr:`CounterUpdate.restarted_ms` says so. From the side a bridge may
rest at up to 165 deg, where a low bridge tops out: a stream that opens in a low bridge held still
and then rises 10 deg higher is taken to have opened at rest, and that first hold is not timed. A
lunge's start bounds lie outside its work zone, so there this never applies.

A stream that ends after a rep reached the work position and came back at least
``end_return_progress`` of the way is a rep the recording cut short: :meth:`RepCounter.pending`
reports it without changing state.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from formcheck.engine.config import CounterConfig


class CounterState(Enum):
    """Where the counter is in a rep."""

    NOT_READY = "not_ready"  # no signal, wrong posture, or not yet still at the start
    READY = "ready"  # at the start position
    GOING = "going"  # left the start, work position not reached yet
    WORK = "work"  # at the work position
    RETURNING = "returning"  # left the work position, not back at the start yet


@dataclass(frozen=True)
class _OpeningRest:
    """A still stretch of a stream opened in the work zone, at a level the start bounds allow."""

    level: float
    last_ms: float  # the last sample still at that level
    values: tuple[float, ...]


#: No movement in progress.
_AT_REST = (CounterState.NOT_READY, CounterState.READY)


@dataclass(frozen=True)
class CounterLevels:
    """Per-exercise signal levels; ``*_bounds`` are the safe ranges adaptation stays in."""

    start: float
    work: float
    start_bounds: tuple[float, float]
    work_bounds: tuple[float, float]
    min_amplitude: float


@dataclass(frozen=True)
class RepWindow:
    """A completed rep's timing and extreme signal value."""

    start_ms: float
    bottom_ms: float
    end_ms: float
    extreme: float
    amplitude: float
    # from first reaching the work position to last leaving it: a rep whose reading is too
    # unsteady to time a hold can still show it stayed down longer than any rep does
    work_ms: float = 0.0


@dataclass(frozen=True)
class CounterUpdate:
    """The counter after one sample."""

    state: CounterState
    progress: float
    rep: RepWindow | None
    start_level: float
    work_level: float
    # The stream's still opening in the work zone turned out to be a rest, left on this sample:
    # whatever was timed or logged since this time (when the stream opened) was lying or
    # standing, not a hold or a rep. None: no such rest.
    restarted_ms: float | None = None


def _clamp(x: float, bounds: tuple[float, float]) -> float:
    lo, hi = min(bounds), max(bounds)
    return max(lo, min(hi, x))


def _faster_than(dx: float, dt_ms: float, max_rate_deg_s: float) -> bool:
    """Whether a change of ``dx`` degrees in ``dt_ms`` is faster than a joint moves.

    NaN-safe: a change from or to NaN is not (there is nothing to compare).
    """
    return abs(dx) > max_rate_deg_s * dt_ms / 1000.0


class SpikeGate:
    """Drops samples of a signal that jump faster than a joint moves, for a short while.

    MediaPipe mixing the legs up at a lunge's bottom makes the knee angle read standing for a
    frame or two; passed to the counter, that is a return and splits the rep. A sample is
    compared with the last one let through; a change faster than ``max_rate_deg_s`` over the
    time since the previous sample is dropped (NaN, which the counter bridges as a dropout),
    unless the last sample let through is older than ``max_spike_ms``: then the signal has
    really moved and is followed.
    """

    def __init__(self, max_rate_deg_s: float, max_spike_ms: float) -> None:
        self._max_rate_deg_s = max_rate_deg_s
        self._max_spike_ms = max_spike_ms
        self._kept = math.nan
        self._kept_ms = -math.inf
        self._prev_ms: float | None = None

    def __call__(self, t_ms: float, x: float) -> float:
        """``x``, or NaN when it is a spike."""
        dt = t_ms - self._prev_ms if self._prev_ms is not None else math.inf
        self._prev_ms = t_ms
        if not math.isfinite(x):
            return x
        if (math.isfinite(self._kept) and t_ms - self._kept_ms <= self._max_spike_ms
                and _faster_than(x - self._kept, dt, self._max_rate_deg_s)):
            return math.nan
        self._kept, self._kept_ms = x, t_ms
        return x


class RepCounter:
    """Hysteresis + dwell state machine; feed one sample per frame with :meth:`update`."""

    def __init__(self, levels: CounterLevels, cfg: CounterConfig) -> None:
        self._levels = levels
        self._cfg = cfg
        self.reset()

    def reset(self) -> None:
        """Back to not ready, with the levels in use as assumed (recalibration)."""
        self.state = CounterState.NOT_READY
        self._last_valid_ms = -math.inf
        self._other = math.nan  # the other reading of the last sample (:meth:`update`)
        self._still: deque[tuple[float, float]] = deque()
        self._rest: deque[float] = deque(maxlen=45)
        self._rep_start_ms = 0.0
        self._work_since: float | None = None  # this rep reached the work zone (kept to its end)
        self._work_last_ms = 0.0  # this rep's last sample at the work position
        self._extreme = math.nan
        self._extreme_ms = 0.0
        self._left_start_ms = 0.0
        self._first_valid_ms: float | None = None
        self._never_left_not_ready = True
        self._open_again()
        self._last_progress = math.nan
        self._last_t_ms = 0.0
        self._from_rest = False
        # a stream opened in the work zone: the last still stretch there at a plausible rest
        # level (its level, when it was last still, its samples)
        self._opening_rest: _OpeningRest | None = None
        self._opened_ms = 0.0  # when the stream opened mid-rep
        # the rest and work levels the person has shown, before clamping (NaN: not yet)
        self._rest_level = math.nan
        self._work_seen = math.nan
        self._place_levels()
        self._set_out()

    @property
    def from_rest(self) -> bool:
        """Whether the movement in progress left a rest the counter saw.

        Not so for a stream opened mid-rep, whose first frame may as well be an unusual rest.
        """
        return self._from_rest and self.state not in _AT_REST

    def use_levels(self, levels: CounterLevels) -> None:
        """Assume ``levels`` and bound adaptation by them from now on, applied at rest only.

        The caller's signal may read differently by view (the lunge: the knee angle from the
        side, a depth estimate elsewhere; a bridge top reads lower from the feet), and so do the
        levels worth assuming. What the person's rest and reps have shown is kept and placed
        inside the new bounds; a rest the new bounds exclude is no rest until one is seen again
        (else a brief switch would read it as the start of a rep). A rep in progress keeps the
        thresholds it started with.
        """
        if levels == self._levels or self.state not in _AT_REST:
            return
        self._levels = levels
        if self._first_valid_ms is not None:
            self._opening = False  # an approach measured against other levels is none
        self._place_levels()
        if (self.state is CounterState.READY and math.isfinite(self._rest_level)
                and self.start_level != self._rest_level):
            self.state = CounterState.NOT_READY
            self._still.clear()

    def _place_levels(self) -> None:
        """Start and work levels from what was learned (else assumed), inside the bounds in use.

        Until reps set it, the work level stays at least a rep's minimum amplitude past the
        start: a rest near the assumed top (a bridge with the feet far out) would otherwise
        leave a span of a degree or two, in which jitter reads as lifts.
        """
        lv = self._levels
        rest = self._rest_level
        self.start_level = _clamp(rest if math.isfinite(rest) else lv.start, lv.start_bounds)
        if math.isfinite(self._work_seen):
            self.work_level = _clamp(self._work_seen, lv.work_bounds)
            return
        way = math.copysign(1.0, lv.work - lv.start)
        reach = max(way * (lv.work - self.start_level), lv.min_amplitude)
        self.work_level = _clamp(self.start_level + way * reach, lv.work_bounds)

    def progress(self, x: float) -> float:
        """Signal as 0 (start) .. 1 (work level); NaN for NaN."""
        span = self.work_level - self.start_level
        return (x - self.start_level) / span if abs(span) > 1e-9 else math.nan

    def update(self, t_ms: float, x: float, ready: bool = True,
               other: float = math.nan) -> CounterUpdate:
        """One sample; ``ready`` False (wrong posture, body not visible) counts as a dropout.

        ``other``: the same movement read from other landmarks, on the signal's scale (the
        side-view lunge's hips' drop for its knee angle), or NaN. Only where it reads back at
        the start too may a rep be back on its own depth (:meth:`_returned`).
        """
        cfg = self._cfg
        self._other = other
        if not ready or not math.isfinite(x):
            if t_ms - self._last_valid_ms > cfg.max_dropout_ms:
                self.state = CounterState.NOT_READY
                self._still.clear()
                if self._first_valid_ms is not None:
                    if self._first_reading_was_a_blip():
                        self._open_again()
                    else:
                        self._opening = False  # an opening is one unbroken approach
            return CounterUpdate(self.state, math.nan, None, self.start_level, self.work_level)
        self._last_valid_ms = t_ms
        if self._first_valid_ms is None:
            self._first_valid_ms = t_ms
        p = self.progress(x)
        self._last_progress, self._last_t_ms = p, t_ms
        rep: RepWindow | None = None
        restarted_ms: float | None = None
        st = self.state
        if st is CounterState.NOT_READY and self._opened_mid_rep(t_ms, x, p):
            # the stream opened mid-rep: the descent began before the first frame. The rep is
            # timed from here: a step of someone walking in is back at the start sooner than
            # a rep lasts (min_rep_ms)
            self.state = CounterState.GOING
            self._from_rest = False
            self._opening_rest = None
            self._opened_ms = t_ms
            self._rep_start_ms = t_ms
            self._extreme, self._extreme_ms = x, t_ms
            self._work_since = None
            self._set_out()
            st = self.state
        if st is CounterState.NOT_READY:
            # ready once still for the dwell time, either near the assumed start or anywhere
            # inside the safe start bounds (a person whose rest angle is unusual)
            self._remember_still(t_ms, x)
            vals = [v for _, v in self._still]
            long_enough = t_ms - self._still[0][0] >= cfg.ready_dwell_ms * 0.9
            near_start = long_enough and all(
                self.progress(v) <= cfg.return_progress for v in vals)
            if near_start or self._still_rest_level(t_ms) is not None:
                self.state = CounterState.READY
                self._rest.clear()
                self._rest.extend(vals)
                self._adapt_start()
                self._left_start_ms = t_ms
        elif st is CounterState.READY:
            if p > cfg.return_progress:
                self.state = CounterState.GOING
                self._from_rest = True
                self._still.clear()
                self._set_out()
                self._rep_start_ms = self._left_start_ms
                self._extreme, self._extreme_ms = x, t_ms
                self._work_since = None
            else:
                self._left_start_ms = t_ms
                if p <= cfg.rest_learn_progress:  # keep descents out of the rest baseline
                    self._rest.append(x)
                    self._adapt_start()
        else:
            if self.progress(x) > self.progress(self._extreme):
                self._extreme, self._extreme_ms = x, t_ms
            if st is CounterState.GOING:
                self._note_launch(t_ms, x)
                if p >= cfg.work_enter_progress:
                    if self._work_since is None:
                        self._work_since = t_ms
                    if t_ms - self._work_since >= cfg.min_work_ms:
                        self.state = CounterState.WORK
                        self._work_last_ms = t_ms
                else:
                    self._work_since = None
                    if not self._from_rest:
                        # an opening in the working position stays there; one that does not
                        # was a glitch or noise, not a rep the stream opened in
                        self._await_still_rest()
                    elif p <= cfg.return_progress:  # partial rep: no count
                        self._back_to_start(t_ms)
            elif st is CounterState.WORK:
                self._remember_still(t_ms, x)
                self._work_last_ms = t_ms
                if not self._from_rest and self._opening_was_a_rest(t_ms, x):
                    # still at its opening, then a whole rep's amplitude further the same way:
                    # a top is the top, so the stream opened at a rest the assumed levels call
                    # work (a bridge from the feet read lying at 154-158 against 135 assumed)
                    self._start_from_opening_rest()
                    restarted_ms = self._opened_ms
                    p = self.progress(x)
                elif p < cfg.work_enter_progress:
                    self.state = CounterState.RETURNING
                elif self._settled(t_ms):
                    # came back down and lay still at a rest level the assumed levels call
                    # "work" (a bridge with the feet far out rests at ~158 deg): a new start
                    rep = self._settle_at_new_start(t_ms)
            elif st is CounterState.RETURNING:
                self._remember_still(t_ms, x)
                if p >= cfg.work_enter_progress:
                    self.state = CounterState.WORK
                elif self._returned(t_ms, p):
                    rep = self._finish(t_ms)
                    self._back_to_start(t_ms)
                    if not self._from_rest:
                        self._await_still_rest()
                elif self._settled(t_ms):
                    # came to rest short of the old start (a single-leg bridge lowers to a
                    # higher hip angle than lying flat): that rest is the new start
                    rep = self._settle_at_new_start(t_ms)
        if self.state is not CounterState.NOT_READY:
            self._opening = False
            self._never_left_not_ready = False
        return CounterUpdate(self.state, p, rep, self.start_level, self.work_level,
                             restarted_ms)

    def _set_out(self) -> None:
        """A movement begins: where it may keep still on its way is not known yet."""
        self._going: deque[tuple[float, float]] = deque()
        self._launch = math.nan

    def _note_launch(self, t_ms: float, x: float) -> None:
        """Remember a level the movement kept still at on its way to the work zone.

        Someone who steps into a split stance and does split squats from there goes back up to
        that stance, not to standing. From the side the front knee there reads near standing;
        from the front the lunge's depth estimate reads it a third of the way down (144 deg on
        the knee scale where the knee is 166-172), outside the start bounds and short of the
        return to the start, and two reps read as one. Still there again, the person is at rest
        (:meth:`_settled`).
        """
        self._keep_dwell(self._going, t_ms, x)
        level = self._still_level(self._going, t_ms)
        if level is not None:
            self._launch = level

    def _at_launch(self, x: float) -> bool:
        """Whether ``x`` is back at the launch level or nearer the start (+- half still range)."""
        if not math.isfinite(self._launch):
            return False
        way = math.copysign(1.0, self.work_level - self.start_level)
        return way * (x - self._launch) <= self._cfg.ready_still_range_deg / 2

    def _first_reading_was_a_blip(self) -> bool:
        """Whether all the stream showed before this dropout was under ``ready_dwell_ms``.

        Too short to be still at a rest, and nothing came of it: a first reading that did not
        hold (a bridge seen at 3/4 gave a hip angle for 0.2 s, then none for 2.8 s until its
        first top, MediaPipe having read the resting person head at the feet). A first reading
        that opened a rep is kept: the counter acted on it (forgotten too, bridge rest noise
        with dropouts counted a rep more often, ``bench/opening_gaps.py``).
        """
        assert self._first_valid_ms is not None
        return (self._never_left_not_ready
                and self._last_valid_ms - self._first_valid_ms < self._cfg.ready_dwell_ms)

    def _open_again(self) -> None:
        """The stream opens at its next sample (a new stream, or after a blip)."""
        self._first_valid_ms = None
        # still moving steadily toward the work level since the first sample, no faster than a
        # joint moves (the highest progress so far, the last sample)
        self._opening = True
        self._opening_furthest = -math.inf
        self._opening_samples = 0
        self._opening_last = (-math.inf, math.nan)

    def _opened_mid_rep(self, t_ms: float, x: float, p: float) -> bool:
        """Whether this sample, while not ready, shows a stream that opened mid-rep.

        It did if its first sample is in the work zone, or if it got there in at least
        ``opening_min_steps`` steps, never further back than the still range from the furthest
        point so far and never faster than a joint moves. The first sample in the work zone ends
        the opening either way.
        """
        if not self._opening:
            return False
        cfg = self._cfg
        self._opening_samples += 1
        prev_t, prev_x = self._opening_last
        jump = _faster_than(x - prev_x, t_ms - prev_t, cfg.max_signal_rate_deg_s)
        span = abs(self.work_level - self.start_level)
        still = cfg.ready_still_range_deg / span if span > 1e-9 else math.inf  # in progress
        self._opening = p >= self._opening_furthest - still and not jump
        self._opening_furthest = max(self._opening_furthest, p)
        self._opening_last = (t_ms, x)
        if p < cfg.work_enter_progress:
            return False
        steady = self._opening and self._opening_samples > cfg.opening_min_steps
        self._opening = False
        return self._opening_samples == 1 or steady

    def _opening_was_a_rest(self, t_ms: float, x: float) -> bool:
        """Whether an opening lay still in the work zone and has now gone past it.

        Still for the dwell time at a level inside the start bounds, and now ``min_amplitude``
        beyond that level toward the work level. Only a still window whose newest sample is
        still at its level is taken: later ones hold the start of the way out, which would
        raise the level and delay the rep's start.
        """
        level = self._still_rest_level(t_ms)
        if level is not None and abs(x - level) <= self._cfg.ready_still_range_deg / 2:
            self._opening_rest = _OpeningRest(level, t_ms, tuple(v for _, v in self._still))
        if self._opening_rest is None:
            return False
        way = math.copysign(1.0, self.work_level - self.start_level)
        return way * (x - self._opening_rest.level) >= self._levels.min_amplitude

    def _start_from_opening_rest(self) -> None:
        """Take the still opening for the rest it was: a rep from it is now in progress."""
        assert self._opening_rest is not None
        rest = self._opening_rest
        self._opening_rest = None
        self._rest.clear()
        self._rest.extend(rest.values)
        self._adapt_start()
        self._from_rest = True
        self._rep_start_ms = rest.last_ms
        self.state = CounterState.GOING
        self._work_since = None
        self._still.clear()
        self._set_out()

    def _still_rest_level(self, t_ms: float) -> float | None:
        """The level of the last ``ready_dwell_ms``, if it was still there; else None.

        Still: within ``ready_still_range_deg``, at a level the start bounds allow (a rest, as far
        as the levels can tell).
        """
        level = self._still_level(self._still, t_ms)
        return level if level is not None and self._in_start_bounds(level) else None

    def _in_start_bounds(self, level: float) -> bool:
        """Whether ``level`` is one the start bounds allow for a rest."""
        lo, hi = min(self._levels.start_bounds), max(self._levels.start_bounds)
        return lo <= level <= hi

    def _still_level(self, window: deque[tuple[float, float]], t_ms: float) -> float | None:
        """``window``'s median if it spans the dwell time within the still range, else None."""
        cfg = self._cfg
        if not window or t_ms - window[0][0] < cfg.ready_dwell_ms * 0.9:
            return None
        vals = [v for _, v in window]
        if max(vals) - min(vals) > cfg.ready_still_range_deg:
            return None
        return statistics.median(vals)

    def pending(self) -> RepWindow | None:
        """The rep a stream ended in, if it came back far enough; the state is not changed.

        It must have reached the work position and come back at least ``end_return_progress``
        of the way to the start.
        """
        if self.state is not CounterState.RETURNING or not math.isfinite(self._last_progress):
            return None
        if (self._last_progress > 1.0 - self._cfg.end_return_progress
                or not self._countable(self._last_t_ms)):
            return None
        return RepWindow(self._rep_start_ms, self._extreme_ms, self._last_t_ms, self._extreme,
                         abs(self._extreme - self.start_level), self._work_ms(self._last_t_ms))

    def _settle_at_new_start(self, t_ms: float) -> RepWindow | None:
        """Finish the rep; the still values just seen become the start level.

        The rep ended when that stillness began, not a dwell time later when it was sure: a
        spike into the work zone that is followed by a slow drift (a leg lifting as the hips
        rise) is a twitch by its own length.
        """
        rest = [v for _, v in self._still]
        rep = self._finish(self._still[0][0] if self._still else t_ms)
        self._back_to_start(t_ms)
        self._rest.clear()
        self._rest.extend(rest)
        self._adapt_start()
        return rep

    def _remember_still(self, t_ms: float, x: float) -> None:
        self._keep_dwell(self._still, t_ms, x)

    def _keep_dwell(self, window: deque[tuple[float, float]], t_ms: float, x: float) -> None:
        """Add a sample to ``window``, which keeps the last ``ready_dwell_ms`` of them."""
        window.append((t_ms, x))
        while window and window[0][0] < t_ms - self._cfg.ready_dwell_ms:
            window.popleft()

    def _back_to_start(self, t_ms: float) -> None:
        self.state = CounterState.READY
        self._left_start_ms = t_ms
        self._work_since = None
        self._still.clear()

    def _await_still_rest(self) -> None:
        """After a movement the stream opened in, wait for a still rest before the next rep.

        The start level is then only assumed: noise around a rest the assumptions call half-way
        to the work level (a bridge lying at 150 deg against an assumed 135) would otherwise
        read as reps, each return to the assumed start on a low sample.
        """
        self.state = CounterState.NOT_READY
        self._still.clear()
        self._opening_rest = None

    def _settled(self, t_ms: float) -> bool:
        """Still for the dwell time at a plausible rest level, clearly away from the work zone.

        Plausible: inside the start bounds, or where this movement kept still on its way to the
        work zone (a split stance that the lunge's depth estimate reads part-way down).

        Clearly away: below the work threshold by a margin, or at least a rep's minimum
        amplitude back from this rep's extreme (the levels assumed so far may be wrong).
        """
        level = self._still_level(self._still, t_ms)
        if level is None or not (self._in_start_bounds(level) or self._at_launch(level)):
            return False
        back = ((self._extreme - level) * math.copysign(1.0, self._extreme - self.start_level)
                if math.isfinite(self._extreme) else math.nan)
        cfg = self._cfg
        return (self.progress(level) <= cfg.work_enter_progress - cfg.rest_margin_progress
                or back >= self._levels.min_amplitude)

    def _countable(self, end_ms: float) -> bool:
        """Whether the movement in progress, ending at ``end_ms``, was big and long enough.

        Where a rest the start bounds allow can lie in the work zone (a bridge's, not a
        lunge's), a rep the stream opened in must have reached the work level, not just the
        zone: its start was not seen, and noise around a rest the assumed levels put half-way
        (lying at 150 deg against 135 and 165, 3.5-4 deg of noise) drifts into the zone and
        out again: 3 of 1000 such streams counted a rep when the zone was enough. A lunge's
        opening rep still counts from the zone, where no rest its start bounds allow can lie
        (asked to reach the work level, front-view lunges opened mid-rep lost their first rep).
        """
        amp = abs(self._extreme - self.start_level)
        if amp < self._levels.min_amplitude or end_ms - self._rep_start_ms < self._cfg.min_rep_ms:
            return False
        if self._from_rest or not self._rest_can_be_work():
            return True
        return self.progress(self._extreme) >= 1.0

    def _rest_can_be_work(self) -> bool:
        """Whether the threshold into the work zone lies inside the start bounds."""
        enter = self.start_level + self._cfg.work_enter_progress * (
            self.work_level - self.start_level)
        return self._in_start_bounds(enter)

    def _finish(self, t_ms: float) -> RepWindow | None:
        if not self._countable(t_ms):
            return None
        amp = abs(self._extreme - self.start_level)
        if self._from_rest:
            # adapt the work level toward this rep's extreme, a little short of it; not to a rep
            # the stream opened in, whose start was not seen (a first reading of a knee falling
            # from 171 to 8 deg set the work level to 80, and no later rep reached it)
            target = self.start_level + (self._extreme - self.start_level) * (
                1.0 - self._cfg.adapt_margin_progress)
            self._work_seen = self.work_level + self._cfg.adapt_rate * (target - self.work_level)
            self.work_level = _clamp(self._work_seen, self._levels.work_bounds)
        return RepWindow(self._rep_start_ms, self._extreme_ms, t_ms, self._extreme, amp,
                         self._work_ms(t_ms))

    def _returned(self, t_ms: float, p: float) -> bool:
        """Whether a rep on its way back, at progress ``p`` now, is back at the start.

        Within ``return_progress`` of the start, or, where the other reading is back there (see
        :meth:`update`), within that share of this rep's own depth, never further from the start
        than ``return_progress_max`` of the range the levels assume (from the start the person
        rests at to the work level assumed, not one adapted to earlier reps), and judged on the
        median of the last ``min_work_ms``: one sample is no return, as it is no bottom (a slow
        misreading at the bottom does not split a rep). Between two deep split squats (the knee
        at 75-85 deg) MediaPipe read the front knee at 142-152 deg where it was 161, the legs'
        labels trading, short of the 155 a return from a standing 174 needs, and two reps read
        as one: back 70 deg of a 95-deg rep is back up, and the hips' drop read 168-180 there.
        In a 10 s hold whose knee read 76-180 where it was 85-90, the knee read 142-156 for 0.3
        s with the hips reading 55-88: alone, the knee's own depth made that a return and the
        hold three reps. Not for a rep the stream opened in: its start was not seen, nor its
        extreme trusted.
        """
        cfg = self._cfg
        if p <= cfg.return_progress:
            return True
        if not (self._from_rest and self.progress(self._other) <= cfg.return_progress):
            return False  # NaN-safe
        way = math.copysign(1.0, self._levels.work - self.start_level)
        own = min(cfg.return_progress * way * (self._extreme - self.start_level),
                  cfg.return_progress_max * abs(self._levels.work - self.start_level))
        recent = [v for tt, v in self._still if tt >= t_ms - cfg.min_work_ms]  # this one too
        return bool(recent) and way * (statistics.median(recent) - self.start_level) <= own

    def _work_ms(self, end_ms: float) -> float:
        """Time at the work position, up to the rep's end (a rest it settled at ends it earlier).

        Only asked of a rep that reached the work position, so ``_work_last_ms`` is this rep's.
        """
        if self._work_since is None:
            return 0.0
        return max(0.0, min(self._work_last_ms, end_ms) - self._work_since)

    def _adapt_start(self) -> None:
        if len(self._rest) >= 3:
            self._rest_level = float(np.median(np.fromiter(self._rest, float)))
            self._place_levels()
