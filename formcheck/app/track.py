"""``formcheck track``: record a clip's landmarks for later replay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from formcheck.errors import OutputError
from formcheck.output.paths import check_outputs
from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.track import TrackRecorder, save_track
from formcheck.priority import in_background
from formcheck.source import open_source


def run_track(video: Path, out: Path, *, quiet: bool = False, mirror_pass: bool = False,
              force: bool = False) -> int:
    """Track every frame of ``video`` and write the landmarks to ``out``; return frames tracked.

    ``mirror_pass`` as in ``analyze``; the track records it, so a replay is judged on the same
    poses as the video would be.
    """
    check_outputs((out,), force=force, source=video)
    # masks too: the engine's lumbar-curve check reads them, so a replay judges like analyze;
    # the model in its own process, two frames in flight, as analyze runs it; decoder threads
    # are helpers
    with in_background(lambda: open_source(video)) as source, PoseEstimator(
            segmentation=True, own_process=True, mirror_pass=mirror_pass) as estimator:
        recorder = TrackRecorder(source.name, source.width, source.height, source.fps,
                                 mirror_pass=mirror_pass)
        columns = (TextColumn("tracking"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn())
        with Progress(*columns, disable=quiet, transient=True) as progress:
            task = progress.add_task("track", total=source.frame_count)
            complete = False
            try:
                for _frame, pose in estimator.poses(source):
                    recorder.add(pose)
                    progress.advance(task)
                complete = True
            finally:  # interrupted too: the frames so far are kept, marked as a partial track
                track = replace(recorder.track(), complete=complete)
                try:
                    save_track(track, out)
                except OSError as err:
                    raise OutputError(f"{out}: cannot write ({err.strerror or err})") from None
    return len(track)
