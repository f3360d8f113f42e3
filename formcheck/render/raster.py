"""Ray-cast the mannequin's primitives into an image over the painted room.

Each primitive is intersected only with the pixels inside the screen rectangle of its world
bounding box; a depth buffer keeps the nearest hit. Shading is Lambert from the room's light plus
a sky term and a weak camera-side fill, which is enough for the detector to read limbs as round.
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.render.camera import Camera
from formcheck.render.mannequin import Look
from formcheck.render.primitives import Material, Primitive
from formcheck.render.scene import Room, Stage


class Renderer:
    """Renders frames of one clip: one camera, one room, one look."""

    def __init__(self, camera: Camera, room: Room, look: Look) -> None:
        self.camera = camera
        self.rays = camera.pixel_rays()
        self.stage = Stage(room, camera, self.rays)
        self.light = np.asarray(room.light)
        self.crease_px = max(1.0, camera.height / 240.0)
        palette = np.zeros((max(Material) + 1, 3), dtype=np.float32)
        for mat, rgb in look.colours.items():
            palette[mat] = rgb
        self.palette = palette

    def body_buffers(self, prims: list[Primitive]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Depth ``(H, W)`` (inf where empty), normals ``(H, W, 3)``, materials ``(H, W)`` uint8."""
        cam = self.camera
        depth = np.full((cam.height, cam.width), np.inf)
        normals = np.zeros((cam.height, cam.width, 3))
        mats = np.zeros((cam.height, cam.width), dtype=np.uint8)
        origin = cam.position
        for prim in prims:
            lo, hi = prim.bounds()
            box = cam.box_bounds(lo, hi)
            if box is None:
                continue
            x0, y0, x1, y1 = box
            dirs = self.rays[y0:y1, x0:x1].reshape(-1, 3)
            t, n = prim.intersect(origin, dirs)
            sub_depth = depth[y0:y1, x0:x1].reshape(-1)
            closer = t < sub_depth
            if not closer.any():
                continue
            sub_depth[closer] = t[closer]
            depth[y0:y1, x0:x1] = sub_depth.reshape(y1 - y0, x1 - x0)
            sub_n = normals[y0:y1, x0:x1].reshape(-1, 3)
            sub_n[closer] = n[closer]
            normals[y0:y1, x0:x1] = sub_n.reshape(y1 - y0, x1 - x0, 3)
            sub_m = mats[y0:y1, x0:x1].reshape(-1)
            sub_m[closer] = int(prim.material)
            mats[y0:y1, x0:x1] = sub_m.reshape(y1 - y0, x1 - x0)
        return depth, normals, mats

    def render(self, prims: list[Primitive],
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One frame of ``prims`` in the room, with sensor noise.

        Returns the RGB image ``(H, W, 3)`` uint8 and the body's depth buffer ``(H, W)``
        (distance along each pixel's ray, inf where empty).
        """
        depth, normals, mats = self.body_buffers(prims)
        img = self.background_with_shadow(prims)
        hit = mats > 0
        if hit.any():
            # Soften the creases where two shapes meet (ellipsoids intersect at sharp seams,
            # skin and cloth do not): blur the normals a little, then renormalise.
            smooth = cv2.GaussianBlur(normals.astype(np.float32), (0, 0), self.crease_px)
            n = smooth[hit].astype(np.float64)
            n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-6)
            d = self.rays[hit]
            albedo = self.palette[mats[hit]]
            diffuse = np.clip(n @ self.light, 0.0, None)
            sky = 0.30 + 0.12 * n[:, 2]
            fill = 0.22 * np.clip(-(n * d).sum(axis=1), 0.0, None)
            refl = d - 2.0 * (n * d).sum(axis=1)[:, None] * n
            spec = 0.10 * np.clip(refl @ self.light, 0.0, None) ** 16
            shade = (sky + 0.70 * diffuse + fill)[:, None]
            img[hit] = albedo * shade + spec[:, None]
        img = cv2.GaussianBlur(img, (3, 3), 0.6)
        img = img * 255.0 + rng.normal(0.0, 2.0, img.shape).astype(np.float32)
        return np.clip(img, 0, 255).astype(np.uint8), depth

    def background_with_shadow(self, prims: list[Primitive]) -> np.ndarray:
        """The room ``(H, W, 3)`` float32 with the mannequin's floor shadow."""
        shadow = self.stage.shadow(prims)
        return self.stage.background * (1.0 - shadow)[..., None]
