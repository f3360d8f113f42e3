"""Landmark tracks: a whole clip's poses in one compact, versioned ``.npz`` file.

A track replays through the engine without MediaPipe and without the video, which is what makes
the engine's golden tests fast. Arrays are float32 (sub-pixel precision is plenty); a frame with
no person is all NaN.

Layout (schema ``formcheck.track/1``)::

    schema      str             "formcheck.track/1"
    source      str             where the poses came from
    size        int32 (2,)      frame width, height in pixels
    fps         float64 ()      nominal frame rate of the source
    t_ms        int64 (N,)      strictly increasing timestamps
    xy          float32 (N,33,2) pixels
    z           float32 (N,33)
    world       float32 (N,33,3) metres
    visibility  float32 (N,33)
    presence    float32 (N,33)

Optional, when the pose stage returned person masks (the engine's lumbar-curve check reads them,
so a replay without them judges the back from landmarks alone)::

    mask_size   int32 (2,)      mask width, height (the model's resolution)
    has_mask    bool (N,)       whether frame i has a mask
    mask_bits   uint8 (N,B)     ``np.packbits`` of the mask >= 0.5, row-major, B = ceil(w*h/8)

Optional, how the poses were read (absent in tracks made before there was a choice: one pass)::

    mirror_pass bool ()         each frame also read mirrored, readings made one (pose/mirror.py)

Optional, whether the tracking reached the source's end (absent in older tracks: it did)::

    complete    bool ()         False when it was interrupted (Ctrl-C, the model's process died)
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.pose.landmarks import NUM_LANDMARKS
from formcheck.pose.types import MASK_THRESHOLD, Pose
from formcheck.source import Frame, FrameSource

TRACK_SCHEMA = "formcheck.track/1"


@dataclass(frozen=True, eq=False)
class Track:
    """A recorded clip: per-frame arrays as in the module docstring, N frames."""

    source: str
    width: int
    height: int
    fps: float
    t_ms: np.ndarray
    xy: np.ndarray
    z: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    #: ``(mask width, mask height)``, ``has_mask (N,)`` and ``mask_bits (N, B)``, or all None.
    mask_size: tuple[int, int] | None = None
    has_mask: np.ndarray | None = None
    mask_bits: np.ndarray | None = None
    mirror_pass: bool = False
    #: False when the tracking stopped before the source ended: the frames up to there are kept.
    complete: bool = True

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    def poses(self) -> Iterator[Pose]:
        """Replay the track as :class:`Pose` values (float64, as the pose stage returns them)."""
        for i in range(len(self)):
            yield self.pose(i)

    def pose(self, i: int) -> Pose:
        """Frame ``i`` as a :class:`Pose`."""
        return Pose(
            t_ms=int(self.t_ms[i]), width=self.width, height=self.height,
            xy=self.xy[i].astype(np.float64), z=self.z[i].astype(np.float64),
            world=self.world[i].astype(np.float64),
            visibility=self.visibility[i].astype(np.float64),
            presence=self.presence[i].astype(np.float64), mask=self.mask(i),
        )

    def mask(self, i: int) -> np.ndarray | None:
        """Frame ``i``'s person mask as ``(h, w)`` float32 0/1, or None."""
        if self.mask_size is None or self.has_mask is None or self.mask_bits is None:
            return None
        if not self.has_mask[i]:
            return None
        w, h = self.mask_size
        bits = np.unpackbits(self.mask_bits[i], count=w * h)
        return bits.reshape(h, w).astype(np.float32)


class TrackRecorder:
    """Collects poses frame by frame and writes them as one :class:`Track`."""

    def __init__(self, source: str, width: int, height: int, fps: float, *,
                 mirror_pass: bool = False) -> None:
        self._meta = (source, width, height, fps)
        self._mirror_pass = mirror_pass
        self._poses: list[Pose] = []
        self._masks: list[np.ndarray | None] = []  # packed bits, ~5 % of the float mask
        self._mask_size: tuple[int, int] | None = None

    def add(self, pose: Pose) -> None:
        """Append one frame's pose (its mask, if any, kept as bits)."""
        mask = pose.mask
        if mask is not None and self._mask_size is None:
            self._mask_size = (mask.shape[1], mask.shape[0])
        if mask is not None and (mask.shape[1], mask.shape[0]) == self._mask_size:
            self._masks.append(np.packbits(mask >= MASK_THRESHOLD))
        else:
            self._masks.append(None)
        self._poses.append(replace(pose, mask=None))

    def track(self) -> Track:
        """The poses so far as a :class:`Track`."""
        source, width, height, fps = self._meta
        n = len(self._poses)

        def stack(name: str, shape: tuple[int, ...]) -> np.ndarray:
            if not n:
                return np.zeros((0, *shape), np.float32)
            return np.stack([getattr(p, name) for p in self._poses]).astype(np.float32)

        masks: dict[str, object] = {}
        if self._mask_size is not None:
            w, h = self._mask_size
            bits = np.zeros((n, (w * h + 7) // 8), np.uint8)
            has = np.zeros(n, bool)
            for i, m in enumerate(self._masks):
                if m is not None:
                    bits[i], has[i] = m, True
            masks = {"mask_size": self._mask_size, "has_mask": has, "mask_bits": bits}
        return Track(
            source=source, width=width, height=height, fps=fps,
            t_ms=np.array([p.t_ms for p in self._poses], dtype=np.int64),
            xy=stack("xy", (NUM_LANDMARKS, 2)), z=stack("z", (NUM_LANDMARKS,)),
            world=stack("world", (NUM_LANDMARKS, 3)),
            visibility=stack("visibility", (NUM_LANDMARKS,)),
            presence=stack("presence", (NUM_LANDMARKS,)),
            **masks,  # type: ignore[arg-type]
            mirror_pass=self._mirror_pass,
        )


def save_track(track: Track, path: Path) -> None:
    """Write ``track`` to ``path`` (compressed npz), replacing the file only when complete."""
    tmp = path.with_name(path.name + ".part")
    masks: dict[str, np.ndarray] = {}
    if track.mask_size is not None and track.has_mask is not None and track.mask_bits is not None:
        masks = {"mask_size": np.array(track.mask_size, dtype=np.int32),
                 "has_mask": track.has_mask, "mask_bits": track.mask_bits}
    with tmp.open("wb") as fh:
        np.savez_compressed(
            fh, schema=np.array(TRACK_SCHEMA), source=np.array(track.source),
            size=np.array([track.width, track.height], dtype=np.int32),
            fps=np.array(track.fps, dtype=np.float64), t_ms=track.t_ms, xy=track.xy, z=track.z,
            world=track.world, visibility=track.visibility, presence=track.presence,
            mirror_pass=np.array(track.mirror_pass), complete=np.array(track.complete),
            **masks,
        )
    tmp.replace(path)


def load_track(path: Path) -> Track:
    """Read a track file, raising :class:`InputError` for anything that is not a valid one."""
    if not path.is_file():
        raise InputError(f"{path}: no such track file")
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            schema = str(data["schema"])
            if schema != TRACK_SCHEMA:
                raise InputError(f"{path}: unsupported track schema {schema!r}")
            width, height = (int(v) for v in data["size"])
            masks: dict[str, object] = {}
            if "mask_bits" in data.files:
                mw, mh = (int(v) for v in data["mask_size"])
                masks = {"mask_size": (mw, mh), "has_mask": data["has_mask"].astype(bool),
                         "mask_bits": data["mask_bits"].astype(np.uint8)}
            track = Track(
                source=str(data["source"]), width=width, height=height, fps=float(data["fps"]),
                t_ms=data["t_ms"].astype(np.int64), xy=data["xy"], z=data["z"],
                world=data["world"], visibility=data["visibility"], presence=data["presence"],
                **masks,  # type: ignore[arg-type]
                mirror_pass=bool(data["mirror_pass"]) if "mirror_pass" in data.files else False,
                complete=bool(data["complete"]) if "complete" in data.files else True,
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(f"{path}: not a formcheck track ({err})") from None
    n = len(track)
    expected = {"xy": (n, NUM_LANDMARKS, 2), "z": (n, NUM_LANDMARKS),
                "world": (n, NUM_LANDMARKS, 3), "visibility": (n, NUM_LANDMARKS),
                "presence": (n, NUM_LANDMARKS)}
    if track.mask_size is not None:
        mw, mh = track.mask_size
        expected.update(has_mask=(n,), mask_bits=(n, (mw * mh + 7) // 8))
    for name, shape in expected.items():
        if getattr(track, name).shape != shape:
            raise InputError(f"{path}: track array {name} has shape "
                             f"{getattr(track, name).shape}, expected {shape}")
    if n > 1 and not bool(np.all(np.diff(track.t_ms) > 0)):
        raise InputError(f"{path}: track timestamps are not strictly increasing")
    return track


def is_track_path(path: Path) -> bool:
    """Whether ``path`` names a landmark track rather than a video."""
    return path.suffix.lower() == ".npz"


#: Grey of the canvas a replayed track is drawn on (BGR), dark so the overlay stands out.
CANVAS_BGR = (40, 40, 40)


class TrackFrames(FrameSource):
    """A track's timeline as frames: blank canvases of the recorded size at recorded times.

    The overlay needs a picture to draw on; the poses come from :class:`ReplayEstimator`.
    """

    def __init__(self, track: Track) -> None:
        self.track = track
        self.name = track.source
        self.width, self.height, self.fps = track.width, track.height, track.fps
        self.frame_count = len(track)
        if not track.complete:
            self.damage = (f"{track.source}: the track ends after {len(track)} frames (its "
                           "tracking was interrupted); analysed up to there")

    def __iter__(self) -> Iterator[Frame]:
        blank = np.empty((self.height, self.width, 3), np.uint8)
        blank[:] = CANVAS_BGR
        for i in range(len(self.track)):
            yield Frame(blank.copy(), int(self.track.t_ms[i]), i)


class ReplayEstimator:
    """A pose stage that returns the recorded pose of each frame instead of running a model.

    Frames are matched by timestamp, so a paced replay that drops frames (``live --source``)
    still gets the right pose for each frame it does show.
    """

    def __init__(self, track: Track) -> None:
        self._track = track

    def estimate(self, frame: Frame) -> Pose:
        """The recorded pose at ``frame.t_ms``."""
        t = self._track
        i = int(np.searchsorted(t.t_ms, frame.t_ms))
        if i >= len(t) or int(t.t_ms[i]) != frame.t_ms:
            raise InputError(f"track has no frame at {frame.t_ms} ms")
        return t.pose(i)


def open_track_input(path: Path) -> tuple[TrackFrames, ReplayEstimator]:
    """Frames and pose stage that replay the track at ``path`` (``analyze TRACK.npz``)."""
    track = load_track(path)
    if not len(track):
        raise InputError(f"{path}: track contains no frames")
    return TrackFrames(track), ReplayEstimator(track)
