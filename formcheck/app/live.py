"""``formcheck live``: coach from a camera (or a file played like one) in an OpenCV window.

The loop is thin: take the next analysed frame, feed the sinks (voice, history), draw the
overlay on that same frame and show it, handle a key. Capture runs on its own thread and never
queues (:class:`~formcheck.app.pipeline.LatestFrame`), so when analysis is slower than the
camera, frames are dropped and the picture stays current instead of lagging further and further
behind; the pose model runs on a third thread one frame ahead of the window
(:class:`~formcheck.app.pipeline.AnalyseAhead`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np
from rich.console import Console

from formcheck.app.pipeline import (
    AnalyseAhead,
    LatestFrame,
    Pipeline,
    RateMeter,
    ResultSink,
    Sink,
)
from formcheck.engine.session import Engine
from formcheck.engine.types import FrameResult
from formcheck.errors import InputError, Interrupted, SourceLost
from formcheck.output.labels import LANGUAGES
from formcheck.output.overlay import Overlay, Stats
from formcheck.output.paths import check_outputs
from formcheck.output.report import build_report, write_json
from formcheck.output.summary import print_summary
from formcheck.priority import responsive_threads
from formcheck.source import Frame

WINDOW_TITLE = "formcheck"
#: ``e`` cycles through these.
EXERCISE_CYCLE: tuple[str, ...] = ("auto", "lunge", "bridge")


@dataclass(frozen=True)
class LiveOptions:
    """What ``live`` was asked to do."""

    camera: int | None = None
    source: Path | None = None
    exercise: str = "auto"
    mirror: bool | None = None  # None: mirror a camera, not a file
    lang: str = "en"
    voice: bool = False
    report: Path | None = None
    max_seconds: float | None = None
    force: bool = False  # overwrite an existing --report
    history: bool = True  # save the session to the history database
    timing: Path | None = None  # per-frame display times and latencies (JSON), for benchmarks


class Action(str, Enum):
    """What a key press asks for."""

    QUIT = "quit"
    PAUSE = "pause"
    RESET = "reset"
    RECALIBRATE = "recalibrate"
    EXERCISE = "exercise"
    LANGUAGE = "language"
    FULLSCREEN = "fullscreen"


KEYS: dict[int, Action] = {
    ord("q"): Action.QUIT, 27: Action.QUIT, ord(" "): Action.PAUSE, ord("r"): Action.RESET,
    ord("c"): Action.RECALIBRATE, ord("e"): Action.EXERCISE, ord("l"): Action.LANGUAGE,
    ord("f"): Action.FULLSCREEN,
}


def key_action(key: int) -> Action | None:
    """The action of a key code from ``cv2.waitKey`` (-1 = no key), case-insensitive."""
    if key < 0:
        return None
    key &= 0xFF
    return KEYS.get(ord(chr(key).lower()) if 65 <= key <= 90 else key)


class Display(Protocol):
    """Where frames are shown and keys come from (an OpenCV window; a fake in tests)."""

    def show(self, image: np.ndarray) -> None:
        """Show one image."""
        ...

    def poll_key(self, wait_ms: int) -> int:
        """Wait up to ``wait_ms`` for a key; its code, or -1."""
        ...

    def is_open(self) -> bool:
        """False once the user closed the window."""
        ...

    def toggle_fullscreen(self) -> None:
        """Switch between fullscreen and a normal window."""
        ...


class CvWindow:
    """An OpenCV (Qt) window; a context manager."""

    def __init__(self, title: str = WINDOW_TITLE) -> None:
        self.title = title
        self._fullscreen = False
        self._shown = False

    def __enter__(self) -> CvWindow:
        import cv2

        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                     or os.environ.get("WAYLAND_DISPLAY")):
            raise InputError("no display to open a window on (live needs a desktop session; "
                             "use `formcheck analyze` for files)")
        cv2.namedWindow(self.title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO
                        | cv2.WINDOW_GUI_NORMAL)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        import cv2

        cv2.destroyWindow(self.title)
        cv2.waitKey(1)  # lets the GUI thread actually close it

    def show(self, image: np.ndarray) -> None:
        """Show ``image``; the first one also sizes the window to it."""
        import cv2

        if not self._shown:
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
            self._shown = True
        cv2.imshow(self.title, image)

    def poll_key(self, wait_ms: int) -> int:
        """``cv2.waitKey`` (also runs the GUI event loop)."""
        import cv2

        return int(cv2.waitKey(max(1, wait_ms)))

    def is_open(self) -> bool:
        """Whether the window is still there (closing it with the mouse ends the session)."""
        import cv2

        if not self._shown:
            return True
        return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1

    def toggle_fullscreen(self) -> None:
        """Fullscreen on/off."""
        import cv2

        self._fullscreen = not self._fullscreen
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN,
                              cv2.WINDOW_FULLSCREEN if self._fullscreen else cv2.WINDOW_NORMAL)


class FrameTiming:
    """When each analysed frame was captured and shown (monotonic seconds), for benchmarks."""

    def __init__(self) -> None:
        self.captured_s = array("d")
        self.displayed_s = array("d")

    def add(self, captured_s: float, displayed_s: float) -> None:
        """Record one shown frame."""
        self.captured_s.append(captured_s)
        self.displayed_s.append(displayed_s)

    def to_json(self, dropped: int) -> dict[str, Any]:
        """``displayed_s``, ``latency_ms`` (capture to shown) per frame, and frames dropped."""
        return {"displayed_s": list(self.displayed_s),
                "latency_ms": [(d - c) * 1000.0 for c, d in zip(self.captured_s, self.displayed_s,
                                                                 strict=True)],
                "dropped": dropped}


@dataclass
class LiveState:
    """What the keys change."""

    exercise: str
    lang: str
    paused: bool = False
    quit: bool = False


class LiveSession:
    """The live loop over a frame source: pipeline, sinks, overlay, window and keys.

    Reusable by other live commands (a guided routine) through ``sinks`` and ``stop``.

    Args:
        frames: the capture (newest-frame) iterator's owner.
        pipeline: pose stage + engine.
        engine: the same engine (for reset, recalibrate, exercise and language switches).
        display: where to show frames.
        sinks: fed every analysed frame (voice, history...).
        mirror: flip the picture for display.
        clock: monotonic seconds (fps, latency, ``max_seconds``).
        on_language: called after ``l`` switched the language (to rebuild the voice).
        timing: keep each shown frame's display time and capture-to-display latency
            (:attr:`timing`; 16 bytes a frame, so off by default).

    """

    def __init__(self, frames: LatestFrame, pipeline: Pipeline, engine: Engine, display: Display,
                 state: LiveState, *, sinks: Iterable[Sink] = (), mirror: bool = False,
                 max_seconds: float | None = None, clock: Callable[[], float] = time.monotonic,
                 stop: Callable[[], bool] | None = None,
                 on_language: Callable[[str], None] | None = None, timing: bool = False) -> None:
        self.frames = frames
        self.pipeline = pipeline
        self.engine = engine
        self.display = display
        self.state = state
        self.sinks = list(sinks)
        self.mirror = mirror
        self.max_seconds = max_seconds
        self.clock = clock
        self.stop = stop
        self.on_language = on_language
        self.overlay = Overlay(state.lang)
        self.meter = RateMeter()
        self.analysed = 0
        self._last: tuple[Frame, FrameResult, Stats] | None = None
        self.timing: FrameTiming | None = FrameTiming() if timing else None
        #: Held while the engine is used: by the model thread per frame, here for keys and sinks.
        self.lock = threading.Lock()

    def handle(self, action: Action | None) -> None:
        """Apply one key action."""
        if action is not None:
            with self.lock:
                self._apply(action)

    def _apply(self, action: Action) -> None:
        s = self.state
        if action is Action.QUIT:
            s.quit = True
        elif action is Action.PAUSE:
            s.paused = not s.paused
        elif action is Action.RESET:
            self.engine.reset()
            self.overlay.reset()
        elif action is Action.RECALIBRATE:
            self.engine.recalibrate()
        elif action is Action.EXERCISE:
            s.exercise = EXERCISE_CYCLE[(EXERCISE_CYCLE.index(s.exercise) + 1)
                                        % len(EXERCISE_CYCLE)]
            self.engine.set_exercise(s.exercise)
            self.overlay.reset()
        elif action is Action.LANGUAGE:
            s.lang = LANGUAGES[(LANGUAGES.index(s.lang) + 1) % len(LANGUAGES)]
            self.engine.set_language(s.lang)
            self.overlay.set_language(s.lang)
            if self.on_language is not None:
                self.on_language(s.lang)
        elif action is Action.FULLSCREEN:
            self.display.toggle_fullscreen()

    def _step(self, ahead: AnalyseAhead) -> bool:
        """Show the next analysed frame; False when the source has ended."""
        got = ahead.take(timeout_s=0.05)
        if got is None:
            return not ahead.finished
        item, result = got
        with self.lock:
            for sink in self.sinks:
                sink.update(item.frame, result)
        self.analysed += 1
        now = self.clock()
        stats = Stats(self.meter.tick(now), (now - item.captured_s) * 1000.0)
        # Drawn on the frame the pose was estimated on, never on a newer one.
        self.display.show(self.overlay.annotate(item.frame.image, result, stats=stats,
                                                mirror=self.mirror))
        if self.timing is not None:
            self.timing.add(item.captured_s, self.clock())
        self._last = (item.frame, result, stats)
        return True

    def run(self) -> None:
        """Loop until quit, window closed, source ended, ``stop()`` or ``max_seconds``."""
        start = self.clock()
        with responsive_threads(), AnalyseAhead(self.frames, self.pipeline, self.lock,
                                                paused=lambda: self.state.paused) as ahead:
            while not self.state.quit:
                if self.max_seconds is not None and self.clock() - start >= self.max_seconds:
                    break
                if self.stop is not None and self.stop():
                    break
                if self.state.paused:
                    if self._last is not None:
                        frame, result, stats = self._last
                        self.display.show(self.overlay.annotate(
                            frame.image, result, stats=stats, mirror=self.mirror,
                            banner=self.overlay.labels.paused))
                    self.handle(key_action(self.display.poll_key(30)))
                    self.frames.take(timeout_s=0)  # keep dropping while paused: resume is current
                    ahead.discard()
                else:
                    if not self._step(ahead):
                        break
                    self.handle(key_action(self.display.poll_key(1)))
                if not self.display.is_open():
                    break


class _VoiceSlot:
    """Holds the voice sink so a language switch can replace it with one in the new language."""

    def __init__(self, make: Callable[[str], Any], lang: str) -> None:
        self._make = make
        self._sink = make(lang).__enter__()

    def update(self, frame: Frame, result: FrameResult) -> None:
        self._sink.update(result)

    def switch(self, lang: str) -> None:
        self._sink.__exit__(None, None, None)
        self._sink = self._make(lang).__enter__()

    def close(self) -> None:
        self._sink.__exit__(None, None, None)


def run_live(opts: LiveOptions, *, display: Display | None = None,
             console: Console | None = None) -> dict[str, Any]:
    """Run a live session; print the summary and write ``--report`` on quit; return the report."""
    from formcheck.app.inputs import open_input

    spec: Path | int = opts.source if opts.source is not None else (opts.camera or 0)
    check_outputs((opts.report, opts.timing), force=opts.force, source=opts.source)
    engine = Engine(exercise=opts.exercise, lang=opts.lang)
    with ExitStack() as stack:
        source, pose_stage = open_input(spec, stack)
        mirror = opts.mirror if opts.mirror is not None else source.is_live
        sinks: list[Sink] = []
        voice: _VoiceSlot | None = None
        if opts.voice:
            from formcheck.coach.factory import live_voice_sink

            voice = _VoiceSlot(live_voice_sink, opts.lang)
            stack.callback(voice.close)
            sinks.append(voice)
        if opts.history:
            from formcheck.coach.factory import live_history_sink

            history = stack.enter_context(live_history_sink(datetime.now(), source.name,
                                                            opts.lang))
            sinks.append(ResultSink(history.update))
        window = display if display is not None else stack.enter_context(CvWindow())
        latest = stack.enter_context(LatestFrame(
            source, pace=not source.is_live,
            prepare=getattr(pose_stage, "prepare", None)))  # resize + RGB on the capture thread
        session = LiveSession(latest, Pipeline(pose_stage, engine), engine, window,
                              LiveState(opts.exercise, opts.lang), sinks=sinks, mirror=mirror,
                              max_seconds=opts.max_seconds,
                              on_language=voice.switch if voice is not None else None,
                              timing=opts.timing is not None)
        lost: SourceLost | None = None
        interrupted = False
        try:
            session.run()
        except KeyboardInterrupt:
            interrupted = True  # report and summary first, then exit 130 as the contract says
        except SourceLost as err:
            lost = err  # camera unplugged: still report what was seen, then fail
        source_name, damage = source.name, source.damage
        if opts.timing is not None and session.timing is not None:
            opts.timing.write_text(json.dumps(session.timing.to_json(latest.dropped)))
    if damage:
        print(f"formcheck: warning: {damage}", file=sys.stderr)
    report = build_report(engine.summary(), source_name)
    if opts.report is not None:
        write_json(report, opts.report)
    print_summary(report, console)
    if lost is not None:
        raise lost
    if interrupted:
        raise Interrupted("interrupted; the session so far is summarised"
                          + (" and its report written" if opts.report is not None else ""))
    return report
