"""Cameras that are not there or stop: one line naming what exists; a lost camera ends the stream
with :class:`SourceLost` after the frames it did deliver.

The session-level "camera lost, report still written" case is in tests/test_live.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import formcheck.source as source_module
from formcheck.errors import InputError, SourceLost
from formcheck.source import CameraSource


class FakeCapture:
    """Stands in for ``cv2.VideoCapture``: opens if the index is in ``present``, then delivers
    ``frames`` frames and fails (unplugged)."""

    present: frozenset[int] = frozenset()
    frames = 3

    def __init__(self, index: int) -> None:
        self.opened = index in self.present
        self.left = self.frames

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, prop: int) -> float:
        return {3: 64.0, 4: 48.0, 5: 30.0}.get(prop, 0.0)

    def release(self) -> None:
        self.opened = False


def test_missing_camera_lists_the_cameras_that_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeCapture.present = frozenset({0, 2})
    monkeypatch.setattr(source_module.cv2, "VideoCapture", FakeCapture)
    with pytest.raises(InputError) as info:
        CameraSource(3)
    assert str(info.value) == "no camera at index 3 (cameras found: 0, 2)"


def test_camera_that_stops_delivering_raises_source_lost_after_its_frames(
        monkeypatch: pytest.MonkeyPatch) -> None:
    FakeCapture.present = frozenset({0})
    monkeypatch.setattr(source_module.cv2, "VideoCapture", FakeCapture)
    got = []
    with CameraSource(0, clock=iter(np.arange(0, 10, 0.04)).__next__) as cam, \
            pytest.raises(SourceLost, match="camera:0 stopped delivering"):
        for frame in cam:
            got.append(frame.t_ms)
    assert len(got) == 3 and got == sorted(set(got))


def test_live_with_no_camera_at_the_index_is_one_line() -> None:
    """No camera on this machine (CI): one line, exit 2, none of OpenCV's probe warnings."""
    proc = subprocess.run([sys.executable, "-m", "formcheck", "live", "--camera", "3"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", "DISPLAY": ""})
    if "cameras found" in proc.stderr:
        pytest.skip("this machine has cameras")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "formcheck: error: no camera at index 3 (no camera found)"]
