"""The ``routine`` and ``history`` commands: wiring only, the logic lives in the coach modules."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from formcheck.coach.history import open_default_store
from formcheck.coach.history_view import print_history, write_csv


def run_history(csv_out: Path | None, console: Console | None = None) -> None:
    """Print the history table (and write the CSV when asked)."""
    console = console or Console()
    with open_default_store() as store:
        totals = store.totals()
    print_history(totals, console)
    if csv_out is not None:
        write_csv(totals, csv_out)
        console.print(f"Wrote {csv_out} ({len(totals)} sessions).")
