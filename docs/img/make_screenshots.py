"""Make the README's overlay screenshots from rendered clips, in English and German.

Usage: python docs/img/make_screenshots.py [--exercise auto|lunge|bridge] CLIP.mp4 NAME

The clip runs through the real pipeline once (MediaPipe pose, then one engine and one overlay
per language); the first frame at the working position with a cue on screen after a counted rep
(or the best there is, see :func:`score`) is saved as ``docs/img/NAME_en.png`` and
``NAME_de.png``. Clips come from ``formcheck render`` (see the README), so the screenshots are
reproducible and show no real person.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

import cv2

from formcheck.app.inputs import open_input
from formcheck.engine.session import Engine
from formcheck.engine.types import FrameResult, Phase
from formcheck.output.overlay import Overlay

OUT = Path(__file__).resolve().parent
LANGS = ("en", "de")


def score(result: FrameResult, shown_cues: int) -> int:
    """How worth showing a frame is; -1 when not at the working position.

    A cue on screen counts most, then a counted rep (so the counter shows something).
    """
    if result.phase not in (Phase.WORK, Phase.HOLD) or not result.pose.found:
        return -1
    return 2 * (shown_cues >= 1) + (result.reps_total >= 1)


def shoot(clip: Path, name: str, exercise: str = "auto") -> None:
    """Save the first best-scoring frame of ``clip`` in every language."""
    engines = {lang: Engine(exercise=exercise, lang=lang) for lang in LANGS}
    overlays = {lang: Overlay(lang) for lang in LANGS}
    best, chosen = -1, None
    with ExitStack() as stack:
        source, pose_stage = open_input(clip, stack)
        for frame in source:
            pose = pose_stage.estimate(frame)
            images = {}
            for lang in LANGS:
                result = engines[lang].update(pose)
                images[lang] = overlays[lang].annotate(frame.image, result)
            value = score(result, len(overlays[LANGS[-1]].board.shown))
            if value > best:
                best, chosen = value, (frame.t_ms / 1000.0, images)
            if best == 3:
                break
    if chosen is None:
        print(f"{clip}: never at the working position", file=sys.stderr)
        return
    for lang, image in chosen[1].items():
        path = OUT / f"{name}_{lang}.png"
        cv2.imwrite(str(path), image)
        print(f"{path} at {chosen[0]:.2f} s")


def main() -> None:
    """Parse the command line and shoot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="auto", choices=("auto", "lunge", "bridge"))
    parser.add_argument("clip", type=Path)
    parser.add_argument("name")
    args = parser.parse_args()
    shoot(args.clip, args.name, args.exercise)


if __name__ == "__main__":
    main()
