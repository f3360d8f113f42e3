"""The shapes the mannequin is made of: capsules and ellipsoids with a material each.

Each primitive knows its world bounding box (so the renderer tests it only inside the box's
screen rectangle) and how to intersect a batch of rays from one origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from formcheck.render.geometry import ray_capsule, ray_ellipsoid


class Material(IntEnum):
    """Surface kinds; the look maps each to a colour. 0 is reserved for "no body"."""

    SKIN = 1
    SHIRT = 2
    PANTS = 3
    SHOES = 4
    HAIR = 5
    EYE_WHITE = 6
    IRIS = 7
    LIPS = 8
    SOCKS = 9
    BROW = 10


@dataclass(frozen=True, eq=False)
class Capsule:
    """Segment ``a``-``b`` ``(3,)`` swept by a sphere of ``radius`` metres."""

    a: np.ndarray
    b: np.ndarray
    radius: float
    material: Material

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """World axis-aligned bounding box ``(lo, hi)``."""
        return (np.minimum(self.a, self.b) - self.radius,
                np.maximum(self.a, self.b) + self.radius)

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``t`` ``(N,)`` and normals ``(N, 3)`` of rays from ``origin``."""
        return ray_capsule(origin, dirs, self.a, self.b, self.radius)

    def shadow_segment(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Segment and radius standing in for this shape when casting a floor shadow."""
        return self.a, self.b, self.radius


@dataclass(frozen=True, eq=False)
class Ellipsoid:
    """Ellipsoid at ``centre`` with axes = columns of ``axes`` ``(3, 3)`` and ``radii`` ``(3,)``."""

    centre: np.ndarray
    axes: np.ndarray
    radii: np.ndarray
    material: Material

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """World axis-aligned bounding box ``(lo, hi)``."""
        ext = np.sqrt(((self.axes * self.radii[None, :]) ** 2).sum(axis=1))
        return self.centre - ext, self.centre + ext

    def intersect(self, origin: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``t`` ``(N,)`` and normals ``(N, 3)`` of rays from ``origin``."""
        return ray_ellipsoid(origin, dirs, self.centre, self.axes, self.radii)

    def shadow_segment(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Segment along the longest axis with the middle radius, for the floor shadow."""
        order = np.argsort(self.radii)
        long_axis = self.axes[:, order[2]]
        half = max(self.radii[order[2]] - self.radii[order[1]], 0.0)
        return (self.centre - half * long_axis, self.centre + half * long_axis,
                float(self.radii[order[1]]))


Primitive = Capsule | Ellipsoid
