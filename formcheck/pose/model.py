"""Finding the bundled pose model without a network.

Search order: ``$FORMCHECK_MODEL``; the copy inside the installed package
(``formcheck/_model/``, placed there by the wheel build); the repository's ``models/`` folder when
running from a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from formcheck.errors import ModelError

MODEL_NAME = "pose_landmarker_full.task"
#: sha256 of the model that ``models/build_model.py`` produces (see models/README.md).
MODEL_SHA256 = "adb08f070abb7e7327cbf6d6e8be9ef89d6fd8751d301913abed0fe45f3946b7"


def candidate_paths() -> list[Path]:
    """Where the model is looked for, in order."""
    package_dir = Path(__file__).resolve().parent.parent
    paths = []
    env = os.environ.get("FORMCHECK_MODEL")
    if env:
        paths.append(Path(env))
    paths.append(package_dir / "_model" / MODEL_NAME)
    paths.append(package_dir.parent / "models" / MODEL_NAME)
    return paths


def find_model(explicit: Path | None = None) -> Path:
    """Return the model path, or raise :class:`ModelError` naming every place searched."""
    paths = [explicit] if explicit is not None else candidate_paths()
    for path in paths:
        if path.is_file():
            return path
    searched = ", ".join(str(p) for p in paths)
    raise ModelError(f"pose model {MODEL_NAME} not found (searched: {searched}); "
                     "rebuild it with `python models/build_model.py` or set FORMCHECK_MODEL")
