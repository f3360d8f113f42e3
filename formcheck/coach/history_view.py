"""``formcheck history``: the history as a table per day with a faults trend, and as CSV."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from formcheck.coach.history import SessionTotals, sessions_by_day
from formcheck.errors import OutputError


@dataclass(frozen=True)
class DayRow:
    """One day of training, summed over its sessions."""

    day: str
    sessions: int
    lunge_reps: int
    bridge_reps: int
    hold_s: float
    faults: int
    top_fault: str
    faults_per_10_reps: float | None  # None when no reps that day (holds only)


def day_rows(totals: Sequence[SessionTotals]) -> list[DayRow]:
    """One row per day, oldest first."""
    rows: list[DayRow] = []
    for day, sessions in sessions_by_day(totals).items():
        reps = Counter[str]()
        faults = Counter[str]()
        for s in sessions:
            reps.update(s.reps_by_exercise)
            faults.update(s.faults)
        total_reps = sum(reps.values())
        total_faults = sum(faults.values())
        top = faults.most_common(1)[0][0] if faults else ""
        rate = 10.0 * total_faults / total_reps if total_reps else None
        rows.append(DayRow(day, len(sessions), reps.get("lunge", 0), reps.get("bridge", 0),
                           sum(s.hold_s for s in sessions), total_faults, top, rate))
    return rows


def trend(rows: Sequence[DayRow]) -> str:
    """Faults per 10 reps, first half of the days against the second: "fewer", "more", "steady"."""
    rates = [r.faults_per_10_reps for r in rows if r.faults_per_10_reps is not None]
    if len(rates) < 2:
        return "not enough days with reps yet"
    half = len(rates) // 2
    early = sum(rates[:half]) / half
    late = sum(rates[half:]) / (len(rates) - half)
    if late < early * 0.9:
        verdict = "fewer faults"
    elif late > early * 1.1:
        verdict = "more faults"
    else:
        verdict = "steady"
    return f"{verdict}: {early:.1f} -> {late:.1f} faults per 10 reps"


def print_history(totals: Sequence[SessionTotals], console: Console) -> None:
    """The per-day table and the trend line."""
    if not totals:
        console.print("No sessions recorded yet. Run `formcheck live` or `formcheck routine`.")
        return
    rows = day_rows(totals)
    table = Table(title="formcheck history (reps, hold m:ss, faults per 10 reps)")
    table.add_column("Day", no_wrap=True)
    for name in ("Sessions", "Lunges", "Bridges", "Hold", "Faults", "/10 reps"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Top fault", overflow="fold")
    previous: float | None = None
    for r in rows:
        rate = "-" if r.faults_per_10_reps is None else f"{r.faults_per_10_reps:.1f}"
        if r.faults_per_10_reps is not None and previous is not None:
            arrow = ("↓" if r.faults_per_10_reps < previous
                     else "↑" if r.faults_per_10_reps > previous else "=")
            rate = f"{rate} {arrow}"
        if r.faults_per_10_reps is not None:
            previous = r.faults_per_10_reps
        minutes, seconds = divmod(round(r.hold_s), 60)
        table.add_row(r.day, str(r.sessions), str(r.lunge_reps), str(r.bridge_reps),
                      f"{minutes}:{seconds:02d}", str(r.faults), rate, r.top_fault or "-")
    console.print(table)
    console.print(f"Trend: {trend(rows)}")


CSV_COLUMNS = ("session_id", "started_at", "day", "kind", "source", "duration_s", "lunge_reps",
               "bridge_reps", "hold_s", "faults", "fault_codes")


def write_csv(totals: Sequence[SessionTotals], out: Path) -> None:
    """One row per session; ``fault_codes`` as ``code:count`` separated by spaces."""
    try:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for s in totals:
                codes = " ".join(f"{c}:{n}" for c, n in sorted(s.faults.items()))
                writer.writerow([s.id, s.started_at.isoformat(), s.started_at.date().isoformat(),
                                 s.kind, s.source,
                                 "" if s.duration_s is None else f"{s.duration_s:.1f}",
                                 s.reps_by_exercise.get("lunge", 0),
                                 s.reps_by_exercise.get("bridge", 0), f"{s.hold_s:.1f}",
                                 s.faults_total, codes])
    except OSError as err:
        raise OutputError(f"cannot write {out}: {err}") from None
