"""Collects a session's reps, holds and fault spans from FrameResults and saves them on exit.

Works on the same per-frame values every sink gets, so live mode and the routine record history
the same way; times are seconds from the first frame.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

from formcheck.coach.history import (
    FaultRecord,
    HistoryStore,
    HoldRecord,
    RepRecord,
    SessionRecord,
    SetRecord,
)
from formcheck.coach.routine import SetOutcome
from formcheck.engine.types import Exercise, FrameResult, Severity
from formcheck.errors import FormcheckError

FAULT_MERGE_MS = 500  # a fault that comes back within this gap is the same occurrence


class SessionRecorder:
    """Accumulates one session; :meth:`record` turns it into a :class:`SessionRecord`."""

    def __init__(self) -> None:
        self.first_ms: int | None = None
        self.last_ms = 0
        self.frames_with_pose = 0
        self.reps: list[RepRecord] = []
        self.holds: list[HoldRecord] = []
        self.faults: list[FaultRecord] = []
        self._hold: tuple[str, str, int, int] | None = None  # exercise, side, start, last ms
        self._hold_ms = 0
        self._open_faults: dict[str, tuple[int, int]] = {}  # code -> (start_ms, last seen ms)

    def _s(self, t_ms: int) -> float:
        return (t_ms - (self.first_ms or 0)) / 1000.0

    def update(self, result: FrameResult) -> None:
        """Feed one frame."""
        t = result.t_ms
        if self.first_ms is None:
            self.first_ms = t
        self.last_ms = t
        if result.pose.found:
            self.frames_with_pose += 1
        if result.rep is not None:
            rep = result.rep
            self.reps.append(RepRecord(result.exercise.value, rep.side.value, rep.index,
                                       self._s(rep.start_ms), self._s(rep.end_ms), rep.faults))
        self._track_hold(result)
        self._track_faults(result)

    def _track_hold(self, result: FrameResult) -> None:
        # One hold lasts while hold_ms keeps growing; the side is the one it started on (the
        # per-frame side estimate may flicker in a deep split without ending the hold).
        exercise = result.exercise.value
        if self._hold is not None and (result.hold_ms <= 0 or exercise != self._hold[0]
                                       or result.hold_ms < self._hold_ms):
            self._close_hold()
        self._hold_ms = result.hold_ms
        if result.hold_ms > 0 and result.exercise is not Exercise.UNKNOWN:
            if self._hold is None:
                self._hold = (exercise, result.side.value, result.t_ms - result.hold_ms,
                              result.t_ms)
            else:
                self._hold = (*self._hold[:3], result.t_ms)

    def _close_hold(self) -> None:
        if self._hold is not None:
            exercise, side, start, last = self._hold
            if last > start:
                self.holds.append(HoldRecord(exercise, side, self._s(start), self._s(last)))
            self._hold = None

    def _track_faults(self, result: FrameResult) -> None:
        t = result.t_ms
        active = {c.code for c in result.cues if c.severity is Severity.FAULT}
        for code in active:
            start, _ = self._open_faults.get(code, (t, t))
            self._open_faults[code] = (start, t)
        for code, (start, last) in list(self._open_faults.items()):
            if code not in active and t - last > FAULT_MERGE_MS:
                self.faults.append(FaultRecord(code, self._s(start), self._s(last)))
                del self._open_faults[code]

    def record(self, started_at: datetime, kind: str, source: str, lang: str,
               sets: Sequence[SetOutcome] = ()) -> SessionRecord:
        """The session so far, with open holds and faults closed at the last frame."""
        holds = list(self.holds)
        if self._hold is not None and self._hold[3] > self._hold[2]:
            exercise, side, start, last = self._hold
            holds.append(HoldRecord(exercise, side, self._s(start), self._s(last)))
        faults = list(self.faults) + [FaultRecord(code, self._s(start), self._s(last))
                                      for code, (start, last) in self._open_faults.items()]
        set_records = tuple(
            SetRecord(o.index, o.plan.exercise.value, o.plan.side.value, o.plan.reps,
                      o.plan.hold_s, o.reps, o.held_s, o.completed, self._s(o.start_ms),
                      self._s(o.end_ms)) for o in sets)
        return SessionRecord(started_at, kind, source, self._s(self.last_ms), lang, set_records,
                             tuple(self.reps), tuple(holds), tuple(faults))


def _warn_stderr(message: str) -> None:
    print(f"formcheck: warning: {message}", file=sys.stderr)


class HistorySink:
    """Per-frame sink that saves the session to the history when it closes.

    Saves on a normal end and on an interruption alike (what was done still counts), but only
    if a person was seen at all. A history that cannot be written is a warning, not a failure:
    the workout itself went fine.

    Args:
        path: the history database (see :func:`formcheck.coach.history.history_path`).
        started_at: wall-clock start, taken by the caller (the sink reads no clock).
        kind: "live" or "routine".
        source: "camera:0" or the video path.
        sets: called at the end with the last stream time; returns the routine's set outcomes.

    """

    def __init__(self, path: Path, started_at: datetime, kind: str, source: str, lang: str = "en",
                 sets: Callable[[int], Sequence[SetOutcome]] | None = None,
                 warn: Callable[[str], None] = _warn_stderr) -> None:
        self.path = path
        self.started_at = started_at
        self.kind = kind
        self.source = source
        self.lang = lang
        self.sets = sets
        self.warn = warn
        self.recorder = SessionRecorder()
        self.saved_id: int | None = None

    def __enter__(self) -> HistorySink:
        return self

    def update(self, result: FrameResult) -> None:
        """Feed one frame."""
        self.recorder.update(result)

    __call__ = update

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.recorder.frames_with_pose == 0:
            return
        outcomes = self.sets(self.recorder.last_ms) if self.sets is not None else ()
        record = self.recorder.record(self.started_at, self.kind, self.source, self.lang,
                                      outcomes)
        try:
            with HistoryStore(self.path) as store:
                self.saved_id = store.save(record)
        except (FormcheckError, OSError) as err:
            self.warn(f"session not saved to history: {err}")
