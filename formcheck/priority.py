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
  whole analysis, when something else keeps both cores busy.

Only Linux has per-thread nice values; elsewhere the helpers run at normal priority.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

#: Nice value of the threads and processes that work beside the model.
BACKGROUND_NICE = 10
#: Interpreter thread-switch interval while the pipeline runs (Python's default is 5 ms).
SWITCH_INTERVAL_S = 0.0005

T = TypeVar("T")


def lower_this_thread() -> None:
    """Run the calling thread (and processes it starts from now on) at :data:`BACKGROUND_NICE`.

    Best effort: a platform or sandbox that refuses leaves the priority as it was.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass


def in_background(start: Callable[[], T]) -> T:
    """Call ``start`` on a lowered thread and return its result (or raise its exception).

    A child process inherits the nice value of the thread that forks it, so an encoder started
    this way runs at :data:`BACKGROUND_NICE` while the caller keeps its own priority.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def body() -> None:
        lower_this_thread()
        try:
            result.append(start())
        except BaseException as err:  # re-raised in the caller
            error.append(err)

    thread = threading.Thread(target=body, name="start-lowered")
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
