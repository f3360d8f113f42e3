"""The per-frame pipeline ``analyze`` and ``live`` share: frame -> pose -> engine -> sinks.

The two commands differ only in where frames come from (a file read as fast as possible, or the
newest frame of a camera or paced file), and which sinks they feed (video/CSV files, or a window
and the voice). Everything between is this module, so what ``live`` shows on screen is exactly
what ``analyze`` writes.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, runtime_checkable

from formcheck.engine.types import FrameResult
from formcheck.output.metrics_csv import MetricsCsvWriter
from formcheck.output.overlay import Overlay
from formcheck.output.video import VideoWriter
from formcheck.pose.types import Pose
from formcheck.priority import helper_cpus, lower_this_thread, responsive_threads
from formcheck.source import Frame


class PoseStage(Protocol):
    """Anything that turns a frame into a pose (MediaPipe, or a replayed track)."""

    def estimate(self, frame: Frame) -> Pose:
        """The pose of the main person in ``frame``."""
        ...


@runtime_checkable
class PipelinedPoseStage(Protocol):
    """A pose stage that works on several frames at once (the model in its own process)."""

    def poses(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, Pose]]:
        """``(frame, pose)`` for every frame, in order."""
        ...


def estimates(stage: PoseStage, frames: Iterable[Frame]) -> Iterator[tuple[Frame, Pose]]:
    """Every frame with its pose; through the stage's own :meth:`poses` when it has one."""
    if isinstance(stage, PipelinedPoseStage):
        yield from stage.poses(frames)
        return
    for frame in frames:
        yield frame, stage.estimate(frame)


class EngineLike(Protocol):
    """The part of the exercise engine the pipeline drives."""

    def update(self, pose: Pose) -> FrameResult:
        """Advance by one frame."""
        ...


class Sink(Protocol):
    """Takes every processed frame (a video writer, a CSV file, the voice...)."""

    def update(self, frame: Frame, result: FrameResult) -> None:
        """Consume one frame and the engine's result for it."""
        ...


@dataclass(frozen=True)
class Pipeline:
    """Pose stage plus engine: one call per frame, nothing else."""

    pose: PoseStage
    engine: EngineLike

    def process(self, frame: Frame) -> FrameResult:
        """Estimate the pose in ``frame`` and let the engine judge it."""
        return self.engine.update(self.pose.estimate(frame))


class VideoSink:
    """Draws the overlay on each frame and appends it to the annotated video.

    Draws on the frame's own pixels (no copy): put it after any sink that reads them.
    """

    def __init__(self, writer: VideoWriter, overlay: Overlay) -> None:
        self.writer = writer
        self.overlay = overlay

    def update(self, frame: Frame, result: FrameResult) -> None:
        """Annotate and write one frame."""
        self.writer.write(self.overlay.annotate(frame.image, result, in_place=True))


class CsvSink:
    """One metrics row per frame."""

    def __init__(self, writer: MetricsCsvWriter) -> None:
        self.writer = writer

    def update(self, frame: Frame, result: FrameResult) -> None:
        """Write the frame's row."""
        self.writer.write(frame.index, result)


class ResultSink:
    """Adapts a sink that only needs the result (the voice's ``update(result)``)."""

    def __init__(self, target: Callable[[FrameResult], object]) -> None:
        self.target = target

    def update(self, frame: Frame, result: FrameResult) -> None:
        """Pass the result on."""
        self.target(result)


def run(frames: Iterable[Frame], pipeline: Pipeline, sinks: Iterable[Sink],
        on_frame: Callable[[Frame, FrameResult], None] | None = None, *,
        behind: int = 0) -> int:
    """Feed every frame through the pipeline into every sink; returns frames processed.

    With ``behind`` > 0 the engine, the sinks (drawing, encoding, CSV) and ``on_frame`` run on
    their own thread, up to ``behind`` frames after the pose model, which then has this thread to
    itself (on two cores: the model on one, the rest on the other), or feeds its own process
    (:class:`PipelinedPoseStage`). The queue between them is
    bounded, so a slow encoder holds the model back instead of piling up frames. An error of a
    sink is raised here.

    A KeyboardInterrupt propagates after the frames done so far have reached every sink, so the
    caller can still write what was analysed.
    """
    sinks = tuple(sinks)

    def feed(frame: Frame, result: FrameResult) -> None:
        for sink in sinks:
            sink.update(frame, result)
        if on_frame is not None:
            on_frame(frame, result)

    if behind <= 0:
        count = 0
        for frame in frames:
            feed(frame, pipeline.process(frame))
            count += 1
        return count
    def judge_and_feed(frame: Frame, pose: Pose) -> None:
        feed(frame, pipeline.engine.update(pose))

    with responsive_threads(), _Behind(judge_and_feed, behind) as back:
        for frame, pose in estimates(pipeline.pose, frames):
            back.put(frame, pose)
    return back.done


class _Behind:
    """Runs ``feed`` on a thread over a bounded queue; ``with`` drains it and joins the thread."""

    def __init__(self, feed: Callable[[Frame, Pose], None], depth: int) -> None:
        self._feed = feed
        self._slots: queue.Queue[tuple[Frame, Pose] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self.done = 0
        self._cpus = helper_cpus()  # here, before the caller's thread may be confined
        self._thread = threading.Thread(target=self._run, name="sinks", daemon=True)

    def __enter__(self) -> _Behind:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._put(None)  # the thread finishes what is queued, then stops
        self._thread.join()
        if self._error is not None and exc is None:
            raise self._error

    def _run(self) -> None:
        lower_this_thread(self._cpus)
        while True:
            item = self._slots.get()
            if item is None:
                return
            if self._error is None:  # after a failure, only drain so the producer never blocks
                try:
                    self._feed(*item)
                    self.done += 1
                except BaseException as err:  # raised in the producer's thread
                    self._error = err

    def _put(self, item: tuple[Frame, Pose] | None) -> None:
        while True:
            try:
                self._slots.put(item, timeout=0.1)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    return

    def put(self, frame: Frame, pose: Pose) -> None:
        """Queue one frame (blocks while ``depth`` are waiting); raises a sink's error."""
        if self._error is not None:
            raise self._error
        self._put((frame, pose))


# --- reading ahead ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failed:
    """An exception raised by the source on the reading thread, handed to the consumer."""

    error: BaseException


_END = object()


def read_ahead(frames: Iterable[Frame], depth: int = 4,
               prepare: Callable[[Frame], Frame] | None = None) -> Iterator[Frame]:
    """Yield ``frames`` in order, decoding up to ``depth`` ahead on a thread.

    The thread's CPUs are chosen now, by the caller's thread (see :func:`_read_ahead`).
    """
    return _read_ahead(frames, depth, prepare, helper_cpus())


def _read_ahead(frames: Iterable[Frame], depth: int,
                prepare: Callable[[Frame], Frame] | None,
                cpus: frozenset[int]) -> Iterator[Frame]:
    """Yield ``frames`` in order, decoding up to ``depth`` ahead on a thread.

    For files (``analyze``): every frame is kept, unlike :class:`LatestFrame`; decoding overlaps
    pose estimation (a 720p clip on two cores: 18.5 -> 23.7 fps). ``prepare`` (the pose stage's
    resize and colour conversion) runs on the same thread. An error of the source is
    raised here, in the consumer's thread. Close the generator (``contextlib.closing``) before
    the source: that stops and joins the reader, so the source is never closed mid-read.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def reader() -> None:
        lower_this_thread(cpus)
        try:
            for frame in frames:
                if not put(frame if prepare is None else prepare(frame)):
                    return
            put(_END)
        except BaseException as err:  # handed over, raised by the consumer
            put(_Failed(err))

    thread = threading.Thread(target=reader, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=2.0)


# --- live capture ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Captured:
    """A frame and the wall-clock time (``clock`` seconds) it was captured at."""

    frame: Frame
    captured_s: float


class LatestFrame:
    """Reads a source on its own thread and always hands over the newest frame.

    A slow consumer never builds up a queue: a frame not taken before the next one arrives is
    dropped (counted in :attr:`dropped`). With ``pace`` the frames of a file are released at
    their own timestamps, so a file behaves like a camera; a camera paces itself.

    Args:
        frames: the source's frames (iterated on the capture thread only).
        pace: release frames in real time by their ``t_ms`` (files), or as they come (cameras).
        clock: monotonic seconds; injected for tests.
        sleep: sleeps seconds; injected for tests.
        prepare: run on the capture thread on each frame before it is offered (the pose stage's
            resize and colour conversion), so the analysis thread does only the model; the
            capture time is taken before it, so latency includes it.

    """

    def __init__(self, frames: Iterable[Frame], *, pace: bool,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 prepare: Callable[[Frame], Frame] | None = None) -> None:
        self._frames = frames
        self._prepare = prepare
        self._pace = pace
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._latest: Captured | None = None
        self._finished = False
        self._stop = False
        self._error: BaseException | None = None
        self.delivered = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    def __enter__(self) -> LatestFrame:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the capture thread (it finishes the frame it is reading)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    @property
    def finished(self) -> bool:
        """True when the source has ended and its last frame has been taken."""
        with self._cond:
            return self._finished and self._latest is None

    def _run(self) -> None:
        start_wall: float | None = None
        start_ms = 0
        try:
            for frame in self._frames:
                if self._pace:
                    if start_wall is None:
                        start_wall, start_ms = self._clock(), frame.t_ms
                    due = start_wall + (frame.t_ms - start_ms) / 1000.0
                    wait = due - self._clock()
                    if wait > 0:
                        with self._cond:
                            if self._cond.wait_for(lambda: self._stop, timeout=wait):
                                return
                captured_s = self._clock()
                if self._prepare is not None:
                    frame = self._prepare(frame)
                with self._cond:
                    if self._stop:
                        return
                    if self._latest is not None:
                        self.dropped += 1
                    self._latest = Captured(frame, captured_s)
                    self._cond.notify_all()
        except BaseException as err:  # handed to the consumer, which raises it
            with self._cond:
                self._error = err
        finally:
            with self._cond:
                self._finished = True
                self._cond.notify_all()

    def take(self, timeout_s: float = 0.5) -> Captured | None:
        """The newest frame not yet taken; None if none arrived within ``timeout_s``.

        Re-raises an error the source raised on the capture thread (camera lost), once the
        frame before it has been taken.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._latest is not None or self._finished
                                or self._error is not None, timeout=timeout_s)
            if self._latest is None and self._error is not None:
                err, self._error = self._error, None  # after the last good frame was taken
                raise err
            item, self._latest = self._latest, None
            if item is not None:
                self.delivered += 1
            return item


class RateMeter:
    """Frames per second over a sliding window of the last ``window`` frames (wall clock)."""

    def __init__(self, window: int = 30) -> None:
        self.window = window
        self._times: list[float] = []

    def tick(self, now_s: float) -> float:
        """Record one frame at ``now_s``; returns the current rate (NaN until two frames)."""
        self._times.append(now_s)
        if len(self._times) > self.window:
            del self._times[0]
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return math.nan
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])


class AnalyseAhead:
    """Runs the pipeline on the newest captured frames on its own thread, one result ahead.

    For ``live``: while the window thread draws and shows frame n, this thread already
    estimates frame n+1, so the displayed rate is the model's rate instead of model + drawing.
    The hand-over holds one result and waits for it to be taken: every analysed frame is shown,
    and a slow display holds the model back rather than piling results up. ``lock`` is held
    around each engine update (not the pose model); whoever else touches the engine (keys,
    sinks) holds it too.
    An error on this thread (a lost camera) is raised by :meth:`take`.
    """

    def __init__(self, frames: LatestFrame, pipeline: Pipeline, lock: threading.Lock,
                 paused: Callable[[], bool] = lambda: False) -> None:
        self._frames = frames
        self._pipeline = pipeline
        self._lock = lock
        self._paused = paused
        self._cond = threading.Condition()
        self._slot: tuple[Captured, FrameResult] | None = None
        self._stop = False
        self._done = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="analyse", daemon=True)

    def __enter__(self) -> AnalyseAhead:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=5.0)

    @property
    def finished(self) -> bool:
        """True when the source has ended and every result (and error) has been taken."""
        with self._cond:
            return self._done and self._slot is None and self._error is None

    def discard(self) -> None:
        """Drop a result waiting to be shown (it is stale after a pause)."""
        with self._cond:
            self._slot = None
            self._cond.notify_all()

    def take(self, timeout_s: float = 0.05) -> tuple[Captured, FrameResult] | None:
        """The next analysed frame and its result; None if none is ready within ``timeout_s``."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is not None or self._done, timeout=timeout_s)
            if self._slot is None and self._error is not None:
                error, self._error = self._error, None
                raise error
            item, self._slot = self._slot, None
            self._cond.notify_all()
            return item

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    if self._stop:
                        return
                    if self._paused():
                        self._cond.wait(timeout=0.01)
                        continue
                item = self._frames.take(timeout_s=0.05)
                if item is None:
                    if self._frames.finished:
                        return
                    continue
                pose = self._pipeline.pose.estimate(item.frame)  # the long part: no lock
                with self._lock:
                    result = self._pipeline.engine.update(pose)
                with self._cond:
                    self._cond.wait_for(lambda: self._slot is None or self._stop)
                    if self._stop:
                        return
                    self._slot = (item, result)
                    self._cond.notify_all()
        except BaseException as err:  # raised by take(), in the window's thread
            with self._cond:
                self._error = err
        finally:
            with self._cond:
                self._done = True
                self._cond.notify_all()
