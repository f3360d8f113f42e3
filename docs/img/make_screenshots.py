"""Make the README's overlay screenshots from rendered clips, in English and German.

Usage: python docs/img/make_screenshots.py [--exercise auto|lunge|bridge] CLIP.mp4 NAME

Each clip runs through the real pipeline once (MediaPipe pose, then one engine and one overlay
per language), and the first frame that shows a cue after at least one counted rep, at the
working position, is saved as ``docs/img/NAME_en.png`` and ``NAME_de.png``. Clips come from
``formcheck render`` (see the README), so the screenshots are reproducible and show no real person.
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


def interesting(result: FrameResult, shown_cues: int) -> bool:
    """A frame worth showing: a counted rep, the working position, and a cue on screen."""
    return (result.reps_total >= 1 and result.phase in (Phase.WORK, Phase.HOLD)
            and shown_cues >= 1 and result.pose.found)


def shoot(clip: Path, name: str, exercise: str = "auto") -> None:
    """Save the first interesting frame of ``clip`` in every language."""
    engines = {lang: Engine(exercise=exercise, lang=lang) for lang in LANGS}
    overlays = {lang: Overlay(lang) for lang in LANGS}
    with ExitStack() as stack:
        source, pose_stage = open_input(clip, stack)
        for frame in source:
            pose = pose_stage.estimate(frame)
            images = {}
            hit = False
            for lang in LANGS:
                result = engines[lang].update(pose)
                images[lang] = overlays[lang].annotate(frame.image, result)
                hit = interesting(result, len(overlays[lang].board.shown))
            if hit:
                for lang, image in images.items():
                    path = OUT / f"{name}_{lang}.png"
                    cv2.imwrite(str(path), image)
                    print(f"{path} at {frame.t_ms / 1000:.2f} s")
                return
    print(f"{clip}: no frame with a cue after a counted rep", file=sys.stderr)


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
