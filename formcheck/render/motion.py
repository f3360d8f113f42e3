"""Choreography: when the mannequin moves, as a few normalised controls over time.

A clip is a list of keyframes of four controls, eased between keys (zero speed at each key, like
a person settling into each position):

- ``depth`` 0..1: standing tall / lying flat (0) to the working position (1: lunge bottom,
  bridge top). Injected faults grow with it, so a fault is fully present at the working position.
- ``stance`` 0..1: feet together (0) to the split stance (1) of a lunge.
- ``arms`` 0..1: arms down (0, carried as the lunge poser's :class:`ArmCarriage` says) to
  overhead (1, the crescent lunge).
- ``jitter``: per-rep offset in degrees of the working depth, so reps are not identical. Drawn
  from a normal distribution cut at two standard deviations: a rep stays in its fault's band
  (an uncut draw of +9.9 took a shallow lunge's 125 deg bottom to 136, past where the engine
  takes a knee for a lunge rep, 135).

The choreography also records the true rep and hold intervals, which become the truth file's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from formcheck.engine.types import Side


def _jitter(rng: np.random.Generator, sd_deg: float) -> float:
    """A rep's depth offset: normal, cut at two standard deviations (one draw, as uncut)."""
    return float(np.clip(rng.normal(0.0, sd_deg), -2.0 * sd_deg, 2.0 * sd_deg))


class LungeStyle(str, Enum):
    """Stationary split squat, or stepping back into each rep from standing."""

    SPLIT = "split"
    STEP = "step"


class ArmCarriage(str, Enum):
    """Where a person keeps the arms during lunge reps (holds raise them overhead anyway)."""

    HANGING = "hanging"  # straight down by the sides, as gravity has them
    FORWARD = "forward"  # carried forward for balance, more at the bottom: hands over the knee
    OVERHEAD = "overhead"  # raised once in the split stance: the crescent lunge

    @classmethod
    def sample(cls, rng: np.random.Generator) -> ArmCarriage:
        """Hanging 40%, forward 30%, overhead 30%."""
        return (cls.HANGING, cls.FORWARD, cls.OVERHEAD)[int(rng.choice(3, p=(0.4, 0.3, 0.3)))]


@dataclass(frozen=True)
class Controls:
    """The controls at one instant (see the module docstring)."""

    depth: float
    stance: float
    arms: float
    jitter: float


@dataclass(frozen=True)
class Span:
    """A true rep (``bottom_ms`` = middle of the working position) or hold (no bottom)."""

    side: Side
    start_ms: int
    end_ms: int
    bottom_ms: int | None = None


@dataclass(frozen=True)
class Choreography:
    """Keyframes ``(t_ms, depth, stance, arms, jitter)`` as a ``(K, 5)`` array, plus the spans."""

    keys: np.ndarray
    reps: tuple[Span, ...]
    holds: tuple[Span, ...]

    @property
    def duration_ms(self) -> int:
        """Time of the last keyframe."""
        return int(self.keys[-1, 0])

    def at(self, t_ms: float) -> Controls:
        """Controls at ``t_ms``, eased (smoothstep) between the surrounding keyframes."""
        keys = self.keys
        i = int(np.searchsorted(keys[:, 0], t_ms, side="right"))
        if i <= 0:
            return Controls(*keys[0, 1:])
        if i >= len(keys):
            return Controls(*keys[-1, 1:])
        k0, k1 = keys[i - 1], keys[i]
        u = (t_ms - k0[0]) / max(k1[0] - k0[0], 1e-9)
        e = u * u * (3.0 - 2.0 * u)
        vals = k0[1:] + e * (k1[1:] - k0[1:])
        return Controls(*(float(v) for v in vals))


@dataclass
class _Builder:
    """Appends keyframes; each ``go`` moves to new control values over ``ms``."""

    keys: list[list[float]] = field(default_factory=lambda: [[0.0, 0.0, 0.0, 0.0, 0.0]])

    @property
    def now(self) -> float:
        return self.keys[-1][0]

    def go(self, ms: float, depth: float | None = None, stance: float | None = None,
           arms: float | None = None, jitter: float | None = None) -> float:
        last = self.keys[-1]
        vals = [depth, stance, arms, jitter]
        new = [last[0] + ms] + [last[j + 1] if v is None else v for j, v in enumerate(vals)]
        self.keys.append(new)
        return new[0]

    def build(self, reps: list[Span], holds: list[Span]) -> Choreography:
        return Choreography(np.asarray(self.keys, dtype=np.float64), tuple(reps), tuple(holds))


def lunge_choreography(rng: np.random.Generator, reps: int, hold_s: float, style: LungeStyle,
                       side: Side, tempo: float) -> Choreography:
    """Stand still, (step into the split,) do ``reps`` reps, optionally hold, stand up again.

    ``tempo`` scales every duration (1 = a calm 3-4 s rep).
    """
    b = _Builder()
    spans: list[Span] = []
    holds: list[Span] = []

    def dur(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi)) * 1000.0 * tempo

    b.go(dur(1.0, 1.6))  # still start, standing
    if style is LungeStyle.SPLIT and reps > 0:
        b.go(dur(0.9, 1.2), stance=1.0)
        b.go(dur(0.4, 0.8))
    for _ in range(reps):
        jitter = _jitter(rng, 3.0)
        start = b.now
        if style is LungeStyle.STEP:
            b.go(dur(0.45, 0.6), stance=0.75, depth=0.15, jitter=jitter)
            b.go(dur(0.8, 1.1), stance=1.0, depth=1.0)
        else:
            b.go(dur(1.0, 1.4), depth=1.0, jitter=jitter)
        reach = b.now
        b.go(dur(0.15, 0.4))
        bottom = 0.5 * (reach + b.now)
        if style is LungeStyle.STEP:
            b.go(dur(0.8, 1.1), depth=0.15, stance=0.75)
            b.go(dur(0.45, 0.6), depth=0.0, stance=0.0)
        else:
            b.go(dur(0.9, 1.3), depth=0.0)
        spans.append(Span(side, round(start), round(b.now), round(bottom)))
        b.go(dur(0.3, 0.7))
    if hold_s > 0:
        b.go(dur(0.9, 1.2), stance=1.0)
        b.go(dur(1.2, 1.6), depth=1.0, arms=1.0, jitter=_jitter(rng, 2.0))
        start = b.now
        b.go(hold_s * 1000.0)
        holds.append(Span(side, round(start), round(b.now)))
        b.go(dur(1.0, 1.3), depth=0.0, arms=0.0)
    b.go(dur(0.8, 1.1), stance=0.0)  # feet together again
    b.go(dur(0.6, 1.0))
    return b.build(spans, holds)


def bridge_choreography(rng: np.random.Generator, reps: int, hold_s: float, pause: bool,
                        tempo: float) -> Choreography:
    """Lie still, do ``reps`` bridges (pausing at the top unless ``pause`` is False), hold."""
    b = _Builder()
    spans: list[Span] = []
    holds: list[Span] = []

    def dur(lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi)) * 1000.0 * tempo

    b.go(dur(1.2, 1.8))
    for _ in range(reps):
        start = b.now
        b.go(dur(0.9, 1.3), depth=1.0, jitter=_jitter(rng, 2.5))
        reach = b.now
        b.go(dur(0.8, 1.4) if pause else dur(0.0, 0.06))
        bottom = 0.5 * (reach + b.now)
        b.go(dur(1.0, 1.4), depth=0.0)
        spans.append(Span(Side.BOTH, round(start), round(b.now), round(bottom)))
        b.go(dur(0.4, 0.9))
    if hold_s > 0:
        b.go(dur(1.0, 1.4), depth=1.0, jitter=_jitter(rng, 2.0))
        start = b.now
        b.go(hold_s * 1000.0)
        holds.append(Span(Side.BOTH, round(start), round(b.now)))
        b.go(dur(1.0, 1.4), depth=0.0)
    b.go(dur(0.8, 1.2))
    return b.build(spans, holds)
