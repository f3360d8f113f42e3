"""The guided routine: a plan parsed from TOML and a runner that walks through it by itself.

``RoutinePlan`` is pure data (one ``SetPlan`` per set, in order). ``RoutineRunner`` is a state
machine fed one FrameResult at a time; it decides when a set starts (the person is in position),
pauses (they left), is done (reps reached or hold time reached) and when a rest is over, and says
so through utterances. It reads no clock: time is ``FrameResult.t_ms``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from formcheck.coach.announce import (
    CueAnnouncer,
    PresenceChange,
    PresenceConfig,
    PresenceTracker,
    in_position,
)
from formcheck.coach.phrases import PHRASES, Phrases, phrases_for
from formcheck.coach.utterances import Kind, Utterance
from formcheck.engine.types import Exercise, FrameResult, Phase, Side
from formcheck.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_ROUTINE_TOML = """\
# formcheck routine: 8-10 minutes a day against hip-flexor tightness (7 of them moving or resting).
lang = "en"                 # en | de

# Crescent lunge holds: each round is one hold per side, left first.
[[block]]
exercise = "lunge"          # lunge | bridge
sides = ["left", "right"]   # lunge: the front leg of each set in a round
sets = 2                    # rounds
hold_s = 45                 # a hold set: seconds in position (or reps = N for a rep set)
switch_s = 10               # rest between the sides of a round
rest_s = 30                 # rest after each round

# Glute bridges with a short pause at the top.
[[block]]
exercise = "bridge"
sets = 2
reps = 12
top_hold_s = 2              # spoken reminder; the engine flags reps without a pause
rest_s = 30
"""

MAX_HOLD_STEP_MS = 500  # a gap between frames longer than this is not counted as held time


@dataclass(frozen=True)
class SetPlan:
    """One set: either ``reps`` repetitions or ``hold_s`` seconds in position, then a rest.

    ``side`` is the front leg for lunge sets; ``Side.BOTH`` for bridges.
    """

    exercise: Exercise
    side: Side
    reps: int | None = None
    hold_s: float | None = None
    top_hold_s: float | None = None
    rest_after_s: float = 0.0

    def __post_init__(self) -> None:
        if (self.reps is None) == (self.hold_s is None):
            raise ValueError("a set has either reps or hold_s")


@dataclass(frozen=True)
class RoutinePlan:
    """The whole routine, in order, and the language it is spoken in."""

    sets: tuple[SetPlan, ...]
    lang: str = "en"

    def __post_init__(self) -> None:
        if not self.sets:
            raise ValueError("a routine has at least one set")


def _field(block: dict[str, Any], name: str, kind: type, where: str, default: Any = None) -> Any:
    value = block.get(name, default)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(f"routine config: {where}: '{name}' must be a {kind.__name__}")
    if kind in (int, float) and value < 0:
        raise InputError(f"routine config: {where}: '{name}' must not be negative")
    return value


_BLOCK_KEYS = {"exercise", "sides", "sets", "reps", "hold_s", "top_hold_s", "switch_s", "rest_s"}


def plan_from_dict(data: dict[str, Any]) -> RoutinePlan:
    """Expand the TOML blocks into sets; raises :class:`InputError` with the offending key."""
    lang = data.get("lang", "en")
    if lang not in PHRASES:
        raise InputError(f"routine config: lang must be one of {sorted(PHRASES)}, not {lang!r}")
    blocks = data.get("block")
    if not isinstance(blocks, list) or not blocks:
        raise InputError("routine config: needs at least one [[block]]")
    sets: list[SetPlan] = []
    for number, block in enumerate(blocks, start=1):
        where = f"block {number}"
        unknown = set(block) - _BLOCK_KEYS
        if unknown:
            raise InputError(f"routine config: {where}: unknown key(s) {sorted(unknown)}")
        try:
            exercise = Exercise(block.get("exercise"))
        except ValueError:
            raise InputError(f"routine config: {where}: exercise must be lunge or bridge") from None
        if exercise is Exercise.UNKNOWN:
            raise InputError(f"routine config: {where}: exercise must be lunge or bridge")
        default_sides = ["left", "right"] if exercise is Exercise.LUNGE else ["both"]
        try:
            sides = [Side(s) for s in block.get("sides", default_sides)]
        except (ValueError, TypeError):
            raise InputError(f"routine config: {where}: sides are left, right or both") from None
        rounds = _field(block, "sets", int, where, 1)
        reps = _field(block, "reps", int, where)
        hold_s = _field(block, "hold_s", float, where)
        if (reps is None) == (hold_s is None):
            raise InputError(f"routine config: {where}: give exactly one of reps or hold_s")
        if (reps is not None and reps < 1) or (hold_s is not None and hold_s <= 0):
            raise InputError(f"routine config: {where}: reps/hold_s must be positive")
        top_hold_s = _field(block, "top_hold_s", float, where)
        rest_s = _field(block, "rest_s", float, where, 30.0)
        switch_s = _field(block, "switch_s", float, where, rest_s)
        for _ in range(rounds):
            for i, side in enumerate(sides):
                last_side = i == len(sides) - 1
                sets.append(SetPlan(exercise, side, reps, hold_s, top_hold_s,
                                    rest_s if last_side else switch_s))
    if not sets:
        raise InputError("routine config: the routine has no sets (sets = 0 everywhere)")
    sets[-1] = SetPlan(sets[-1].exercise, sets[-1].side, sets[-1].reps, sets[-1].hold_s,
                       sets[-1].top_hold_s, 0.0)
    return RoutinePlan(tuple(sets), lang)


def plan_from_toml(text: str) -> RoutinePlan:
    """Parse a routine TOML document."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"routine config: not valid TOML: {err}") from None
    return plan_from_dict(data)


def load_plan(path: Path | None) -> RoutinePlan:
    """The routine in ``path``, or the default ten-minute routine when None."""
    if path is None:
        return plan_from_toml(DEFAULT_ROUTINE_TOML)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read routine config {path}: {err}") from None
    return plan_from_toml(text)


class Stage(str, Enum):
    """Where the runner is."""

    WAITING = "waiting"  # set announced, waiting for the person to get into position
    ACTIVE = "active"  # counting reps / hold time
    PAUSED = "paused"  # the person left mid-set
    REST = "rest"
    DONE = "done"


@dataclass(frozen=True)
class SetOutcome:
    """What one set achieved (``completed`` False if the session ended during it)."""

    index: int
    plan: SetPlan
    reps: int
    held_s: float
    start_ms: int
    end_ms: int
    completed: bool


@dataclass
class _SetProgress:
    reps: int = 0
    held_ms: int = 0
    start_ms: int | None = None
    said: set[str] = field(default_factory=set)  # countdown marks already said


class RoutineRunner:
    """Walks a :class:`RoutinePlan`; feed it every FrameResult through :meth:`announce`.

    Args:
        plan: the routine.
        on_exercise: called with the exercise the engine should expect and whether the set
            counts reps (then every way down and up is a rep, however long the squeeze at the
            top), whenever either changes (at the start and when a new block begins); the
            caller forwards both to the engine's ``set_exercise``.
        presence: dwell times for start/pause/resume.
        side_hint_ms: how long the wrong leg must be forward before it stops counting and the
            runner says which leg.

    """

    def __init__(self, plan: RoutinePlan,
                 on_exercise: Callable[[Exercise, bool], None] | None = None,
                 presence: PresenceConfig | None = None, side_hint_ms: int = 1500) -> None:
        self.plan = plan
        self.phrases: Phrases = phrases_for(plan.lang)
        self.on_exercise = on_exercise
        self.presence = PresenceTracker(presence)
        self.cues = CueAnnouncer()
        self.side_hint_ms = side_hint_ms
        self.stage = Stage.WAITING
        self.index = 0
        self.outcomes: list[SetOutcome] = []
        self._progress = _SetProgress()
        self._started = False
        self._last_t_ms: int | None = None
        self._rest_until_ms = 0
        self._rest_len_s = 0.0
        self._rest_said: set[int] = set()
        self._wrong_side_since_ms: int | None = None
        self._last_side_hint_ms: int | None = None
        self._expected: tuple[Exercise, bool] | None = None

    @property
    def current(self) -> SetPlan | None:
        """The set being done or waited for (the next one during a rest); None when done."""
        return self.plan.sets[self.index] if self.index < len(self.plan.sets) else None

    @property
    def done(self) -> bool:
        """True once the last set is finished."""
        return self.stage is Stage.DONE

    def progress(self) -> tuple[int, float]:
        """Reps and held seconds of the current set so far."""
        return self._progress.reps, self._progress.held_ms / 1000.0

    def status(self) -> str:
        """One line for a screen or log: "set 2/6 lunge left: 12/45 s"."""
        plan = self.current
        if plan is None:
            return "routine done"
        head = f"set {self.index + 1}/{len(self.plan.sets)} {plan.exercise.value}"
        if plan.side in (Side.LEFT, Side.RIGHT):
            head += f" {plan.side.value}"
        if plan.reps is not None:
            body = f"{self._progress.reps}/{plan.reps} reps"
        else:
            body = f"{self._progress.held_ms / 1000:.0f}/{plan.hold_s:.0f} s"
        return f"{head}: {body} ({self.stage.value})"

    def finish(self, t_ms: int) -> list[SetOutcome]:
        """Close the session: the outcomes, plus the unfinished current set if it was started."""
        outcomes = list(self.outcomes)
        plan = self.current
        if plan is not None and self.stage in (Stage.ACTIVE, Stage.PAUSED):
            outcomes.append(SetOutcome(self.index, plan, self._progress.reps,
                                       self._progress.held_ms / 1000.0,
                                       self._progress.start_ms or t_ms, t_ms, False))
        return outcomes

    # -- the state machine -------------------------------------------------------------------

    def announce(self, result: FrameResult) -> list[Utterance]:
        """Advance with one frame; returns what to say."""
        t = result.t_ms
        dt = 0 if self._last_t_ms is None else max(0, t - self._last_t_ms)
        self._last_t_ms = t
        out: list[Utterance] = []
        if not self._started:
            self._started = True
            self._begin_set(t, out)
        if self.stage is Stage.DONE:
            return out
        if self.stage is Stage.REST:
            self._rest(t, out)
            return out
        plan = self.plan.sets[self.index]
        change = self.presence.update(t, in_position(result, plan.exercise))
        if change is PresenceChange.STARTED:
            self.stage = Stage.ACTIVE
            self._progress.start_ms = t
            out.append(Utterance(self.phrases.ready, Kind.PROMPT, t))
        elif change is PresenceChange.PAUSED:
            self.stage = Stage.PAUSED
            out.append(Utterance(self.phrases.paused, Kind.PROMPT, t))
        elif change is PresenceChange.RESUMED:
            self.stage = Stage.ACTIVE
            out.append(Utterance(self.phrases.resumed, Kind.PROMPT, t))
        if self.stage is not Stage.ACTIVE:
            return out
        if plan.reps is not None:
            self._count_rep(result, plan, out)
        else:
            self._count_hold(result, plan, dt, out)
        out.extend(self.cues.announce(result))
        if self._set_complete(plan):
            self._end_set(t, out)
        return out

    def _count_rep(self, result: FrameResult, plan: SetPlan, out: list[Utterance]) -> None:
        if result.rep is None or result.exercise not in (plan.exercise, Exercise.UNKNOWN):
            return
        self._progress.reps += 1
        out.append(Utterance(self.phrases.count(self._progress.reps), Kind.COUNT, result.t_ms,
                             key="count"))

    def _count_hold(self, result: FrameResult, plan: SetPlan, dt: int,
                    out: list[Utterance]) -> None:
        t = result.t_ms
        holding = result.phase in (Phase.WORK, Phase.HOLD) and result.exercise in (
            plan.exercise, Exercise.UNKNOWN)
        wrong_side = (plan.side in (Side.LEFT, Side.RIGHT)
                      and result.side in (Side.LEFT, Side.RIGHT) and result.side != plan.side)
        if not (holding and wrong_side):
            self._wrong_side_since_ms = None
        elif self._wrong_side_since_ms is None:
            self._wrong_side_since_ms = t
        # Only a wrong leg held steadily counts as wrong: the side estimate may flicker for a
        # few frames in a deep split, and those frames are still a hold.
        if (self._wrong_side_since_ms is not None
                and t - self._wrong_side_since_ms >= self.side_hint_ms):
            hint_due = (self._last_side_hint_ms is None
                        or t - self._last_side_hint_ms >= 4 * self.side_hint_ms)
            if hint_due:
                self._last_side_hint_ms = t
                out.append(Utterance(self.phrases.leg_prompt(plan.side),
                                     Kind.PROMPT, t, key="side"))
            return
        if not holding:
            return
        before_ms = self._progress.held_ms
        self._progress.held_ms += min(dt, MAX_HOLD_STEP_MS)
        assert plan.hold_s is not None
        target_ms = int(plan.hold_s * 1000)
        for mark_s in _countdown_marks(plan.hold_s):
            mark_ms = target_ms - mark_s * 1000
            if before_ms < mark_ms <= self._progress.held_ms:
                text = (self.phrases.number(mark_s) if mark_s <= 5
                        else self.phrases.seconds_left(mark_s))
                out.append(Utterance(text, Kind.COUNTDOWN, t, key=f"hold{mark_s}"))

    def _set_complete(self, plan: SetPlan) -> bool:
        if plan.reps is not None:
            return self._progress.reps >= plan.reps
        assert plan.hold_s is not None
        return self._progress.held_ms >= plan.hold_s * 1000

    def _end_set(self, t: int, out: list[Utterance]) -> None:
        plan = self.plan.sets[self.index]
        self.outcomes.append(SetOutcome(self.index, plan, self._progress.reps,
                                        self._progress.held_ms / 1000.0,
                                        self._progress.start_ms or t, t, True))
        self.index += 1
        if self.index >= len(self.plan.sets):
            self.stage = Stage.DONE
            out.append(Utterance(self.phrases.routine_done, Kind.PROMPT, t))
            return
        nxt = self.plan.sets[self.index]
        words = [self.phrases.set_done]
        if (nxt.exercise is plan.exercise and nxt.side != plan.side
                and nxt.side in (Side.LEFT, Side.RIGHT)):
            words.append(self.phrases.switch_legs)
        if plan.rest_after_s > 0:
            words.append(self.phrases.rest_for(round(plan.rest_after_s)))
            if nxt.exercise is not plan.exercise:  # time to get down on the floor (or up)
                words.append(self.phrases.next_up.format(what=self._intro(nxt)))
            self.stage = Stage.REST
            self._rest_until_ms = t + round(plan.rest_after_s * 1000)
            self._rest_len_s = plan.rest_after_s
            self._rest_said = set()
            self._expect(nxt)
            out.append(Utterance(" ".join(words), Kind.PROMPT, t))
        else:
            out.append(Utterance(" ".join(words), Kind.PROMPT, t))
            self._begin_set(t, out)

    def _rest(self, t: int, out: list[Utterance]) -> None:
        left_s = (self._rest_until_ms - t) / 1000.0
        for mark in (10, 3, 2, 1):
            if mark > self._rest_len_s - 2:  # the rest announcement itself just said it
                continue
            if mark not in self._rest_said and left_s <= mark < left_s + 1.0:
                self._rest_said.add(mark)
                text = self.phrases.seconds_left(mark) if mark == 10 else self.phrases.number(mark)
                out.append(Utterance(text, Kind.COUNTDOWN, t, key=f"rest{mark}"))
        if t >= self._rest_until_ms:
            self._begin_set(t, out)

    def _begin_set(self, t: int, out: list[Utterance]) -> None:
        plan = self.plan.sets[self.index]
        self.stage = Stage.WAITING
        self._progress = _SetProgress()
        self.presence.reset()
        self.cues.reset()
        self._wrong_side_since_ms = None
        self._expect(plan)
        out.append(Utterance(self._intro(plan), Kind.PROMPT, t))

    def _intro(self, plan: SetPlan) -> str:
        hold = round(plan.hold_s) if plan.hold_s is not None else None
        top = round(plan.top_hold_s) if plan.top_hold_s else None
        return self.phrases.set_intro(plan.exercise, plan.side, plan.reps, hold, top)

    def _expect(self, plan: SetPlan) -> None:
        expected = (plan.exercise, plan.reps is not None)
        if expected != self._expected:
            self._expected = expected
            if self.on_exercise is not None:
                self.on_exercise(*expected)


def _countdown_marks(hold_s: float) -> list[int]:
    """Remaining seconds worth saying during a hold of ``hold_s``: 30 and 10 left, then 5..1."""
    marks = [m for m in (30, 10) if hold_s >= m + 10]
    return marks + [m for m in (5, 4, 3, 2, 1) if hold_s >= m + 1]
