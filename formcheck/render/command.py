"""The ``formcheck render`` command's work: check the options, render, write video and truth."""

from __future__ import annotations

from pathlib import Path

from formcheck.engine.types import Exercise, Side, View
from formcheck.errors import InputError, OutputError
from formcheck.output.paths import check_outputs
from formcheck.render.clip import ClipSpec, render_clip
from formcheck.render.motion import ArmCarriage, LungeStyle
from formcheck.render.truth import Truth, save_truth, truth_path

_DEFAULT_REPS = 5


def _choice(value: str, options: dict[str, object], what: str) -> object:
    try:
        return options[value.lower()]
    except KeyError:
        raise InputError(f"unknown {what} {value!r}; choose from {', '.join(options)}") from None


def build_spec(exercise: str, reps: int | None, view: str, faults: list[str], seed: int,
               hold_s: float, style: str, front_leg: str, fps: float, width: int,
               height: int, arms: str = "auto") -> ClipSpec:
    """A validated :class:`ClipSpec` from command-line values (raises :class:`InputError`)."""
    ex = _choice(exercise, {"lunge": Exercise.LUNGE, "bridge": Exercise.BRIDGE}, "exercise")
    vw = _choice(view, {v.value: v for v in (View.SIDE, View.FRONT, View.OBLIQUE)}, "view")
    st = _choice(style, {s.value: s for s in LungeStyle}, "style")
    leg = _choice(front_leg, {"auto": None, "left": Side.LEFT, "right": Side.RIGHT}, "front leg")
    carriage = _choice(arms, {"auto": None, **{a.value: a for a in ArmCarriage}}, "arm carriage")
    if reps is None:
        reps = 0 if hold_s > 0 else _DEFAULT_REPS
    spec = ClipSpec(exercise=ex, reps=reps, view=vw, faults=tuple(dict.fromkeys(faults)),  # type: ignore[arg-type]
                    seed=seed, hold_s=hold_s, style=st, front_leg=leg, fps=fps,  # type: ignore[arg-type]
                    width=width, height=height, arms=carriage)  # type: ignore[arg-type]
    spec.validate()
    return spec


def run_render(spec: ClipSpec, out: Path, quiet: bool = False, force: bool = False) -> Path:
    """Render ``spec`` to ``out`` (.mp4) and its truth next to it; returns the truth path.

    The video is rendered under a temporary name and takes its own only once its truth is
    saved: an interrupted render leaves neither a clip without truth nor, with ``--force``, a
    clip whose old truth no longer fits it.
    """
    if out.suffix.lower() != ".mp4":
        raise InputError(f"--out must end in .mp4: {out}")
    tpath = truth_path(out)
    check_outputs((out, tpath), force=force)
    part = out.with_name(f"{out.stem}.part.mp4")
    try:
        truth = _render(spec, part, None if quiet else f"rendering {out.name}")
        try:
            save_truth(truth, tpath)
        except OSError as err:
            raise OutputError(f"cannot write {tpath}: {err}") from None
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return tpath


def _render(spec: ClipSpec, out: Path, label: str | None) -> Truth:
    """``render_clip``, with a progress bar titled ``label`` (none without one)."""
    if label is None:
        return render_clip(spec, out)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return render_clip(spec, out, tick)
