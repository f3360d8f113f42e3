"""The voice: a speaker thread that drains the utterance queue, and the sink that feeds it.

The frame loop only ever appends to the queue under a lock (microseconds); the speaker thread does
the slow part (a subprocess per line). Because one thread says one line at a time nothing talks
over anything, and because the queue is ordered a waiting cue never goes before a waiting count.
A missing or failing engine is reported once, then the coach runs silently.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, TextIO

from formcheck.coach.speech import SpeechEngine
from formcheck.coach.utterances import Dropped, Utterance, UtteranceQueue, VoicePolicy
from formcheck.engine.types import FrameResult


def _warn_stderr(message: str) -> None:
    print(f"formcheck: warning: {message}", file=sys.stderr)


@dataclass(frozen=True)
class SpokenLine:
    """One line the speaker handled at stream time ``said_ms``.

    ``spoken`` is False when muted (no engine) or dropped; ``dropped`` names why the queue gave
    it up ("stale", "repeat", "replaced", "overflow"), empty for lines that were said or muted.
    """

    utterance: Utterance
    said_ms: int
    spoken: bool
    dropped: str = ""


class Speaker:
    """Owns the queue and the thread that speaks; use as a context manager.

    Args:
        engine: the speech engine, or None when none is installed (warns once, stays silent).
        lang: language passed to the engine.
        policy: queue limits.
        warn: where the one warning goes (stderr by default).
        on_line: called from the speaker thread for every line handled (logging); must be quick.

    """

    def __init__(self, engine: SpeechEngine | None, lang: str, policy: VoicePolicy | None = None,
                 warn: Callable[[str], None] = _warn_stderr,
                 on_line: Callable[[SpokenLine], None] | None = None) -> None:
        self._engine = engine
        self._lang = lang
        self._queue = UtteranceQueue(policy, on_drop=self._note_drop)
        self._drops: list[Dropped] = []  # filled under the lock, reported outside it
        self._warn = warn
        self._on_line = on_line
        self._cond = threading.Condition()
        self._now_ms = 0
        self._closing = False
        self._busy = False
        self._thread: threading.Thread | None = None
        self._muted = engine is None

    @property
    def muted(self) -> bool:
        """True once the engine is missing or has failed: lines are logged but not said."""
        return self._muted

    def dropped(self) -> list[Dropped]:
        """Lines the queue dropped so far (most recent 256)."""
        with self._cond:
            return list(self._queue.dropped)

    def start(self) -> None:
        """Start the speaker thread (idempotent)."""
        if self._engine is None:
            self._warn("no speech engine found (install espeak-ng); continuing without voice")
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="formcheck-speaker",
                                            daemon=True)
            self._thread.start()

    def advance(self, now_ms: int) -> None:
        """Tell the speaker the current stream time (ages are measured against it)."""
        with self._cond:
            self._now_ms = max(self._now_ms, now_ms)

    def submit(self, utterance: Utterance) -> None:
        """Queue one line; never blocks on speech."""
        with self._cond:
            self._now_ms = max(self._now_ms, utterance.t_ms)
            self._queue.push(utterance)
            self._cond.notify()
        self._report_drops()

    def _note_drop(self, dropped: Dropped) -> None:
        self._drops.append(dropped)

    def _report_drops(self) -> None:
        with self._cond:
            drops, self._drops = self._drops, []
            now_ms = self._now_ms
        if self._on_line is not None:
            for d in drops:
                self._on_line(SpokenLine(d.utterance, now_ms, False, d.reason))

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Block until nothing is waiting or being said (tests, end of a session)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and not len(self._queue),
                                       timeout=timeout_s)

    def close(self, drain_timeout_s: float = 5.0) -> None:
        """Say what is still due (within ``drain_timeout_s``), then stop the thread."""
        self.wait_idle(drain_timeout_s)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=drain_timeout_s)
            self._thread = None

    def __enter__(self) -> Speaker:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(drain_timeout_s=5.0 if exc_type is None else 0.5)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closing or len(self._queue) > 0)
                if self._closing:
                    return
                utterance = self._queue.pop(self._now_ms)
                now_ms = self._now_ms
                self._busy = utterance is not None
                if utterance is None:
                    self._cond.notify_all()
            self._report_drops()
            if utterance is None:
                continue
            spoken = self._speak(utterance)
            if self._on_line is not None:
                self._on_line(SpokenLine(utterance, now_ms, spoken))
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _speak(self, utterance: Utterance) -> bool:
        if self._muted or self._engine is None:
            return False
        try:
            self._engine.say(utterance.text, self._lang)
        except Exception as err:  # any engine failure means: warn once, go silent
            self._muted = True
            self._warn(f"speech engine failed ({err}); continuing without voice")
            return False
        return True


class Announcer(Protocol):
    """Turns each FrameResult into the lines worth saying about it (pure, stream-timed)."""

    def announce(self, result: FrameResult) -> Iterable[Utterance]:
        """Lines raised by this frame, usually none."""
        ...


class VoiceSink:
    """Per-frame sink: asks the announcer what to say and hands it to the speaker.

    A context manager like every sink: entering starts the speaker thread, leaving lets it finish
    the lines still due and stops it.
    """

    def __init__(self, announcer: Announcer, speaker: Speaker) -> None:
        self.announcer = announcer
        self.speaker = speaker

    def __enter__(self) -> VoiceSink:
        self.speaker.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.speaker.close(drain_timeout_s=5.0 if exc_type is None else 0.5)

    def update(self, result: FrameResult) -> None:
        """Feed one frame; returns at once."""
        self.speaker.advance(result.t_ms)
        for utterance in self.announcer.announce(result):
            self.speaker.submit(utterance)

    __call__ = update


class SpeechLog:
    """Writes every line as ``t_s<TAB>kind<TAB>status<TAB>text``; status said|muted|dropped-why."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def __call__(self, line: SpokenLine) -> None:
        """Append one line (called from the speaker thread or the frame loop)."""
        status = f"dropped-{line.dropped}" if line.dropped else "said" if line.spoken else "muted"
        with self._lock:
            self._stream.write(f"{line.said_ms / 1000:8.2f}\t{line.utterance.kind.name.lower()}"
                               f"\t{status}\t{line.utterance.text}\n")
            self._stream.flush()
