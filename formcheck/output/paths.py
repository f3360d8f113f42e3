"""Where outputs may go, checked before any work, so a long run does not end in a refusal.

Every command that writes a file checks its outputs here first: not the input, not given twice,
not a folder, in a folder that exists and takes new files, and not an existing file unless the
user said ``--force`` (what the user already has is never replaced by surprise). A full disk
can still fail a write later; that is the writers' to report.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from formcheck.errors import OutputError


def check_outputs(outputs: Sequence[Path | None], *, force: bool,
                  source: Path | None = None) -> None:
    """Raise :class:`OutputError` for the first output that cannot or may not be written.

    ``None`` entries (outputs not asked for) are skipped; ``source`` is the input, which no
    output may be. A device or pipe (``/dev/stdout``) is no file to keep: it needs no
    ``--force``, is written in place, and its folder is not probed.
    """
    seen: dict[Path, Path] = {}
    source_resolved = source.resolve() if source is not None else None
    for path in outputs:
        if path is None:
            continue
        resolved = path.resolve()
        if resolved == source_resolved:
            raise OutputError(f"{path}: is the input; choose another output name")
        if resolved in seen:
            raise OutputError(f"{path}: given for two outputs")
        seen[resolved] = path
        if path.is_dir():
            raise OutputError(f"{path}: is a directory")
        if not path.parent.exists():
            raise OutputError(f"{path.parent}: output folder does not exist")
        if path.is_file() and not force:
            raise OutputError(f"{path}: already exists (use --force to overwrite)")
        if not path.exists() or path.is_file():
            _probe_folder(path)


def _probe_folder(path: Path) -> None:
    """Create and remove a nameless file beside ``path``: the folder takes new files."""
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as err:
        raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None
