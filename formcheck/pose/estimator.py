"""The one adapter between MediaPipe's PoseLandmarker (Tasks API, VIDEO mode) and :class:`Pose`.

MediaPipe types never leave this module. Frames larger than ``max_inference_px`` on their long
side are downscaled before inference: the landmark model works on a 256x256 crop anyway, so this
only saves conversion time; landmarks are mapped back to the original frame's pixels.
The downscale and colour conversion can run ahead on the decoding thread (:meth:`prepare`), so
the thread that runs the model does nothing else. With ``own_process`` the model runs in a child
process with two frames in flight (:mod:`formcheck.pose.worker`; :meth:`PoseEstimator.poses`).

More than one person in view: every few seconds :meth:`PoseEstimator.prepare` also scans square
tiles of the frame for people, one tile per frame (a second landmarker in IMAGE mode, on the
decoding thread and the helpers' CPUs); :class:`~formcheck.pose.people.MainPerson` keeps the
person to coach, and while others are in view the tracker sees only a crop around that person
(see :mod:`formcheck.pose.people`).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from formcheck.errors import ModelError
from formcheck.pose.landmarker import (
    Detection,
    Landmarker,
    native_stderr_silenced,
    video_landmarker,
)
from formcheck.pose.mirror import MirroredLandmarker
from formcheck.pose.model import find_model
from formcheck.pose.people import (
    Box,
    MainPerson,
    PeopleConfig,
    Person,
    merge_people,
    same_person,
    square_tiles,
)
from formcheck.pose.types import Pose
from formcheck.priority import (
    helper_cpus,
    in_background,
    model_cpus,
    off_model_cores,
    on_model_cores,
)
from formcheck.source import Frame

# MediaPipe's native code logs through glog/absl; keep its INFO chatter off the user's terminal.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclass(frozen=True, eq=False)
class ModelFrame(Frame):
    """A frame with its model input made beforehand (by :meth:`PoseEstimator.prepare`).

    Attributes:
        model_input: ``(h, w, 3)`` uint8 RGB at the estimator's inference size, contiguous.
        people: the people a tile scan found in this frame (frame pixels), None when this frame
            was not scanned.

    """

    model_input: np.ndarray | None = None
    people: tuple[Person, ...] | None = None


@dataclass(frozen=True)
class _Sent:
    """A frame handed to the landmarker, and what was known when it was.

    ``crop`` is ``(x0, y0, x1, y1)`` in model-input pixels; ``anchor`` and ``chosen`` are the
    scan's region and the person followed then, so a pose that arrives after the next frame's
    scan is judged against the person its crop was made for.
    """

    frame: ModelFrame
    crop: tuple[int, int, int, int]
    anchor: Box | None
    chosen: Box | None


class PoseEstimator:
    """Per-frame pose estimation; use as a context manager so the landmarker is always closed.

    Args:
        model_path: a ``.task`` bundle; None finds the bundled one (:func:`find_model`).
        segmentation: also return the person mask, at the model's resolution (the lumbar
            contour check needs it).
        max_inference_px: long side of the image handed to MediaPipe.
        people: how other people in view are handled; None never scans (one person assumed).
        own_process: run the model in a child process with two frames in flight
            (:meth:`poses`), for throughput (``analyze``); else in the calling thread, for the
            newest frame's latency (``live``). POSIX only; elsewhere it is ignored.
        mirror_pass: also run the model on each image's mirror image and make the two readings
            one (:mod:`formcheck.pose.mirror`): steadier side-view angles and counts for twice
            the model time. With ``own_process`` the second model gets a process of its own, on the
            helpers' CPUs.

    """

    def __init__(self, model_path: Path | None = None, *, segmentation: bool = False,
                 max_inference_px: int = 640,
                 people: PeopleConfig | None = PeopleConfig(),  # noqa: B008 (frozen)
                 own_process: bool = False, mirror_pass: bool = False) -> None:
        self.model_path = find_model(model_path)
        self.mirror_pass = mirror_pass
        self.segmentation = segmentation
        self.max_inference_px = max_inference_px
        self.people = people
        self.own_process = own_process
        self._landmarker: Landmarker | None = None
        self._scanner = None
        self._scanner_warm = False
        self._next_scan_ms: int | None = None
        self._scan_start_ms = 0
        self._tiles_left: list[Box] = []  # the scan in progress: tiles still to look at ...
        self._seen: list[Person] = []  # ... and the people its tiles found so far
        self._main = MainPerson(people)
        self._anchor: Box | None = None  # the main person at the last scan, with margin
        self._crop: Box | None = None  # frame pixels; None = the whole frame

    def __enter__(self) -> PoseEstimator:
        from mediapipe.tasks.python import BaseOptions, vision

        scan_options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.IMAGE)
        try:
            own_process = self.own_process and os.name == "posix"
            if own_process:  # the children load their models while this one loads the scanner
                from formcheck.pose.worker import ProcessLandmarker

                # the mirrored reading needs no mask; its model runs beside the first one, on
                # the helpers' CPUs
                places = ((self.segmentation, model_cpus()), (False, helper_cpus()))
                children = [ProcessLandmarker(self.model_path, segmentation=masks,
                                              max_side_px=self.max_inference_px, cpus=cpus)
                            for masks, cpus in places[:2 if self.mirror_pass else 1]]
                self._landmarker = (MirroredLandmarker(*children) if self.mirror_pass
                                    else children[0])
                for child in children:
                    child.start()
            with native_stderr_silenced():  # worker threads start on the model's CPUs ...
                if not own_process:
                    plain = on_model_cores(lambda: video_landmarker(
                        str(self.model_path), segmentation=self.segmentation))
                    self._landmarker = plain
                    if self.mirror_pass:
                        self._landmarker = MirroredLandmarker(plain, on_model_cores(
                            lambda: video_landmarker(str(self.model_path), segmentation=False)))
                if self.people is not None:  # ... and the scanner's on the helpers'
                    self._scanner = in_background(
                        lambda: vision.PoseLandmarker.create_from_options(scan_options))
            if own_process:
                for child in children:
                    child.wait_ready()
        except (RuntimeError, ValueError) as err:
            self.close()
            raise ModelError(f"cannot load pose model {self.model_path}: {err}") from None
        except BaseException:  # Ctrl-C while loading, or the child failed: nothing stays open
            self.close()
            raise
        self._scanner_warm = False
        self._next_scan_ms = None
        self._tiles_left, self._seen = [], []
        self._main = MainPerson(self.people)
        self._anchor = self._crop = None
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the landmarker (mediapipe 1.2.x raises at interpreter exit otherwise)."""
        tracker, scanner = self._landmarker, self._scanner
        self._landmarker = self._scanner = None
        try:
            if tracker is not None:
                tracker.close()
        finally:
            if scanner is not None:
                with native_stderr_silenced():
                    scanner.close()

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
        """``frame`` with its model input attached, and the people in it when a scan completes.

        A scan looks at one tile per frame, so no frame waits for more than one landmarker run
        (in ``live`` this runs on the capture thread; a whole scan at once held it 70-120 ms and
        cost frames). Its people ride on the frame of its last tile. Meant for the decoding
        thread (one thread at a time: it keeps the scan's progress).
        """
        rgb = self.model_input(frame.image)
        people = None
        if self._scanner is not None and self.people is not None:
            if not self._tiles_left and (self._next_scan_ms is None
                                         or frame.t_ms >= self._next_scan_ms):
                self._scan_start_ms = frame.t_ms
                self._tiles_left = list(square_tiles(rgb.shape[1], rgb.shape[0]))
                self._seen = []
            if self._tiles_left:
                tile = self._tiles_left.pop(0)
                self._seen += self._scan_tile(rgb, tile, frame.width / rgb.shape[1],
                                              frame.height / rgb.shape[0])
                if not self._tiles_left:
                    people = tuple(merge_people(self._seen, self.people))
                    every = (self.people.scan_every_ms if len(people) >= 2
                             else self.people.lone_scan_every_ms)
                    self._next_scan_ms = self._scan_start_ms + every
        return ModelFrame(frame.image, frame.t_ms, frame.index, rgb, people)

    def _scan_tile(self, rgb: np.ndarray, tile: Box, sx: float, sy: float) -> list[Person]:
        """The person in one tile of ``rgb`` (if any), in frame pixels."""
        import mediapipe as mp

        assert self._scanner is not None
        x0, y0 = int(tile.x0), int(tile.y0)
        part = np.ascontiguousarray(rgb[y0:int(tile.y1), x0:int(tile.x1)])
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=part)
        if self._scanner_warm:
            result = self._scanner.detect(image)
        else:  # until it first finds someone, the scanner logs to the C stderr
            with native_stderr_silenced():
                result = self._scanner.detect(image)
            self._scanner_warm = bool(result.pose_landmarks)
        found: list[Person] = []
        for landmarks in result.pose_landmarks:
            xy = np.array([(p.x, p.y) for p in landmarks], dtype=np.float64)
            person = Person.from_landmarks(
                (xy * [part.shape[1], part.shape[0]] + [x0, y0]) * [sx, sy])
            if person is not None:
                found.append(person)
        return found

    def estimate(self, frame: Frame) -> Pose:
        """Pose of the main person in ``frame`` (``Pose.empty`` when nobody is found).

        A :class:`ModelFrame` from :meth:`prepare` skips the resize and colour conversion.
        """
        return self._collect(self._submit(frame))

    def poses(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, Pose]]:
        """``(frame, pose)`` for every frame, in order.

        As many frames are in the model at once as the landmarker takes (two in its own
        process, else one). With two in flight, the crop around the main person (only used
        while others are in view) is chosen before the previous frame's pose is known: it is
        one frame older.
        """
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator used outside its `with` block")
        depth = self._landmarker.depth
        in_flight: deque[_Sent] = deque()
        # with the model in its own process, this thread is a helper: off the model's core
        with off_model_cores() if self.own_process else contextlib.nullcontext():
            for frame in frames:
                in_flight.append(self._submit(frame))
                if len(in_flight) >= depth:
                    sent = in_flight.popleft()
                    yield sent.frame, self._collect(sent)
            while in_flight:
                sent = in_flight.popleft()
                yield sent.frame, self._collect(sent)

    def _submit(self, frame: Frame) -> _Sent:
        """Choose what the model sees of ``frame`` and hand it over."""
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator used outside its `with` block")
        if not isinstance(frame, ModelFrame) or frame.model_input is None:
            frame = self.prepare(frame)
        assert frame.model_input is not None
        rgb = frame.model_input
        if frame.people is not None and self.people is not None:
            main = self._main.scan(frame.people, frame.width, frame.height, frame.t_ms)
            self._anchor = (main.grown(self.people.crop_margin_ratio, frame.width, frame.height)
                            if main is not None else None)
            self._crop = self._anchor
        # the crop in model-input pixels (whole pixels, at least one)
        sx, sy = rgb.shape[1] / frame.width, rgb.shape[0] / frame.height
        x0, y0, x1, y1 = 0, 0, rgb.shape[1], rgb.shape[0]
        if self._crop is not None:
            c = self._crop.scaled(sx, sy)
            x0 = min(max(0, int(c.x0)), rgb.shape[1] - 1)
            y0 = min(max(0, int(c.y0)), rgb.shape[0] - 1)
            rgb = np.ascontiguousarray(rgb[y0:max(y0 + 1, math.ceil(c.y1)),
                                           x0:max(x0 + 1, math.ceil(c.x1))])
            # the bounds of what was cut, not of the float box: its right edge may round past
            # the image by a pixel
            x1, y1 = x0 + rgb.shape[1], y0 + rgb.shape[0]
        self._landmarker.submit(rgb, frame.t_ms)
        return _Sent(frame, (x0, y0, x1, y1), self._anchor, self._main.tracked)

    def _collect(self, sent: _Sent) -> Pose:
        """The model's answer for ``sent``, as the main person's pose in frame pixels."""
        assert self._landmarker is not None
        frame = sent.frame
        found = self._landmarker.collect()
        if found is None:
            self._crop = self._anchor
            return Pose.empty(frame.t_ms, frame.width, frame.height)
        assert frame.model_input is not None
        pose = self._convert(found, frame, sent.crop, frame.model_input.shape[:2])
        box = Box.around(pose.xy)
        chosen = sent.chosen
        if (sent.anchor is not None and self.people is not None and chosen is not None
                and box is not None and not same_person(box, chosen, self.people)):
            # inside the crop, but not the person chosen (a bystander reaching into it, or
            # the tracker still on its last region): nobody to coach in this frame
            self._crop = self._anchor
            return Pose.empty(frame.t_ms, frame.width, frame.height)
        self._main.follow(box, frame.t_ms)
        if self._anchor is not None and self.people is not None:
            # where the scan saw the person, widened by where they are now: never narrower, so
            # one bad frame (a tracker still on the old ROI) cannot shrink the crop off them
            self._crop = self._anchor if box is None else self._anchor.union(
                box.grown(self.people.crop_margin_ratio, frame.width, frame.height))
        return pose

    def _convert(self, found: Detection, frame: Frame, crop: tuple[int, int, int, int],
                 input_hw: tuple[int, int]) -> Pose:
        """The model's person -> a :class:`Pose` in frame pixels.

        ``crop`` ``(x0, y0, x1, y1)`` is what the model saw, in model-input pixels of size
        ``input_hw``; the mask is put back into a zero canvas of the whole model input.
        """
        raw = found.raw
        x0, y0, x1, y1 = crop
        fx, fy = frame.width / input_hw[1], frame.height / input_hw[0]  # input -> frame pixels
        xy = (raw[:, :2] * [x1 - x0, y1 - y0] + [x0, y0]) * [fx, fy]
        mask = None
        small = found.mask if self.segmentation else None
        if small is not None:
            if small.shape == input_hw:
                mask = small
            else:  # the crop's mask, back in place
                mask = np.zeros(input_hw, dtype=np.float32)
                mask[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0),
                                                interpolation=cv2.INTER_LINEAR) \
                    if small.shape != (y1 - y0, x1 - x0) else small
        return Pose(
            t_ms=frame.t_ms, width=frame.width, height=frame.height,
            xy=xy, z=raw[:, 2] * (x1 - x0) * fx, world=found.world,
            visibility=raw[:, 3], presence=raw[:, 4], mask=mask,
        )
