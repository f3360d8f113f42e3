"""A pinhole camera placed around the mannequin, and the rays of its pixels.

World frame: metres, z up, the floor is z = 0. Camera frame follows OpenCV (x right, y down,
z forward), so projected coordinates are image pixels directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.render.geometry import rot_axis, unit


@dataclass(frozen=True, eq=False)
class Camera:
    """A pinhole camera.

    Attributes:
        position: ``(3,)`` camera centre in world metres.
        rotation: ``(3, 3)`` world -> camera rotation (rows: right, down, forward).
        focal_px: focal length in pixels (square pixels, principal point at the image centre).
        width, height: image size in pixels.

    """

    position: np.ndarray
    rotation: np.ndarray
    focal_px: float
    width: int
    height: int

    @classmethod
    def look_at(cls, target: np.ndarray, azimuth_deg: float, elevation_deg: float,
                distance_m: float, roll_deg: float, fov_v_deg: float, width: int,
                height: int) -> Camera:
        """Camera at ``distance_m`` from ``target``, seen from ``azimuth_deg`` around the vertical.

        Azimuth 0 puts the camera on the +x side looking toward -x; 90 on the +y side. Elevation
        raises the camera above the target; roll turns the image about the line of sight.
        """
        az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
        offset = np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])
        position = np.asarray(target, dtype=np.float64) + distance_m * offset
        forward = unit(np.asarray(target, dtype=np.float64) - position)
        right = unit(np.cross(forward, np.array([0.0, 0.0, 1.0])))
        down = np.cross(forward, right)
        turn = rot_axis(forward, roll_deg)
        right, down = turn @ right, turn @ down
        focal = 0.5 * height / np.tan(np.radians(fov_v_deg) / 2.0)
        return cls(position, np.stack([right, down, forward]), float(focal), width, height)

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates ``(N, 2)`` and depths ``(N,)`` of world points ``(N, 3)``."""
        cam = (np.asarray(points) - self.position) @ self.rotation.T
        z = cam[:, 2]
        xy = cam[:, :2] * (self.focal_px / z)[:, None]
        xy += np.array([self.width / 2.0, self.height / 2.0])
        return xy, z

    def pixel_rays(self) -> np.ndarray:
        """World unit ray directions through every pixel centre, ``(height, width, 3)``."""
        xs = (np.arange(self.width) + 0.5 - self.width / 2.0) / self.focal_px
        ys = (np.arange(self.height) + 0.5 - self.height / 2.0) / self.focal_px
        gx, gy = np.meshgrid(xs, ys)
        cam = np.stack([gx, gy, np.ones_like(gx)], axis=-1)
        return unit(cam @ self.rotation)

    def box_bounds(self, lo: np.ndarray, hi: np.ndarray) -> tuple[int, int, int, int] | None:
        """Pixel bounds ``(x0, y0, x1, y1)`` (exclusive ends) of a world box, None if unseen.

        Projects the 8 corners: the projection of anything inside the box lies inside their hull
        as long as the whole box is in front of the camera.
        """
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                            for z in (lo[2], hi[2])])
        xy, depth = self.project(corners)
        if (depth <= 1e-3).any():
            return None
        x0 = max(int(np.floor(xy[:, 0].min())), 0)
        y0 = max(int(np.floor(xy[:, 1].min())), 0)
        x1 = min(int(np.ceil(xy[:, 0].max())) + 1, self.width)
        y1 = min(int(np.ceil(xy[:, 1].max())) + 1, self.height)
        if x0 >= x1 or y0 >= y1:
            return None
        return x0, y0, x1, y1
