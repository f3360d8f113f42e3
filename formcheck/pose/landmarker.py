"""The pose model behind one small interface, run here or in a process of its own.

:class:`~formcheck.pose.estimator.PoseEstimator` hands images to a :class:`Landmarker` and takes
back :class:`Detection` values, plain arrays with no MediaPipe types in them, so the same
estimator runs the model in this thread (:class:`LocalLandmarker`, for ``live``) or in a child
process with frames in flight (:class:`~formcheck.pose.worker.ProcessLandmarker`, for
``analyze``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from formcheck.pose.landmarks import NUM_LANDMARKS


@dataclass(frozen=True)
class Detection:
    """The first person the model found in one image, in that image's own coordinates.

    Attributes:
        raw: ``(33, 5)`` float64: x and y as shares of the image's width and height, z in image
            widths, visibility and presence (0 where the model gave none).
        world: ``(33, 3)`` float64 metres around the hips; NaN when the model gave none.
        mask: ``(h, w)`` float32 person probability at the image's size, or None (not asked
            for). The estimator's own copy: MediaPipe and the worker reuse their buffers.

    """

    raw: np.ndarray
    world: np.ndarray
    mask: np.ndarray | None


class Landmarker(Protocol):
    """Runs the pose model on images in order, with up to :attr:`depth` of them in flight."""

    depth: int

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        """Hand over one RGB image (``(h, w, 3)`` uint8) at video time ``t_ms``."""
        ...

    def collect(self) -> Detection | None:
        """The detection of the oldest image handed over and not yet collected (None: nobody)."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def detection_from_result(result: object, segmentation: bool) -> Detection | None:
    """MediaPipe's ``PoseLandmarkerResult`` -> :class:`Detection` of its first person."""
    people = result.pose_landmarks  # type: ignore[attr-defined]
    if not people:
        return None
    raw = np.array([(p.x, p.y, p.z, _score(p.visibility), _score(p.presence))
                    for p in people[0]], dtype=np.float64)
    world_list = result.pose_world_landmarks  # type: ignore[attr-defined]
    world = (np.array([(p.x, p.y, p.z) for p in world_list[0]], dtype=np.float64)
             if world_list else np.full((NUM_LANDMARKS, 3), np.nan))
    mask = None
    masks = getattr(result, "segmentation_masks", None)
    if segmentation and masks:
        view = masks[0].numpy_view()
        mask = np.array(view[..., 0] if view.ndim == 3 else view, dtype=np.float32)
    return Detection(raw, world, mask)


def _score(value: float | None) -> float:
    """MediaPipe gives None for scores it did not compute; treat those as fully unknown."""
    return float(value) if value is not None else 0.0


class LocalLandmarker:
    """A MediaPipe ``PoseLandmarker`` (VIDEO mode) called in the caller's thread.

    :meth:`submit` runs the model at once, so nothing is ever in flight for long: what ``live``
    wants, where the newest frame matters more than throughput.
    """

    depth = 1

    def __init__(self, landmarker: object, *, segmentation: bool, warm: bool = False) -> None:
        self._landmarker = landmarker
        self._segmentation = segmentation
        self._warm = warm
        self._done: tuple[Detection | None] | None = None  # the one result not yet collected

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        """Run the model on ``rgb`` now; :meth:`collect` hands the result over."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        if self._warm:
            result = self._landmarker.detect_for_video(image, t_ms)  # type: ignore[attr-defined]
        else:  # the first call initialises the native runtime, which logs to stderr
            with native_stderr_silenced():
                result = self._landmarker.detect_for_video(  # type: ignore[attr-defined]
                    image, t_ms)
            self._warm = True
        self._done = (detection_from_result(result, self._segmentation),)  # an uncollected
        # result left behind by an error is replaced, never handed to the next frame

    def collect(self) -> Detection | None:
        """The result of the last :meth:`submit` (once)."""
        if self._done is None:
            raise RuntimeError("nothing submitted to collect")
        (found,), self._done = self._done, None
        return found

    def close(self) -> None:
        """Close the MediaPipe landmarker (mediapipe 1.2.x raises at exit otherwise)."""
        with native_stderr_silenced():
            self._landmarker.close()  # type: ignore[attr-defined]


def video_landmarker(model_path: str, *, segmentation: bool) -> LocalLandmarker:
    """MediaPipe's ``PoseLandmarker`` in VIDEO mode (frames tracked in time order), wrapped.

    Raises what MediaPipe raises for a model it cannot load (RuntimeError, ValueError).
    """
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model_path),
        running_mode=vision.RunningMode.VIDEO, output_segmentation_masks=segmentation)
    return LocalLandmarker(vision.PoseLandmarker.create_from_options(options),
                           segmentation=segmentation)


#: File descriptor 2 is one per process: the tracker's and the scanner's threads take turns.
_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while native code starts up.

    The TFLite/LiteRT runtime prints INFO and alignment warnings straight to the C stderr, which
    no Python setting reaches; a user should see only formcheck's own messages.
    ``FORMCHECK_NATIVE_LOGS=1`` lets them through.
    """
    if os.environ.get("FORMCHECK_NATIVE_LOGS"):
        yield
        return
    with _STDERR_LOCK:
        yield from _silenced()


def _silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
