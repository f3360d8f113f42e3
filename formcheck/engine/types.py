"""Values the exercise engine hands to its sinks (overlay, report, CSV, voice).

All are frozen: a sink can keep them (the report does) without copying. Times are milliseconds of
the stream the pose came from, never the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from formcheck.pose.types import Pose


class Exercise(str, Enum):
    """What the person is doing; ``UNKNOWN`` for idle, squats and anything else."""

    LUNGE = "lunge"
    BRIDGE = "bridge"
    UNKNOWN = "unknown"


class View(str, Enum):
    """Camera view of the person."""

    SIDE = "side"
    FRONT = "front"
    OBLIQUE = "oblique"
    UNKNOWN = "unknown"


class Side(str, Enum):
    """Working side: the front leg in a lunge, ``BOTH`` for a two-legged bridge."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    UNKNOWN = "unknown"


class Severity(str, Enum):
    """How a cue is shown: green praise, amber warning, red fault."""

    GOOD = "good"
    WARNING = "warning"
    FAULT = "fault"


class Phase(str, Enum):
    """Where the person is in the movement."""

    NOT_READY = "not_ready"  # not in frame / not in position yet
    START = "start"  # at the start position (standing tall / lying down)
    MOVING = "moving"  # between start and the working position
    WORK = "work"  # at the working position (lunge bottom / bridge top)
    HOLD = "hold"  # at the working position long enough to count as a hold


@dataclass(frozen=True)
class Cue:
    """One active correction or praise.

    ``code`` is the fault code of the contract (``arched_back``) or a guidance/praise code;
    ``text`` is already in the session language.
    """

    code: str
    text: str
    severity: Severity


@dataclass(frozen=True)
class RepEvent:
    """One counted repetition; ``metrics`` summarises it by metric name (units in the names)."""

    index: int
    side: Side
    start_ms: int
    bottom_ms: int
    end_ms: int
    metrics: Mapping[str, float] = field(default_factory=dict)
    faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldEvent:
    """One timed hold at the working position (crescent lunge stretch, bridge top)."""

    side: Side
    start_ms: int
    end_ms: int
    faults: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        """Hold length in seconds."""
        return (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True)
class FaultSpan:
    """A fault that was active from ``start_ms`` to ``end_ms`` (cue text in session language)."""

    code: str
    start_ms: int
    end_ms: int
    message: str


@dataclass(frozen=True)
class FrameResult:
    """Everything the engine concluded about one frame.

    ``metrics`` holds named values (``front_knee_deg``...); a value that cannot be measured in this
    frame is NaN. Mappings are treated as read-only by every consumer. ``reps`` is the running
    count per side. ``rep`` is set on the frame a rep is completed, ``hold_ms`` is the running
    hold time, counted from where the position was reached (0 when not holding, and while a
    pause is still shorter than a hold: ``HoldConfig.min_hold_ms``).
    """

    t_ms: int
    pose: Pose
    exercise: Exercise
    view: View
    side: Side
    phase: Phase
    metrics: Mapping[str, float]
    reps: Mapping[Side, int]
    cues: tuple[Cue, ...] = ()
    progress: float = float("nan")  # 0 at start position .. 1 at the working position
    rep: RepEvent | None = None
    hold_ms: int = 0
    guidance: tuple[Cue, ...] = field(default=())  # "step back", "turn sideways"

    def metric(self, name: str) -> float:
        """Value of one named metric, NaN if not measured."""
        return self.metrics.get(name, float("nan"))

    @property
    def reps_total(self) -> int:
        """Reps summed over sides."""
        return sum(self.reps.values())


@dataclass(frozen=True)
class SessionSummary:
    """Everything the report of the contract needs about one session.

    ``exercise`` is the analysed one (the detected one with ``exercise="auto"``, ``UNKNOWN`` when
    nothing was recognised); ``view`` the most frequent view over frames with a pose. ``reason``
    says why the clip cannot be judged (no person, body cut off, exercise not recognised), else
    None.
    """

    exercise: Exercise
    view: View
    start_ms: int
    end_ms: int
    frames_total: int
    frames_with_pose: int
    reps_by_side: Mapping[Side, int]
    reps: tuple[RepEvent, ...] = ()
    holds: tuple[HoldEvent, ...] = ()
    faults: tuple[FaultSpan, ...] = ()
    reason: str | None = None

    @property
    def duration_s(self) -> float:
        """Stream time covered, in seconds (0 for an empty session)."""
        return max(0, self.end_ms - self.start_ms) / 1000.0

    @property
    def reps_total(self) -> int:
        """Reps summed over sides."""
        return sum(self.reps_by_side.values())
