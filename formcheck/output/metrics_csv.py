"""Per-frame metrics as CSV: one row per frame, a fixed set of columns, for plotting and checks.

Columns are fixed up front (every metric the engine may report, see
:data:`formcheck.engine.metrics.METRICS`), so a metric that appears only mid-clip still has its
column and rows from different clips line up. Unknown values are empty cells, not ``nan``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from formcheck.engine.types import FrameResult, Side
from formcheck.errors import OutputError

BASE_COLUMNS: tuple[str, ...] = (
    "frame", "t_s", "pose_found", "exercise", "view", "side", "phase", "progress",
    "reps_left", "reps_right", "reps_both", "hold_s",
)


def _default_metric_names() -> tuple[str, ...]:
    from formcheck.engine.metrics import METRICS

    return tuple(METRICS)


def _cell(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}" if math.isfinite(value) else ""


def _decimals(name: str) -> int:
    """Angles, times and pixels to 2 decimals; ratios to 4 (their limits are like 0.015)."""
    return 2 if name.endswith(("_deg", "_ms", "_px")) else 4


class MetricsCsvWriter:
    """Writes one row per :class:`FrameResult`; a context manager.

    Args:
        path: output file (overwritten).
        metric_names: metric columns, in order; default: every metric the engine knows.

    """

    def __init__(self, path: Path, metric_names: Sequence[str] | None = None) -> None:
        self.path = path
        self.metric_names = tuple(metric_names) if metric_names is not None \
            else _default_metric_names()
        try:
            self._fh = path.open("w", encoding="utf-8", newline="")
        except OSError as err:
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None
        self._decimals = tuple(_decimals(name) for name in self.metric_names)
        self._writer = csv.writer(self._fh)
        self._writer.writerow((*BASE_COLUMNS, *self.metric_names, "cues"))

    def write(self, index: int, result: FrameResult) -> None:
        """Append the row of frame ``index``."""
        r = result
        row = (
            index, f"{r.t_ms / 1000.0:.3f}", int(r.pose.found), r.exercise.value, r.view.value,
            r.side.value, r.phase.value, _cell(r.progress), r.reps.get(Side.LEFT, 0),
            r.reps.get(Side.RIGHT, 0), r.reps.get(Side.BOTH, 0), f"{r.hold_ms / 1000.0:.1f}",
            *(_cell(r.metric(name), d) for name, d in zip(self.metric_names, self._decimals,
                                                          strict=True)),
            ";".join(cue.code for cue in r.cues),
        )
        try:
            self._writer.writerow(row)
        except OSError as err:  # disk full, device gone: one line, not a traceback
            raise OutputError(f"{self.path}: cannot write ({err.strerror or err})") from None

    def close(self) -> None:
        """Flush and close the file."""
        if not self._fh.closed:
            try:
                self._fh.close()  # the last rows are flushed here, so a full disk shows here
            except OSError as err:
                raise OutputError(f"{self.path}: cannot write ({err.strerror or err})") from None

    def __enter__(self) -> MetricsCsvWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
