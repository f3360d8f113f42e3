"""From FrameResults to lines worth saying: presence (auto start/pause/resume), cues, counts.

All pure and timed by ``FrameResult.t_ms``; the routine runner and free live mode share the
pieces. The engine decides what a rep, a hold and a fault are; this module only decides what is
worth saying about them and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from formcheck.coach.phrases import Phrases
from formcheck.coach.utterances import Kind, Utterance
from formcheck.engine.types import Exercise, FrameResult, Phase, Severity, Side


@dataclass(frozen=True)
class PresenceConfig:
    """Dwell times that keep one lost frame from pausing the session.

    Attributes:
        enter_ms: in position this long before counting starts (a person walking past is not
            "ready").
        leave_ms: out of position/frame this long before the session pauses (pose drop-outs of a
            few frames are common when a limb is occluded).

    """

    enter_ms: int = 500
    leave_ms: int = 1500


class Presence(str, Enum):
    """Whether the person is in position."""

    WAITING = "waiting"  # never been in position yet
    ACTIVE = "active"
    AWAY = "away"  # was active, left


class PresenceChange(str, Enum):
    """Transitions worth announcing."""

    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"


def in_position(result: FrameResult, expected: Exercise | None = None) -> bool:
    """Person found, engine past NOT_READY, and doing the expected exercise (if one is set)."""
    if not result.pose.found or result.phase is Phase.NOT_READY:
        return False
    return expected is None or result.exercise in (expected, Exercise.UNKNOWN)


class PresenceTracker:
    """WAITING -> ACTIVE -> AWAY -> ACTIVE ..., with dwell both ways."""

    def __init__(self, config: PresenceConfig | None = None) -> None:
        self.config = config or PresenceConfig()
        self.state = Presence.WAITING
        self._since_ms: int | None = None  # start of the current contrary run

    def reset(self) -> None:
        """Back to WAITING (a new set)."""
        self.state = Presence.WAITING
        self._since_ms = None

    def force_active(self) -> None:
        """Count the person as in position now, without a transition to announce."""
        self.state = Presence.ACTIVE
        self._since_ms = None

    def update(self, t_ms: int, present: bool) -> PresenceChange | None:
        """Advance with one frame; returns the transition it caused, if any."""
        contrary = present != (self.state is Presence.ACTIVE)
        if not contrary:
            self._since_ms = None
            return None
        if self._since_ms is None:
            self._since_ms = t_ms
        dwell = self.config.leave_ms if self.state is Presence.ACTIVE else self.config.enter_ms
        if t_ms - self._since_ms < dwell:
            return None
        self._since_ms = None
        if self.state is Presence.ACTIVE:
            self.state = Presence.AWAY
            return PresenceChange.PAUSED
        change = (PresenceChange.STARTED if self.state is Presence.WAITING
                  else PresenceChange.RESUMED)
        self.state = Presence.ACTIVE
        return change


class CueAnnouncer:
    """Says a fault or warning cue when it becomes active (not every frame it stays active)."""

    def __init__(self) -> None:
        self._active: set[str] = set()

    def reset(self) -> None:
        """Forget which cues were active."""
        self._active = set()

    def announce(self, result: FrameResult) -> list[Utterance]:
        """New FAULT/WARNING cues of this frame, faults first."""
        cues = [c for c in result.cues if c.severity in (Severity.FAULT, Severity.WARNING)]
        new = [c for c in cues if c.code not in self._active]
        self._active = {c.code for c in cues}
        new.sort(key=lambda c: c.severity is not Severity.FAULT)
        return [Utterance(c.text, Kind.CUE, result.t_ms, key=c.code) for c in new]


class SideTracker:
    """Reports a change of working leg once the new side has held for ``dwell_ms``."""

    def __init__(self, dwell_ms: int = 1000) -> None:
        self.dwell_ms = dwell_ms
        self.side: Side | None = None
        self._candidate: Side | None = None
        self._since_ms = 0

    def update(self, t_ms: int, side: Side) -> Side | None:
        """Feed the frame's side; returns the new side on a confirmed switch (not the first)."""
        if side not in (Side.LEFT, Side.RIGHT) or side == self.side:
            self._candidate = None
            return None
        if self.side is None:
            self.side = side
            return None
        if side != self._candidate:
            self._candidate, self._since_ms = side, t_ms
        if t_ms - self._since_ms < self.dwell_ms:
            return None
        self.side, self._candidate = side, None
        return side


class LiveAnnouncer:
    """Free live mode: counts per side, new cues, leg switches, hold milestones, pause/resume."""

    def __init__(self, phrases: Phrases, presence: PresenceConfig | None = None,
                 hold_milestone_s: int = 10) -> None:
        self.phrases = phrases
        self.presence = PresenceTracker(presence)
        self.cues = CueAnnouncer()
        self.sides = SideTracker()
        self.hold_milestone_s = hold_milestone_s
        self._last_hold_s = 0

    def announce(self, result: FrameResult) -> Iterable[Utterance]:
        """Lines raised by one frame."""
        t = result.t_ms
        out: list[Utterance] = []
        if result.rep is not None and self.presence.state is not Presence.ACTIVE:
            self.presence.force_active()  # a counted rep is proof enough; no "Ready." after "one"
        change = self.presence.update(t, in_position(result))
        if change is PresenceChange.STARTED:
            out.append(Utterance(self.phrases.ready, Kind.PROMPT, t))
        elif change is PresenceChange.PAUSED:
            out.append(Utterance(self.phrases.paused, Kind.PROMPT, t))
        elif change is PresenceChange.RESUMED:
            out.append(Utterance(self.phrases.resumed, Kind.PROMPT, t))
        if result.rep is not None:
            n = result.reps.get(result.rep.side, result.rep.index)
            out.append(Utterance(self.phrases.count(n), Kind.COUNT, t, key="count"))
        if result.exercise is Exercise.LUNGE:
            switched = self.sides.update(t, result.side)
            if switched is not None:
                out.append(Utterance(self.phrases.leg_prompt(switched),
                                     Kind.PROMPT, t, key="side"))
        hold_s = result.hold_ms // 1000
        if hold_s >= self._last_hold_s + self.hold_milestone_s or hold_s < self._last_hold_s:
            self._last_hold_s = hold_s - hold_s % self.hold_milestone_s
            if self._last_hold_s > 0:
                out.append(Utterance(self.phrases.seconds_left(self._last_hold_s),
                                     Kind.COUNTDOWN, t, key="hold"))
        out.extend(self.cues.announce(result))
        return out
