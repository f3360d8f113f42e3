"""Rep counts on synthetic signal streams broken by dropouts, before and between reps.

Run: ``python bench/opening_gaps.py``. The counter forgets a first reading too brief to be a rest
(under ``ready_dwell_ms``) when the signal is then lost for longer than ``max_dropout_ms``, and
the stream opens again at its next sample (``formcheck.engine.counter``). That lets a stream whose
first reading was a blip count a rep it then opens in, and so it also lets noise or a walk into
the picture open one. This counts how often, on seeded streams:

- walks: a knee angle swinging like steps (140-165 +- 20-45 deg, 2 deg of noise) with one or
  two dropouts of 0.7-3 s anywhere in it, then 2 lunges: streams counting other than 2;
- bridge noise: a hip angle still at a rest of 135-156 deg (2-5 deg of noise) with one to three
  such dropouts: streams counting any rep;
- early blips: bridge rest noise without dropouts, opening with a reading of 1-12 frames
  anywhere from the rest to the assumed top, then a dropout: streams counting any rep; and the
  same noise alone, a stream that begins there, for comparison.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from formcheck.engine.config import CounterConfig
from formcheck.engine.counter import CounterLevels, RepCounter
from formcheck.engine.exercises import EXERCISES
from formcheck.engine.types import Exercise

FPS = 30.0
STREAMS = 400
NOISE_STREAMS = 3000


def reps(x: np.ndarray, levels: CounterLevels) -> int:
    """Reps counted on ``x`` (one sample per frame, NaN: no reading), pending one included."""
    c = RepCounter(levels, CounterConfig())
    n = sum(c.update(i * 1000.0 / FPS, float(v)).rep is not None for i, v in enumerate(x))
    return n + (c.pending() is not None)


def with_gaps(x: np.ndarray, rng: np.random.Generator, most: int) -> np.ndarray:
    """``x`` with 1..``most`` dropouts of 0.73-3 s inserted at random places."""
    for _ in range(int(rng.integers(1, most + 1))):
        at, frames = int(rng.integers(0, len(x))), int(rng.integers(22, 90))
        x = np.concatenate([x[:at], np.full(frames, np.nan), x[at:]])
    return x


def two_lunges() -> np.ndarray:
    """Standing 0.6 s, then 2 lunges (172 -> 92 -> 172 deg, 1 s each way, 0.6 s between)."""
    down, up = np.linspace(172, 92, 30), np.linspace(92, 172, 30)
    rep = np.concatenate([down, np.full(9, 92.0), up, np.full(18, 172.0)])
    return np.concatenate([np.full(18, 172.0), rep, rep])


def walk(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(30, 120))
    sway = rng.uniform(20, 45) * np.sin(np.arange(n) / rng.uniform(3, 6) + rng.uniform(0, 6.3))
    x = rng.uniform(140, 165) + sway * rng.choice([-1, 1]) + rng.normal(0, 2, n)
    return np.concatenate([with_gaps(x, rng, 2), two_lunges()])


def bridge_noise(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(60, 300))
    return with_gaps(rng.uniform(135, 156) + rng.normal(0, rng.uniform(2, 5), n), rng, 3)


def bridge_rest(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(135, 156) + rng.normal(0, rng.uniform(2, 5), int(rng.integers(60, 300)))


def early_blip(rng: np.random.Generator) -> np.ndarray:
    blip = rng.uniform(135, 170) + rng.normal(0, 3, int(rng.integers(1, 13)))
    gap = np.full(int(rng.integers(22, 90)), np.nan)
    return np.concatenate([blip, gap, bridge_rest(rng)])


def main() -> None:
    lunge, bridge = EXERCISES[Exercise.LUNGE].levels, EXERCISES[Exercise.BRIDGE].levels
    cases: list[tuple[str, Callable[[np.random.Generator], np.ndarray], int, CounterLevels,
                      int]] = [
        ("walk with dropouts, then 2 lunges: not 2", walk, STREAMS, lunge, 2),
        ("bridge rest noise with dropouts: any rep", bridge_noise, NOISE_STREAMS, bridge, 0),
        ("bridge rest noise after an early blip: any rep", early_blip, NOISE_STREAMS, bridge, 0),
        ("bridge rest noise alone (for comparison): any rep", bridge_rest, NOISE_STREAMS, bridge,
         0),
    ]
    for name, make, n, levels, want in cases:
        rng = np.random.default_rng(0)
        wrong = sum(reps(make(rng), levels) != want for _ in range(n))
        print(f"{name:50s} {wrong:4d} of {n}")


if __name__ == "__main__":
    main()
