"""Keep the pose model first in line for the CPU on a two-core machine.

The model is the floor of every frame (about 30 ms at 640x480); decoding, drawing and encoding
fit beside it on the second core, but MediaPipe's own worker threads use that core too. Two
measured effects slow the model when other work runs next to it:

* the GIL: MediaPipe releases it during inference but takes it back between its steps; at
  Python's default 5 ms switch interval a busy drawing thread made inference wait, 27 -> 64 ms
  per frame; at 0.5 ms, 34 ms (:func:`responsive_threads`);
* CPU sharing: helper threads and the encoder at normal priority preempt MediaPipe's workers;
  at nice 10 they yield to them (``analyze`` at 1280x720: 22.4 -> 24.8 fps). Nice 10 rather than
  idle scheduling, which was faster still (28 fps) but starves the helpers, and with them the
  whole analysis, when something else keeps both cores busy;
* core sharing: even at nice 10 a helper woken on the model's core takes it for a while, and the
  model's threads migrate. So the CPUs are split (:func:`split_cores`): the model's native
  threads are created on the first half, helpers and the encoder run on the rest. On two cores,
  ``analyze`` at 1280x720 went from 0.85 to 0.98 of the bare model's rate (medians of 4-5
  alternating rounds; pinning the helpers alone gave 0.88-0.89).

Only Linux has per-thread nice values and affinities; elsewhere nothing changes.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

#: Nice value of the threads and processes that work beside the model.
BACKGROUND_NICE = 10
#: Interpreter thread-switch interval while the pipeline runs (Python's default is 5 ms).
SWITCH_INTERVAL_S = 0.0005

T = TypeVar("T")


def split_cores(allowed: Iterable[int]) -> tuple[frozenset[int], frozenset[int]]:
    """``(model, helpers)``: the first half of ``allowed`` CPUs (at least one) and the rest.

    With a single CPU both are that CPU: nothing to split.
    """
    cpus = sorted(allowed)
    if len(cpus) < 2:
        return frozenset(cpus), frozenset(cpus)
    half = len(cpus) // 2
    return frozenset(cpus[:half]), frozenset(cpus[half:])


def _pin_this_thread(cpus: frozenset[int]) -> None:
    if not cpus or not hasattr(os, "sched_setaffinity"):
        return
    with suppress(OSError):
        os.sched_setaffinity(threading.get_native_id(), cpus)


def _allowed() -> frozenset[int]:
    """CPUs the process may use: its main thread's, which formcheck never confines.

    Not the calling thread's: a helper started by a helper would split the helpers' half again
    (on four CPUs, two, then one).
    """
    if hasattr(os, "sched_getaffinity"):
        return frozenset(os.sched_getaffinity(os.getpid()))
    return frozenset(range(os.cpu_count() or 1))


def lower_this_thread() -> None:
    """Move the calling thread (and processes it starts from now on) out of the model's way.

    It runs at :data:`BACKGROUND_NICE` on the helpers' CPUs (:func:`split_cores` of the CPUs it
    was allowed). Best effort: a platform or sandbox that refuses leaves things as they were.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass
    _pin_this_thread(split_cores(_allowed())[1])


def on_model_cores(start: Callable[[], T]) -> T:
    """Call ``start`` on a thread confined to the model's CPUs; return its result or raise.

    Native threads inherit the affinity of the thread that creates them, so a pose landmarker
    created this way keeps its worker threads on the model's half while the caller stays free.
    """
    if not sys.platform.startswith("linux"):
        return start()
    model = split_cores(_allowed())[0]
    return _on_thread(lambda: _pin_this_thread(model), start)


def in_background(start: Callable[[], T]) -> T:
    """Call ``start`` on a lowered thread and return its result (or raise its exception).

    A child process inherits the nice value and affinity of the thread that forks it, so an
    encoder started this way runs like a helper while the caller keeps its own priority.
    """
    return _on_thread(lower_this_thread, start)


def _on_thread(setup: Callable[[], None], start: Callable[[], T]) -> T:
    """``setup()`` then ``start()`` on a fresh thread, joined; ``start``'s exception re-raised."""
    result: list[T] = []
    error: list[BaseException] = []

    def body() -> None:
        setup()
        try:
            result.append(start())
        except BaseException as err:  # re-raised in the caller
            error.append(err)

    thread = threading.Thread(target=body, name="start-on-cores")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


@contextmanager
def responsive_threads() -> Iterator[None]:
    """Shorten the GIL switch interval for the duration (see :data:`SWITCH_INTERVAL_S`)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(old)
