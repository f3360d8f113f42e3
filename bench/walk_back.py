"""Front-view lunges right after walking back from the camera: counts on synthetic poses.

Run: ``python bench/walk_back.py``. A person stands facing the camera, walks back ``D`` m in
``2 D`` s, stands still for ``W`` s and does 3 lunges. From the front the lunge depth is the hips'
drop below their standing height in pixels (``formcheck.engine.depth``), which remembers the
last 4 s: walking back shrinks the person in the picture, and lunges right after it read too
deep and are missed until the old height is forgotten (README, Known limits).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formcheck.engine.session import Engine
from tests.synth import STAND, Camera, Stance, lunge, sequence

LUNGES = 3
BACK_M = (0.5, 1.0, 1.5)
WAIT_S = (1.0, 2.0, 4.0)


def moved_back(s: Stance, metres: float) -> Stance:
    """``s`` with the whole body ``metres`` further from a camera in front of it."""
    return replace(s, pelvis_a=s.pelvis_a - metres, l_ankle_a=s.l_ankle_a - metres,
                   r_ankle_a=s.r_ankle_a - metres)


def counted(back_m: float, wait_s: float) -> int:
    """Lunges counted after walking back ``back_m`` and standing still ``wait_s``."""
    walk_end = 2.0 + 2.0 * back_m
    keys = [(0.0, STAND), (2.0, STAND), (walk_end, moved_back(STAND, back_m)),
            (walk_end + wait_s, moved_back(STAND, back_m))]
    t = keys[-1][0]
    down, up = moved_back(lunge(1.0), back_m), moved_back(STAND, back_m)
    for _ in range(LUNGES):
        keys += [(t + 1.0, down), (t + 1.3, down), (t + 2.3, up), (t + 3.1, up)]
        t += 3.1
    keys.append((t + 1.0, up))
    eng = Engine()
    for pose in sequence(keys, Camera(yaw_deg=90, distance_m=2.5), noise_px=1.0):
        eng.update(pose)
    return eng.summary().reps_total


def main() -> int:
    print(f"lunges counted of {LUNGES}, by metres walked back (rows) and seconds still after it")
    print("back m  " + "  ".join(f"{w:4.1f} s" for w in WAIT_S))
    for d in BACK_M:
        print(f"{d:6.1f}  " + "  ".join(f"{counted(d, w):6d}" for w in WAIT_S))
    return 0


if __name__ == "__main__":
    sys.exit(main())
