"""Helpers and the encoder run below the pose model's priority; the model thread does not."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from formcheck.output.video import VideoWriter
from formcheck.priority import (
    BACKGROUND_NICE,
    SWITCH_INTERVAL_S,
    in_background,
    lower_this_thread,
    on_model_cores,
    responsive_threads,
    split_cores,
)

T = TypeVar("T")

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
        if len(os.sched_getaffinity(0)) > 1:  # and on the helpers' CPUs, not the model's
            helpers = split_cores(os.sched_getaffinity(0))[1]
            assert all(os.sched_getaffinity(pid) <= helpers for pid in new)
    assert _nice(threading.get_native_id()) == mine  # starting it did not lower the caller


@pytest.mark.parametrize(("allowed", "model", "helpers"), [
    ({0, 1}, {0}, {1}), ({0, 1, 2, 3}, {0, 1}, {2, 3}), ({3, 7, 9}, {3}, {7, 9}), ({5}, {5}, {5}),
])
def test_cpus_are_split_between_the_model_and_the_helpers(
        allowed: set[int], model: set[int], helpers: set[int]) -> None:
    assert split_cores(allowed) == (model, helpers)


needs_two_cpus = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2
    or not sys.platform.startswith("linux"), reason="needs Linux and two usable CPUs")


def _in_thread(body: Callable[[], T]) -> T:
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(body()))
    thread.start()
    thread.join()
    return out[0]


@needs_two_cpus
def test_a_lowered_thread_runs_on_the_helpers_cpus() -> None:
    allowed = os.sched_getaffinity(0)

    def body() -> set[int]:
        lower_this_thread()
        return os.sched_getaffinity(0)

    assert _in_thread(body) == split_cores(allowed)[1]
    assert os.sched_getaffinity(0) == allowed


@needs_two_cpus
def test_threads_started_on_the_model_cores_stay_there() -> None:
    """What the landmarker's native workers rely on: a new thread inherits the affinity."""
    allowed = os.sched_getaffinity(0)
    inner = on_model_cores(lambda: _in_thread(lambda: os.sched_getaffinity(0)))
    assert inner == split_cores(allowed)[0]
    assert os.sched_getaffinity(0) == allowed  # the caller is not confined


@needs_two_cpus
def test_the_split_is_of_the_process_cpus_not_the_calling_threads() -> None:
    """A helper started from a thread on the model's CPUs (or from another helper) still lands on
    the helpers' half, not on a split of what its parent was left with."""
    model, helpers = split_cores(os.sched_getaffinity(0))

    def lowered() -> set[int]:
        lower_this_thread()
        return os.sched_getaffinity(0)

    assert on_model_cores(lambda: _in_thread(lowered)) == helpers
    assert _in_thread(lambda: (lower_this_thread(), _in_thread(lowered))[1]) == helpers
    assert _in_thread(lambda: (lower_this_thread(), on_model_cores(
        lambda: os.sched_getaffinity(0)))[1]) == model
