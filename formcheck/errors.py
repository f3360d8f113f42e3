"""Every exception formcheck raises on purpose, in one tree.

The CLI turns any :class:`FormcheckError` into one line on stderr and its ``exit_code``; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class FormcheckError(Exception):
    """Base of all expected failures; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 2


class InputError(FormcheckError):
    """A file, camera or option the user gave cannot be used (missing, unreadable, corrupt)."""


class OutputError(FormcheckError):
    """An output path cannot be written (unwritable, same as the input, exists without --force)."""


class ModelError(FormcheckError):
    """The bundled pose model is missing or cannot be loaded."""


class SourceLost(FormcheckError):
    """A source stopped delivering frames mid-session (camera unplugged, file damaged)."""


class Interrupted(FormcheckError):
    """The user interrupted (Ctrl-C); what was analysed so far is still written."""

    exit_code = 130
