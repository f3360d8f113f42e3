"""The one adapter between MediaPipe's PoseLandmarker (Tasks API, VIDEO mode) and :class:`Pose`.

MediaPipe types never leave this module. Frames larger than ``max_inference_px`` on their long
side are downscaled before inference: the landmark model works on a 256x256 crop anyway, so this
only saves conversion time, and normalised coordinates map straight back to the original frame.
The downscale and colour conversion can run ahead on the decoding thread (:meth:`prepare`), so
the thread that runs the model does nothing else.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from formcheck.errors import ModelError
from formcheck.pose.landmarks import NUM_LANDMARKS
from formcheck.pose.model import find_model
from formcheck.pose.types import Pose
from formcheck.priority import on_model_cores
from formcheck.source import Frame

# MediaPipe's native code logs through glog/absl; keep its INFO chatter off the user's terminal.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclass(frozen=True, eq=False)
class ModelFrame(Frame):
    """A frame with its model input made beforehand (by :meth:`PoseEstimator.prepare`).

    Attributes:
        model_input: ``(h, w, 3)`` uint8 RGB at the estimator's inference size, contiguous.

    """

    model_input: np.ndarray | None = None


class PoseEstimator:
    """Per-frame pose estimation; use as a context manager so the landmarker is always closed.

    Args:
        model_path: a ``.task`` bundle; None finds the bundled one (:func:`find_model`).
        segmentation: also return the person mask, at the model's resolution (the lumbar
            contour check needs it).
        max_inference_px: long side of the image handed to MediaPipe.
        num_poses: people to detect; with more than one, the main person is chosen by
            :func:`choose_main`.

    """

    def __init__(self, model_path: Path | None = None, *, segmentation: bool = False,
                 max_inference_px: int = 640, num_poses: int = 1) -> None:
        self.model_path = find_model(model_path)
        self.segmentation = segmentation
        self.max_inference_px = max_inference_px
        self.num_poses = num_poses
        self._landmarker = None
        self._warm = False
        self._previous: Pose | None = None

    def __enter__(self) -> PoseEstimator:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=self.num_poses,
            output_segmentation_masks=self.segmentation,
        )
        try:
            with _native_stderr_silenced():  # its worker threads start on the model's CPUs
                self._landmarker = on_model_cores(
                    lambda: vision.PoseLandmarker.create_from_options(options))
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"cannot load pose model {self.model_path}: {err}") from None
        self._warm = False
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the landmarker (mediapipe 1.2.x raises at interpreter exit otherwise)."""
        if self._landmarker is not None:
            with _native_stderr_silenced():
                self._landmarker.close()
            self._landmarker = None

    def inference_size(self, width: int, height: int) -> tuple[int, int]:
        """``(width, height)`` of the image MediaPipe sees for a frame of the given size."""
        scale = min(1.0, self.max_inference_px / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))

    def model_input(self, image: np.ndarray) -> np.ndarray:
        """``image`` (BGR) as the model takes it: RGB, at :meth:`inference_size`; one pass each."""
        height, width = image.shape[:2]
        size = self.inference_size(width, height)
        if size != (width, height):
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    def prepare(self, frame: Frame) -> ModelFrame:
        """``frame`` with its model input attached; thread-safe, meant for the decoding thread."""
        return ModelFrame(frame.image, frame.t_ms, frame.index, self.model_input(frame.image))

    def estimate(self, frame: Frame) -> Pose:
        """Pose of the main person in ``frame`` (``Pose.empty`` when nobody is found).

        A :class:`ModelFrame` from :meth:`prepare` skips the resize and colour conversion.
        """
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator used outside its `with` block")
        import mediapipe as mp

        rgb = frame.model_input if isinstance(frame, ModelFrame) else None
        if rgb is None:
            rgb = self.model_input(frame.image)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        if self._warm:
            result = self._landmarker.detect_for_video(image, frame.t_ms)
        else:  # the first call initialises the native runtime, which logs to stderr
            with _native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, frame.t_ms)
            self._warm = True
        poses = [self._convert(result, i, frame) for i in range(len(result.pose_landmarks))]
        if not poses:
            pose = Pose.empty(frame.t_ms, frame.width, frame.height)
        elif self.num_poses == 1:
            pose = poses[0]  # MediaPipe already chose; nobody to switch to
        else:
            pose = choose_main(poses, self._previous)
        self._previous = pose if pose.found else self._previous
        return pose

    def _convert(self, result: object, i: int, frame: Frame) -> Pose:
        """MediaPipe's landmark lists for person ``i`` -> a :class:`Pose` in frame pixels."""
        raw = np.array([(p.x, p.y, p.z, _score(p.visibility), _score(p.presence))
                        for p in result.pose_landmarks[i]], dtype=np.float64)
        world_list = result.pose_world_landmarks
        world = (np.array([(p.x, p.y, p.z) for p in world_list[i]], dtype=np.float64)
                 if len(world_list) > i else np.full((NUM_LANDMARKS, 3), np.nan))
        scale = np.array([frame.width, frame.height], dtype=np.float64)
        mask = None
        masks = getattr(result, "segmentation_masks", None)
        if self.segmentation and masks and len(masks) > i:
            small = masks[i].numpy_view()
            small = small[..., 0] if small.ndim == 3 else small
            mask = np.array(small, dtype=np.float32)  # a copy: MediaPipe reuses its buffer
        return Pose(
            t_ms=frame.t_ms, width=frame.width, height=frame.height,
            xy=raw[:, :2] * scale, z=raw[:, 2] * frame.width, world=world,
            visibility=raw[:, 3], presence=raw[:, 4], mask=mask,
        )


#: How long the main person is waited for (ms) before anyone else may be chosen instead.
MAIN_PERSON_HOLD_MS = 1000
#: Largest frame-to-frame move of the main person's landmark centre, as a share of the diagonal.
MAIN_PERSON_MAX_STEP = 0.15


def choose_main(poses: list[Pose], previous: Pose | None) -> Pose:
    """The person to coach: nearest the previous choice, else the largest and most central.

    Continuity first stops the choice jumping between two people who pass each other; size and
    centrality pick the exerciser (close to the camera, in the middle) when there is no history.
    While the previous choice is recent (``MAIN_PERSON_HOLD_MS``) and nobody is near it, the main
    person is taken as unseen (an empty pose) rather than switching to a bystander: a moment of
    occlusion must not hand the session to someone else.
    """
    recent = (previous is not None and previous.found
              and poses[0].t_ms - previous.t_ms <= MAIN_PERSON_HOLD_MS)
    if previous is not None and recent:
        anchor = np.nanmean(previous.xy, axis=0)
        diag = float(np.hypot(previous.width, previous.height))
        distances = [float(np.linalg.norm(np.nanmean(p.xy, axis=0) - anchor)) / diag
                     for p in poses]
        best = int(np.argmin(distances))
        if distances[best] < MAIN_PERSON_MAX_STEP:
            return poses[best]
        return Pose.empty(poses[0].t_ms, poses[0].width, poses[0].height)
    if len(poses) == 1:
        return poses[0]

    def score(p: Pose) -> float:
        lo, hi = np.nanmin(p.xy, axis=0), np.nanmax(p.xy, axis=0)
        area = float(np.prod(hi - lo)) / (p.width * p.height)
        centre = (lo + hi) / 2 / np.array([p.width, p.height])
        off_centre = float(np.linalg.norm(centre - 0.5))
        return area - 0.5 * off_centre

    return max(poses, key=score)


def _score(value: float | None) -> float:
    """MediaPipe gives None for scores it did not compute; treat those as fully unknown."""
    return float(value) if value is not None else 0.0


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while native code starts up.

    The TFLite/LiteRT runtime prints INFO and alignment warnings straight to the C stderr, which
    no Python setting reaches; a user should see only formcheck's own messages.
    """
    if os.environ.get("FORMCHECK_NATIVE_LOGS"):
        yield
        return
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
