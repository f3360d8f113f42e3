"""Engine cost per frame (smoothing + view + metrics + counter + rules) on synthetic lunges.

Run: ``python bench/engine_bench.py``. Measures process CPU time (the machine is
shared, wall time would count other processes) and prints the best and the median of 5 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formcheck.engine.session import Engine
from formcheck.pose.types import Pose
from tests.synth import LYING_CAM, Camera, bridge, lunge, reps, sequence, with_masks


def per_frame_ms(poses: list, repeats: int = 5) -> list[float]:
    """Milliseconds per frame of a fresh engine over ``poses``, per repeat."""
    out = []
    for _ in range(repeats):
        eng = Engine()
        t0 = time.process_time()
        for p in poses:
            eng.update(p)
        out.append((time.process_time() - t0) * 1000.0 / len(poses))
    return out


def model_size(poses: list[Pose], long_side: int = 640) -> list[Pose]:
    """``poses`` with their masks scaled to the model's resolution."""
    out = []
    for p in poses:
        if p.mask is not None:
            scale = long_side / max(p.width, p.height)
            size = (round(p.width * scale), round(p.height * scale))
            p = replace(p, mask=cv2.resize(p.mask, size, interpolation=cv2.INTER_AREA))
        out.append(p)
    return out


def main() -> None:
    cases = {
        "lunge side": sequence(reps(lunge, 5), Camera(), noise_px=1.5),
        "lunge front": sequence(reps(lunge, 5), Camera(yaw_deg=90), noise_px=1.5),
        "bridge side": sequence(reps(bridge, 5), LYING_CAM, noise_px=1.5),
        # 1280x720 frames with a 640x360 person mask (the model's size, as the pose stage
        # hands it over): adds the lumbar contour measure
        "lunge + mask": model_size(with_masks(sequence(reps(lunge, 2), Camera(), noise_px=1.5),
                                              (-1.0, 0.0), lambda i: 0.0)),
    }
    for name, poses in cases.items():
        ms = per_frame_ms(poses)
        print(f"{name:12s} {len(poses):4d} frames  best {min(ms):.3f} ms/frame  "
              f"median {statistics.median(ms):.3f} ms/frame")


if __name__ == "__main__":
    main()
