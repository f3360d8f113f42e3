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

When the model runs in a process of its own (``analyze``, :mod:`formcheck.pose.worker`), that
process is confined to the model's half and every thread of the main process to the other
(:func:`off_model_cores` for the thread that feeds it).

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


def model_cpus() -> frozenset[int]:
    """The CPUs the pose model gets (:func:`split_cores`); empty where affinity is unknown."""
    if not sys.platform.startswith("linux"):
        return frozenset()
    return split_cores(_allowed())[0]


def helper_cpus() -> frozenset[int]:
    """The CPUs helpers get (:func:`split_cores`); empty where affinity is unknown.

    Take it on the main thread before it is confined (:func:`off_model_cores`) and hand it to
    the helper threads, or they would split the helpers' half again.
    """
    if not sys.platform.startswith("linux"):
        return frozenset()
    return split_cores(_allowed())[1]


def lower_this_thread(cpus: frozenset[int] | None = None) -> None:
    """Move the calling thread (and processes it starts from now on) out of the model's way.

    It runs at :data:`BACKGROUND_NICE` on ``cpus``, by default the helpers' CPUs
    (:func:`helper_cpus`). Best effort: a platform or sandbox that refuses leaves things as
    they were.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass
    _pin_this_thread(helper_cpus() if cpus is None else cpus)


@contextmanager
def off_model_cores() -> Iterator[None]:
    """Keep the calling thread off the model's CPUs for the duration, at its own priority.

    For the thread that feeds the model's own process (:mod:`formcheck.pose.worker`): it is a
    helper then, and on the model's core it took 5% of that core from the model. Its CPUs
    are restored afterwards (the thread may be a test runner's, or go on to other work).
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "sched_getaffinity"):
        yield
        return
    tid = threading.get_native_id()
    try:
        before = os.sched_getaffinity(tid)
    except OSError:
        yield
        return
    _pin_this_thread(helper_cpus())
    try:
        yield
    finally:  # a generator may be finished by another thread, or after this one has ended
        if threading.get_native_id() == tid or os.path.exists(f"/proc/self/task/{tid}"):
            with suppress(OSError):
                os.sched_setaffinity(tid, before)


def on_model_cores(start: Callable[[], T]) -> T:
    """Call ``start`` on a thread confined to the model's CPUs; return its result or raise.

    Native threads inherit the affinity of the thread that creates them, so a pose landmarker
    created this way keeps its worker threads on the model's half while the caller stays free.
    """
    if not sys.platform.startswith("linux"):
        return start()
    model = model_cpus()
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
