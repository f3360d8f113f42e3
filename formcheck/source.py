"""Frame sources: a video file, a camera or a folder of images behind one small interface.

Every source yields :class:`Frame` values with strictly increasing integer millisecond timestamps,
because MediaPipe's VIDEO mode rejects a repeated or decreasing timestamp. Files report their own
presentation times (variable frame rate survives), repaired where containers repeat or omit them.
OpenCV applies rotation metadata itself (``CAP_PROP_ORIENTATION_AUTO``), so phone clips come out
upright.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from formcheck.errors import InputError, SourceLost

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
#: Frame rate assumed for an image folder, and for files whose container gives none.
DEFAULT_FPS = 30.0


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame.

    Attributes:
        image: ``(height, width, 3)`` uint8 BGR pixels (OpenCV order).
        t_ms: timestamp in milliseconds, strictly increasing within a source.
        index: 0-based position in the stream (frames dropped by a live source leave gaps).

    """

    image: np.ndarray
    t_ms: int
    index: int

    @property
    def height(self) -> int:
        """Frame height in pixels."""
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        """Frame width in pixels."""
        return int(self.image.shape[1])


class MonotonicTimestamps:
    """Turns raw per-frame times into strictly increasing integer milliseconds.

    Raw times that are missing (NaN/negative), repeated or going backwards are replaced by the
    previous time plus one nominal frame interval, so a damaged container never stalls the stream.
    """

    def __init__(self, fps: float) -> None:
        self._step_ms = 1000.0 / fps if fps > 0 else 1000.0 / DEFAULT_FPS
        self._last: int | None = None

    @property
    def last_ms(self) -> int:
        """The last timestamp handed out (0 before the first)."""
        return self._last or 0

    def next(self, raw_ms: float) -> int:
        """Return the timestamp for the next frame given its raw time in ms."""
        if self._last is None:
            t = round(raw_ms) if math.isfinite(raw_ms) and raw_ms >= 0 else 0
        elif math.isfinite(raw_ms) and raw_ms > self._last:
            t = round(raw_ms)
            if t <= self._last:
                t = self._last + 1
        else:
            t = self._last + max(1, round(self._step_ms))
        self._last = t
        return t


class FrameSource:
    """Base of all sources: a context manager and an iterator of :class:`Frame`."""

    name: str
    width: int
    height: int
    fps: float
    is_live: bool = False
    frame_count: int | None = None
    #: Set when a file ended well before its declared length (damaged or truncated): what was
    #: decoded up to there is still good, and callers warn and carry on.
    damage: str | None = None

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class VideoFileSource(FrameSource):
    """A video file (or animated GIF) read with OpenCV's FFmpeg backend."""

    def __init__(self, path: Path) -> None:
        _check_readable_file(path)
        self.name = str(path)
        _quiet_ffmpeg()
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened():
            raise InputError(f"{path}: not a video OpenCV can read")
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        ok, first = self._cap.read()
        if not ok or first is None or first.size == 0:
            self._cap.release()
            raise InputError(f"{path}: contains no readable video frames")
        self._first: np.ndarray | None = first
        self._first_ms = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
        self.height, self.width = int(first.shape[0]), int(first.shape[1])
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.fps = fps if math.isfinite(fps) and 0 < fps <= 1000 else DEFAULT_FPS
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None

    def __iter__(self) -> Iterator[Frame]:
        stamps = MonotonicTimestamps(self.fps)
        index = 0
        if self._first is not None:
            image, raw_ms, self._first = _as_bgr(self._first), self._first_ms, None
            yield Frame(image, stamps.next(raw_ms), index)
            index += 1
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                break
            raw_ms = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
            yield Frame(_as_bgr(image), stamps.next(raw_ms), index)
            index += 1
        # Containers round or estimate their frame count (from duration x fps for variable frame
        # rate), so only a clear shortfall in both count and time is damage.
        expected_ms = (self.frame_count or 0) * 1000.0 / self.fps
        reached_ms = stamps.last_ms + 1000.0 / self.fps
        if (self.frame_count and index < self.frame_count * 0.97 - 2
                and reached_ms < expected_ms * 0.97 - 100):
            self.damage = (f"{self.name}: video ends after {index} of {self.frame_count} "
                           "frames (damaged or truncated); analysed up to there")

    def close(self) -> None:
        """Release the file."""
        self._cap.release()


class CameraSource(FrameSource):
    """A camera by index; timestamps come from an injected monotonic clock (seconds)."""

    is_live = True

    def __init__(self, index: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = f"camera:{index}"
        self._clock = clock
        with _opencv_quiet():  # a missing camera is our one-line error, not OpenCV's warnings
            self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            found = list_cameras(exclude=index)
            where = f"cameras found: {', '.join(map(str, found))}" if found else "no camera found"
            raise InputError(f"no camera at index {index} ({where})")
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.fps = fps if math.isfinite(fps) and fps > 0 else DEFAULT_FPS

    def __iter__(self) -> Iterator[Frame]:
        start = self._clock()
        stamps = MonotonicTimestamps(self.fps)
        index = 0
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                raise SourceLost(f"{self.name} stopped delivering frames")
            yield Frame(_as_bgr(image), stamps.next((self._clock() - start) * 1000.0), index)
            index += 1

    def close(self) -> None:
        """Release the camera."""
        self._cap.release()


class ImageFolderSource(FrameSource):
    """A folder of still images, in file-name order, played at a nominal frame rate."""

    def __init__(self, folder: Path, fps: float = DEFAULT_FPS) -> None:
        self.name = str(folder)
        self._files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise InputError(f"{folder}: folder contains no images")
        first = cv2.imread(str(self._files[0]), cv2.IMREAD_COLOR)
        if first is None:
            raise InputError(f"{self._files[0]}: not an image OpenCV can read")
        self.height, self.width = int(first.shape[0]), int(first.shape[1])
        self.fps = fps
        self.frame_count = len(self._files)

    def __iter__(self) -> Iterator[Frame]:
        stamps = MonotonicTimestamps(self.fps)
        for index, path in enumerate(self._files):
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise InputError(f"{path}: not an image OpenCV can read")
            if image.shape[:2] != (self.height, self.width):
                image = cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_AREA)
            yield Frame(image, stamps.next(index * 1000.0 / self.fps), index)


def open_source(spec: str | Path | int) -> FrameSource:
    """Open a camera index (``0`` or ``"0"``), an image folder, or a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    return VideoFileSource(path)


def list_cameras(limit: int = 6, exclude: int | None = None) -> list[int]:
    """Indices of cameras that open, probing ``0..limit-1`` (used only for error messages)."""
    found = []
    for index in range(limit):
        if index == exclude:
            continue
        with _opencv_quiet():
            cap = cv2.VideoCapture(index)
        if cap.isOpened():
            found.append(index)
        cap.release()
    return found


@contextlib.contextmanager
def _opencv_quiet() -> Iterator[None]:
    """Silence OpenCV's own log while probing cameras: each failed index logs several lines."""
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def _quiet_ffmpeg() -> None:
    """Keep FFmpeg's per-packet decoder complaints off the terminal.

    A damaged file otherwise prints hundreds of lines; formcheck reports the damage itself
    (:attr:`FrameSource.damage`). OpenCV reads the level when it opens a capture, so this must run
    before that, and an explicit user setting wins.
    """
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def _check_readable_file(path: Path) -> None:
    """Raise a one-line :class:`InputError` for the common reasons a file cannot be read."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory with no images")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """Normalise decoder output to 3-channel uint8 BGR (grey and BGRA occur in GIFs and PNGs)."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.dtype != np.uint8:
        return cv2.convertScaleAbs(image)
    return image
