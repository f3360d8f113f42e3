"""Render one synthetic clip (video + truth) from a :class:`ClipSpec`.

:class:`ClipPlan` makes every seeded decision up front (body, clothes, room, tempo, camera) so a
test can render any single frame; :func:`render_clip` writes the whole clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.engine.types import Exercise, Side, View
from formcheck.errors import InputError, OutputError
from formcheck.pose.landmarks import NUM_LANDMARKS
from formcheck.render.body import BodyShape, Skeleton, forward_kinematics
from formcheck.render.camera import Camera
from formcheck.render.mannequin import Look, build_primitives, landmarks_3d
from formcheck.render.motion import (
    ArmCarriage,
    Choreography,
    LungeStyle,
    bridge_choreography,
    lunge_choreography,
)
from formcheck.render.poser import BRIDGE_FAULTS, LUNGE_FAULTS, BridgePoser, LungePoser
from formcheck.render.primitives import Material
from formcheck.render.raster import Renderer
from formcheck.render.scene import Room
from formcheck.render.truth import FaultTruth, HoldTruth, RepTruth, Truth, TruthFrame
from formcheck.render.truth_angles import true_angles

#: A landmark counts as visible if no more than this much body lies in front of it (metres):
#: joint centres sit inside limbs, so some depth must be tolerated.
_VISIBLE_DEPTH_TOL_M = 0.10


@dataclass(frozen=True)
class ClipSpec:
    """What to render. ``front_leg`` and ``arms`` None let the seed choose; no hold at 0 s."""

    exercise: Exercise
    reps: int = 5
    view: View = View.SIDE
    faults: tuple[str, ...] = ()
    seed: int = 0
    hold_s: float = 0.0
    style: LungeStyle = LungeStyle.SPLIT
    front_leg: Side | None = None
    arms: ArmCarriage | None = None
    fps: float = 30.0
    width: int = 640
    height: int = 480

    def validate(self) -> None:
        """Raise :class:`InputError` for options that cannot be rendered."""
        if self.exercise not in (Exercise.LUNGE, Exercise.BRIDGE):
            raise InputError(f"cannot render exercise {self.exercise.value!r}")
        allowed = LUNGE_FAULTS if self.exercise is Exercise.LUNGE else BRIDGE_FAULTS
        for code in self.faults:
            if code not in allowed:
                raise InputError(f"unknown {self.exercise.value} fault {code!r}; "
                                 f"choose from {', '.join(allowed)}")
        if self.reps < 0 or self.reps > 50:
            raise InputError("--reps must be between 0 and 50")
        if self.hold_s < 0 or self.hold_s > 120:
            raise InputError("--hold must be between 0 and 120 seconds")
        if self.reps == 0 and self.hold_s == 0:
            raise InputError("nothing to render: give --reps above 0 or a --hold")
        if self.view not in (View.SIDE, View.FRONT, View.OBLIQUE):
            raise InputError(f"cannot render view {self.view.value!r}")
        if self.front_leg not in (None, Side.LEFT, Side.RIGHT):
            raise InputError("--front-leg must be left or right")
        if not (80 <= self.width <= 1920 and 60 <= self.height <= 1080):
            raise InputError("frame size must be between 80x60 and 1920x1080")
        if not 5.0 <= self.fps <= 60.0:
            raise InputError("--fps must be between 5 and 60")


def arm_carriage(spec: ClipSpec) -> ArmCarriage:
    """Where a lunge's arms go during reps: as asked, else by seed.

    From its own generator, like the fault's variety: the body, camera and tempo of a seed stay
    as they were before arm carriages existed.
    """
    return spec.arms or ArmCarriage.sample(np.random.default_rng([spec.seed, 2]))


class ClipPlan:
    """Every seeded choice for a clip, and the means to pose and draw any of its frames."""

    def __init__(self, spec: ClipSpec) -> None:
        spec.validate()
        self.spec = spec
        rng = np.random.default_rng(spec.seed)
        self.shape = BodyShape.sample(rng)
        self.look = Look.sample(rng)
        faults = frozenset(spec.faults)
        variety = np.random.default_rng([spec.seed, 1])  # fault severity and variant
        tempo = float(rng.uniform(0.85, 1.2))
        if spec.exercise is Exercise.LUNGE:
            self.side = spec.front_leg or (Side.LEFT if rng.random() < 0.5 else Side.RIGHT)
            self.poser: LungePoser | BridgePoser = LungePoser(self.shape, self.side, faults,
                                                                rng, variety, arm_carriage(spec))
            self.choreo: Choreography = lunge_choreography(rng, spec.reps, spec.hold_s,
                                                           spec.style, self.side, tempo)
        else:
            self.side = Side.BOTH
            self.poser = BridgePoser(self.shape, faults, rng, variety)
            self.choreo = bridge_choreography(rng, spec.reps, spec.hold_s,
                                              "no_pause" not in faults, tempo)
        self.frame_count = int(np.floor(self.choreo.duration_ms * spec.fps / 1000.0)) + 1
        self.camera, self.camera_info = self._place_camera(rng)
        mat_x = float(np.mean([self.skeleton(i).hip_centre[0]
                               for i in range(0, self.frame_count, 10)]))
        length = 2.0 if spec.exercise is Exercise.LUNGE else 1.9
        if spec.exercise is Exercise.BRIDGE:
            mat_x = 0.5 * (-0.15 * self.shape.height_m + self.poser.ankle_x)  # type: ignore[union-attr]
        self.room = Room.sample(rng, (mat_x, 0.0), 0.0, length, self.camera_info["azimuth_deg"],
                                self.look.colours[Material.PANTS])
        self.noise_seed = int(rng.integers(2**31))

    def t_ms(self, i: int) -> int:
        """Timestamp of frame ``i``."""
        return round(i * 1000.0 / self.spec.fps)

    def skeleton(self, i: int) -> Skeleton:
        """The mannequin's skeleton in frame ``i``."""
        t = self.t_ms(i)
        return forward_kinematics(self.shape, self.poser.pose(self.choreo.at(t), t))

    def _place_camera(self, rng: np.random.Generator) -> tuple[Camera, dict[str, float]]:
        """Aim at the middle of everything the body sweeps through; back off until it fits."""
        spec = self.spec
        pts = np.concatenate([landmarks_3d(self.skeleton(i))
                              for i in range(0, self.frame_count, 5)])
        pts = np.concatenate([pts, pts + np.array([0.0, 0.0, 0.12 * self.shape.height_m])])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        target = 0.5 * (lo + hi)
        jitter = float(rng.uniform(-7.0, 7.0))
        flip = 1.0 if rng.random() < 0.5 else -1.0
        base = {View.SIDE: 90.0 * flip, View.FRONT: 0.0, View.OBLIQUE: 45.0 * flip}[spec.view]
        if spec.exercise is Exercise.LUNGE:
            elevation = float(rng.uniform(0.0, 12.0))
        else:
            # From the feet the face hides behind the raised hips unless the camera looks down.
            elevation = float(rng.uniform(42.0, 52.0) if spec.view is View.FRONT
                              else rng.uniform(8.0, 20.0))
        info = {"azimuth_deg": base + jitter, "elevation_deg": elevation,
                "roll_deg": float(rng.uniform(-3.0, 3.0)), "fov_v_deg": float(rng.uniform(48, 60))}
        fill = float(rng.uniform(0.62, 0.8))
        distance = 3.0
        for _ in range(8):
            cam = Camera.look_at(target, info["azimuth_deg"], elevation, distance,
                                 info["roll_deg"], info["fov_v_deg"], spec.width, spec.height)
            xy, _ = cam.project(pts)
            lo2, hi2 = xy.min(axis=0), xy.max(axis=0)
            span = max((hi2[0] - lo2[0]) / spec.width, (hi2[1] - lo2[1]) / spec.height)
            # Re-centre: move the aim point by the image offset of the swept box's middle.
            off = 0.5 * (lo2 + hi2) - np.array([spec.width / 2.0, spec.height / 2.0])
            target = target + (cam.rotation[0] * off[0] + cam.rotation[1] * off[1]) * (
                distance / cam.focal_px)
            distance *= span / fill
        info["distance_m"] = distance
        cam = Camera.look_at(target, info["azimuth_deg"], elevation, distance, info["roll_deg"],
                             info["fov_v_deg"], spec.width, spec.height)
        return cam, info


def _fault_spans(plan: ClipPlan) -> list[FaultTruth]:
    """Intervals where each injected fault is at least half-expressed, per rep and hold."""
    spec = plan.spec
    times = np.array([plan.t_ms(i) for i in range(plan.frame_count)])
    depth = np.array([plan.choreo.at(t).depth for t in times])
    out: list[FaultTruth] = []
    spans = [(i + 1, s) for i, s in enumerate(plan.choreo.reps)] + [
        (None, s) for s in plan.choreo.holds]
    for code in spec.faults:
        for rep, span in spans:
            inside = (times >= span.start_ms) & (times <= span.end_ms)
            if code == "no_pause":
                if rep is not None:
                    out.append(FaultTruth(code, span.start_ms, span.end_ms, rep))
                continue
            on = inside & (depth >= 0.5)
            if on.any():
                out.append(FaultTruth(code, int(times[on].min()), int(times[on].max()), rep))
    out.sort(key=lambda f: (f.start_ms, f.code))
    return out


def render_frame(plan: ClipPlan, renderer: Renderer, i: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, TruthFrame]:
    """Frame ``i`` as an RGB image ``(H, W, 3)`` uint8 and its truth."""
    skel = plan.skeleton(i)
    img, depth = renderer.render(build_primitives(skel, plan.look), rng)
    pts3 = landmarks_3d(skel)
    xy, _ = plan.camera.project(pts3)
    dist = np.linalg.norm(pts3 - plan.camera.position, axis=1)
    visible = np.zeros(NUM_LANDMARKS, dtype=bool)
    w, h = plan.spec.width, plan.spec.height
    for k in range(NUM_LANDMARKS):
        x, y = int(np.floor(xy[k, 0])), int(np.floor(xy[k, 1]))
        if 0 <= x < w and 0 <= y < h:
            visible[k] = dist[k] <= depth[y, x] + _VISIBLE_DEPTH_TOL_M
    front = 0 if plan.side is Side.LEFT else 1
    angles = true_angles(skel, plan.spec.exercise, front)
    return img, TruthFrame(plan.t_ms(i), xy, visible, angles)


def render_clip(spec: ClipSpec, out: Path,
                progress: Callable[[int, int], None] | None = None) -> Truth:
    """Write ``out`` (mp4) and return the truth (the caller saves it)."""
    plan = ClipPlan(spec)
    renderer = Renderer(plan.camera, plan.room, plan.look)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), spec.fps,
                             (spec.width, spec.height))
    if not writer.isOpened():
        raise OutputError(f"cannot write video {out}")
    rng = np.random.default_rng(plan.noise_seed)
    frames = []
    try:
        for i in range(plan.frame_count):
            img, tf = render_frame(plan, renderer, i, rng)
            writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            frames.append(tf)
            if progress is not None:
                progress(i + 1, plan.frame_count)
    finally:
        writer.release()
    return truth_of(plan, tuple(frames))


def truth_of(plan: ClipPlan, frames: tuple[TruthFrame, ...]) -> Truth:
    """Assemble the clip's truth from its plan and rendered frames."""
    spec = plan.spec
    reps = tuple(RepTruth(i + 1, s.side.value, s.start_ms, int(s.bottom_ms or s.start_ms),
                          s.end_ms) for i, s in enumerate(plan.choreo.reps))
    holds = tuple(HoldTruth(s.side.value, s.start_ms, s.end_ms) for s in plan.choreo.holds)
    style = spec.style.value if spec.exercise is Exercise.LUNGE else None
    return Truth(spec.exercise.value, spec.view.value, plan.side.value, style, spec.seed,
                 spec.fps, spec.width, spec.height, dict(plan.camera_info), frames, reps, holds,
                 tuple(_fault_spans(plan)))
