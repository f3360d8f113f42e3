"""Synthetic landmark sequences from a small 3D stick figure (no rendering).

A :class:`Stance` places the pelvis, trunk and ankles in body coordinates (metres; ``a`` forward,
``b`` up from the floor, ``c`` toward the person's right); knees come from two-link inverse
kinematics (they bend forward, shifted medially by ``*_valgus_m``). A :class:`Camera` (yaw 0 =
side view with the person facing image-right, 90 = facing the camera) projects the 33 BlazePose
landmarks with a pinhole model into a :class:`~formcheck.pose.types.Pose`. Keyframes interpolate
with cosine easing, so sequences have realistic smooth velocities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

from formcheck.pose.landmarks import LM, NUM_LANDMARKS
from formcheck.pose.types import Pose

TORSO_M = 0.50
SHOULDER_W_M = 0.36
HIP_W_M = 0.26
THIGH_M = 0.44
SHIN_M = 0.43
UPPER_ARM_M = 0.30
FOREARM_M = 0.27
ANKLE_H_M = 0.08


@dataclass(frozen=True)
class Stance:
    """One body configuration (body coordinates, metres / degrees)."""

    pelvis_a: float = 0.0
    pelvis_b: float = 0.945
    pelvis_c: float = 0.0
    trunk_deg: float = 0.0  # trunk from vertical, + forward; -90 lying on the back, head behind
    pelvis_roll_deg: float = 0.0  # + raises the left hip
    l_ankle_a: float = 0.0
    l_ankle_b: float = ANKLE_H_M
    l_ankle_c: float = -0.12
    r_ankle_a: float = 0.0
    r_ankle_b: float = ANKLE_H_M
    r_ankle_c: float = 0.12
    l_foot_pitch_deg: float = 0.0  # + toes down (heel raised)
    r_foot_pitch_deg: float = 0.0
    l_valgus_m: float = 0.0  # knee shifted toward the midline (+) or out (-)
    r_valgus_m: float = 0.0


def lerp(a: Stance, b: Stance, w: float) -> Stance:
    """Field-wise interpolation."""
    return Stance(**{f.name: (1 - w) * getattr(a, f.name) + w * getattr(b, f.name)
                     for f in fields(Stance)})


def _v(a, b, c) -> np.ndarray:
    """Stack broadcastable components into ``(..., 3)`` vectors."""
    a, b, c = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float), np.asarray(c, float))
    return np.stack([a, b, c], axis=-1)


def _ik_knee(hip: np.ndarray, ankle: np.ndarray, pole: np.ndarray) -> np.ndarray:
    """Knee ``(N, 3)`` of a two-link leg from hip to ankle, bending toward ``pole``."""
    d_vec = ankle - hip
    d_raw = np.linalg.norm(d_vec, axis=-1, keepdims=True)
    along = d_vec / d_raw
    d = np.minimum(d_raw, THIGH_M + SHIN_M - 1e-6)
    a = (THIGH_M**2 - SHIN_M**2 + d**2) / (2 * d)
    r = np.sqrt(np.maximum(THIGH_M**2 - a**2, 0.0))
    bend = pole - (pole * along).sum(-1, keepdims=True) * along
    bend /= np.linalg.norm(bend, axis=-1, keepdims=True)
    return hip + a * along + r * bend


def body_points(s: Stance) -> np.ndarray:
    """Landmark positions in body coordinates (a, b, c): ``(33, 3)``, or ``(N, 33, 3)`` when the
    stance's fields are arrays of length N."""
    f = {k.name: np.atleast_1d(np.asarray(getattr(s, k.name), float)) for k in fields(Stance)}
    n = max(len(v) for v in f.values())
    f = {k: np.broadcast_to(v, (n,)) for k, v in f.items()}
    p = np.zeros((n, NUM_LANDMARKS, 3))
    fwd = np.array([1.0, 0.0, 0.0])
    right = np.array([0.0, 0.0, 1.0])
    col = lambda x: x[:, None]  # noqa: E731
    pelvis = _v(f["pelvis_a"], f["pelvis_b"], f["pelvis_c"])
    roll = np.radians(f["pelvis_roll_deg"])
    half = HIP_W_M / 2
    lift = np.sin(roll) * half
    p[:, LM.LEFT_HIP] = pelvis + _v(0.0, lift, -np.cos(roll) * half)
    p[:, LM.RIGHT_HIP] = pelvis + _v(0.0, -lift, np.cos(roll) * half)
    th = np.radians(f["trunk_deg"])
    tdir = _v(np.sin(th), np.cos(th), 0.0)
    front = _v(np.cos(th), -np.sin(th), 0.0)  # belly side of the trunk
    sc = pelvis + TORSO_M * tdir
    p[:, LM.LEFT_SHOULDER] = sc - right * SHOULDER_W_M / 2
    p[:, LM.RIGHT_SHOULDER] = sc + right * SHOULDER_W_M / 2
    head = sc + 0.22 * tdir + 0.03 * front
    p[:, LM.NOSE] = head + 0.10 * front
    for sgn, (inner, eye, outer, ear, mouth) in (
            (-1.0, (LM.LEFT_EYE_INNER, LM.LEFT_EYE, LM.LEFT_EYE_OUTER, LM.LEFT_EAR,
                    LM.MOUTH_LEFT)),
            (1.0, (LM.RIGHT_EYE_INNER, LM.RIGHT_EYE, LM.RIGHT_EYE_OUTER, LM.RIGHT_EAR,
                   LM.MOUTH_RIGHT))):
        base = head + 0.08 * front + 0.03 * tdir
        p[:, inner] = base + sgn * 0.02 * right
        p[:, eye] = base + sgn * 0.035 * right
        p[:, outer] = base + sgn * 0.05 * right
        p[:, ear] = head + sgn * 0.075 * right
        p[:, mouth] = head + 0.08 * front - 0.05 * tdir + sgn * 0.025 * right
    for sh, el, wr, pk, ix, tb in (
            (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX,
             LM.LEFT_THUMB),
            (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX,
             LM.RIGHT_THUMB)):
        p[:, el] = p[:, sh] - UPPER_ARM_M * tdir
        p[:, wr] = p[:, el] - FOREARM_M * tdir + 0.03 * front
        p[:, pk] = p[:, wr] - 0.08 * tdir
        p[:, ix] = p[:, wr] - 0.09 * tdir + 0.02 * front
        p[:, tb] = p[:, wr] - 0.05 * tdir + 0.04 * front
    for side, hip, knee, ankle, heel, toe, medial in (
            ("l", LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX,
             right),
            ("r", LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL,
             LM.RIGHT_FOOT_INDEX, -right)):
        p[:, ankle] = _v(f[f"{side}_ankle_a"], f[f"{side}_ankle_b"], f[f"{side}_ankle_c"])
        k = _ik_knee(p[:, hip], p[:, ankle], fwd)
        p[:, knee] = k + col(f[f"{side}_valgus_m"]) * medial
        fp = np.radians(f[f"{side}_foot_pitch_deg"])
        c, sn = np.cos(fp), np.sin(fp)  # rotate the flat foot toes-down by the pitch
        p[:, toe] = p[:, ankle] + _v(0.15 * c - 0.07 * sn, -0.15 * sn - 0.07 * c, 0.0)
        p[:, heel] = p[:, ankle] + _v(-0.05 * c - 0.07 * sn, 0.05 * sn - 0.07 * c, 0.0)
    return p[0] if np.ndim(s.pelvis_a) == 0 else p


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking horizontally at the person (metres, pixels, degrees)."""

    yaw_deg: float = 0.0  # 0 side facing image-right, 90 facing the camera, 180 side facing left
    distance_m: float = 4.0
    height_m: float = 1.0
    focal_px: float = 1150.0
    width: int = 1280
    height: int = 720
    roll_deg: float = 0.0  # image rotation (tilted camera)
    offset_px: tuple[float, float] = (0.0, 0.0)

    def project(self, body: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(xy (..,33,2) px, z (..,33) px, world (..,33,3) m)`` for body points."""
        psi = math.radians(self.yaw_deg)
        fwd = np.array([math.cos(psi), 0.0, math.sin(psi)])
        up = np.array([0.0, 1.0, 0.0])
        right = np.array([-math.sin(psi), 0.0, math.cos(psi)])
        cam = body[..., :1] * fwd + body[..., 1:2] * up + body[..., 2:3] * right  # x, y up, z out
        depth = self.distance_m - cam[..., 2]
        x = self.focal_px * cam[..., 0] / depth
        y = -self.focal_px * (cam[..., 1] - self.height_m) / depth
        r = math.radians(self.roll_deg)
        xr = math.cos(r) * x - math.sin(r) * y
        yr = math.sin(r) * x + math.cos(r) * y
        xy = np.stack([xr + self.width / 2 + self.offset_px[0],
                       yr + self.height / 2 + self.offset_px[1]], axis=-1)
        hip_c = (cam[..., LM.LEFT_HIP, :] + cam[..., LM.RIGHT_HIP, :]) / 2
        rel = cam - hip_c[..., None, :]
        z = -rel[..., 2] * self.focal_px / self.distance_m
        world = np.stack([rel[..., 0], -rel[..., 1], -rel[..., 2]], axis=-1)
        return xy, z, world


def make_pose(s: Stance, cam: Camera, t_ms: int, rng: np.random.Generator | None = None,
              noise_px: float = 0.0, visibility: float = 0.95) -> Pose:
    """Project one stance to a Pose; ``noise_px`` Gaussian pixel noise (world noise scaled)."""
    xy, z, world = cam.project(body_points(s))
    if rng is not None and noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
        world = world + rng.normal(0.0, noise_px * 4.0 / cam.focal_px, world.shape)
    vis = np.full(NUM_LANDMARKS, visibility)
    return Pose(t_ms, cam.width, cam.height, xy, z, world, vis, np.ones(NUM_LANDMARKS))


def steep_world(p: Pose, pitch_deg: float, depth_scale: float = 0.6) -> Pose:
    """``p`` with world landmarks as MediaPipe gives them from a camera pitched down by
    ``pitch_deg``: axes turned with the camera (the far floor reads up), depth shortened."""
    a = math.radians(pitch_deg)
    rot = np.array([[1.0, 0.0, 0.0], [0.0, math.cos(a), -math.sin(a)],
                    [0.0, math.sin(a), math.cos(a)]])
    w = p.world @ rot.T
    w[:, 2] *= depth_scale
    return Pose(p.t_ms, p.width, p.height, p.xy, p.z, w, p.visibility, p.presence, p.mask)


def sequence(keys: list[tuple[float, Stance]], cam: Camera | None = None, fps: float = 30.0,
             noise_px: float = 0.0, seed: int = 0,
             dropouts: tuple[tuple[float, float], ...] = ()) -> list[Pose]:
    """Poses at ``fps`` through keyframes ``(time_s, stance)``; ``dropouts``: (start_s, end_s)
    windows with no person found."""
    cam = cam or Camera()
    rng = np.random.default_rng(seed)
    times = np.arange(int(keys[-1][0] * fps) + 1) / fps
    kt = np.array([k[0] for k in keys])
    j = np.clip(np.searchsorted(kt, times, side="right") - 1, 0, len(keys) - 2)
    t0, t1 = kt[j], kt[j + 1]
    span = np.where(t1 > t0, t1 - t0, 1.0)
    w = np.where(t1 > t0, 0.5 - 0.5 * np.cos(np.pi * np.clip((times - t0) / span, 0, 1)), 1.0)
    stance = Stance(**{
        f.name: (1 - w) * np.array([getattr(keys[i][1], f.name) for i in j])
        + w * np.array([getattr(keys[i + 1][1], f.name) for i in j])
        for f in fields(Stance)})
    xy, z, world = cam.project(body_points(stance))
    if noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
        world = world + rng.normal(0.0, noise_px * 4.0 / cam.focal_px, world.shape)
    vis = np.full(NUM_LANDMARKS, 0.95)
    pres = np.ones(NUM_LANDMARKS)
    out: list[Pose] = []
    for i, t in enumerate(times):
        t_ms = round(t * 1000)
        if any(a <= t < b for a, b in dropouts):
            out.append(Pose.empty(t_ms, cam.width, cam.height))
        else:
            out.append(Pose(t_ms, cam.width, cam.height, xy[i], z[i], world[i], vis.copy(),
                            pres.copy()))
    return out


# ---- stances ----------------------------------------------------------------------------

STAND = Stance()


def lunge(depth: float, front: str = "left", stride_m: float = 0.9, trunk_deg: float = 3.0,
          hip_shift_m: float = 0.0, front_shin_shift_m: float = 0.0) -> Stance:
    """Split stance at ``depth`` 0 (legs nearly straight) .. 1 (front knee ~90 deg).

    ``hip_shift_m`` moves the pelvis forward (+, hips pushed forward) or back;
    ``front_shin_shift_m`` moves the front foot back under the body (knee past the toes).
    """
    fa, ba = 0.45 * stride_m - front_shin_shift_m, -0.45 * stride_m
    # highest pelvis both legs reach (nearly straight), minus a little: knees ~165-170 deg
    reach = THIGH_M + SHIN_M
    top = min(math.sqrt(reach**2 - (fa - hip_shift_m) ** 2) + ANKLE_H_M,
              math.sqrt(reach**2 - (ba - hip_shift_m) ** 2) + ANKLE_H_M) - 0.006
    bottom = ANKLE_H_M + SHIN_M
    h = top + (bottom - top) * depth
    st = replace(STAND, pelvis_a=hip_shift_m, pelvis_b=h, trunk_deg=trunk_deg)
    back = {"a": ba, "b": ANKLE_H_M + 0.04 * depth, "pitch": 10.0 + 25.0 * depth}
    if front == "left":
        return replace(st, l_ankle_a=fa, r_ankle_a=back["a"], r_ankle_b=back["b"],
                       r_foot_pitch_deg=back["pitch"])
    return replace(st, r_ankle_a=fa, l_ankle_a=back["a"], l_ankle_b=back["b"],
                   l_foot_pitch_deg=back["pitch"])


def squat(depth: float) -> Stance:
    """Feet side by side, both knees bending symmetrically, hips back, trunk forward."""
    h = 0.945 + (0.50 - 0.945) * depth
    return replace(STAND, pelvis_a=-0.25 * depth, pelvis_b=h, trunk_deg=5 + 30 * depth,
                   l_ankle_c=-0.17, r_ankle_c=0.17)


def lateral_lunge(depth: float, to: str = "left") -> Stance:
    """Feet wide; the pelvis shifts over one bending leg, the other stays straight."""
    sgn = -1.0 if to == "left" else 1.0
    h = 0.86 + (0.55 - 0.86) * depth
    return replace(STAND, pelvis_a=-0.15 * depth, pelvis_b=h, pelvis_c=sgn * 0.35 * depth,
                   trunk_deg=5 + 20 * depth, l_ankle_c=-0.5, r_ankle_c=0.5)


def bridge(lift: float, feet_a_m: float = 0.52, extra_m: float = 0.0) -> Stance:
    """Lying on the back, knees bent; ``lift`` 0 (hips on the floor) .. 1 (hips in line).

    ``extra_m`` raises the hips above the line (over-extension) or below it (negative).
    """
    h_low, h_top = 0.12, 0.31
    h = h_low + (h_top - h_low) * lift + extra_m
    cos = (0.10 - h) / TORSO_M
    trunk = -math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    return replace(STAND, pelvis_a=0.0, pelvis_b=h, trunk_deg=trunk, l_ankle_a=feet_a_m,
                   r_ankle_a=feet_a_m, l_ankle_c=-0.12, r_ankle_c=0.12)


LYING_CAM = Camera(height_m=0.5, distance_m=3.5)


def single_leg_bridge(lift: float, raised: str, leg_up: float = 1.0) -> Stance:
    """A bridge at ``lift`` with the ``raised`` leg's ankle lifted ``leg_up`` (0..1) of the way
    to a straight leg pointing up-forward (a single-leg bridge)."""
    s = bridge(lift)
    a, b = s.l_ankle_a + 0.3 * leg_up, ANKLE_H_M + 0.55 * leg_up
    return replace(s, l_ankle_a=a, l_ankle_b=b) if raised == "left" else replace(
        s, r_ankle_a=a, r_ankle_b=b)


def reps(make, n: int, down_s: float = 1.0, hold_s: float = 0.3, up_s: float = 1.0,
         rest_s: float = 0.8, lead_s: float = 1.0, **kw) -> list[tuple[float, Stance]]:
    """Keyframes for ``n`` reps of ``make(depth, **kw)``: rest, down, hold, up, rest..."""
    t = 0.0
    keys = [(t, make(0.0, **kw))]
    t += lead_s
    keys.append((t, make(0.0, **kw)))
    for _ in range(n):
        t += down_s
        keys.append((t, make(1.0, **kw)))
        t += hold_s
        keys.append((t, make(1.0, **kw)))
        t += up_s
        keys.append((t, make(0.0, **kw)))
        t += rest_s
        keys.append((t, make(0.0, **kw)))
    return keys


# ---- segmentation masks -----------------------------------------------------------------


def _bump(s: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((s - centre) / width) ** 2)


def trunk_mask(pose: Pose, back: tuple[float, float], arch_px: float,
               thickness_ratio: float = 0.28) -> np.ndarray:
    """A person mask around the trunk with a back contour whose lumbar hollow is ``arch_px`` deeper.

    ``back``: image direction toward the person's back (e.g. (-1, 0) standing facing right,
    (0, 1) lying on the back). The contour has an upper-back bulge, a lumbar hollow and the
    buttocks, like a silhouette; only the trunk is drawn (enough for the contour measure).
    """
    import cv2  # test-only dependency, shipped with mediapipe

    xy = pose.xy
    s_c = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2
    h_c = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2
    axis = h_c - s_c
    length = float(np.linalg.norm(axis))
    b = np.asarray(back, float)
    b = b - np.dot(b, axis) / length**2 * axis  # perpendicular to the trunk, toward the back
    b /= np.linalg.norm(b)
    s = np.linspace(-0.15, 1.3, 40)
    t0 = thickness_ratio * length
    d_back = (t0 * (1.0 + 0.12 * _bump(s, 0.25, 0.15) + 0.30 * _bump(s, 1.05, 0.12))
              - arch_px * _bump(s, 0.7, 0.14))
    chord = s_c[None, :] + s[:, None] * axis[None, :]
    back_pts = chord + d_back[:, None] * b[None, :]
    front_pts = chord - 0.9 * t0 * b[None, :]
    poly = np.concatenate([back_pts, front_pts[::-1]]).round().astype(np.int32)
    mask = np.zeros((pose.height, pose.width), np.uint8)
    cv2.fillPoly(mask, [poly], 1)
    return mask.astype(np.float32)


def with_masks(poses: list[Pose], back: tuple[float, float], arch_px) -> list[Pose]:
    """Copies of ``poses`` with a :func:`trunk_mask`; ``arch_px(i)`` gives frame i's arch."""
    out = []
    for i, p in enumerate(poses):
        if not p.found:
            out.append(p)
            continue
        out.append(Pose(p.t_ms, p.width, p.height, p.xy, p.z, p.world, p.visibility,
                        p.presence, trunk_mask(p, back, float(arch_px(i)))))
    return out
