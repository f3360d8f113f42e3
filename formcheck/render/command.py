"""The ``formcheck render`` command's work: check the options, render, write video and truth."""

from __future__ import annotations

from pathlib import Path

from formcheck.engine.types import Exercise, Side, View
from formcheck.errors import InputError, OutputError
from formcheck.output.paths import check_outputs
from formcheck.render.clip import ClipSpec, render_clip
from formcheck.render.motion import ArmCarriage, LungeStyle
from formcheck.render.truth import save_truth, truth_path

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
    """Render ``spec`` to ``out`` (.mp4) and its truth next to it; returns the truth path."""
    if out.suffix.lower() != ".mp4":
        raise InputError(f"--out must end in .mp4: {out}")
    check_outputs((out, truth_path(out)), force=force)
    if quiet:
        truth = render_clip(spec, out)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"rendering {out.name}", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            truth = render_clip(spec, out, tick)
    tpath = truth_path(out)
    try:
        save_truth(truth, tpath)
    except OSError as err:
        raise OutputError(f"cannot write {tpath}: {err}") from None
    return tpath
