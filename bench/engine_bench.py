"""Engine cost per frame (smoothing + view + metrics + counter + rules) on synthetic lunges.

Run: ``/work/venv/bin/python bench/engine_bench.py``. Measures process CPU time (the machine is
shared, wall time would count other processes) and prints the best and the median of 5 runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formcheck.engine.session import Engine
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


def main() -> None:
    cases = {
        "lunge side": sequence(reps(lunge, 5), Camera(), noise_px=1.5),
        "lunge front": sequence(reps(lunge, 5), Camera(yaw_deg=90), noise_px=1.5),
        "bridge side": sequence(reps(bridge, 5), LYING_CAM, noise_px=1.5),
        # with a 1280x720 segmentation mask: adds the lumbar contour measure
        "lunge + mask": with_masks(sequence(reps(lunge, 2), Camera(), noise_px=1.5), (-1.0, 0.0),
                                   lambda i: 0.0),
    }
    for name, poses in cases.items():
        ms = per_frame_ms(poses)
        print(f"{name:12s} {len(poses):4d} frames  best {min(ms):.3f} ms/frame  "
              f"median {statistics.median(ms):.3f} ms/frame")


if __name__ == "__main__":
    main()
