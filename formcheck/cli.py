"""The ``formcheck`` command line: thin typer commands that build a pipeline and run it.

Expected failures (:class:`~formcheck.errors.FormcheckError`) become one line on stderr and the
error's exit code; the commands themselves stay free of ``sys.exit``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from formcheck.errors import FormcheckError

app = typer.Typer(
    name="formcheck",
    help="Coach crescent lunges and glute bridges from one camera or a video file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Coach crescent lunges and glute bridges from one camera or a video file."""


@app.command()
def track(
    video: Annotated[Path, typer.Argument(help="Video file, image folder or GIF to track.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the landmark track (.npz).")],
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Record a clip's pose landmarks to a compact file that ``analyze`` can replay."""
    from formcheck.app.track import run_track

    run_track(video, out, quiet=quiet)


@app.command()
def history(
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write one row per session to "
                                              "this CSV file.")] = None,
) -> None:
    """Show training days, reps, hold times and the faults trend from the local history."""
    from formcheck.coach.commands import run_history

    run_history(csv)


def main() -> None:
    """Entry point: run the app, turning expected errors into one line and an exit code.

    Usage errors are click's (exit 2); commands turn Ctrl-C into :class:`Interrupted` after
    saving what they have, so it arrives here with exit code 130.
    """
    try:
        app()
    except FormcheckError as err:
        print(f"formcheck: error: {err}", file=sys.stderr)
        raise SystemExit(err.exit_code) from None
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
