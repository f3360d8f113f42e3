"""Rotations and analytic ray-primitive intersections, vectorised over many rays from one origin.

All rays of a frame start at the camera centre, so the per-primitive terms that depend only on
the origin are computed once and each pixel costs a handful of dot products. Functions return the
ray parameter ``t`` (distance along unit directions; ``inf`` where the ray misses) and the unit
surface normal at the hit.
"""

from __future__ import annotations

import numpy as np

#: Shape of a batch of unit ray directions: ``(N, 3)`` float64.
Rays = np.ndarray


def rot_x(deg: float) -> np.ndarray:
    """``(3, 3)`` rotation about the x axis by ``deg`` degrees (right-handed)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    """``(3, 3)`` rotation about the y axis by ``deg`` degrees (right-handed)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> np.ndarray:
    """``(3, 3)`` rotation about the z axis by ``deg`` degrees (right-handed)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rot_axis(axis: np.ndarray, deg: float) -> np.ndarray:
    """``(3, 3)`` rotation about an arbitrary ``axis`` (Rodrigues)."""
    k = np.asarray(axis, dtype=np.float64)
    k = k / np.linalg.norm(k)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    a = np.radians(deg)
    return np.eye(3) + np.sin(a) * kx + (1.0 - np.cos(a)) * (kx @ kx)


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (last axis)."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Unsigned angle in degrees between two vectors."""
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def ray_capsule(origin: np.ndarray, dirs: Rays, a: np.ndarray, b: np.ndarray,
                radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest hit of rays with the capsule of segment ``a``-``b`` and ``radius``.

    Returns ``t`` of shape ``(N,)`` (``inf`` on a miss) and normals ``(N, 3)`` (undefined on a
    miss). Rays starting inside the capsule are treated as misses.
    """
    ba = b - a
    oa = origin - a
    baba = float(ba @ ba)
    baoa = float(ba @ oa)
    oaoa = float(oa @ oa)
    bard = dirs @ ba
    rdoa = dirs @ oa
    qa = baba - bard * bard
    qb = baba * rdoa - baoa * bard
    qc = baba * oaoa - baoa * baoa - radius * radius * baba
    h = qb * qb - qa * qc
    t = np.full(dirs.shape[0], np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        side_t = (-qb - np.sqrt(np.maximum(h, 0.0))) / qa
    y = baoa + side_t * bard
    side_hit = (h >= 0.0) & (y > 0.0) & (y < baba) & (side_t > 0.0)
    t[side_hit] = side_t[side_hit]
    # End caps: spheres at a and b for the rays that missed the cylinder part.
    for centre in (a, b):
        ct = ray_sphere(origin, dirs, centre, radius)
        closer = ct < t
        t[closer] = ct[closer]
    hit = np.isfinite(t)
    normals = np.zeros_like(dirs)
    if hit.any():
        p = origin + dirs[hit] * t[hit, None]
        pa = p - a
        s = np.clip((pa @ ba) / baba, 0.0, 1.0)
        normals[hit] = (pa - s[:, None] * ba) / radius
    return t, normals


def ray_sphere(origin: np.ndarray, dirs: Rays, centre: np.ndarray, radius: float) -> np.ndarray:
    """Ray parameter ``t`` ``(N,)`` of the nearest hit with a sphere, ``inf`` on a miss."""
    oc = origin - centre
    b = dirs @ oc
    c = float(oc @ oc) - radius * radius
    h = b * b - c
    t = np.full(dirs.shape[0], np.inf)
    ok = h >= 0.0
    tt = -b[ok] - np.sqrt(h[ok])
    vals = np.where(tt > 0.0, tt, np.inf)
    t[ok] = vals
    return t


def ray_ellipsoid(origin: np.ndarray, dirs: Rays, centre: np.ndarray, axes: np.ndarray,
                  radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest hit of rays with an ellipsoid.

    ``axes`` is a ``(3, 3)`` rotation whose columns are the ellipsoid's axes in world space and
    ``radii`` ``(3,)`` the semi-axis lengths along them. Returns ``t`` ``(N,)`` and normals
    ``(N, 3)`` like :func:`ray_capsule`.
    """
    m = axes.T / radii[:, None]  # world -> unit-sphere space
    o = m @ (origin - centre)
    d = dirs @ m.T
    qa = np.einsum("ij,ij->i", d, d)
    qb = d @ o
    qc = float(o @ o) - 1.0
    h = qb * qb - qa * qc
    t = np.full(dirs.shape[0], np.inf)
    ok = h >= 0.0
    tt = (-qb[ok] - np.sqrt(h[ok])) / qa[ok]
    t[ok] = np.where(tt > 0.0, tt, np.inf)
    hit = np.isfinite(t)
    normals = np.zeros_like(dirs)
    if hit.any():
        p_unit = o + d[hit] * t[hit, None]
        # Gradient of |M (p - c)|^2 is M^T M (p - c) = M^T p_unit.
        normals[hit] = unit(p_unit @ m)
    return t, normals
