"""Annotated video output that common players open: H.264 through FFmpeg, else OpenCV's MPEG-4.

OpenCV's own writer here cannot encode H.264 (``avc1`` fails), and MPEG-4 Part 2 (``mp4v``) does
not play in browsers and some phone players. imageio-ffmpeg ships an FFmpeg binary with libx264,
so frames are piped to it raw; only when it is missing does the writer fall back to OpenCV
``mp4v``. Same size and frame rate as the input, one output frame per input frame, so the
duration matches. Chroma is 4:2:0, which every player decodes; a frame with an odd width or
height cannot be 4:2:0, so such (rare) sizes get 4:4:4 to keep the exact size (desktop players
play it, browsers do not; OpenCV's ``mp4v`` would silently drop the odd row or column).

The ``ultrafast`` preset: on two cores the encoder competes with the pose model, and ``veryfast``
cost 25 ms per 720p frame against 11 ms, for files about four times smaller; speed matters more
for a local annotated copy.

Frames reach FFmpeg already in 4:2:0 (OpenCV's SIMD ``BGR2YUV_I420``): half the bytes through the
pipe, and FFmpeg's own BGR conversion cost more than the encoding itself (720p: 8.7-9.8 ms of
encoder CPU per frame from BGR, 4.2-5.9 ms from I420, for 0.3-0.5 ms more in Python). Colours
round-trip closer this way too (white 255 against 250-253).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np

from formcheck.errors import OutputError
from formcheck.priority import in_background

log = logging.getLogger(__name__)


def _ffmpeg_available() -> bool:
    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return False
    return True


class VideoWriter:
    """Writes BGR uint8 frames of one size to ``path``; a context manager.

    Attributes:
        codec: ``"h264"`` or ``"mp4v"``, the one actually used.
        pix_fmt: chroma layout for H.264, ``"yuv420p"`` (even sizes) or ``"yuv444p"``.

    """

    def __init__(self, path: Path, width: int, height: int, fps: float, *,
                 prefer_h264: bool = True) -> None:
        if width <= 0 or height <= 0 or not fps > 0:
            raise ValueError("video size and fps must be positive")
        self.path = path
        self.size = (width, height)
        self.fps = float(fps)
        self.frames_written = 0
        self._pipe: Generator[Any, Any, None] | None = None
        self._cv: cv2.VideoWriter | None = None
        self.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
        if prefer_h264 and _ffmpeg_available():
            self.codec = "h264"
            self._open_ffmpeg()
        else:
            self.codec = "mp4v"
            self._open_opencv()

    def _open_ffmpeg(self) -> None:
        import imageio_ffmpeg

        try:  # ffmpeg runs quiet, so say here why a path cannot be written
            with self.path.open("ab"):
                pass
        except OSError as err:
            raise OutputError(f"{self.path}: cannot write ({err.strerror or err})") from None
        self._pipe = imageio_ffmpeg.write_frames(
            str(self.path), self.size, pix_fmt_in=self._pix_fmt_in(), pix_fmt_out=self.pix_fmt,
            fps=self.fps, codec="libx264", macro_block_size=1, ffmpeg_log_level="quiet",
            output_params=["-preset", "ultrafast", "-crf", "23", "-movflags", "+faststart"])
        try:  # starts the ffmpeg process, below the pose model's priority
            in_background(lambda: self._pipe.send(None) if self._pipe is not None else None)
        except (OSError, RuntimeError):
            self._abandon_pipe()
            raise OutputError(f"{self.path}: cannot start the video encoder") from None

    def _pix_fmt_in(self) -> str:
        """What :meth:`write` sends: I420 for 4:2:0 output, else BGR for FFmpeg to convert."""
        return "yuv420p" if self.pix_fmt == "yuv420p" else "bgr24"

    def _abandon_pipe(self) -> None:
        """Close a failed encoder, ignoring its own complaints (the caller reports one line)."""
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            with contextlib.suppress(OSError, RuntimeError):
                pipe.close()

    def _open_opencv(self) -> None:
        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
        self._cv = cv2.VideoWriter(str(self.path), fourcc, self.fps, self.size)
        if not self._cv.isOpened():
            raise OutputError(f"{self.path}: cannot open for writing video")

    def write(self, image: np.ndarray) -> None:
        """Append one frame (``(height, width, 3)`` uint8 BGR)."""
        if image.shape[1::-1] != self.size:
            raise ValueError(f"frame size {image.shape[1::-1]} differs from video size {self.size}")
        if self._pipe is not None:
            try:
                if self.pix_fmt == "yuv420p":  # (height * 3 / 2, width) planes Y, U, V
                    self._pipe.send(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420))
                else:
                    self._pipe.send(np.ascontiguousarray(image))
            except (OSError, RuntimeError):
                self._abandon_pipe()
                raise OutputError(f"{self.path}: writing the video failed (disk full or "
                                  "device error)") from None
        elif self._cv is not None:
            self._cv.write(image)
        self.frames_written += 1

    def close(self) -> None:
        """Finish the file (flushes the encoder; the file is playable only after this)."""
        if self._pipe is not None:
            pipe, self._pipe = self._pipe, None
            pipe.close()
        if self._cv is not None:
            self._cv.release()
            self._cv = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
