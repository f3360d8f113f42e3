"""Speech engines: turn one line of text into sound, blocking until it is said.

The coach talks through the small :class:`SpeechEngine` protocol so the queue and its thread can be
tested with :class:`FakeSpeechEngine` and the real voice is one subprocess call to espeak-ng
(Debian package ``espeak-ng``), which speaks English and German offline.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ESPEAK_VOICES: dict[str, str] = {"en": "en", "de": "de"}


class SpeechEngine(Protocol):
    """Says one line; blocks until done; raises ``OSError`` or ``SubprocessError`` on failure."""

    def say(self, text: str, lang: str) -> None:
        """Speak ``text`` in ``lang`` ("en" or "de")."""
        ...


@dataclass(frozen=True)
class EspeakEngine:
    """espeak-ng through a subprocess; text goes on stdin so it is never parsed as an option.

    Attributes:
        executable: path of ``espeak-ng`` (or ``espeak``).
        words_per_minute: speaking rate; a little faster than the default so counts keep up.
        wav_path: write the sound to this WAV file instead of the sound card (tests, logs).
        timeout_s: longest a single line may take before it is given up.

    """

    executable: str = "espeak-ng"
    words_per_minute: int = 175
    wav_path: Path | None = None
    timeout_s: float = 15.0

    def command(self, lang: str) -> list[str]:
        """The command line that says one line from stdin in ``lang``."""
        cmd = [self.executable, "-v", ESPEAK_VOICES.get(lang, "en"),
               "-s", str(self.words_per_minute), "--stdin"]
        if self.wav_path is not None:
            cmd += ["-w", str(self.wav_path)]
        return cmd

    def say(self, text: str, lang: str) -> None:
        """Speak ``text``; raises ``CalledProcessError`` if espeak-ng fails."""
        subprocess.run(self.command(lang), input=text.encode("utf-8"), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=self.timeout_s)


@dataclass
class FakeSpeechEngine:
    """Records what it was asked to say; optionally blocks on ``gate`` to act "busy" talking.

    ``fail`` makes every call raise ``OSError`` (a missing or broken engine).
    """

    said: list[tuple[str, str]] = field(default_factory=list)
    gate: threading.Event | None = None
    fail: bool = False
    on_say: Callable[[str], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def say(self, text: str, lang: str) -> None:
        """Record ``text``; wait for ``gate`` first when one is set."""
        if self.on_say is not None:
            self.on_say(text)
        if self.gate is not None and not self.gate.wait(timeout=10.0):
            raise OSError("fake speech engine gate never opened")
        if self.fail:
            raise OSError("fake speech engine failure")
        with self._lock:
            self.said.append((text, lang))

    def texts(self) -> list[str]:
        """The lines said so far, in order."""
        with self._lock:
            return [text for text, _ in self.said]


def find_espeak(wav_path: Path | None = None) -> EspeakEngine | None:
    """espeak-ng (or classic espeak) if installed, else None."""
    for name in ("espeak-ng", "espeak"):
        found = shutil.which(name)
        if found:
            return EspeakEngine(executable=found, wav_path=wav_path)
    return None
