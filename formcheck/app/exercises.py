"""``formcheck exercises``: what each exercise checks, from which view, and the cue it gives.

Printed straight from the engine's specs and cue table, so the list cannot drift from what the
engine actually does.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from formcheck.engine.cues import cue_text
from formcheck.engine.exercises import EXERCISES

_SEVERITY_STYLE = {"fault": "bold red", "warning": "yellow", "good": "green"}


def exercises_table(lang: str = "en") -> list[Table]:
    """One table per exercise: fault (coloured by severity), views, check, limit, cue."""
    tables = []
    for exercise, spec in EXERCISES.items():
        table = Table(title=f"{exercise.value}: {spec.description}", title_justify="left",
                      show_lines=True)
        table.add_column("fault", no_wrap=True)
        table.add_column("view")
        table.add_column("check")
        table.add_column("cue")
        for rule in spec.rules:
            check = f"{rule.description}\n[dim]{rule.condition()}[/dim]"
            table.add_row(f"[{_SEVERITY_STYLE.get(rule.severity.value, '')}]{rule.code}",
                          "/".join(sorted(v.value for v in rule.views)), check,
                          cue_text(rule.code, lang))
        tables.append(table)
    return tables


def print_exercises(lang: str = "en", console: Console | None = None) -> None:
    """Print :func:`exercises_table` to ``console`` (stdout by default)."""
    console = console or Console()
    for table in exercises_table(lang):
        console.print(table)
