"""What the coach wants to say and in which order: a pure, clock-free priority queue.

Policy, so speech helps instead of babbling behind the movement:

- counts beat everything, then countdowns, then routine prompts, then form cues;
- a newer count replaces a count still waiting (say "three", not "two, three" late);
- each kind has an age limit in stream time: a cue that could not be said within it is dropped,
  because a late correction describes a rep that is already over;
- the same cue (same ``key``) is not repeated within ``cue_repeat_ms`` of the last time it was said
  or while it is still waiting.

Time is the stream time (``FrameResult.t_ms``) handed in by the caller, never the wall clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum


class Kind(IntEnum):
    """What an utterance is; lower value = said first."""

    COUNT = 0  # rep counts: "one", "two"
    COUNTDOWN = 1  # hold/rest countdowns: "ten seconds", "five", "four"
    PROMPT = 2  # routine and presence prompts: "switch legs", "rest, thirty seconds"
    CUE = 3  # form corrections from the engine


@dataclass(frozen=True)
class Utterance:
    """One line to say, raised at stream time ``t_ms``; ``key`` groups repeats (default: text)."""

    text: str
    kind: Kind
    t_ms: int
    key: str = ""

    @property
    def group(self) -> str:
        """Rate-limit / de-duplication key."""
        return self.key or self.text


@dataclass(frozen=True)
class VoicePolicy:
    """Age limits and rate limits, all in stream milliseconds.

    Attributes:
        max_age_ms: per kind, how late a line may still be said. Counts 2.5 s (a count later than
            the next rep misleads), countdown numbers 1.2 s (one tick), prompts 15 s (they announce
            whole sets), cues 3 s (about one rep).
        cue_repeat_ms: the same cue is said at most once in this window (about three reps), so a
            persistent fault is a reminder, not a nag.
        max_waiting: hard cap on queued lines; the oldest lowest-priority one goes first.

    """

    max_age_ms: dict[Kind, int] = field(default_factory=lambda: {
        Kind.COUNT: 2500, Kind.COUNTDOWN: 1200, Kind.PROMPT: 15000, Kind.CUE: 3000})
    cue_repeat_ms: int = 8000
    max_waiting: int = 16


@dataclass(frozen=True)
class Dropped:
    """A line that was not said, and why ("stale", "repeat", "replaced", "overflow")."""

    utterance: Utterance
    reason: str


class UtteranceQueue:
    """Priority queue with age limits and rate limits; not thread-safe (the speaker locks it)."""

    def __init__(self, policy: VoicePolicy | None = None,
                 on_drop: Callable[[Dropped], None] | None = None) -> None:
        self.policy = policy or VoicePolicy()
        self._on_drop = on_drop
        self._waiting: list[tuple[int, Utterance]] = []  # (arrival number, utterance)
        self._arrivals = 0
        self._last_said_ms: dict[str, int] = {}
        self.dropped: deque[Dropped] = deque(maxlen=256)  # most recent drops, for logs/tests

    def __len__(self) -> int:
        return len(self._waiting)

    def push(self, utterance: Utterance) -> None:
        """Queue a line, applying replacement, de-duplication and rate limits at once."""
        if utterance.kind is Kind.COUNT:
            for item in [w for w in self._waiting if w[1].kind is Kind.COUNT]:
                self._drop(item, "replaced")
        elif utterance.kind is Kind.CUE:
            last = self._last_said_ms.get(utterance.group)
            if last is not None and utterance.t_ms - last < self.policy.cue_repeat_ms:
                self._record(Dropped(utterance, "repeat"))
                return
            if any(w[1].group == utterance.group for w in self._waiting):
                self._record(Dropped(utterance, "repeat"))
                return
        self._waiting.append((self._arrivals, utterance))
        self._arrivals += 1
        if len(self._waiting) > self.policy.max_waiting:
            worst = max(self._waiting, key=lambda w: (w[1].kind, -w[0]))
            self._drop(worst, "overflow")

    def pop(self, now_ms: int) -> Utterance | None:
        """The next line to say at stream time ``now_ms``, dropping stale lines; None if empty."""
        for item in list(self._waiting):
            if now_ms - item[1].t_ms > self.policy.max_age_ms[item[1].kind]:
                self._drop(item, "stale")
        if not self._waiting:
            return None
        best = min(self._waiting, key=lambda w: (w[1].kind, w[0]))
        self._waiting.remove(best)
        self._last_said_ms[best[1].group] = now_ms
        return best[1]

    def _drop(self, item: tuple[int, Utterance], reason: str) -> None:
        self._waiting.remove(item)
        self._record(Dropped(item[1], reason))

    def _record(self, dropped: Dropped) -> None:
        self.dropped.append(dropped)
        if self._on_drop is not None:
            self._on_drop(dropped)
