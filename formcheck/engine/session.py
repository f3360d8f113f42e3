"""The exercise engine: one :class:`Engine` per stream turns poses into frame results and a summary.

Per frame: gate + smooth landmarks -> floor, view, posture -> named metrics (+ pelvis) -> rep
counter and hold timer on the exercise's signal -> rules -> debounced cues and guidance. The
engine reads no clock (time comes with each pose) and draws nothing.

With ``exercise="auto"`` a counter runs for each exercise whose posture matches (standing: lunge,
lying: bridge); a standing rep is accepted as a lunge only if the feet were in a split stance
during most of its deep part, or of the way down when MediaPipe draws both legs on one at the
bottom (:attr:`_RepLog.split`, :func:`_split_stance`), so squats, lateral lunges and idling give
no reps and the exercise stays unknown. The lunge counter runs on the knee angle in a side view
and elsewhere on the deeper of the back knee's drop and the hips' drop
(:mod:`formcheck.engine.depth`).

Each counter's exercise also has a hold timer. In auto mode a hold recognises its exercise as a
rep would, with the same evidence (:meth:`Engine._time_holds`), so a session may be one long
hold; only the judged exercise's holds are reported. A movement held ``rep_max_hold_ms`` is a
hold, and the way into it and out is not a rep (unless ``set_exercise(..., holds_are_reps=True)``,
a routine's rep set); so is one that stayed ``rep_max_at_work_ms`` in the counter's work zone,
the way in and out included, whether or not its reading kept still enough to time a hold.

Counting needs the body in frame: one whole side (shoulder to ankle) for the bridge and the
front-view lunge, one whole leg for the side-view lunge (its knee angle; a close-up of the legs
still shows the rep), and a tracker that holds the person: found afresh
``unsteady_redetections`` times within a second, its detections disagree and nothing is
counted or timed (:meth:`Engine._steady`). Single-leg bridges are also counted on each lift of
the free leg (``leg_raise_deg``) with the hips rising; a rep two counters both see counts once.

``smoother`` is a factory for the landmark filter (default One Euro from the config); tests pass
``NoSmoother`` to see raw behaviour.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from formcheck.engine.config import EngineConfig, ViewConfig
from formcheck.engine.counter import (
    CounterLevels,
    CounterState,
    RepCounter,
    RepWindow,
    SpikeGate,
)
from formcheck.engine.cues import LANGUAGES, cue_text
from formcheck.engine.depth import RestHeight, hip_drop_deg, knee_drop_deg
from formcheck.engine.exercises import Agg, ExerciseSpec, specs_for
from formcheck.engine.feet_view import FeetViewHip
from formcheck.engine.geometry import nanmin2
from formcheck.engine.holds import HoldTimer, HoldUpdate
from formcheck.engine.metrics import compute_metrics
from formcheck.engine.pelvis import PelvisEstimator
from formcheck.engine.rules import CueTracker, Scope, Verdict, judge
from formcheck.engine.smoothing import LandmarkGate, OneEuroSmoother, Smoother
from formcheck.engine.types import (
    Cue,
    Exercise,
    FaultSpan,
    FrameResult,
    HoldEvent,
    Phase,
    RepEvent,
    SessionSummary,
    Severity,
    Side,
    View,
)
from formcheck.engine.view import Posture, ViewEstimator, ViewState
from formcheck.pose.landmarks import LM
from formcheck.pose.types import Pose

__all__ = ["Engine", "SessionSummary"]

#: Landmarks of one body side; at least one side must be fully seen and inside the frame to judge
#: a lunge or bridge ("step back" otherwise). The far side is often hidden in a side view.
KEY_LEFT = (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)
KEY_RIGHT = (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)
_KEY_SIDES = (np.array(KEY_LEFT, dtype=np.intp), np.array(KEY_RIGHT, dtype=np.intp))
#: Share of a standing rep's deep frames that must show a split stance to call it a lunge.
MIN_SPLIT_SHARE = 0.5
#: Share of frames with a pose where the body was cut off above which a clip cannot be judged.
MAX_CUT_OFF_SHARE = 0.5

_PHASE_OF = {
    CounterState.NOT_READY: Phase.NOT_READY,
    CounterState.READY: Phase.START,
    CounterState.GOING: Phase.MOVING,
    CounterState.WORK: Phase.WORK,
    CounterState.RETURNING: Phase.MOVING,
}


@dataclass
class _RepLog:
    """What happened during the rep in progress (reset when the counter is at the start)."""

    t: list[float] = field(default_factory=list)
    signal: list[float] = field(default_factory=list)
    metrics: list[dict[str, float]] = field(default_factory=list)
    fronts: Counter[Side] = field(default_factory=Counter)
    deep_frames: int = 0
    split_frames: int = 0
    lateral_frames: int = 0  # deep frames with the feet spread sideways (a lateral lunge)
    descent_frames: int = 0  # logged before the first deep frame
    descent_split_frames: int = 0
    held_ms: float = 0.0  # longest hold at the working position so far
    from_rest: bool = False  # the movement left a rest the counter saw (not a stream's opening)

    def front(self, default: Side) -> Side:
        """The working side the rep's deep frames showed most (``default`` before any)."""
        return self.fronts.most_common(1)[0][0] if self.fronts else default
    faults: set[str] = field(default_factory=set)

    @property
    def split(self) -> bool:
        """Whether the rep was done in a split stance: most deep frames, else most of the descent.

        Seen from the front MediaPipe sometimes draws both legs on the front one at the bottom
        (knees 3 px apart, ankles 14 px on a rendered clip); the split then shows only on the
        way down. Not when the bottom shows the feet wide apart sideways: a lateral lunge that
        starts with a step lifts one foot on the way down, which looks like a split.
        """
        def most(part: int, whole: int) -> bool:
            return whole > 0 and part >= MIN_SPLIT_SHARE * whole
        if most(self.split_frames, self.deep_frames):
            return True
        return (self.deep_frames > 0 and not most(self.lateral_frames, self.deep_frames)
                and most(self.descent_split_frames, self.descent_frames))

    def clear(self) -> None:
        if not self.t and not self.faults:
            return
        self.t.clear()
        self.signal.clear()
        self.metrics.clear()
        self.fronts.clear()
        self.deep_frames = self.split_frames = self.lateral_frames = 0
        self.descent_frames = self.descent_split_frames = 0
        self.held_ms = 0.0
        self.from_rest = False
        self.faults.clear()


class Engine:
    """Stateful per-stream engine. Public API: update, summary, reset, recalibrate, set_*."""

    def __init__(self, config: EngineConfig | None = None,
                 exercise: Exercise | Literal["auto", "lunge", "bridge"] = "auto",
                 lang: str = "en", smoother: Callable[[], Smoother] | None = None) -> None:
        self.config = config or EngineConfig()
        self._specs = specs_for(self.config)
        self._smoother_factory = smoother
        self.set_language(lang)
        self._requested = self._parse_exercise(exercise)
        self._holds_are_reps = False
        self.reset()

    # ---- live-mode controls -------------------------------------------------------------
    def reset(self) -> None:
        """Start a new session: forget counts, holds, faults and all calibration."""
        cfg = self.config
        # one gate over (33, 5): image xy in frame heights and world xyz in metres
        self._gate = LandmarkGate(self._new_smoother(), cfg.smoothing)
        self._view = ViewEstimator(cfg.view)
        self._standing = RestHeight(cfg.depth.standing)
        self._feet_view = FeetViewHip(cfg.bridge)
        self._pelvis = PelvisEstimator(cfg.lunge.hip_ext_anatomical_max_deg)
        self._counters = {ex: RepCounter(spec.levels, cfg.counter)
                          for ex, spec in self._specs.items()}
        self._spike_gates = {ex: SpikeGate(cfg.counter.max_signal_rate_deg_s,
                                           cfg.counter.max_spike_ms) for ex in self._specs}
        self._holds = {ex: HoldTimer(cfg.hold, spec.side_switches_at_work)
                       for ex, spec in self._specs.items()}
        self._logs = {ex: _RepLog() for ex in self._specs}
        b = cfg.bridge
        self._lift = RepCounter(CounterLevels(
            b.leg_raise_start_deg, b.leg_raise_work_deg, b.leg_raise_start_bounds_deg,
            b.leg_raise_work_bounds_deg, b.leg_raise_min_amplitude_deg), cfg.counter)
        self._lift_log = _RepLog()
        # hip angle with both feet down, last ~3 s of rest (at 30 fps)
        self._lift_rest_hips: deque[float] = deque(maxlen=90)
        self._lift_hips: list[float] = []  # hip angle while the leg is up
        self._cues = CueTracker(cfg.cues)
        self._rep_cues: dict[str, float] = {}  # code -> shown until (ms)
        self._open_spans: dict[str, tuple[float, str]] = {}
        self._spans: list[FaultSpan] = []
        self._reps: list[RepEvent] = []
        self._rep_exercise: list[Exercise] = []
        self._hold_events: list[HoldEvent] = []
        self._reps_by_side: dict[Side, int] = {}
        self._detected = Exercise.UNKNOWN
        self._frames_total = 0
        self._frames_pose = 0
        self._frames_cut = 0
        self._frames_unsteady = 0
        self._views: Counter[View] = Counter()
        self._first_ms: float | None = None
        self._last_ms = 0.0
        self._dt_ms = 0.0
        self._missing_since: float | None = None
        self._lost_since: float | None = None  # when the person was last lost (found: None)
        self._redetected: deque[float] = deque()  # when the person was found again
        self._found_before = False
        self._prev_xy: np.ndarray | None = None
        self._since: dict[str, float] = {}  # guidance code -> when its condition began
        self._last_view = ViewState(View.UNKNOWN, Posture.UNKNOWN, 0, Side.UNKNOWN, Side.UNKNOWN,
                                    0.0, np.array([1.0, 0.0]), np.array([0.0, -1.0]))

    def recalibrate(self) -> None:
        """Re-learn baselines (floor, rest levels, pelvis) while keeping counts and history."""
        self._view.reset()
        self._pelvis.reset()
        self._standing.reset()
        self._feet_view.reset()
        for c in self._counters.values():
            c.reset()
        self._lift.reset()
        self._close_holds()
        for log in self._logs.values():
            log.clear()
        self._lift_log.clear()

    def _close_holds(self) -> None:
        """End the judged exercise's hold in progress, keeping it; forget the other timers.

        A switch of exercise or a recalibration must not lose a hold the person did.
        """
        timer = self._holds.get(self.exercise)
        ev = timer.finish(tuple(sorted(self._cues.active))) if timer is not None else None
        if ev is not None:
            self._hold_events.append(ev)
        for h in self._holds.values():
            h.reset()

    def set_exercise(self, exercise: Exercise | Literal["auto", "lunge", "bridge"],
                     holds_are_reps: bool | None = None) -> None:
        """Switch the exercise (or back to auto): reps in progress are dropped, holds kept.

        ``holds_are_reps``: every way down and back up is a rep, however long it was held (a
        routine's rep set with a long squeeze at the top); otherwise a movement held for
        ``rep_max_hold_ms`` is a hold and not a rep. None keeps the setting.
        """
        self._close_holds()
        self._requested = self._parse_exercise(exercise)
        if holds_are_reps is not None:
            self._holds_are_reps = holds_are_reps
        for c in self._counters.values():
            c.reset()
        self._lift.reset()
        for log in self._logs.values():
            log.clear()
        self._lift_log.clear()
        self._cues.reset()

    def set_language(self, lang: str) -> None:
        """Cue language, "en" or "de"."""
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
        self.lang = lang

    @property
    def exercise(self) -> Exercise:
        """The exercise being judged now (UNKNOWN while auto has not recognised one)."""
        return self._requested if self._requested is not None else self._detected

    # ---- per frame ----------------------------------------------------------------------
    def update(self, pose: Pose) -> FrameResult:
        """Judge one frame; poses must come with increasing ``t_ms``."""
        t = float(pose.t_ms)
        found = pose.found
        self._count_frame(t, found)
        steady = self._steady(t, found)
        coherent = self._coherent(pose)
        scale = float(pose.height) if pose.height > 0 else 1.0
        both = np.concatenate([pose.xy / scale, pose.world], axis=1)
        world_ok = np.isfinite(pose.world)
        has_world = bool(world_ok.any())
        if not world_ok.all():  # world missing alone must not hide the image
            both[:, 2:] = np.where(world_ok, both[:, 2:], 0.0)
        if not coherent:
            self._gate.reset()  # never blend two bodies (or a body and a glitch)
        smooth, known = self._gate(t, both, pose.visibility, pose.presence)
        xy = smooth[:, :2] * scale
        world = smooth[:, 2:] if has_world else np.full((33, 3), np.nan)
        z = np.where(known, pose.z, np.nan)
        vs = self._view.update(t, xy, world, z) if known.any() else self._last_view
        self._last_view = vs
        metrics = compute_metrics(xy, world, vs)
        if vs.view is View.FRONT and vs.posture is Posture.LYING:
            feet = self._feet_view.update(t, metrics["end_on_hips_below_shoulders_px"],
                                          metrics["end_on_shoulder_width_px"])
            if feet is not None:  # else the 3D angle stands in (engine/metrics.py)
                metrics["bridge_hip_deg"] = feet
        standing = self._standing.update(t, metrics["hip_height_px"], metrics["hip_height_ratio"])
        depth_cfg = self.config.depth
        depth = knee_drop_deg(metrics["back_knee_drop_ratio"], depth_cfg)
        hip_depth = hip_drop_deg(metrics["hip_height_px"], standing, depth_cfg)
        if math.isfinite(hip_depth) and not hip_depth >= depth:  # NaN-safe min
            depth = hip_depth
        metrics["lunge_depth_deg"] = depth
        # the lunge is counted on the knee angle from the side, on the depth estimate elsewhere
        by_knee = vs.view is View.SIDE
        metrics["lunge_signal_deg"] = depth
        hips_up = math.nan  # the hips' reading of the same movement (side view only)
        if by_knee:
            hips_ratio_depth = hip_drop_deg(metrics["hip_height_ratio"],
                                            self._standing.ratio_level, depth_cfg)
            metrics["lunge_signal_deg"] = _knee_within_hips(
                metrics["lunge_knee_deg"], hip_depth, hips_ratio_depth,
                self.config.lunge.side_knee_over_hips_max_deg)
            if math.isfinite(hip_depth) and math.isfinite(hips_ratio_depth):
                hips_up = min(hip_depth, hips_ratio_depth)  # up only as far as both say
        knee = metrics["front_knee_deg"]
        metrics["lunge_bottom_deg"] = nanmin2(knee, depth) if math.isfinite(knee) else math.nan

        usable = steady and coherent
        full_body = usable and any(bool(known[k].all()) and _inside(xy[k], pose)
                                   for k in _KEY_SIDES)
        # the side-view lunge signal (knee angle) needs one whole leg, not the shoulders: a
        # close-up of the legs still shows a rep
        legs = full_body or (usable and vs.view is View.SIDE and any(
            bool(known[k[1:]].all()) and _inside(xy[k[1:]], pose) for k in _KEY_SIDES))
        if found and not steady:
            self._frames_unsteady += 1
        elif found and not full_body:
            self._frames_cut += 1
        if found:
            self._views[vs.view] += 1

        # counters: every exercise whose posture matches may count (auto), or the requested one
        new_rep: RepEvent | None = None
        states: dict[Exercise, tuple[CounterState, float]] = {}
        for ex, spec in self._specs.items():
            if self._requested is not None and ex is not self._requested:
                continue
            seen = legs if spec.signal == "lunge_signal_deg" else full_body
            ready = seen and vs.posture is spec.posture
            x = self._spike_gates[ex](t, metrics.get(spec.signal, math.nan))
            # what the signal measures: only the lunge's changes with the view
            self._holds[ex].use_measure(spec.signal == "lunge_signal_deg" and by_knee)
            self._counters[ex].use_levels(spec.levels_for(vs.view))
            up = self._counters[ex].update(
                t, x, ready, hips_up if spec.signal == "lunge_signal_deg" else math.nan)
            states[ex] = (up.state, up.progress)
            log = self._logs[ex]
            if up.restarted_ms is not None:  # the stream opened at a rest: no hold, no rep
                log.clear()
                self._holds[ex].reset()
                if ex is self.exercise:
                    self._hold_events = [e for e in self._hold_events
                                         if e.start_ms < up.restarted_ms]
            if up.state in (CounterState.READY, CounterState.NOT_READY) and up.rep is None:
                log.clear()
            else:
                self._log_frame(log, t, x, metrics, vs, up.progress,
                                self._counters[ex].from_rest)
            if up.rep is not None:
                rep = self._accept_rep(ex, spec, up.rep, log)
                log.clear()
                if rep is not None:
                    new_rep = rep
        if self._requested in (None, Exercise.BRIDGE):
            lift_rep = self._update_lift(t, metrics, vs, full_body)
            if lift_rep is not None:
                new_rep = lift_rep

        held = self._time_holds(t, metrics, vs, states)
        ex = self.exercise
        spec = self._specs.get(ex)
        state, progress = states.get(ex, (CounterState.NOT_READY, math.nan))
        phase = _PHASE_OF[state]
        hold = held.get(ex)
        hold_ms = hold.hold_ms if hold is not None else 0.0
        if hold_ms < self.config.hold.min_hold_ms:  # a pause, not (yet) a hold: no timer shows
            hold_ms = 0.0
        if hold is not None and hold_ms > 0.0 and hold.at_level:
            # the way back out of a hold is not the hold (its level is judged, not the descent)
            phase = Phase.HOLD
        # baselines of the judged exercise's posture (before auto mode has recognised one: the
        # posture seen), so that lying is never judged against standing
        posture = spec.posture if spec is not None else vs.posture
        self._pelvis.update(metrics, xy, pose.mask, (pose.width, pose.height),
                            self._back_hint(vs), posture,
                            self._at_rest(spec, phase, progress, vs, states))

        cues = self._judge(t, spec, metrics, vs.view, phase)
        if spec is not None:
            self._logs[ex].faults |= self._cues.active
        guidance = self._guidance(t, found, steady, full_body, vs, phase)
        reps = dict(self._reps_by_side)
        return FrameResult(
            t_ms=pose.t_ms, pose=pose, exercise=ex, view=vs.view,
            side=self._shown_side(ex, vs), phase=phase, metrics=metrics, reps=reps,
            cues=cues, progress=_clip01(progress), rep=new_rep, hold_ms=int(hold_ms),
            guidance=guidance,
        )

    # ---- summary ------------------------------------------------------------------------
    def summary(self) -> SessionSummary:
        """The session so far (holds and fault spans in progress are closed at the last frame)."""
        holds = list(self._hold_events)
        timer = self._holds.get(self.exercise)  # other exercises' timers only look for one
        ev = timer.flush(tuple(sorted(self._cues.active))) if timer is not None else None
        if ev is not None:
            holds.append(ev)
        spans = list(self._spans)
        for code, (start, msg) in self._open_spans.items():
            spans.append(FaultSpan(code, int(start), int(self._last_ms), msg))
        reps = list(self._reps)
        by_side = dict(self._reps_by_side)
        rep_exercise = list(self._rep_exercise)
        pending = self._pending_rep()
        if pending is not None:
            p_ex, p_rep, p_spans = pending
            reps.append(p_rep)
            by_side[p_rep.side] = by_side.get(p_rep.side, 0) + 1
            rep_exercise.append(p_ex)
            spans.extend(p_spans)
        ex = self._summary_exercise(rep_exercise)
        view = self._views.most_common(1)[0][0] if self._views else View.UNKNOWN
        start = int(self._first_ms) if self._first_ms is not None else 0
        end = round(self._last_ms + self._dt_ms) if self._first_ms is not None else 0
        return SessionSummary(
            exercise=ex, view=view, start_ms=start, end_ms=end,
            frames_total=self._frames_total, frames_with_pose=self._frames_pose,
            reps_by_side=by_side, reps=tuple(reps),
            holds=tuple(sorted(holds, key=lambda h: h.start_ms)),
            faults=tuple(sorted(spans, key=lambda s: s.start_ms)),
            reason=self._reason(ex),
        )

    # ---- internals ----------------------------------------------------------------------
    def _new_smoother(self) -> Smoother:
        if self._smoother_factory is None:
            # the gate's samples are (33, 5): image x, y in frame heights, then world metres
            return OneEuroSmoother.from_config(self.config.smoothing, speed_columns=2)
        return self._smoother_factory()

    @staticmethod
    def _parse_exercise(exercise: Exercise | str) -> Exercise | None:
        if isinstance(exercise, Exercise):
            return None if exercise is Exercise.UNKNOWN else exercise
        if exercise == "auto":
            return None
        try:
            return Exercise(exercise)
        except ValueError:
            raise ValueError(f"unknown exercise {exercise!r}; use auto, lunge or bridge") from None

    def _coherent(self, pose: Pose) -> bool:
        """Whether ``pose`` continues the previous frame's body (see ``max_jump_diag_ratio``).

        A frame after one without a usable pose is coherent: a person stepping back into view
        must be seen at once. Landmarks are compared where both frames have them.
        """
        prev, self._prev_xy = self._prev_xy, pose.xy
        if prev is None:
            return True
        both = np.isfinite(prev).all(axis=1) & np.isfinite(pose.xy).all(axis=1)
        if both.sum() < 4:
            return True
        diag = math.hypot(pose.width, pose.height) or 1.0
        move = float(np.median(np.linalg.norm(pose.xy[both] - prev[both], axis=1)))
        return move <= self.config.smoothing.max_jump_diag_ratio * diag

    def _steady(self, t: float, found: bool) -> bool:
        """Whether MediaPipe holds the person, rather than finding them afresh every few frames.

        Fresh detections of a body the tracker cannot hold disagree with each other (see
        ``unsteady_redetections``).
        """
        cfg = self.config.smoothing
        log = self._redetected
        if found and not self._found_before and self._frames_pose > 1:  # not the first sight
            log.append(t)
        self._found_before = found
        while log and log[0] <= t - cfg.steady_window_ms:
            log.popleft()
        return len(log) < cfg.unsteady_redetections

    def _count_frame(self, t: float, found: bool) -> None:
        if self._first_ms is None:
            self._first_ms = t
        elif t > self._last_ms:
            dt = t - self._last_ms
            self._dt_ms = dt if self._dt_ms == 0 else 0.9 * self._dt_ms + 0.1 * dt
        self._last_ms = t
        self._frames_total += 1
        if found:
            self._frames_pose += 1

    def _time_holds(self, t: float, metrics: dict[str, float], vs: ViewState,
                    states: dict[Exercise, tuple[CounterState, float]]
                    ) -> dict[Exercise, HoldUpdate]:
        """Time the hold of every exercise whose counter ran; the holds in progress by exercise.

        The exercise being judged reports its holds. While auto mode has recognised nothing, or
        another exercise, a hold long enough to be one (``min_hold_ms``) that shows the
        exercise's own evidence (a lunge: split stance, front knee bent) recognises it, as a rep
        would: a session may be one long hold. The hold must have started from a rest the
        counter saw (a bridge with the feet far out rests where the assumed levels put the top)
        and still be still (a hold lasts until the position is left, so its end is on the way
        back: judged from there on, that would be judging the way down as the top).
        """
        faults = tuple(sorted(self._cues.active))
        held: dict[Exercise, HoldUpdate] = {}
        for ex, (state, _) in states.items():
            spec = self._specs[ex]
            hu = self._holds[ex].update(t, metrics.get(spec.signal, math.nan),
                                        state is CounterState.WORK, self._working_side(ex, vs),
                                        faults)
            log = self._logs[ex]
            if hu.holding:
                held[ex] = hu
                log.held_ms = max(log.held_ms, hu.hold_ms)
                if ex is Exercise.BRIDGE:  # a single-leg bridge held with the leg up
                    self._lift_log.held_ms = max(self._lift_log.held_ms, hu.hold_ms)
                if (self._requested is None and ex is not self._detected
                        and hu.hold_ms >= self.config.hold.min_hold_ms and hu.still
                        and self._counters[ex].from_rest and self._movement_is(ex, log)):
                    self._detected = ex
            if hu.finished is not None and ex is self.exercise:
                self._hold_events.append(hu.finished)
        return held

    def _movement_is(self, ex: Exercise, log: _RepLog, knee_min: float | None = None) -> bool:
        """Whether the movement logged so far is ``ex`` and not something that moves alike.

        A lunge needs a split stance (not a squat, a lateral lunge or stepping into position)
        and, seen from the side, a bent front knee (not the hips dropping as one steps back).
        ``knee_min``: the rep summary's ``front_knee_min_deg`` when it is already known.
        """
        if ex is not Exercise.LUNGE:
            return True
        if not log.split:
            return False
        if self._last_view.view is not View.SIDE:
            return True
        if knee_min is None:
            knee = np.array([m.get("front_knee_deg", math.nan) for m in log.metrics])
            knee_min = held_extreme(log.t, knee, self.config.cues.rep_extreme_hold_ms,
                                    lowest=True)
        return not (math.isfinite(knee_min) and knee_min > self.config.lunge.rep_max_front_knee_deg)

    def _log_frame(self, log: _RepLog, t: float, x: float, metrics: dict[str, float],
                   vs: ViewState, progress: float, from_rest: bool) -> None:
        log.from_rest |= from_rest
        log.t.append(t)
        log.signal.append(x)
        log.metrics.append(metrics)
        if math.isfinite(progress) and progress >= self.config.counter.work_enter_progress:
            log.deep_frames += 1
            side = vs.lying_leg if vs.posture is Posture.LYING else vs.front
            if side in (Side.LEFT, Side.RIGHT, Side.BOTH):
                log.fronts[side] += 1
            if _split_stance(vs, metrics, self.config.view):
                log.split_frames += 1
            if _lateral_stance(vs, self.config.view):
                log.lateral_frames += 1
        elif math.isfinite(progress) and log.deep_frames == 0:
            log.descent_frames += 1
            if _split_stance(vs, metrics, self.config.view):
                log.descent_split_frames += 1

    def _update_lift(self, t: float, metrics: dict[str, float], vs: ViewState,
                     full_body: bool) -> RepEvent | None:
        """Single-leg bridges: a lift of the free leg with the hips rising is a bridge rep.

        The floor leg's hip angle (the bridge counter) already counts the big lifts; a lift it
        also counted is the same rep (:meth:`_duplicate`).
        """
        x = metrics.get("leg_raise_deg", math.nan)
        up = self._lift.update(t, x, full_body and vs.posture is Posture.LYING)
        log = self._lift_log
        hip = metrics.get("bridge_hip_deg", math.nan)
        cc = self.config.counter
        if up.state in (CounterState.READY, CounterState.NOT_READY) and up.rep is None:
            log.clear()
            self._lift_hips.clear()
            if (up.state is CounterState.READY and up.progress <= cc.rest_learn_progress
                    and math.isfinite(hip)):  # both feet down: the hips' level at rest
                self._lift_rest_hips.append(hip)
            return None
        self._log_frame(log, t, x, metrics, vs, up.progress, self._lift.from_rest)
        if math.isfinite(up.progress) and up.progress >= cc.work_enter_progress:
            self._lift_hips.append(hip)  # leg up, hip angle on the floor leg's knee
        if up.rep is None:
            return None
        deep = np.array(self._lift_hips, dtype=float)
        deep = deep[np.isfinite(deep)]
        # the hips rest on the floor: the low end of the recent rest levels is that level (a
        # pause between lifts with the hips still a little up is not the floor)
        rise = (float(deep.max() - np.percentile(self._lift_rest_hips, 25))
                if deep.size and self._lift_rest_hips else math.nan)
        self._lift_hips.clear()
        rep = None
        if rise >= self.config.bridge.single_leg_min_hip_rise_deg:
            rep = self._accept_rep(Exercise.BRIDGE, self._specs[Exercise.BRIDGE], up.rep, log)
        log.clear()
        return rep

    def _duplicate(self, ex: Exercise, win: RepWindow) -> bool:
        """Whether a recent rep of ``ex`` (overlapping this window) is this one, recounted.

        Another counter may see the same rep. Same rep: each one's extreme lies inside the
        other's window (one containment is not enough: a counter that returns to its start
        slowly has a long window that may hold the next, separate lift), or the two windows
        nearly coincide (:data:`SAME_REP_OVERLAP` of the longer one): a spike on the way down
        can put one counter's extreme just past the other's end.
        """
        for prev, prev_ex in zip(reversed(self._reps), reversed(self._rep_exercise),
                                 strict=True):
            if prev.end_ms < win.start_ms:
                break
            if prev_ex is not ex:
                continue
            overlap = min(prev.end_ms, win.end_ms) - max(prev.start_ms, win.start_ms)
            longer = max(prev.end_ms - prev.start_ms, win.end_ms - win.start_ms)
            if ((win.start_ms <= prev.bottom_ms <= win.end_ms
                    and prev.start_ms <= win.bottom_ms <= prev.end_ms)
                    or overlap >= SAME_REP_OVERLAP * longer):
                return True
        return False

    def _accept_rep(self, ex: Exercise, spec: ExerciseSpec, win: RepWindow,
                    log: _RepLog) -> RepEvent | None:
        if self._duplicate(ex, win):
            return None
        built = self._build_rep(ex, spec, win, log, len(self._reps) + 1)
        if built is None:
            return None
        rep, spans = built
        if self._requested is None:
            self._detected = ex
        for span in spans:
            self._rep_cues[span.code] = win.end_ms + self.config.cues.rep_cue_ms
        self._spans.extend(spans)
        self._reps_by_side[rep.side] = self._reps_by_side.get(rep.side, 0) + 1
        self._reps.append(rep)
        self._rep_exercise.append(ex)
        return rep

    def _build_rep(self, ex: Exercise, spec: ExerciseSpec, win: RepWindow, log: _RepLog,
                   index: int) -> tuple[RepEvent, list[FaultSpan]] | None:
        """The rep event and its rep-level fault spans, or None when it is not a rep of ``ex``.

        Not a rep: another movement that moves alike, or a hold (the way into it and out).
        """
        # a stream that opened mid-movement may have spent its rest in the counter's work zone
        cfg = self.config.hold
        held = ((log.held_ms >= cfg.rep_max_hold_ms or win.work_ms >= cfg.rep_max_at_work_ms)
                and log.from_rest and not self._holds_are_reps)
        if held:
            return None
        summary = _summarise(spec, win, log, self.config.cues.rep_extreme_hold_ms)
        if not self._movement_is(ex, log, summary.get("front_knee_min_deg", math.nan)):
            return None
        default = Side.UNKNOWN if ex is Exercise.LUNGE else Side.BOTH
        side = log.front(default)
        rep_faults = set()
        spans: list[FaultSpan] = []
        verdicts = judge([r for r in spec.rules if r.scope is Scope.REP], summary,
                         self._last_view.view)
        for code, v in verdicts.items():
            if v is Verdict.FAULT:
                rep_faults.add(code)
                spans.append(FaultSpan(code, int(win.start_ms), int(win.end_ms),
                                       cue_text(code, self.lang)))
        faults = tuple(sorted(rep_faults | log.faults))
        rep = RepEvent(index, side, int(win.start_ms), int(win.bottom_ms), int(win.end_ms),
                       summary, faults)
        return rep, spans

    def _pending_rep(self) -> tuple[Exercise, RepEvent, list[FaultSpan]] | None:
        """The rep the stream ended in, if far enough back toward the start to count.

        See :meth:`RepCounter.pending`; nothing changes, so a summary can be taken any time.
        """
        for ex, counter in self._counters.items():
            if self._requested is not None and ex is not self._requested:
                continue
            if self._requested is None and self._detected not in (Exercise.UNKNOWN, ex):
                continue
            win = counter.pending()
            if win is None or self._duplicate(ex, win):
                continue
            built = self._build_rep(ex, self._specs[ex], win, self._logs[ex],
                                    len(self._reps) + 1)
            if built is not None:
                return ex, built[0], built[1]
        return None

    def _judge(self, t: float, spec: ExerciseSpec | None, metrics: dict[str, float],
               view: View, phase: Phase) -> tuple[Cue, ...]:
        if spec is None:
            verdicts: dict[str, Verdict] = {}
        else:
            rules = [r for r in spec.rules if r.scope is Scope.FRAME and phase in r.phases]
            verdicts = judge(rules, metrics, view, self._cues.active, self.config.cues)
        before = self._cues.active
        active = self._cues.update(t, verdicts)
        for code in active - before:
            self._open_spans[code] = (t, cue_text(code, self.lang))
        for code in before - active:
            start, msg = self._open_spans.pop(code)
            self._spans.append(FaultSpan(code, int(start), int(t), msg))
        severity = {}
        if spec is not None:
            for r in spec.rules:
                severity.setdefault(r.code, r.severity)
        codes = sorted(active)
        for code, until in list(self._rep_cues.items()):
            if t > until:
                del self._rep_cues[code]
            elif code not in codes:
                codes.append(code)
        return tuple(Cue(c, cue_text(c, self.lang), severity.get(c, Severity.WARNING))
                     for c in codes)

    def _guidance(self, t: float, found: bool, steady: bool, full_body: bool, vs: ViewState,
                  phase: Phase) -> tuple[Cue, ...]:
        delay = self.config.view.guidance_delay_ms
        out: list[str] = []
        if found:
            self._lost_since = None
        elif self._lost_since is None:
            self._lost_since = t
        # last seen lying, not side-on: that view, not the light or the framing, loses the body
        end_on = (vs.view in (View.FRONT, View.OBLIQUE) and vs.posture is Posture.LYING
                  and (self._lost_since is None
                       or t - self._lost_since < self.config.view.end_on_hint_ms))
        if not steady:  # not a framing problem: the body is not seen clearly (lost or not)
            out.append("camera_at_side" if end_on else "unsteady")
        elif not found:
            out.append("camera_at_side" if end_on else "no_person")
        # its own timer, not _lasted: kept (not reset) while the person is lost
        if full_body or not steady:
            self._missing_since = None
        elif found:
            self._missing_since = self._missing_since if self._missing_since is not None else t
            if t - self._missing_since >= delay:
                out.append("step_back")
        if self._lasted("turn_sideways", vs.view is View.OBLIQUE and found, t):
            out.append("turn_sideways")
        # standing, from the front but turned away: the knee line, stance and hip line go
        # unjudged (not for a bridge: it has no standing checks)
        turned = (vs.view is View.FRONT and not vs.square and found
                  and vs.posture is Posture.STANDING and self._requested is not Exercise.BRIDGE)
        if self._lasted("face_camera", turned, t):
            out.append("face_camera")
        if (full_body and phase is Phase.NOT_READY and self._requested is not None):
            out.append("get_into_position")
        return tuple(Cue(c, cue_text(c, self.lang), Severity.WARNING) for c in out)

    def _lasted(self, code: str, holds: bool, t: float) -> bool:
        """Whether guidance ``code``'s condition (``holds`` this frame) has lasted its delay."""
        if not holds:
            self._since.pop(code, None)
            return False
        return t - self._since.setdefault(code, t) >= self.config.view.guidance_delay_ms

    def _shown_side(self, ex: Exercise, vs: ViewState) -> Side:
        """The working side a frame reports (overlay, CSV, history, voice).

        In a rep whose side cannot change at work (a lunge's front leg), the side the rep will
        be counted on (:meth:`_RepLog.front`): MediaPipe swaps the legs' labels in a deep split
        for a moment, and the overlay of the clean sample lunge said "right leg front" for 16
        frames of two left-leg reps. Elsewhere, this frame's side.
        """
        now = self._working_side(ex, vs)
        spec = self._specs.get(ex)
        if spec is None or spec.side_switches_at_work:
            return now
        return self._logs[ex].front(now)

    def _working_side(self, ex: Exercise, vs: ViewState) -> Side:
        if ex is Exercise.BRIDGE:
            return vs.lying_leg
        if ex is Exercise.LUNGE:
            return vs.front
        return Side.UNKNOWN

    def _at_rest(self, spec: ExerciseSpec | None, phase: Phase, progress: float,
                 vs: ViewState, states: dict[Exercise, tuple[CounterState, float]]) -> bool:
        """Whether the pelvis baselines may learn from this frame.

        Before auto mode has recognised an exercise, the rest of the counter that runs for the
        person's posture counts: the first rep then has a baseline too, and its arch is seen.
        As for the counter's own rest level, the start of a descent is not rest, nor is a frame
        whose progress is unknown (a dropout or a rejected spike) (``progress``: the judged
        exercise's counter's).
        """
        near = self.config.counter.rest_learn_progress
        if spec is not None:
            return phase is Phase.START and progress <= near
        return any(state is CounterState.READY and self._specs[ex].posture is vs.posture
                   and p <= near for ex, (state, p) in states.items())

    @staticmethod
    def _back_hint(vs: ViewState) -> np.ndarray:
        if vs.posture is Posture.LYING:
            return -vs.up
        return -vs.forward

    def _summary_exercise(self, rep_exercise: list[Exercise]) -> Exercise:
        if self._requested is not None:
            return self._requested
        by_ex: Counter[Exercise] = Counter(rep_exercise)
        # no reps: what a hold was recognised as, if anything
        return by_ex.most_common(1)[0][0] if by_ex else self._detected

    def _reason(self, ex: Exercise) -> str | None:
        if self._frames_total == 0:
            return "no frames"
        if self._frames_pose == 0:
            return "no person found"
        if self._frames_unsteady + self._frames_cut > MAX_CUT_OFF_SHARE * self._frames_pose:
            if self._frames_unsteady > self._frames_cut:
                return "tracking unsteady in most frames (the person lost and found again)"
            return "body not fully visible in most frames"
        if ex is Exercise.UNKNOWN:
            return "no lunge or bridge recognised"
        return None


def _knee_within_hips(knee_deg: float, hips_px_deg: float, hips_ratio_deg: float,
                      over_max_deg: float) -> float:
    """The side view's counted knee, no straighter than ``over_max_deg`` past the hips' depth.

    A knee read straight while the hips stay down is MediaPipe's misreading (a lunge hold's
    knee read at 160 for moments where it was 90), not a return to standing: counted, each was a
    rep. The hips' drop comes from other landmarks (hips and feet), so it bounds the reading.
    The hips count as down only as far as both their drops say, in pixels and in trunk lengths:
    someone stepping back from the camera drops in pixels alone, for the seconds the standing
    level in pixels takes to follow. Any of the three unknown leaves the knee as read.
    """
    if not (math.isfinite(hips_px_deg) and math.isfinite(hips_ratio_deg)):
        return knee_deg
    cap = max(hips_px_deg, hips_ratio_deg) + over_max_deg
    return cap if knee_deg > cap else knee_deg


def _inside(pts: np.ndarray, pose: Pose) -> bool:
    return bool((pts >= 0).all() and (pts[:, 0] <= pose.width).all()
                and (pts[:, 1] <= pose.height).all())


#: Two counters' reps whose windows overlap by this share of the longer one are one rep.
SAME_REP_OVERLAP = 0.75


def _clip01(p: float) -> float:
    return max(0.0, min(1.0, p)) if math.isfinite(p) else math.nan


def _summarise(spec: ExerciseSpec, win: RepWindow, log: _RepLog, hold_ms: float
               ) -> dict[str, float]:
    """Rep summary metrics from the rep's frames; minima and maxima held for ``hold_ms``."""
    out: dict[str, float] = {}
    if not log.t:
        return out
    sig = np.asarray(log.signal, dtype=float)
    at_top = _at_extreme(log.t, sig, spec, hold_ms)
    for s in spec.summaries:
        vals = np.array([m.get(s.metric, math.nan) for m in log.metrics], dtype=float)
        if s.agg is Agg.AT_EXTREME:
            top = vals[at_top]
            v = float(np.median(top[np.isfinite(top)])) if np.isfinite(top).any() else math.nan
        elif not np.isfinite(vals).any():
            v = math.nan
        else:
            v = held_extreme(log.t, vals, hold_ms, lowest=s.agg is Agg.MIN)
        if math.isfinite(v):  # degrees to a tenth, ratios to a thousandth
            out[s.name] = round(v, 1 if s.name.endswith("_deg") else 3)
    out[spec.pause_metric] = round(_longest_still_ms(log.t, log.signal, win, spec.pause_band_deg),
                                   1)
    out["duration_ms"] = round(win.end_ms - win.start_ms, 1)
    return out


def _at_extreme(t: Sequence[float], sig: np.ndarray, spec: ExerciseSpec,
                hold_ms: float) -> np.ndarray:
    """Which of the rep's frames are at its extreme, shape ``(frames,)``.

    At the extreme: the signal within the pause band of the level held there for ``hold_ms``
    (a glitch beyond it is not the top). That level is one of the samples, so with any finite
    sample at least one frame is at the extreme.
    """
    if not np.isfinite(sig).any():
        return np.zeros(sig.shape, dtype=bool)
    held = held_extreme(t, sig, hold_ms, lowest=spec.levels.work < spec.levels.start)
    with np.errstate(invalid="ignore"):
        return np.abs(sig - held) <= spec.pause_band_deg


def held_extreme(t: Sequence[float], vals: np.ndarray, hold_ms: float, lowest: bool) -> float:
    """The lowest (``lowest``) or highest level ``vals`` stayed beyond for ``hold_ms``.

    Each window of ``hold_ms`` ending on a sample is reduced to its least extreme value; the
    result is the most extreme of those (a grey-scale opening). Only windows whose known (finite)
    samples span most of ``hold_ms`` count, so a spike between unknown frames, or alone across a
    gap in the stream, does not move it either. A rep with no such window gives its plain
    extreme. ``t`` is in ms, ascending, one per value. Vectorised: a long held rep has
    thousands of frames, judged on the frame it ends.
    """
    x = np.asarray(vals, dtype=float)
    finite = np.isfinite(x)
    if not finite.any():
        return math.nan
    sign = 1.0 if lowest else -1.0
    x = sign * x
    ts = np.asarray(t, dtype=float)
    n = ts.size
    start = np.searchsorted(ts, ts - hold_ms, side="left")  # first sample of each window
    width = int((np.arange(n) - start).max()) + 1
    idx = np.arange(n)[:, None] - np.arange(width)[None, :]  # (n, width), newest first
    inside = (idx >= start[:, None]) & (idx >= 0)
    idx = np.clip(idx, 0, n - 1)
    known = inside & finite[idx]
    span = (np.where(known, ts[idx], -np.inf).max(axis=1)
            - np.where(known, ts[idx], np.inf).min(axis=1))
    full = known.any(axis=1) & (span >= 0.8 * hold_ms)
    if not full.any():
        return sign * float(np.nanmin(x))
    least = np.where(known, x[idx], -np.inf).max(axis=1)
    return sign * float(least[full].min())


#: Only the part of a rep within this share of its amplitude from the extreme can hold a pause.
PAUSE_ZONE = 0.3
#: Stillness is judged over windows of this length (a turn-around without pausing is not still
#: for this long; a held position wobbling slowly is).
PAUSE_WINDOW_MS = 300.0


def _longest_still_ms(t: list[float], x: list[float], win: RepWindow, band: float) -> float:
    """Longest time the signal stayed locally still near the rep's extreme.

    A sample is still when the signal moved less than ``band`` (max - min) over the trailing
    ``PAUSE_WINDOW_MS``; a pause is a run of still samples, timed from the start of the first
    one's window. Local stillness, so a slow drift during a held top does not cut it short.
    """
    zone = PAUSE_ZONE * win.amplitude
    best = 0.0
    run_start: float | None = None
    j = 0
    for i, (ti, v) in enumerate(zip(t, x, strict=True)):
        while t[j] < ti - PAUSE_WINDOW_MS:
            j += 1
        seg = [u for u in x[j:i + 1] if math.isfinite(u)]
        full = ti - t[j] >= PAUSE_WINDOW_MS * 0.8
        still = (full and math.isfinite(v) and abs(v - win.extreme) <= zone
                 and max(seg) - min(seg) <= band)
        if still:
            if run_start is None:
                run_start = t[j]
            best = max(best, ti - run_start)
        else:
            run_start = None
    return best


def _lateral_stance(vs: ViewState, cfg: ViewConfig) -> bool:
    """Whether the feet are spread sideways along the hip line, as in a lateral lunge."""
    return vs.lateral_ratio > cfg.lateral_max_foot_spread_ratio


def _split_stance(vs: ViewState, m: dict[str, float], cfg: ViewConfig) -> bool:
    """Whether the feet are in a lunge's fore-aft split (not side by side, not wide apart).

    Side view: the feet are apart along the floor. Other views: the back foot is further from
    the camera and shows higher in the image, or the knees are at different heights (the back
    knee dropped, or further away); a squat keeps both symmetric and a lateral lunge spreads the
    feet sideways along the hip line instead. Seen
    from the front, a back foot hidden behind the front leg (its ankle unknown while the body
    is seen) is a split too: feet side by side never hide each other.
    """
    if _lateral_stance(vs, cfg):
        return False
    if vs.view is View.SIDE:
        return vs.fore_aft_ratio >= cfg.lunge_min_foot_spread_ratio
    ankles = m.get("ankle_height_diff_ratio", math.nan)
    if not math.isfinite(ankles) and math.isfinite(m.get("hip_height_ratio", math.nan)):
        return True  # one foot hidden behind the other leg: only a fore-aft split does that
    return (ankles >= cfg.split_min_ankle_height_ratio
            or m.get("knee_height_diff_ratio", math.nan) >= cfg.split_min_knee_height_ratio)
