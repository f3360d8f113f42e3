"""Text from outside (file names, metadata) made safe to show on a terminal.

File names may hold newlines, terminal escape sequences or rich markup; shown raw they would break
the one-line error promise, drive the user's terminal, or restyle (and crash) rich output.
"""

from __future__ import annotations

from rich.text import Text


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes (``\n``, ``\x1b``)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def plain(text: str) -> Text:
    """A rich :class:`Text` that shows ``text`` literally: no markup, no control characters."""
    return Text(printable(text))
