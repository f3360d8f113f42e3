"""Shared fixtures: the optional ../shared folder and small synthetic videos made on the fly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CLIPS = SHARED / "clips"


def shared_manifest() -> list[dict]:
    """Entries of ../shared/clips/manifest.json, or [] when ../shared is absent."""
    manifest = CLIPS / "manifest.json"
    if not manifest.is_file():
        return []
    return json.loads(manifest.read_text())["clips"]


needs_shared = pytest.mark.skipif(not (CLIPS / "manifest.json").is_file(),
                                  reason="../shared/clips is not present (only in CI/dev)")


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0,
                fourcc: str = "mp4v") -> Path:
    """Write BGR frames to a video file with OpenCV."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def gradient_frames(n: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """Frames whose brightness encodes their index (to check order after decoding)."""
    return [np.full((height, width, 3), min(255, 10 + 8 * i), np.uint8) for i in range(n)]


@pytest.fixture
def small_video(tmp_path: Path) -> Path:
    """A 20-frame 64x48 mp4 at 30 fps."""
    return write_video(tmp_path / "small.mp4", gradient_frames(20))


def _track_clip(args: tuple[str, str]) -> str:
    """Worker: track one clip to an npz (runs in a child process)."""
    from formcheck.app.track import run_track

    video, out = args
    run_track(Path(video), Path(out), quiet=True)
    return out


@pytest.fixture(scope="session")
def shared_tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Landmark tracks of every clip in ../shared/clips, made once per test session.

    They live in pytest's temporary folder only: nothing derived from those clips may enter the
    repository.
    """
    import os

    from formcheck.app.evaluate import worker_pool

    entries = shared_manifest()
    if not entries:
        pytest.skip("../shared/clips is not present")
    folder = tmp_path_factory.mktemp("shared_tracks")
    jobs = [(str(CLIPS / e["file"]), str(folder / (Path(e["file"]).stem + ".npz")))
            for e in entries]
    with worker_pool(os.cpu_count() or 1) as pool:
        list(pool.map(_track_clip, jobs))
    return {e["file"]: Path(out) for e, (_, out) in zip(entries, jobs, strict=True)}


def _seccomp_mode() -> str:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return "0"
    return next((line.split()[1] for line in status.splitlines()
                 if line.startswith("Seccomp:")), "0")


@pytest.fixture(autouse=True)
def _no_network_guard_leaks_into_the_test_process():
    """The CLI's network guard is for the real program; a test that installs it in the pytest
    process would silently refuse sockets to every later test and subprocess."""
    yield
    assert _seccomp_mode() == "0", "this test installed the seccomp network guard in pytest"


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A virtual X display for window tests; yields its name for ``DISPLAY``."""
    import os
    import subprocess
    import time

    display = f":{90 + os.getpid() % 500}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    assert proc.poll() is None, "Xvfb did not start"
    yield display
    proc.terminate()
    proc.wait(timeout=5)
