"""The room around the mannequin: floor, exercise mat, back wall, and the soft floor shadow.

The camera does not move within a clip, so the room is painted once per clip; each frame only
adds the mannequin's shadow (computed on a quarter-resolution grid of floor points and smoothed
by upsampling, which is what makes it soft).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.render.camera import Camera
from formcheck.render.geometry import unit
from formcheck.render.primitives import Primitive

_SHADOW_STEP = 4  # pixels per shadow-grid cell


@dataclass(frozen=True)
class Room:
    """Room colours (RGB in [0, 1]) and layout in world metres."""

    floor: tuple[float, float, float]
    wall: tuple[float, float, float]
    mat: tuple[float, float, float]
    mat_centre: tuple[float, float]  # floor point under the middle of the mat
    mat_size: tuple[float, float]  # length along the body, width
    mat_yaw_deg: float
    wall_distance_m: float  # behind the mannequin, seen from the camera
    light: tuple[float, float, float]  # unit direction toward the light

    @classmethod
    def sample(cls, rng: np.random.Generator, mat_centre: tuple[float, float],
               mat_yaw_deg: float, mat_length_m: float, camera_azimuth_deg: float,
               avoid: tuple[float, float, float]) -> Room:
        """A plain home-gym corner with a mat under the exercise.

        The mat colour is drawn among those far from ``avoid`` (the trousers), as a person
        dressed like their mat is hard to see for anyone.
        """
        floors = ((0.62, 0.48, 0.34), (0.55, 0.55, 0.55), (0.72, 0.60, 0.45), (0.45, 0.36, 0.28))
        walls = ((0.88, 0.87, 0.83), (0.80, 0.84, 0.86), (0.86, 0.82, 0.76), (0.75, 0.78, 0.74))
        all_mats = ((0.30, 0.50, 0.78), (0.62, 0.35, 0.62), (0.30, 0.62, 0.55), (0.55, 0.70, 0.35),
                    (0.80, 0.45, 0.40), (0.60, 0.60, 0.62))
        mats = [m for m in all_mats if np.abs(np.subtract(m, avoid)).sum() > 0.45] or [
            all_mats[-1]]
        az = np.radians(camera_azimuth_deg + float(rng.uniform(-50.0, 50.0)))
        light = unit(np.array([0.6 * np.cos(az), 0.6 * np.sin(az), 1.0]))
        return cls(floors[rng.integers(len(floors))], walls[rng.integers(len(walls))],
                   mats[rng.integers(len(mats))], mat_centre, (mat_length_m, 0.62), mat_yaw_deg,
                   float(rng.uniform(1.5, 3.0)), (float(light[0]), float(light[1]),
                                                   float(light[2])))


class Stage:
    """The painted room for one camera, and the per-frame shadow on its floor."""

    def __init__(self, room: Room, camera: Camera, rays: np.ndarray) -> None:
        self.room = room
        self.camera = camera
        self.light = np.asarray(room.light)
        self.background, self.floor_xy = self._paint(rays)
        small = self.floor_xy[_SHADOW_STEP // 2::_SHADOW_STEP, _SHADOW_STEP // 2::_SHADOW_STEP]
        self._grid = small.reshape(-1, 2)
        self._grid_ok = np.isfinite(self._grid[:, 0])
        self._grid_shape = small.shape[:2]

    def _paint(self, rays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Room colours ``(H, W, 3)`` float32 and floor points ``(H, W, 2)`` (NaN off the floor)."""
        room, cam = self.room, self.camera
        o = cam.position
        d = rays
        with np.errstate(divide="ignore", invalid="ignore"):
            t_floor = np.where(d[..., 2] < -1e-6, -o[2] / d[..., 2], np.inf)
        # The wall faces the camera, standing behind the mannequin.
        look = cam.rotation[2].copy()
        look[2] = 0.0
        look = unit(look)
        target = o + look * float(np.linalg.norm(o[:2] - np.array(room.mat_centre)))
        wall_point = target + look * room.wall_distance_m
        with np.errstate(divide="ignore", invalid="ignore"):
            t_wall = ((wall_point - o) @ look) / (d @ look)
        t_wall = np.where(t_wall > 0, t_wall, np.inf)
        floor_hit = t_floor < t_wall
        p_floor = o + d * np.where(floor_hit, t_floor, 0.0)[..., None]
        p_wall = o + d * np.where(floor_hit, 0.0, np.where(np.isfinite(t_wall), t_wall, 0.0))[
            ..., None]

        # Floor: planks with per-plank tone and a faint grain.
        plank = np.floor(p_floor[..., 0] / 0.14 + 0.5 * np.floor(p_floor[..., 1] / 1.2))
        tone = 0.92 + 0.10 * np.modf(np.sin(plank * 12.9898) * 43758.5453)[0] ** 2
        grain = 1.0 + 0.025 * np.sin(p_floor[..., 1] * 60.0 + 3.0 * np.sin(p_floor[..., 0] * 7.0))
        floor_rgb = np.asarray(room.floor)[None, None, :] * (tone * grain)[..., None]
        # The mat: a rectangle on the floor.
        c, s = np.cos(np.radians(room.mat_yaw_deg)), np.sin(np.radians(room.mat_yaw_deg))
        rel = p_floor[..., :2] - np.array(room.mat_centre)
        along = rel[..., 0] * c + rel[..., 1] * s
        across = -rel[..., 0] * s + rel[..., 1] * c
        on_mat = (np.abs(along) < room.mat_size[0] / 2) & (np.abs(across) < room.mat_size[1] / 2)
        floor_rgb = np.where(on_mat[..., None], np.asarray(room.mat)[None, None, :], floor_rgb)
        # Light pool: brighter near the mannequin, darker far away.
        dist = np.linalg.norm(rel, axis=-1)
        floor_rgb = floor_rgb * (0.80 + 0.30 * np.exp(-(dist / 2.5) ** 2))[..., None]

        height = p_wall[..., 2]
        wall_rgb = np.asarray(room.wall)[None, None, :] * (0.88 + 0.12 * np.clip(
            1.0 - height / 3.0, 0.0, 1.0))[..., None]
        skirting = (height < 0.09)[..., None]
        wall_rgb = np.where(skirting, np.array([0.93, 0.93, 0.92])[None, None, :], wall_rgb)

        rgb = np.where(floor_hit[..., None], floor_rgb, wall_rgb).astype(np.float32)
        floor_xy = np.where(floor_hit[..., None], p_floor[..., :2], np.nan)
        return rgb, floor_xy

    def shadow(self, prims: list[Primitive]) -> np.ndarray:
        """Shadow darkness ``(H, W)`` float32 in [0, 1] cast on the floor by ``prims``."""
        light = self.light
        dark = np.zeros(self._grid.shape[0])
        pts = self._grid
        ok = self._grid_ok
        for prim in prims:
            a, b, r = prim.shadow_segment()
            if r < 0.02:
                continue
            pa = a[:2] - a[2] / light[2] * light[:2]
            pb = b[:2] - b[2] / light[2] * light[:2]
            height = 0.5 * (a[2] + b[2])
            soft = 0.04 + 0.25 * max(height, 0.0)
            reach = r + 2.0 * soft
            lo = np.minimum(pa, pb) - reach
            hi = np.maximum(pa, pb) + reach
            near = ok & (pts[:, 0] > lo[0]) & (pts[:, 0] < hi[0]) & (pts[:, 1] > lo[1]) & (
                pts[:, 1] < hi[1])
            if not near.any():
                continue
            q = pts[near]
            ab = pb - pa
            denom = max(float(ab @ ab), 1e-12)
            u = np.clip(((q - pa) @ ab) / denom, 0.0, 1.0)
            dist = np.linalg.norm(q - (pa + u[:, None] * ab), axis=1)
            strength = 0.75 * np.exp(-max(height - r, 0.0) / 1.2)
            val = strength * np.clip(1.0 - (dist - r + soft) / (2.0 * soft), 0.0, 1.0)
            dark[near] = np.maximum(dark[near], val)
        grid = dark.reshape(self._grid_shape).astype(np.float32)
        grid = cv2.GaussianBlur(grid, (5, 5), 0)
        full = cv2.resize(grid, (self.camera.width, self.camera.height),
                          interpolation=cv2.INTER_LINEAR)
        return full
