"""The pose model in its own process: same answers as in-process, failures as ModelError."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import ModelError
from formcheck.pose.model import find_model
from formcheck.pose.worker import ProcessLandmarker
from formcheck.source import Frame, open_source
from tests.conftest import REPO

CLIP = REPO / "sample_videos" / "lunge_side_clean.mp4"
needs_clip = pytest.mark.skipif(not CLIP.exists(), reason="rendered sample missing")


def leftovers() -> set[str]:
    shm = Path("/dev/shm")
    return {p.name for p in shm.glob("formcheck-*")} if shm.is_dir() else set()


def clip_frames(n: int, step: int = 7) -> list[Frame]:
    """Every ``step``-th frame of the sample clip, ``n`` of them (the person moves between)."""
    frames: list[Frame] = []
    with open_source(CLIP) as source:
        for frame in source:
            if frame.index % step == 0:
                frames.append(frame)
            if len(frames) >= n:
                break
    return frames


@needs_clip
def test_two_in_flight_give_the_poses_the_model_gives_in_process() -> None:
    """Same frames, same timestamps: the child's VIDEO-mode answers equal the local ones."""
    from formcheck.pose.estimator import PoseEstimator

    frames = clip_frames(12)
    before = leftovers()
    with PoseEstimator(segmentation=True) as local:
        expected = [local.estimate(frame) for frame in frames]
    with PoseEstimator(segmentation=True, own_process=True) as remote:
        got = list(remote.poses(frames))
    assert [f.index for f, _ in got] == [f.index for f in frames]
    assert all(p.found for p in expected) and len(got) == len(expected)
    for (_, pose), want in zip(got, expected, strict=True):
        assert np.allclose(pose.xy, want.xy, atol=1e-3)
        assert np.allclose(pose.world, want.world, atol=1e-6)
        assert np.allclose(pose.visibility, want.visibility)
        assert pose.mask is not None and want.mask is not None
        assert pose.mask.shape == want.mask.shape and np.allclose(pose.mask, want.mask)
    assert leftovers() <= before  # the shared memory went with the child


def test_submit_and_collect_keep_order_and_bound_the_frames_in_flight() -> None:
    blank = np.zeros((48, 64, 3), np.uint8)
    with ProcessLandmarker(find_model(), segmentation=False, max_side_px=64) as lm:
        with pytest.raises(RuntimeError, match="nothing in flight"):
            lm.collect()
        lm.submit(blank, 0)
        lm.submit(blank, 33)
        with pytest.raises(RuntimeError, match="in flight"):
            lm.submit(blank, 66)
        assert lm.collect() is None and lm.collect() is None  # nobody in a black image
        with pytest.raises(ValueError, match="exceeds"):
            lm.submit(np.zeros((65, 10, 3), np.uint8), 99)
        child = lm._process
    assert child is not None and child.wait(timeout=30) == 0  # it stops once told to


def test_a_file_that_is_no_model_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a model")
    before = leftovers()
    with (pytest.raises(ModelError, match="cannot load pose model"),
          ProcessLandmarker(bad, segmentation=False, max_side_px=64)):
        pass
    assert leftovers() <= before


def test_a_child_that_dies_mid_run_is_a_model_error_not_a_hang() -> None:
    blank = np.zeros((48, 64, 3), np.uint8)
    with ProcessLandmarker(find_model(), segmentation=False, max_side_px=64) as lm:
        lm.submit(blank, 0)
        assert lm.collect() is None
        assert lm._process is not None
        os.kill(lm._process.pid, signal.SIGKILL)
        lm._process.wait(5)
        with pytest.raises(ModelError, match="stopped unexpectedly"):
            lm.submit(blank, 33)
            lm.collect()


def test_a_child_killed_with_frames_unread_is_a_model_error() -> None:
    """Killed with frames in flight, its end of the connection is reset, not closed: the
    parent's read fails with ConnectionResetError, which was a traceback in ``analyze``."""
    blank = np.zeros((480, 640, 3), np.uint8)
    with ProcessLandmarker(find_model(), segmentation=False, max_side_px=640) as lm:
        lm.submit(blank, 0)
        lm.submit(blank, 33)
        assert lm._process is not None
        os.kill(lm._process.pid, signal.SIGKILL)
        lm._process.wait(5)
        with pytest.raises(ModelError, match="stopped unexpectedly"):
            lm.collect()
            lm.collect()


def test_the_child_is_out_of_reach_of_a_terminals_ctrl_c() -> None:
    """A terminal's Ctrl-C goes to its foreground process group; the child has a session of
    its own, so only the parent gets it and can still collect what is in flight."""
    with ProcessLandmarker(find_model(), segmentation=False, max_side_px=64) as lm:
        assert lm._process is not None
        assert os.getpgid(lm._process.pid) != os.getpgid(0)
        assert os.getsid(lm._process.pid) != os.getsid(0)


def test_the_child_imports_neither_the_callers_script_nor_another_formcheck(
        tmp_path: Path) -> None:
    """A script without a ``__main__`` guard (multiprocessing's spawn would re-run it), run
    from a folder holding some other ``formcheck`` (an old checkout)."""
    import subprocess
    import sys

    (tmp_path / "cwd" / "formcheck").mkdir(parents=True)
    (tmp_path / "cwd" / "formcheck" / "__init__.py").write_text("raise ImportError('old')\n")
    (tmp_path / "s").mkdir()
    script = tmp_path / "s" / "script.py"
    script.write_text(
        "import numpy as np\n"
        "from formcheck.pose.model import find_model\n"
        "from formcheck.pose.worker import ProcessLandmarker\n"
        "with ProcessLandmarker(find_model(), segmentation=False, max_side_px=64) as lm:\n"
        "    lm.submit(np.zeros((48, 64, 3), np.uint8), 0)\n"
        "    print('found' if lm.collect() else 'nobody')\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path / "cwd")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["nobody"]


def test_the_in_process_landmarker_never_hands_on_an_older_frames_result() -> None:
    """``live``'s landmarker: a result an error left uncollected is replaced by the next."""
    from types import SimpleNamespace

    from formcheck.pose.landmarker import LocalLandmarker

    class Finds:  # a person whose x is the frame's timestamp
        def detect_for_video(self, image: object, t_ms: int) -> object:
            point = SimpleNamespace(x=t_ms, y=0.5, z=0.0, visibility=0.9, presence=0.9)
            return SimpleNamespace(pose_landmarks=[[point] * 33], pose_world_landmarks=[],
                                   segmentation_masks=None)

    lm = LocalLandmarker(Finds(), segmentation=False, warm=True)
    with pytest.raises(RuntimeError, match="nothing submitted"):
        lm.collect()
    blank = np.zeros((8, 8, 3), np.uint8)
    lm.submit(blank, 1)  # never collected (an error in between)
    lm.submit(blank, 2)
    found = lm.collect()
    assert found is not None and found.raw[0, 0] == 2
    assert np.isnan(found.world).all()  # no world landmarks given: unknown, not zero
