"""Hold timer: how long the person stays still at the working position, per side.

A hold starts when the signal has stayed near one level for ``stable_window_ms`` at the working
position and ends when the position is left or the working side changes. Near one level means
``STILL_SHARE`` of the window's values within half ``stable_range_deg`` of its median: on
rendered side-view lunge holds MediaPipe's front knee jumps 10-50 deg for a frame or two whenever
a hand or the other leg crosses it. The hold is timed from the first of those values (back-dated
over the window, but not over the end of the way in). Like the rep counter, it carries on
through a gap in the signal up to ``max_gap_ms`` (a knee hidden for a moment) and through a
change of what the signal measures (:meth:`HoldTimer.use_measure`), and a side seen
for less than ``side_switch_ms`` is a flicker of the side estimate, not a switch. Where the side
cannot change at the work position (a lunge's front leg), a change there is no switch at all,
and the hold takes the side it was seen on most: MediaPipe swaps the legs' labels in deep
side-view splits for seconds at a time. Judged on every value and ended by any label swap, 5 of
the 32 rendered side-view lunge holds of seeds 1-32 started late or ended early, and the way
into and out of them counted as a rep; 4 of them are timed holds now.

The position counts as left from the last sample near the hold's level (which follows a slow
drift), not from when the counter leaves the work zone further down the way back. Holds shorter
than ``min_hold_ms`` are pauses, not holds, and are not reported. For the same reason the timer
says whether the signal is still at the hold's level (:attr:`HoldUpdate.at_level`): a slow way
back out of a bridge hold stays in the counter's work zone for a second or more with the hips
already well below the top, and judged as the hold it read as hips sagging during the hold (a
clean rendered bridge was called low).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import dataclass

from formcheck.engine.config import HoldConfig
from formcheck.engine.types import HoldEvent, Side

#: Share of a window's values that must lie within half the stable range of its median for a
#: hold to start: the rest may be jumps of the reading, one way or both.
STILL_SHARE = 0.8
#: Time constant (ms) of the hold level following a slow drift (a bridge sagging over a long hold).
LEVEL_TAU_MS = 2000.0
#: A hold is still at its level this long after its last sample near the level: a jitter spike
#: of a frame or two does not leave the hold; longer, and a hold just above a limit would be
#: judged on the way down past it (a 1 s way back covers 165 -> 155 in 200 ms).
AT_LEVEL_GRACE_MS = 100.0


@dataclass(frozen=True)
class HoldUpdate:
    """The timer after one sample; ``finished`` is set on the frame a reported hold ends."""

    holding: bool
    hold_ms: float
    finished: HoldEvent | None
    still: bool = False  # the signal is still now (a hold carries on until the position is left)
    at_level: bool = False  # holding, and the signal is (still) near the hold's level


class HoldTimer:
    """Feed one sample per frame with :meth:`update`."""

    def __init__(self, cfg: HoldConfig, side_switches_at_work: bool = True) -> None:
        """``side_switches_at_work``: whether the working side may change while held."""
        self._cfg = cfg
        self._side_switches = side_switches_at_work
        self.reset()

    def reset(self) -> None:
        """Forget any hold in progress."""
        self._win: deque[tuple[float, float, Side]] = deque()
        self._start: float | None = None
        self._side = Side.UNKNOWN
        self._sides: Counter[Side] = Counter()  # sides seen during the hold
        self._last_known = 0.0  # last sample with a signal
        self._other_since: float | None = None  # when another side than the hold's showed
        self._level = math.nan  # the hold's signal level, following a slow drift
        self._in_band = 0.0  # last sample within half the stable range of that level
        self._measure: Hashable = None  # what the samples so far measure (:meth:`use_measure`)
        self._next_measure: Hashable = None  # ... and the next one, as last told
        self._levels: dict[Hashable, float] = {}  # the hold's level on each measure it was on

    def update(self, t_ms: float, x: float, at_work: bool, side: Side,
               faults: tuple[str, ...] = ()) -> HoldUpdate:
        """One sample of the counter's signal; ``at_work``: the counter is at the work position."""
        cfg = self._cfg
        finished: HoldEvent | None = None
        known = math.isfinite(x)
        if (at_work and not known and self._start is not None
                and t_ms - self._last_known <= cfg.max_gap_ms):
            # a short gap: the hold carries on, its time as last seen
            return HoldUpdate(True, self._last_known - self._start, None, False,
                              self._last_known - self._in_band <= AT_LEVEL_GRACE_MS)
        if not at_work or not known:
            finished = self._end(self._last_known, faults)
            self._win.clear()
            return HoldUpdate(False, 0.0, finished)
        if self._start is not None and side is not Side.UNKNOWN:
            self._sides[side] += 1
        if (self._side_switches and self._start is not None
                and side not in (self._side, Side.UNKNOWN)):
            if self._other_since is None:
                self._other_since = t_ms
            if t_ms - self._other_since >= cfg.side_switch_ms:  # ended when the switch began
                finished = self._end(self._other_since, faults)
                self._win.clear()
        else:
            self._other_since = None
        if self._next_measure != self._measure:
            self._change_measure(t_ms, x)
        dt = t_ms - self._last_known
        self._last_known = t_ms
        self._win.append((t_ms, x, side))
        while self._win and self._win[0][0] < t_ms - cfg.stable_window_ms:
            self._win.popleft()
        long_enough = self._win[-1][0] - self._win[0][0] >= cfg.stable_window_ms * 0.9
        vals = [v for _, v, _ in self._win]
        level = statistics.median(vals)
        half = cfg.stable_range_deg / 2
        band = [abs(v - level) <= half for v in vals]
        # a hold starts still but for a few jumps, whichever way they go
        steady = long_enough and sum(band) >= STILL_SHARE * len(band)
        # "still now" takes every value: the first frames of a way back out are few, and a
        # hold recognised on them would judge the way down as the top
        still = long_enough and max(vals) - min(vals) <= cfg.stable_range_deg
        if self._start is None and steady:
            # from the first value in the band: the end of the way into the position is not
            # the hold
            inside = [w for w, b in zip(self._win, band, strict=True) if b]
            self._start = inside[0][0]
            self._sides = Counter(sd for _, _, sd in inside if sd is not Side.UNKNOWN)
            self._side = self._sides.most_common(1)[0][0] if self._sides else side
            self._level = level
            self._in_band = t_ms
            self._levels.clear()
        elif self._start is not None and abs(x - self._level) <= half:
            # the level follows a slow drift, not the jumps of the reading
            self._level += (x - self._level) * min(1.0, dt / LEVEL_TAU_MS)
            self._in_band = t_ms
        if self._start is None:
            return HoldUpdate(False, 0.0, finished, still)
        return HoldUpdate(True, t_ms - self._start, finished, still,
                          t_ms - self._in_band <= AT_LEVEL_GRACE_MS)

    def use_measure(self, measure: Hashable) -> None:
        """Say what the next samples measure (any key; the same key, the same measure).

        The lunge is counted on the knee angle from the side and on a depth estimate
        elsewhere, tens of degrees apart for one pose: read against the other's level, a hold
        would end at a change of view.
        """
        self._next_measure = measure

    def _change_measure(self, t_ms: float, x: float) -> None:
        """Carry a hold on across a change of measure.

        A hold at its level until now carries on at this sample's level on a new measure, and
        at its own level on a measure it was on before. Kept per measure, a view flickering back
        and forth cannot walk the level away with the way out of a hold.
        """
        new = self._next_measure
        self._win.clear()  # still or steady on one measure, not across two
        if self._start is None:
            self._levels.clear()
        else:
            self._levels[self._measure] = self._level
            if new in self._levels:
                self._level = self._levels[new]
            elif self._last_known - self._in_band <= AT_LEVEL_GRACE_MS:
                self._level = x
                self._in_band = t_ms
        self._measure = new

    def _end(self, t_ms: float, faults: tuple[str, ...]) -> HoldEvent | None:
        ev = self._event(t_ms, faults)
        self._start = None
        self._other_since = None
        return ev

    def _event(self, t_ms: float, faults: tuple[str, ...]) -> HoldEvent | None:
        """The hold in progress ending at ``t_ms``, or at its last sample near its level."""
        start = self._start
        if start is None:
            return None
        t_ms = min(t_ms, self._in_band)
        if t_ms - start < self._cfg.min_hold_ms:
            return None
        side = self._side
        if not self._side_switches and self._sides:
            side = self._sides.most_common(1)[0][0]
        return HoldEvent(side, round(start), round(t_ms), faults)

    def finish(self, faults: tuple[str, ...] = ()) -> HoldEvent | None:
        """End the hold in progress at the last sample with a signal; the timer starts afresh."""
        ev = self._end(self._last_known, faults)
        self._win.clear()
        return ev

    def flush(self, faults: tuple[str, ...] = ()) -> HoldEvent | None:
        """The hold in progress as if the stream ended at the last sample.

        The timer carries on: a summary may be taken mid-session.
        """
        return self._event(self._last_known, faults)
