"""Open what ``analyze`` and ``live`` are given: a video/camera/image folder, or a landmark track.

Returns a frame source and the pose stage that goes with it: MediaPipe for pictures, a replay of
the recorded poses for a track (whose frames are a blank canvas of the recorded size, so the
overlay still has something to draw on).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from formcheck.app.pipeline import PoseStage
from formcheck.errors import InputError
from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.track import is_track_path
from formcheck.priority import in_background
from formcheck.source import FrameSource, open_source


def open_input(spec: Path | str | int, stack: ExitStack, *, segmentation: bool = True,
               own_process: bool = False,
               mirror_pass: bool = False) -> tuple[FrameSource, PoseStage]:
    """Open ``spec`` and its pose stage, both closed when ``stack`` closes.

    ``segmentation`` asks MediaPipe for the person mask too: the engine's lumbar-curve check
    (``arched_back``) reads the back contour from it. ``own_process`` runs the model in a child
    process with frames in flight (throughput, for ``analyze``); ``mirror_pass`` also reads each
    frame mirrored and makes the two readings one (:mod:`formcheck.pose.mirror`). A track replays
    the poses it recorded; one recorded in a single pass cannot give what ``mirror_pass`` asks.
    """
    if isinstance(spec, Path) and is_track_path(spec):
        from formcheck.pose.track import open_track_input

        source, stage = open_track_input(spec)
        if mirror_pass and not source.track.mirror_pass:
            raise InputError(f"{spec}: track was read in a single pass; --mirror-pass applies "
                             "when tracking (formcheck track --mirror-pass)")
        return stack.enter_context(source), stage
    # FFmpeg starts its decoding threads when the file opens; with the model in its own
    # process they belong with the helpers, off the model's core
    source = stack.enter_context(in_background(lambda: open_source(spec)) if own_process
                                 else open_source(spec))
    estimator = stack.enter_context(PoseEstimator(segmentation=segmentation,
                                                  own_process=own_process,
                                                  mirror_pass=mirror_pass))
    return source, estimator
