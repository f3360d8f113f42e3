"""Ground truth of a rendered clip: the ``CLIP.truth.json`` file, schema ``formcheck.truth/1``.

Evaluation code imports :func:`load_truth`; the renderer writes with :func:`save_truth`.

File layout (JSON object)::

    {
      "schema": "formcheck.truth/1",
      "exercise": "lunge" | "bridge",
      "view": "side" | "front" | "oblique",
      "side": "left" | "right" | "both",      # working side: front leg of a lunge; bridge: both
      "style": "split" | "step" | null,       # lunge variant, null for a bridge
      "seed": 7, "fps": 30.0, "width": 640, "height": 480,
      "camera": {"azimuth_deg": .., "elevation_deg": .., "distance_m": .., "roll_deg": ..,
                 "fov_v_deg": ..},
      "landmark_names": ["nose", ...],         # the 33 BlazePose names, in index order
      "frames": [                              # one per video frame, in order
        {"t_ms": 0,                            # frame timestamp, i * 1000 / fps rounded
         "landmarks": [[x, y], ...],           # 33 true pixel positions (x right, y down);
                                               # may lie outside the image
         "visible": [1, 0, ...],               # 1: inside the image and not hidden by the body
         "angles": {"front_knee_deg": 92.1, ...}}   # names as in the analyser's metrics
      ],
      "reps":   [{"index": 1, "side": "left", "start_ms": .., "bottom_ms": .., "end_ms": ..}],
      "holds":  [{"side": "left", "start_ms": .., "end_ms": ..}],
      "faults": [{"code": "arched_back", "rep": 1, "start_ms": .., "end_ms": ..,
                  "start_s": .., "end_s": ..}]
    }

``bottom_ms`` is the middle of the working position (lunge bottom, bridge top). A fault interval
is where the injected fault is at least half its full size, one interval per rep or hold it
occurs in (``rep`` null for a hold); ``no_pause`` spans its whole rep. Angle definitions are in
:mod:`formcheck.render.truth_angles`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.pose.landmarks import LM, NUM_LANDMARKS

SCHEMA = "formcheck.truth/1"
LANDMARK_NAMES: tuple[str, ...] = tuple(lm.name.lower() for lm in LM)


@dataclass(frozen=True)
class RepTruth:
    """One true repetition (times in ms of the clip)."""

    index: int
    side: str
    start_ms: int
    bottom_ms: int
    end_ms: int


@dataclass(frozen=True)
class HoldTruth:
    """One true hold at the working position."""

    side: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class FaultTruth:
    """One injected fault over ``start_ms``..``end_ms``; ``rep`` is its rep's index or None."""

    code: str
    start_ms: int
    end_ms: int
    rep: int | None = None


@dataclass(frozen=True, eq=False)
class TruthFrame:
    """One frame: ``landmarks`` ``(33, 2)`` pixels, ``visible`` ``(33,)`` bool, named angles."""

    t_ms: int
    landmarks: np.ndarray
    visible: np.ndarray
    angles: Mapping[str, float]


@dataclass(frozen=True, eq=False)
class Truth:
    """Everything known about a rendered clip."""

    exercise: str
    view: str
    side: str
    style: str | None
    seed: int
    fps: float
    width: int
    height: int
    camera: Mapping[str, float]
    frames: tuple[TruthFrame, ...]
    reps: tuple[RepTruth, ...]
    holds: tuple[HoldTruth, ...]
    faults: tuple[FaultTruth, ...]

    @property
    def times_ms(self) -> np.ndarray:
        """``(F,)`` int64 frame timestamps."""
        return np.array([f.t_ms for f in self.frames], dtype=np.int64)

    @property
    def landmarks(self) -> np.ndarray:
        """``(F, 33, 2)`` float64 true pixel positions."""
        return np.stack([f.landmarks for f in self.frames]) if self.frames else np.zeros(
            (0, NUM_LANDMARKS, 2))

    def angle(self, name: str) -> np.ndarray:
        """``(F,)`` series of one angle, NaN in frames that lack it."""
        return np.array([f.angles.get(name, np.nan) for f in self.frames], dtype=np.float64)

    def fault_codes(self) -> tuple[str, ...]:
        """Distinct injected fault codes, sorted."""
        return tuple(sorted({f.code for f in self.faults}))


def truth_path(video: Path) -> Path:
    """``CLIP.truth.json`` next to ``CLIP.mp4``."""
    return video.with_suffix(".truth.json")


def _round(x: float, nd: int) -> float | None:
    return None if not np.isfinite(x) else round(float(x), nd)


def to_json(truth: Truth) -> dict[str, object]:
    """The truth as a JSON-ready object (see the module docstring)."""
    return {
        "schema": SCHEMA,
        "exercise": truth.exercise,
        "view": truth.view,
        "side": truth.side,
        "style": truth.style,
        "seed": truth.seed,
        "fps": truth.fps,
        "width": truth.width,
        "height": truth.height,
        "camera": {k: round(float(v), 3) for k, v in truth.camera.items()},
        "landmark_names": list(LANDMARK_NAMES),
        "frames": [
            {"t_ms": f.t_ms,
             "landmarks": [[_round(x, 2), _round(y, 2)] for x, y in f.landmarks],
             "visible": [int(v) for v in f.visible],
             "angles": {k: _round(v, 3) for k, v in f.angles.items()}}
            for f in truth.frames
        ],
        "reps": [{"index": r.index, "side": r.side, "start_ms": r.start_ms,
                  "bottom_ms": r.bottom_ms, "end_ms": r.end_ms} for r in truth.reps],
        "holds": [{"side": h.side, "start_ms": h.start_ms, "end_ms": h.end_ms}
                  for h in truth.holds],
        "faults": [{"code": f.code, "rep": f.rep, "start_ms": f.start_ms, "end_ms": f.end_ms,
                    "start_s": f.start_ms / 1000.0, "end_s": f.end_ms / 1000.0}
                   for f in truth.faults],
    }


def save_truth(truth: Truth, path: Path) -> None:
    """Write ``truth`` to ``path`` as compact JSON."""
    path.write_text(json.dumps(to_json(truth), separators=(",", ":")), encoding="utf-8")


def _float(v: object) -> float:
    return float("nan") if v is None else float(v)  # type: ignore[arg-type]


def from_json(data: Mapping[str, object]) -> Truth:
    """Parse a JSON object (see the module docstring); raises ``ValueError`` if malformed."""
    if data.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} file (schema={data.get('schema')!r})")
    frames = []
    for f in data["frames"]:  # type: ignore[union-attr]
        lms = np.array([[_float(x), _float(y)] for x, y in f["landmarks"]], dtype=np.float64)
        if lms.shape != (NUM_LANDMARKS, 2):
            raise ValueError("each frame needs 33 landmarks")
        vis = np.array(f.get("visible", [1] * NUM_LANDMARKS), dtype=bool)
        angles = {str(k): _float(v) for k, v in f["angles"].items()}
        frames.append(TruthFrame(int(f["t_ms"]), lms, vis, angles))
    reps = tuple(RepTruth(int(r["index"]), str(r["side"]), int(r["start_ms"]),
                          int(r["bottom_ms"]), int(r["end_ms"]))
                 for r in data.get("reps", []))  # type: ignore[union-attr]
    holds = tuple(HoldTruth(str(h["side"]), int(h["start_ms"]), int(h["end_ms"]))
                  for h in data.get("holds", []))  # type: ignore[union-attr]
    faults = tuple(FaultTruth(str(x["code"]), int(x["start_ms"]), int(x["end_ms"]),
                              None if x.get("rep") is None else int(x["rep"]))
                   for x in data.get("faults", []))  # type: ignore[union-attr]
    style = data.get("style")
    return Truth(str(data["exercise"]), str(data["view"]), str(data["side"]),
                 None if style is None else str(style), int(data["seed"]),  # type: ignore[arg-type]
                 float(data["fps"]), int(data["width"]), int(data["height"]),  # type: ignore[arg-type]
                 {str(k): float(v) for k, v in data["camera"].items()},  # type: ignore[union-attr]
                 tuple(frames), reps, holds, faults)


def load_truth(path: Path | str) -> Truth:
    """Read a ``CLIP.truth.json``; a missing or malformed file raises :class:`InputError`."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return from_json(data)
    except FileNotFoundError:
        raise InputError(f"truth file not found: {p}") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"cannot read truth file {p}: {err}") from None
