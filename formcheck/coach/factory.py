"""Ready-made coach sinks for the commands: voice and history, built the same way everywhere.

``live --voice`` and ``routine`` both get their speaker from :func:`make_speaker`, so the missing
engine warning, the speech log and the language handling are one code path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from formcheck.coach.announce import LiveAnnouncer
from formcheck.coach.history import history_path
from formcheck.coach.phrases import phrases_for
from formcheck.coach.recorder import HistorySink
from formcheck.coach.speech import SpeechEngine, find_espeak
from formcheck.coach.voice import Speaker, SpeechLog, SpokenLine, VoiceSink


def make_speaker(lang: str, voice: bool, log: TextIO | None = None,
                 engine: SpeechEngine | None = None,
                 echo: Callable[[SpokenLine], None] | None = None) -> Speaker:
    """A speaker in ``lang``: espeak-ng if ``voice`` (warns once if missing), else silent.

    Every line handled is written to ``log`` (tab-separated: stream seconds, kind, said|muted,
    text) and passed to ``echo`` (e.g. to print it), whether or not it was spoken.
    """
    if voice and engine is None:
        engine = find_espeak()
    listeners: list[Callable[[SpokenLine], None]] = []
    if log is not None:
        listeners.append(SpeechLog(log))
    if echo is not None:
        listeners.append(echo)

    def on_line(line: SpokenLine) -> None:
        for listener in listeners:
            listener(line)

    if voice:
        return Speaker(engine, lang, on_line=on_line if listeners else None)
    return Speaker(None, lang, on_line=on_line if listeners else None, warn=_silent)


def _silent(message: str) -> None:
    """``--no-voice``: no warning about a speech engine nobody asked for."""


def live_voice_sink(lang: str, voice: bool = True, log: TextIO | None = None) -> VoiceSink:
    """The voice for ``formcheck live --voice``: counts per side, cues, leg switches, pauses.

    Use as a context manager and feed it ``update(result)`` per frame (the pipeline's
    ``ResultSink(voice_sink)`` adapts it).
    """
    return VoiceSink(LiveAnnouncer(phrases_for(lang)), make_speaker(lang, voice, log))


def live_history_sink(started_at: datetime, source: str, lang: str) -> HistorySink:
    """Saves a ``live`` session to the history database when it closes."""
    return HistorySink(history_path(), started_at, "live", source, lang)
