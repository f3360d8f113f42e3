"""``formcheck analyze``: a clip (or landmark track) in; annotated video, report and CSV out.

Frames are read as fast as they can be analysed, every one of them (no dropping), through the
same :mod:`~formcheck.app.pipeline` as ``live``. Outputs are checked before any work starts, so a
typo in a path does not cost a full analysis. On Ctrl-C what was analysed so far is still written
and the command exits 130.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from formcheck.app.pipeline import CsvSink, Pipeline, Sink, VideoSink, read_ahead, run
from formcheck.engine.session import Engine
from formcheck.errors import Interrupted, ModelError, OutputError
from formcheck.output.metrics_csv import MetricsCsvWriter
from formcheck.output.overlay import Overlay
from formcheck.output.paths import check_outputs
from formcheck.output.report import build_report, write_json
from formcheck.output.summary import print_summary
from formcheck.output.video import VideoWriter

#: Frames the drawing/encoding thread may lag behind the pose model (bounds memory: each is one
#: decoded frame).
SINK_QUEUE = 4

@dataclass(frozen=True)
class AnalyzeOptions:
    """What ``analyze`` was asked to do (paths None = not wanted)."""

    source: Path
    exercise: str = "auto"  # auto | lunge | bridge
    out: Path | None = None
    report: Path | None = None
    csv: Path | None = None
    html: Path | None = None
    lang: str = "en"
    quiet: bool = False
    force: bool = False
    mirror_pass: bool = False  # also read each frame mirrored (pose/mirror.py)


@dataclass(frozen=True)
class AnalyzeResult:
    """What a run produced: the report dict, frames analysed, speed, and the codec used."""

    report: dict[str, Any]
    frames: int
    seconds: float
    codec: str | None

    @property
    def fps(self) -> float:
        """Frames analysed per wall-clock second."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0


class _FpsColumn(ProgressColumn):
    """Frames per second of the analysis so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} fps" if speed else "  ... fps", style="progress.data.speed")


def _progress(quiet: bool, console: Console | None) -> Progress:
    return Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), _FpsColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), disable=quiet, transient=True,
                    console=console or Console(stderr=True))


def run_analyze(opts: AnalyzeOptions, *, console: Console | None = None) -> AnalyzeResult:
    """Analyse ``opts.source``, write the requested outputs, print the summary."""
    from formcheck.app.inputs import open_input

    check_outputs((opts.out, opts.report, opts.csv, opts.html), force=opts.force,
                  source=opts.source)
    engine = Engine(exercise=opts.exercise, lang=opts.lang)
    interrupted = False
    codec: str | None = None
    frames = 0
    start: float | None = None
    failed: OutputError | ModelError | None = None  # mid-run; what was analysed is still written
    try:
        with ExitStack() as stack:
            source, pose_stage = open_input(opts.source, stack, own_process=True,
                                            mirror_pass=opts.mirror_pass)
            sinks: list[Sink] = []
            if opts.out is not None:
                writer = stack.enter_context(
                    VideoWriter(opts.out, source.width, source.height, source.fps))
                codec = writer.codec
                sinks.append(VideoSink(writer, Overlay(opts.lang)))
            if opts.csv is not None:
                sinks.append(CsvSink(stack.enter_context(MetricsCsvWriter(opts.csv))))
            prepare = getattr(pose_stage, "prepare", None)  # resize + RGB on the decode thread
            frames_in = stack.enter_context(closing(read_ahead(source, prepare=prepare)))
            progress = stack.enter_context(_progress(opts.quiet, console))
            task = progress.add_task("analyse", total=source.frame_count)
            start = time.perf_counter()  # model loaded and encoder started: time the analysis
            try:
                frames = run(frames_in, Pipeline(pose_stage, engine), sinks,
                             on_frame=lambda _f, _r: progress.advance(task), behind=SINK_QUEUE)
            except KeyboardInterrupt:
                interrupted = True
            except (OutputError, ModelError) as err:  # disk full, the model's process died...
                failed = err
            # leaving the stack closes the video (playable) and the CSV, also after Ctrl-C
    except OutputError as err:
        if start is None:  # an output could not even be opened: nothing was measured yet
            raise
        failed = failed or err  # closing a sink that already failed can fail again
    seconds = time.perf_counter() - start
    if source.damage:
        print(f"formcheck: warning: {source.damage}", file=sys.stderr)
    summary = engine.summary()
    frames = summary.frames_total if interrupted or failed else frames
    report = build_report(summary, str(opts.source))
    if opts.report is not None:
        write_json(report, opts.report)
    if opts.html is not None:
        from formcheck.output.html import write_html

        write_html(report, opts.html)
    print_summary(report, console)
    if interrupted:
        raise Interrupted(f"interrupted after {frames} frames; partial results written")
    if failed is not None:  # the report and summary above keep what was measured
        raise failed
    return AnalyzeResult(report, frames, seconds, codec)
