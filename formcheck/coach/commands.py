"""The ``routine`` and ``history`` commands: wiring only, the logic lives in the coach modules."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from rich.console import Console

from formcheck.coach.factory import make_speaker
from formcheck.coach.feed import EveryFrame
from formcheck.coach.history import history_path, open_default_store
from formcheck.coach.history_view import print_history, write_csv
from formcheck.coach.recorder import HistorySink
from formcheck.coach.routine import RoutinePlan, RoutineRunner, load_plan
from formcheck.coach.voice import Speaker, SpokenLine, VoiceSink
from formcheck.engine.types import Exercise, FrameResult, Side
from formcheck.errors import OutputError
from formcheck.output.paths import check_outputs

if TYPE_CHECKING:
    from formcheck.app.live import Display


def run_history(csv_out: Path | None, console: Console | None = None,
                force: bool = False) -> None:
    """Print the history table (and write the CSV when asked)."""
    check_outputs((csv_out,), force=force)
    console = console or Console()
    with open_default_store() as store:
        totals = store.totals()
    print_history(totals, console)
    if csv_out is not None:
        write_csv(totals, csv_out)
        console.print(f"Wrote {csv_out} ({len(totals)} sessions).")


class RoutineSession:
    """Everything a guided routine adds to the live loop, as one per-frame sink.

    Feeds each FrameResult to the runner (whose lines go to the speaker) and to the history;
    tells the engine which exercise to expect, and in a rep set that every way down and up is a
    rep however long it was held, through ``set_exercise``; says when to stop
    (routine done, or ``max_seconds`` of stream time). A context manager: leaving it lets the
    speaker finish and saves the session with its sets.
    """

    def __init__(self, plan: RoutinePlan, speaker: Speaker,
                 set_exercise: Callable[[Exercise, bool], None],
                 history: HistorySink | None = None, max_seconds: float | None = None,
                 lang: str | None = None) -> None:
        if lang is not None and lang != plan.lang:
            plan = RoutinePlan(plan.sets, lang)
        self.plan = plan
        self.runner = RoutineRunner(plan, on_exercise=set_exercise)
        self.voice = VoiceSink(self.runner, speaker)
        self.history = history
        if history is not None:
            history.sets = self.runner.finish
        self.max_seconds = max_seconds
        self._first_ms: int | None = None
        self._last_ms = 0

    def __enter__(self) -> RoutineSession:
        self.voice.__enter__()
        if self.history is not None:
            self.history.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.history is not None:
                self.history.__exit__(exc_type, exc, tb)
        finally:
            self.voice.__exit__(exc_type, exc, tb)

    def update(self, result: FrameResult) -> None:
        """Feed one frame."""
        if self._first_ms is None:
            self._first_ms = result.t_ms
        self._last_ms = result.t_ms
        self.voice.update(result)
        if self.history is not None:
            self.history.update(result)

    __call__ = update

    def should_stop(self) -> bool:
        """True when the routine is done or the time limit is reached."""
        if self.runner.done:
            return True
        if self.max_seconds is None or self._first_ms is None:
            return False
        return self._last_ms - self._first_ms >= self.max_seconds * 1000

    def summary_lines(self) -> list[str]:
        """One line per set, for the end of the run."""
        lines = []
        for o in self.runner.finish(self._last_ms):
            what = (f"{o.reps}/{o.plan.reps} reps" if o.plan.reps is not None
                    else f"{o.held_s:.0f}/{o.plan.hold_s:.0f} s held")
            side = f" {o.plan.side.value}" if o.plan.side in (Side.LEFT, Side.RIGHT) else ""
            done = "done" if o.completed else "stopped"
            lines.append(f"set {o.index + 1}: {o.plan.exercise.value}{side}: {what} ({done})")
        return lines


@dataclass(frozen=True)
class RoutineOptions:
    """What ``routine`` was asked to do."""

    config: Path | None = None
    camera: int | None = None
    source: Path | None = None
    voice: bool = True
    lang: str | None = None  # None: the config's language
    max_seconds: float | None = None
    speech_log: Path | None = None
    history: bool = True
    pace: bool = True  # play a --source file in real time like a camera; False: every frame
    force: bool = False  # replace an existing --speech-log


def run_routine(opts: RoutineOptions, *, display: Display | None = None,
                console: Console | None = None) -> list[str]:
    """Run a guided routine in the live window; returns the per-set summary lines it printed.

    Reuses the live loop (:class:`~formcheck.app.live.LiveSession`) with the routine as its
    sink and stop rule; the engine is told which exercise each set expects.
    """
    from formcheck.app.inputs import open_input
    from formcheck.app.live import CvWindow, LiveSession, LiveState
    from formcheck.app.pipeline import LatestFrame, Pipeline, ResultSink
    from formcheck.engine.session import Engine

    check_outputs((opts.speech_log,), force=opts.force, source=opts.source)
    console = console or Console()
    plan = load_plan(opts.config)
    lang = opts.lang or plan.lang
    spec: Path | int = opts.source if opts.source is not None else (opts.camera or 0)
    engine = Engine(exercise=plan.sets[0].exercise.value, lang=lang)

    def echo(line: SpokenLine) -> None:
        if line.dropped:
            return
        console.print(f"[dim]{line.said_ms / 1000:7.1f} s[/dim]  {line.utterance.text}")

    with ExitStack() as stack:
        log = (stack.enter_context(_open_log(opts.speech_log))
               if opts.speech_log is not None else None)
        source, pose_stage = open_input(spec, stack)
        speaker = make_speaker(lang, opts.voice, log=log, echo=echo)
        history = (HistorySink(history_path(), datetime.now().astimezone(), "routine",
                               source.name, lang) if opts.history else None)
        routine = stack.enter_context(RoutineSession(plan, speaker, engine.set_exercise, history,
                                                     lang=lang))
        window = display if display is not None else stack.enter_context(CvWindow())
        if opts.pace or source.is_live:
            latest: LatestFrame | EveryFrame = stack.enter_context(
                LatestFrame(source, pace=not source.is_live))
        else:
            latest = stack.enter_context(EveryFrame(source))
        session = LiveSession(latest, Pipeline(pose_stage, engine), engine, window,
                              LiveState(plan.sets[0].exercise.value, lang),
                              sinks=[ResultSink(routine.update)],
                              mirror=source.is_live, max_seconds=opts.max_seconds,
                              stop=routine.should_stop)
        with suppress(KeyboardInterrupt):  # Ctrl-C ends the routine like q; the history is kept
            session.run()
        lines = routine.summary_lines()
    for line in lines:
        console.print(line)
    return lines


def _open_log(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as err:
        raise OutputError(f"cannot write speech log {path}: {err}") from None
