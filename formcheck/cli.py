"""The ``formcheck`` command line: thin typer commands that build a pipeline and run it.

Expected failures (:class:`~formcheck.errors.FormcheckError`) become one line on stderr and the
error's exit code; the commands themselves stay free of ``sys.exit``.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from formcheck.errors import FormcheckError
from formcheck.netguard import block_internet_sockets
from formcheck.safe_text import printable

app = typer.Typer(
    name="formcheck",
    help="Coach crescent lunges and glute bridges from one camera or a video file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")]
CameraOption = Annotated[int | None, typer.Option(
    "--camera", min=0, help="Camera index (default 0).")]
MaxSecondsOption = Annotated[float | None, typer.Option(
    "--max-seconds", min=0.1, help="Stop after this many seconds (tests, demos).")]
MirrorPassOption = Annotated[bool, typer.Option(
    "--mirror-pass/--single-pass",
    help="Also read each frame mirrored and make the two readings one: steadier side-view "
         "angles and rep counts for a second pose model run per frame (bench/ACCURACY_LOG.md).")]


def _print_version(value: bool) -> None:
    """``--version``: eager, so it answers before any command is looked for."""
    if value:
        from formcheck import __version__

        print(f"formcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Coach crescent lunges and glute bridges from one camera or a video file."""


@app.command()
def track(
    video: Annotated[Path, typer.Argument(help="Video file, image folder or GIF to track.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the landmark track (.npz).")],
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    mirror_pass: MirrorPassOption = False,
    force: ForceOption = False,
) -> None:
    """Record a clip's pose landmarks to a compact file that ``analyze`` can replay."""
    from formcheck.app.track import run_track

    run_track(video, out, quiet=quiet, mirror_pass=mirror_pass, force=force)


@app.command()
def history(
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write one row per session to "
                                              "this CSV file.")] = None,
    force: ForceOption = False,
) -> None:
    """Show training days, reps, hold times and the faults trend from the local history."""
    from formcheck.coach.commands import run_history

    run_history(csv, force=force)


class ExerciseChoice(str, Enum):
    """``--exercise`` values."""

    AUTO = "auto"
    LUNGE = "lunge"
    BRIDGE = "bridge"


class LangChoice(str, Enum):
    """``--lang`` values."""

    EN = "en"
    DE = "de"


@app.command()
def analyze(
    video: Annotated[Path, typer.Argument(help="Video file, image folder or TRACK.npz.")],
    exercise: Annotated[ExerciseChoice, typer.Option(
        "--exercise", help="Exercise to judge; auto detects it.")] = ExerciseChoice.AUTO,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Annotated video (.mp4, H.264).")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Session report (JSON, schema formcheck.report/1).")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Per-frame metrics (CSV).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Session report (HTML).")] = None,
    lang: Annotated[LangChoice, typer.Option("--lang", help="Cue language.")] = LangChoice.EN,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    force: ForceOption = False,
    mirror_pass: MirrorPassOption = False,
) -> None:
    """Analyse a recorded clip: annotated video, report, per-frame CSV and a summary."""
    from formcheck.app.analyze import AnalyzeOptions, run_analyze

    run_analyze(AnalyzeOptions(video, exercise.value, out, report, csv, html, lang.value, quiet,
                               force, mirror_pass))


@app.command()
def live(
    camera: CameraOption = None,
    source: Annotated[Path | None, typer.Option(
        "--source", help="Play a video file as if it were a camera.")] = None,
    exercise: Annotated[ExerciseChoice, typer.Option(
        "--exercise", help="Exercise to judge; auto detects it.")] = ExerciseChoice.AUTO,
    mirror: Annotated[bool | None, typer.Option(
        "--mirror/--no-mirror", help="Mirror the picture (default: on for a camera).")] = None,
    lang: Annotated[LangChoice, typer.Option("--lang", help="Cue language.")] = LangChoice.EN,
    voice: Annotated[bool, typer.Option("--voice/--no-voice", help="Spoken cues.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write the session report (JSON) on quit.")] = None,
    max_seconds: MaxSecondsOption = None,
    timing: Annotated[Path | None, typer.Option(
        "--timing", hidden=True, help="Per-frame display times and latencies (JSON).")] = None,
    force: ForceOption = False,
) -> None:
    """Coach live from a camera (or a file played like one) in a window.

    Keys: q/Esc quit, space pause, r reset, c recalibrate, e exercise, l language, f fullscreen.
    """
    from formcheck.app.live import LiveOptions, run_live

    if camera is not None and source is not None:
        raise typer.BadParameter("give either --camera or --source, not both")
    run_live(LiveOptions(camera=camera, source=source, exercise=exercise.value, mirror=mirror,
                         lang=lang.value, voice=voice, report=report, max_seconds=max_seconds,
                         timing=timing, force=force))


@app.command()
def routine(
    config: Annotated[Path | None, typer.Option(
        "--config", help="Routine TOML (sets, reps, hold/rest seconds, language); "
                         "default: the ten-minute routine.")] = None,
    camera: CameraOption = None,
    source: Annotated[Path | None, typer.Option(
        "--source", help="Play a video file (or TRACK.npz) as if it were a camera.")] = None,
    voice: Annotated[bool, typer.Option(
        "--voice/--no-voice", help="Speak counts, countdowns and cues.")] = True,
    lang: Annotated[LangChoice | None, typer.Option(
        "--lang", help="Language (default: the routine's).")] = None,
    max_seconds: MaxSecondsOption = None,
    speech_log: Annotated[Path | None, typer.Option(
        "--speech-log", help="Write every spoken line with its stream time here.")] = None,
    pace: Annotated[bool, typer.Option(
        "--pace/--no-pace", help="Play --source in real time like a camera, or analyse every "
                                 "frame as fast as possible (tests, demos).")] = True,
    force: ForceOption = False,
) -> None:
    """A guided session: lunge holds, bridge sets and rests, moving on by itself.

    Counting starts in position and pauses when you step away; sessions go to the history.
    """
    from formcheck.coach.commands import RoutineOptions, run_routine

    if camera is not None and source is not None:
        raise typer.BadParameter("give either --camera or --source, not both")
    run_routine(RoutineOptions(config=config, camera=camera, source=source, voice=voice,
                               lang=lang.value if lang is not None else None,
                               max_seconds=max_seconds, speech_log=speech_log, pace=pace,
                               force=force))


@app.command()
def exercises(
    lang: Annotated[LangChoice, typer.Option("--lang", help="Cue language.")] = LangChoice.EN,
) -> None:
    """List the exercises, what is checked in each and the cue for each fault."""
    from formcheck.app.exercises import print_exercises

    print_exercises(lang.value)


@app.command("eval")
def eval_(
    manifest: Annotated[Path, typer.Argument(help="Manifest JSON listing labelled clips.")],
    exercise: Annotated[ExerciseChoice, typer.Option(
        "--exercise", help="Exercise to assume for every clip (auto detects it).")
    ] = ExerciseChoice.AUTO,
    report: Annotated[Path | None, typer.Option("--report", help="Write the scores as JSON.")
                      ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Parallel clips "
                                             "(default: one per core).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar or table.")] = False,
    mirror_pass: MirrorPassOption = False,
    force: ForceOption = False,
) -> None:
    """Score rep counts and fault cues against a labelled manifest of clips."""
    from formcheck.app.evaluate import run_eval

    run_eval(manifest, exercise=exercise.value, report=report, jobs=jobs, quiet=quiet,
             mirror_pass=mirror_pass, force=force)


@app.command()
def render(
    exercise: Annotated[str, typer.Argument(help="lunge or bridge.")],
    out: Annotated[Path, typer.Option("--out", help="Video to write (.mp4); the truth goes "
                                      "next to it as CLIP.truth.json.")],
    reps: Annotated[int | None, typer.Option(
        "--reps", help="Repetitions (default 5, or 0 with --hold).")] = None,
    view: Annotated[str, typer.Option("--view", help="side, front or oblique.")] = "side",
    fault: Annotated[list[str] | None, typer.Option(
        "--fault", help="Fault code to inject (repeatable).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for body, clothes, tempo, camera.")
                    ] = 0,
    hold: Annotated[float, typer.Option("--hold", help="Hold the working position this many "
                                        "seconds after the reps.")] = 0.0,
    style: Annotated[str, typer.Option("--style", help="Lunge: split (stationary) or step "
                                       "(step back each rep).")] = "split",
    front_leg: Annotated[str, typer.Option("--front-leg", help="Lunge: left, right or auto.")
                         ] = "auto",
    arms: Annotated[str, typer.Option("--arms", help="Lunge reps: hanging, forward, overhead "
                                      "or auto (the seed chooses).")] = "auto",
    fps: Annotated[float, typer.Option("--fps", help="Frames per second.")] = 30.0,
    width: Annotated[int, typer.Option("--width", help="Frame width in pixels.")] = 640,
    height: Annotated[int, typer.Option("--height", help="Frame height in pixels.")] = 480,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    force: ForceOption = False,
) -> None:
    """Render a synthetic mannequin clip with exact ground truth (CLIP.truth.json)."""
    from formcheck.render.command import build_spec, run_render

    spec = build_spec(exercise, reps, view, fault or [], seed, hold, style, front_leg, fps,
                      width, height, arms)
    run_render(spec, out, quiet=quiet, force=force)


def _is_usage_error(err: Exception) -> bool:
    """Whether ``err`` is one of click's usage and parameter errors.

    Typer vendors click from 0.2x on, so the class is recognised by what it offers, not by
    where it lives.
    """
    return callable(getattr(err, "format_message", None)) and isinstance(
        getattr(err, "exit_code", None), int)


def _fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    print(f"formcheck: {message}", file=sys.stderr)
    raise SystemExit(code)


def main() -> None:
    """Entry point: run the app, turning expected errors into one line and an exit code.

    Usage errors (a bad option value, a missing argument) are one line too, exit 2; commands
    turn Ctrl-C into :class:`Interrupted` after saving what they have, and a Ctrl-C elsewhere
    exits 130 as well. Internet sockets are refused first (:mod:`formcheck.netguard`): nothing
    formcheck does needs the network.
    """
    block_internet_sockets()
    try:
        code = app(standalone_mode=False)
    except FormcheckError as err:
        _fail(f"error: {printable(str(err))}", err.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as err:
        if not _is_usage_error(err):
            raise
        if type(err).__name__ == "NoArgsIsHelpError":  # bare `formcheck`: the help is shown
            raise SystemExit(2) from None
        message = " ".join(printable(str(err.format_message())).split())  # type: ignore[attr-defined]
        _fail(f"error: {message}", err.exit_code)  # type: ignore[attr-defined]
    if code == 130:  # typer turns a KeyboardInterrupt it catches into this exit code
        _fail("interrupted", 130)
    if isinstance(code, int) and code:
        raise SystemExit(code)

