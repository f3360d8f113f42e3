"""Every frame of a file, in order, for the live loop: the unpaced twin of ``LatestFrame``.

``routine --source clip --no-pace`` uses it so a recorded clip (or a landmark track, whose replay
needs every frame) is analysed completely and as fast as possible, which makes a guided routine
on a file reproducible on a busy machine. It offers the two calls the live loop makes,
``take`` and ``finished``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType

from formcheck.app.pipeline import Captured
from formcheck.source import Frame


class EveryFrame:
    """Hands over the source's frames one by one, never dropping, never waiting."""

    def __init__(self, frames: Iterable[Frame], clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self._frames: Iterator[Frame] = iter(frames)
        self._clock = clock
        self._finished = False
        self.delivered = 0
        self.dropped = 0  # always 0; mirrors LatestFrame

    def __enter__(self) -> EveryFrame:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._finished = True

    @property
    def finished(self) -> bool:
        """True once the source has no more frames."""
        return self._finished

    def take(self, timeout_s: float = 0.5) -> Captured | None:
        """The next frame (``timeout_s`` is ignored: reading is synchronous); None at the end."""
        if self._finished:
            return None
        frame = next(self._frames, None)
        if frame is None:
            self._finished = True
            return None
        self.delivered += 1
        return Captured(frame, self._clock())
