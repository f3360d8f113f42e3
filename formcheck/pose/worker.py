"""The pose model in a process of its own, with two frames in flight (``analyze``).

Why a process: in one process the model's thread shares the interpreter lock with decoding,
drawing and encoding. At 1280x720 it waited for the lock about 4-5 ms a frame (2 ms inside
MediaPipe's call, 2.4 ms around it), and no switch interval or priority fixed that. A child
process has a lock of its own; with two frames in flight it starts on the next frame the moment
it has finished one, whatever the parent is doing just then.

Frames go through an unlinked shared memory file, one slot per frame in flight (the model
input, at most ``max_side_px`` on its long side), and so does the person mask; landmarks and the
messages go through a socket pair. The child is a plain ``python -c`` process in a session of
its own, not a ``multiprocessing`` child: it never re-imports the caller's main script, and a
terminal's Ctrl-C reaches only the parent, which decides what happens then. It runs on the
model's CPUs (:func:`~formcheck.priority.model_cpus`) and ends when the parent closes its end or
dies. POSIX only; elsewhere the estimator runs the model in-process.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

import numpy as np

from formcheck.errors import ModelError
from formcheck.pose.landmarker import Detection, video_landmarker

#: Seconds the child may take to start and load the model (a cold disk, a slow machine).
START_TIMEOUT_S = 120.0
#: How often a waiting parent checks that the child is still alive.
_POLL_S = 0.5
#: The folder holding this very ``formcheck`` package: the child imports it first, whatever
#: other ``formcheck`` its working directory or path may hold.
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from formcheck.pose.worker import main; main(sys.argv[2:])")


@dataclass(frozen=True)
class _Job:
    slot: int
    height: int
    width: int
    t_ms: int


@dataclass(frozen=True)
class _Reply:
    """One image's detection.

    ``mask_hw`` is set when the mask waits in the slot's mask area, ``mask`` when it did not fit
    there and came along.
    """

    raw: np.ndarray | None  # None: nobody found
    world: np.ndarray | None
    mask_hw: tuple[int, int] | None
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class _Failed:
    message: str


_READY = "ready"


@dataclass(frozen=True)
class _Slots:
    """Where slot ``k``'s image and mask live in the shared file (byte offsets)."""

    count: int
    max_side_px: int

    @property
    def image_bytes(self) -> int:
        return self.max_side_px * self.max_side_px * 3

    @property
    def mask_bytes(self) -> int:
        return self.max_side_px * self.max_side_px * 4

    @property
    def total_bytes(self) -> int:
        return self.count * (self.image_bytes + self.mask_bytes)

    def image(self, buf: mmap.mmap, slot: int, height: int, width: int) -> np.ndarray:
        """``(height, width, 3)`` uint8 view of slot ``slot``'s image."""
        return np.frombuffer(buf, np.uint8, height * width * 3,
                             slot * self.image_bytes).reshape(height, width, 3)

    def mask(self, buf: mmap.mmap, slot: int, height: int, width: int) -> np.ndarray:
        """``(height, width)`` float32 view of slot ``slot``'s mask."""
        offset = self.count * self.image_bytes + slot * self.mask_bytes
        return np.frombuffer(buf, np.float32, height * width, offset).reshape(height, width)


class ProcessLandmarker:
    """MediaPipe's ``PoseLandmarker`` (VIDEO mode) in a child process.

    Up to :attr:`depth` images are in flight; results come in the order they were submitted.

    Use as a context manager, or :meth:`start` then :meth:`close`. A child that fails to load
    the model, crashes or is killed raises :class:`~formcheck.errors.ModelError` in the parent.
    """

    depth = 2

    def __init__(self, model_path: Path, *, segmentation: bool, max_side_px: int,
                 cpus: frozenset[int] = frozenset()) -> None:
        self.model_path = model_path
        self.segmentation = segmentation
        self._slots = _Slots(self.depth, max_side_px)
        self._cpus = cpus
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._buf: mmap.mmap | None = None
        self._pending: deque[int] = deque()  # slots in flight, oldest first
        self._next = 0

    def __enter__(self) -> ProcessLandmarker:
        try:
            self.start()
            self.wait_ready()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        """Start the child; it loads the model while the caller does other things."""
        shm = Path("/dev/shm")
        fd, name = tempfile.mkstemp(prefix="formcheck-", dir=shm if shm.is_dir() else None)
        os.unlink(name)  # only the two processes' handles keep it: nothing is left on a crash
        ours, theirs = socket.socketpair()
        try:
            try:  # reserved now (where the OS can): a full /dev/shm fails here, not mid-run
                reserve = getattr(os, "posix_fallocate", None)  # not on macOS
                if reserve is not None:
                    reserve(fd, 0, self._slots.total_bytes)
                else:
                    os.ftruncate(fd, self._slots.total_bytes)
            except OSError as err:
                raise ModelError(f"no room for the pose model's frames in {Path(name).parent}: "
                                 f"{err.strerror or err}") from None
            self._buf = mmap.mmap(fd, self._slots.total_bytes)
            self._conn = Connection(ours.detach())
            cpus = ",".join(str(c) for c in sorted(self._cpus))
            native_logs = bool(os.environ.get("FORMCHECK_NATIVE_LOGS"))
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-c", _CHILD, _PACKAGE_ROOT, str(theirs.fileno()),
                     str(self.model_path), "1" if self.segmentation else "0", str(fd),
                     str(self._slots.max_side_px), str(self._slots.count), cpus],
                    pass_fds=(theirs.fileno(), fd), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,  # nobody reading our output waits for the child
                    stderr=None if native_logs else subprocess.DEVNULL,
                    start_new_session=True)
            except OSError as err:
                raise ModelError(f"cannot start the pose model process: {err}") from None
        finally:
            theirs.close()
            ours.close()  # detached above when all went well
            os.close(fd)

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Block until the child has loaded the model; raise ModelError if it could not."""
        reply = self._receive(timeout_s)
        if reply != _READY:
            raise ModelError(f"pose model process: unexpected first message {reply!r}")

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        """Copy ``rgb`` (``(h, w, 3)`` uint8, sides <= ``max_side_px``) to a free slot, queue it.

        At most :attr:`depth` may wait uncollected.
        """
        if self._conn is None or self._buf is None:
            raise RuntimeError("ProcessLandmarker used before start() or after close()")
        if len(self._pending) >= self.depth:
            raise RuntimeError(f"more than {self.depth} images in flight")
        height, width = rgb.shape[:2]
        if max(height, width) > self._slots.max_side_px:
            raise ValueError(f"image {width}x{height} exceeds {self._slots.max_side_px} px")
        slot = self._next % self.depth
        self._next += 1
        np.copyto(self._slots.image(self._buf, slot, height, width), rgb)
        self._send(_Job(slot, height, width, int(t_ms)))
        self._pending.append(slot)

    def collect(self) -> Detection | None:
        """The detection of the oldest image in flight (blocks until the child has it)."""
        if not self._pending:
            raise RuntimeError("nothing in flight to collect")
        reply = self._receive(None)
        slot = self._pending.popleft()
        if not isinstance(reply, _Reply):
            raise ModelError(f"pose model process: unexpected reply {reply!r}")
        if reply.raw is None or reply.world is None:
            return None
        mask = reply.mask
        if reply.mask_hw is not None and self._buf is not None:
            mask = self._slots.mask(self._buf, slot, *reply.mask_hw).copy()  # the slot is reused
        return Detection(reply.raw, reply.world, mask)

    def close(self) -> None:
        """Tell the child to stop and free this side's shared memory.

        The child finishes the image in hand, closes its model and exits on its own; nobody
        waits for that (MediaPipe's tear-down took 0.3 s, which ``analyze`` had counted). A
        background thread reaps it, and in a process that lives on, kills it should it hang;
        a child whose parent is gone ends when it reads the closed socket.
        """
        conn, process = self._conn, self._process
        self._conn = self._process = None
        self._pending.clear()
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if process is not None:
            threading.Thread(target=_reap, args=(process,), name="reap-pose-model",
                             daemon=True).start()
        if self._buf is not None:
            with contextlib.suppress(BufferError):  # a view still held: the mapping goes with it
                self._buf.close()
            self._buf = None

    def _send(self, message: object) -> None:
        assert self._conn is not None
        try:
            self._conn.send(message)
        except (BrokenPipeError, ConnectionResetError):
            raise ModelError(self._died()) from None

    def _receive(self, timeout_s: float | None) -> object:
        """The child's next message; ModelError if it failed, died or stayed silent too long."""
        assert self._conn is not None and self._process is not None
        waited = 0.0
        while not self._conn.poll(_POLL_S):
            if self._process.poll() is not None and not self._conn.poll(0):
                raise ModelError(self._died())
            waited += _POLL_S
            if timeout_s is not None and waited >= timeout_s:
                raise ModelError(f"pose model process did not start within {timeout_s:.0f} s")
        try:
            message = self._conn.recv()
        except (EOFError, ConnectionResetError):  # reset: it died with frames still unread
            raise ModelError(self._died()) from None
        if isinstance(message, _Failed):
            raise ModelError(message.message)
        return message

    def _died(self) -> str:
        code = self._process.poll() if self._process is not None else None
        return f"pose model process stopped unexpectedly (exit code {code})"


def _reap(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """Wait for a child told to stop; kill it if it has not stopped after ``grace_s``."""
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _serve(conn: Connection, model_path: str, segmentation: bool, shared_fd: int,
           slots: _Slots, cpus: frozenset[int]) -> None:
    """The child: load the model, then answer jobs until the parent closes its end."""
    if cpus and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, cpus)  # threads started from here on inherit it
    landmarker = None
    try:
        try:
            landmarker = video_landmarker(model_path, segmentation=segmentation)
            buf = mmap.mmap(shared_fd, slots.total_bytes)
            os.close(shared_fd)
        except (RuntimeError, ValueError, OSError) as err:
            conn.send(_Failed(f"cannot load pose model {model_path}: {err}"))
            return
        conn.send(_READY)
        while (job := conn.recv()) is not None:
            landmarker.submit(slots.image(buf, job.slot, job.height, job.width), job.t_ms)
            found = landmarker.collect()
            if found is None:
                conn.send(_Reply(None, None, None))
                continue
            if found.mask is None or found.mask.nbytes > slots.mask_bytes:
                conn.send(_Reply(found.raw, found.world, None, found.mask))
                continue
            mask_hw = (found.mask.shape[0], found.mask.shape[1])
            slots.mask(buf, job.slot, *mask_hw)[...] = found.mask
            conn.send(_Reply(found.raw, found.world, mask_hw))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # the parent is gone or done
    except Exception as err:  # reported to the parent, which raises it
        with contextlib.suppress(OSError, ValueError):
            conn.send(_Failed(f"pose model failed: {err}"))
    finally:
        if landmarker is not None:
            landmarker.close()


def main(argv: list[str]) -> None:
    """The child's entry: ``SOCKET MODEL SEGMENTATION SHARED MAX_SIDE SLOTS CPUS``.

    SOCKET and SHARED are file descriptors it inherited (see :meth:`ProcessLandmarker.start`).
    """
    fd, model, segmentation, shared, max_side, count, cpus = argv
    _serve(Connection(int(fd)), model, segmentation == "1", int(shared),
           _Slots(int(count), int(max_side)),
           frozenset(int(c) for c in cpus.split(",") if c))
