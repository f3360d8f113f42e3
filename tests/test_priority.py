"""Helpers and the encoder run below the pose model's priority; the model thread does not."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from formcheck.output.video import VideoWriter
from formcheck.priority import (
    BACKGROUND_NICE,
    SWITCH_INTERVAL_S,
    in_background,
    lower_this_thread,
    responsive_threads,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="per-thread nice values are Linux only")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


@linux_only
def test_lowering_a_thread_leaves_the_caller_alone() -> None:
    mine = _nice(threading.get_native_id())
    seen: list[int] = []

    def body() -> None:
        lower_this_thread()
        seen.append(_nice(threading.get_native_id()))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [max(mine, BACKGROUND_NICE)]
    assert _nice(threading.get_native_id()) == mine


def test_in_background_returns_and_raises() -> None:
    assert in_background(lambda: 42) == 42
    with pytest.raises(KeyError):
        in_background(lambda: {}["missing"])


def test_switch_interval_is_restored() -> None:
    old = sys.getswitchinterval()
    with responsive_threads():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    assert sys.getswitchinterval() == old


def _children() -> list[int]:
    kids: list[int] = []
    for tid in os.listdir("/proc/self/task"):
        try:
            kids += [int(k) for k in Path(f"/proc/self/task/{tid}/children").read_text().split()]
        except OSError:
            continue
    return kids


@linux_only
def test_the_video_encoder_runs_below_the_model(tmp_path: Path) -> None:
    tid = threading.get_native_id()
    if not Path(f"/proc/self/task/{tid}/children").exists():
        pytest.skip("this kernel does not list child processes in /proc")
    mine = _nice(threading.get_native_id())
    before = set(_children())
    with VideoWriter(tmp_path / "v.mp4", 64, 48, 30.0) as writer:
        if writer.codec != "h264":
            pytest.skip("no FFmpeg encoder in this install")
        writer.write(np.zeros((48, 64, 3), np.uint8))
        new = [pid for pid in _children() if pid not in before]
        assert new, "the encoder process was not found"
        assert all(_nice(pid) >= BACKGROUND_NICE for pid in new)
    assert _nice(threading.get_native_id()) == mine  # starting it did not lower the caller
