"""The summary table printed after ``analyze`` and ``live``, from the report dict.

Printing from the report (not from engine objects) guarantees the terminal and the JSON file
never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group
from rich.table import Table

from formcheck.safe_text import plain


def _t(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60.0)
    return f"{int(minutes)}:{secs:04.1f}"


def summary_renderable(report: Mapping[str, Any]) -> Group:
    """Rich tables: the session overview, then each fault span with its time and cue."""
    overview = Table(title="formcheck summary", show_header=False, title_justify="left")
    overview.add_column("what", style="bold")
    overview.add_column("value")
    overview.add_row("source", plain(str(report["source"])))
    overview.add_row("exercise", str(report["exercise"]))
    overview.add_row("view", str(report["view"]))
    overview.add_row("duration", f"{report['duration_s']:.1f} s")
    frames = report["frames"]
    overview.add_row("frames with a person", f"{frames['with_pose']} / {frames['total']}")
    by_side = report["reps"]["by_side"]
    sides = ", ".join(f"{side} {count}" for side, count in by_side.items() if count) or "none"
    overview.add_row("reps", f"{report['reps']['total']} ({sides})")
    if report.get("reason"):  # why nothing could be judged, as the report says
        overview.add_row("note", plain(str(report["reason"])))
    clean = sum(1 for rep in report["rep_list"] if not rep["faults"])
    if report["rep_list"]:
        overview.add_row("reps without faults", f"{clean} / {len(report['rep_list'])}")
    holds = report["holds"]
    if holds:
        overview.add_row("holds", ", ".join(
            f"{h['side']} {h['end_s'] - h['start_s']:.1f} s" for h in holds))
    parts: list[Table] = [overview]
    if report["faults"]:
        faults = Table(title="faults", title_justify="left")
        faults.add_column("from", justify="right")
        faults.add_column("to", justify="right")
        faults.add_column("fault")
        faults.add_column("cue")
        for f in report["faults"]:
            faults.add_row(_t(f["start_s"]), _t(f["end_s"]), f["code"], f["message"])
        parts.append(faults)
    return Group(*parts)


def print_summary(report: Mapping[str, Any], console: Console | None = None) -> None:
    """Print the summary tables to ``console`` (stdout by default)."""
    (console or Console()).print(summary_renderable(report))
