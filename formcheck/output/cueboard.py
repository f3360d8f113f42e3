"""Which cues the overlay shows: the engine's cues held briefly, plus praise for a clean rep.

State only, no drawing (the overlay's annotators stay stateless), timed by the stream's
``FrameResult.t_ms`` and never the wall clock, so replaying a clip shows the same cues.
"""

from __future__ import annotations

from formcheck.engine.types import Cue, FrameResult, Severity

_SEVERITY_ORDER = {Severity.FAULT: 0, Severity.WARNING: 1, Severity.GOOD: 2}


class CueBoard:
    """Which cues are on screen.

    Each stays ``hold_ms`` after the engine last reported it, so a cue that flickers on and off
    frame to frame reads as one steady message. A completed rep without faults adds praise
    (unless the engine sent its own).

    Time is the stream's (``FrameResult.t_ms``), never the wall clock.
    """

    PRAISE_CODE = "good_rep"

    def __init__(self, hold_ms: int = 1500, max_cues: int = 2) -> None:
        self.hold_ms = hold_ms
        self.max_cues = max_cues
        self._seen: dict[str, tuple[Cue, int, int]] = {}  # code -> (cue, first_ms, last_ms)
        self._last_t: int | None = None
        self.shown: tuple[Cue, ...] = ()  # what the last update returned

    def reset(self) -> None:
        """Forget every cue (session reset, language switch)."""
        self._seen.clear()
        self._last_t = None
        self.shown = ()

    def update(self, result: FrameResult, praise: str) -> tuple[Cue, ...]:
        """Take one frame's cues; return the ones to show, most severe first."""
        t = result.t_ms
        if self._last_t is not None and t < self._last_t:
            self.reset()  # a new stream
        self._last_t = t
        incoming = list(result.cues)
        if (result.rep is not None and not result.rep.faults
                and not any(c.severity is Severity.GOOD for c in incoming)):
            incoming.append(Cue(self.PRAISE_CODE, praise, Severity.GOOD))
        for cue in incoming:
            first = self._seen[cue.code][1] if cue.code in self._seen else t
            self._seen[cue.code] = (cue, first, t)
        for code in [c for c, (_, _, last) in self._seen.items() if t - last > self.hold_ms]:
            del self._seen[code]
        ranked = sorted(self._seen.values(), key=lambda e: (_SEVERITY_ORDER[e[0].severity], e[1]))
        self.shown = tuple(cue for cue, _, _ in ranked[: self.max_cues])
        return self.shown
