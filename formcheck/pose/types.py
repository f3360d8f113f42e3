"""The pose stage's output: one immutable :class:`Pose` per frame, MediaPipe types stop before it.

Missing points are NaN with visibility 0, never ``(0, 0)``: a metric built on a NaN is NaN, so
nothing downstream can mistake "not seen" for a position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.pose.landmarks import NUM_LANDMARKS

#: A mask cell at or above this probability is the person (tracks store the mask as these bits).
MASK_THRESHOLD = 0.5


@dataclass(frozen=True, eq=False)
class Pose:
    """One person's landmarks in one frame.

    Attributes:
        t_ms: frame timestamp in milliseconds (strictly increasing within a stream).
        width, height: size in pixels of the frame the coordinates refer to (the original frame,
            not the downscaled inference input).
        xy: ``(33, 2)`` float64 pixel coordinates (x right, y down); NaN where unknown.
        z: ``(33,)`` float64 relative depth in the same pixel scale as x (smaller = nearer the
            camera, origin near the hips); NaN where unknown.
        world: ``(33, 3)`` float64 metres, origin at the hip centre, y down; NaN where unknown.
        visibility: ``(33,)`` float64 in [0, 1], likelihood the point is visible (not occluded).
        presence: ``(33,)`` float64 in [0, 1], likelihood the point is inside the frame.
        mask: optional ``(mh, mw)`` float32 person-segmentation probability covering the whole
            frame at the model's resolution (not upscaled: the engine reads a few hundred points
            of it, so scaling a 720p copy per frame would cost more than the lookups), or None.
            Frame pixel ``(x, y)`` is mask cell ``(y * mh / height, x * mw / width)``.

    """

    t_ms: int
    width: int
    height: int
    xy: np.ndarray
    z: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    mask: np.ndarray | None = None

    def __post_init__(self) -> None:
        shapes = {"xy": (NUM_LANDMARKS, 2), "z": (NUM_LANDMARKS,), "world": (NUM_LANDMARKS, 3),
                  "visibility": (NUM_LANDMARKS,), "presence": (NUM_LANDMARKS,)}
        for name, shape in shapes.items():
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.shape != shape:
                raise ValueError(f"Pose.{name} must be an array of shape {shape}")
        if self.mask is not None and (self.mask.ndim != 2 or min(self.mask.shape) < 1):
            raise ValueError("Pose.mask must be a 2-D array")

    @classmethod
    def empty(cls, t_ms: int, width: int, height: int) -> Pose:
        """A frame in which no person was found: all NaN, visibility and presence 0."""
        nan2 = np.full((NUM_LANDMARKS, 2), np.nan)
        return cls(t_ms, width, height, nan2, np.full(NUM_LANDMARKS, np.nan),
                   np.full((NUM_LANDMARKS, 3), np.nan), np.zeros(NUM_LANDMARKS),
                   np.zeros(NUM_LANDMARKS))

    @property
    def found(self) -> bool:
        """Whether a person was detected in this frame."""
        return bool(np.isfinite(self.xy).any())
