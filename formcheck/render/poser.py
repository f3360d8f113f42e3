"""Turn choreography controls into joint parameters for a lunge or a bridge, faults included.

Each poser solves the working position once per clip from target angles (front knee ~90 deg at a
lunge bottom, shoulders-hips-knees in line at a bridge top) and blends toward it with ``depth``.
A fault changes those targets (or adds pelvis/lumbar motion) in proportion to ``depth``; the
resulting angles are then *measured* on the skeleton for the truth, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.engine.types import Side
from formcheck.render.body import (
    ArmPose,
    BodyPose,
    BodyShape,
    LegTarget,
    ball_offset,
    foot_frame,
    forward_kinematics,
)
from formcheck.render.geometry import rot_y
from formcheck.render.motion import ArmCarriage, Controls

LUNGE_FAULTS = ("shallow_depth", "knee_past_toes", "trunk_lean_forward", "trunk_lean_back",
                "hip_not_extended", "arched_back", "knee_cave", "pelvis_not_level",
                "narrow_stance")
BRIDGE_FAULTS = ("low_bridge", "arched_back", "overextended", "feet_too_close", "feet_too_far",
                 "no_pause", "hip_drop", "knee_cave", "knee_flare")
#: An arched lunge's forward pitch of pelvis and trunk at the hip, which brings the shoulders back
#: over the hips (times the fault's severity, and less where the chest takes up part of the arch).
ARCH_PELVIS_PITCH_DEG = 10.0


@dataclass(frozen=True)
class FaultStyle:
    """How one person shows a fault: how strongly, and in which variant.

    Drawn from its own generator so that adding variety never changes a clip's body, camera or
    tempo for the same seed.
    """

    severity: float = 1.0  # scales the fault's angles
    chest_upright: float = 0.0  # arched back: share of the lumbar arch the chest takes back
    drop_side: float = 1.0  # hip drop: +1 the right hip drops, -1 the left

    @classmethod
    def sample(cls, rng: np.random.Generator | None) -> FaultStyle:
        """The textbook fault when ``rng`` is None, else a seeded variation of it."""
        if rng is None:
            return cls()
        return cls(float(rng.uniform(0.85, 1.2)), float(rng.uniform(0.0, 0.4)),
                   1.0 if rng.random() < 0.5 else -1.0)


def _leg_span(shape: BodyShape, knee_deg: float) -> float:
    """Hip-to-ankle distance of a leg bent to ``knee_deg`` (interior angle)."""
    a, b = shape.thigh, shape.shin
    return float(np.sqrt(a * a + b * b - 2.0 * a * b * np.cos(np.radians(knee_deg))))


class LungePoser:
    """Lunge postures facing +x, front foot's ankle above x = 0.

    Args:
        shape: the body.
        front: which leg is forward (``Side.LEFT`` or ``Side.RIGHT``).
        faults: fault codes to inject (subset of :data:`LUNGE_FAULTS`).
        rng: variation of knee targets and stance.
        variety: the fault's :class:`FaultStyle` (textbook when None).
        carriage: where the arms are during reps.

    """

    def __init__(self, shape: BodyShape, front: Side, faults: frozenset[str],
                 rng: np.random.Generator, variety: np.random.Generator | None = None,
                 carriage: ArmCarriage = ArmCarriage.HANGING) -> None:
        self.shape = shape
        self.front = front
        self.style = FaultStyle.sample(variety)
        self.carriage = carriage
        self.faults = faults
        s = shape
        self.sign_front = 1.0 if front is Side.LEFT else -1.0
        width = 0.12 if "narrow_stance" in faults else float(rng.uniform(0.85, 1.15))
        self.foot_y_front = self.sign_front * s.hip_half_width * width
        self.foot_y_back = -self.sign_front * s.hip_half_width * width
        self.knee_bottom_deg = float(rng.uniform(86.0, 94.0))
        if "shallow_depth" in faults:
            self.knee_bottom_deg = float(rng.uniform(118.0, 126.0))
        self.shin_bottom_deg = float(rng.uniform(4.0, 12.0))
        if "knee_past_toes" in faults:
            # Clearly past the engine's limit (30): at least the 2D angle error (~6) beyond it,
            # as the other faults are, not on the limit where any reading is a coin toss.
            self.shin_bottom_deg = float(rng.uniform(36.0, 42.0))
        if "hip_not_extended" in faults:
            self.shin_bottom_deg = float(rng.uniform(-6.0, -2.0))
        self.pitch_top_deg = float(rng.uniform(30.0, 40.0))
        self.pitch_bottom_deg = float(rng.uniform(52.0, 62.0))
        ankle_z = s.ankle_height
        self.front_ankle = np.array([0.0, self.foot_y_front, ankle_z])
        bottom = self._hip_bottom(self.knee_bottom_deg)
        # Back thigh at the bottom: behind the trunk line in a good crescent lunge.
        gamma = np.radians(rng.uniform(-8.0, -3.0) if "hip_not_extended" in faults
                           else rng.uniform(12.0, 20.0))
        back_hip = bottom + np.array([0.0, -self.sign_front * s.hip_half_width, 0.0])
        back_knee = back_hip + s.thigh * np.array([-np.sin(gamma), 0.0, -np.cos(gamma)])
        off = foot_frame(0.0, self.pitch_bottom_deg) @ ball_offset(s)  # ankle -> ball
        dz = back_knee[2] + off[2]
        dy = self.foot_y_back - back_knee[1]
        dx = float(np.sqrt(max(s.shin ** 2 - dz * dz - dy * dy, 0.0)))
        self.back_ball_split = np.array([back_knee[0] - dx + off[0], self.foot_y_back, 0.0])
        # Top of the split: hips a little forward of the bottom, as high as both legs allow.
        off_top = foot_frame(0.0, self.pitch_top_deg) @ ball_offset(s)
        back_ankle_top = self.back_ball_split - off_top
        reach = _leg_span(s, float(rng.uniform(168.0, 174.0)))
        front_knee_top = float(rng.uniform(162.0, 168.0))
        back_dy = back_hip[1] - back_ankle_top[1]
        best = (-1.0, 0.0)
        for top_x in np.linspace(back_ankle_top[0], bottom[0] + 0.03 * s.height_m, 60):
            front_z = self._hip_on_front_leg(float(top_x), front_knee_top)[2]
            back_z = back_ankle_top[2] + float(np.sqrt(max(
                reach ** 2 - (top_x - back_ankle_top[0]) ** 2 - back_dy ** 2, 0.0)))
            if min(front_z, back_z) > best[0]:
                best = (min(front_z, back_z), float(top_x))
        top_x, top_z = best[1], best[0]
        self.hip_top = np.array([top_x, 0.0, top_z])
        # Standing: feet side by side under the hips.
        self.stand_ball_front = self.front_ankle + np.array([off_x(s), 0.0, -ankle_z])
        self.back_ball_stand = np.array([self.stand_ball_front[0], self.foot_y_back, 0.0])
        self.hip_stand = self._hip_on_front_leg(0.02 * s.height_m, 176.0)

    def _hip_on_front_leg(self, hip_x: float, knee_deg: float) -> np.ndarray:
        """Hip-joint midpoint at ``hip_x`` with the front knee bent to ``knee_deg``."""
        s = self.shape
        d = _leg_span(s, knee_deg)
        hip_y = self.sign_front * s.hip_half_width
        dy = hip_y - self.front_ankle[1]
        dx = hip_x - self.front_ankle[0]
        dz = float(np.sqrt(max(d * d - dx * dx - dy * dy, 1e-6)))
        return np.array([hip_x, 0.0, self.front_ankle[2] + dz])

    def _hip_bottom(self, knee_deg: float) -> np.ndarray:
        """Hip-joint midpoint with the front shin at its bottom angle, knee at ``knee_deg``."""
        s = self.shape
        phi = np.radians(self.shin_bottom_deg)
        knee = self.front_ankle + s.shin * np.array([np.sin(phi), 0.0, np.cos(phi)])
        beta = -(np.pi / 2 + phi + np.radians(knee_deg))
        hip = knee + s.thigh * np.array([np.cos(beta), 0.0, np.sin(beta)])
        return np.array([hip[0], 0.0, hip[2]])

    def pose(self, c: Controls, t_ms: float) -> BodyPose:
        """Joint parameters for controls ``c`` at ``t_ms`` (time only drives a slight sway)."""
        s = self.shape
        f = self.faults
        w = c.depth
        bottom = self._hip_bottom(self.knee_bottom_deg + c.jitter)
        hip = (self.hip_stand + c.stance * (self.hip_top - self.hip_stand)
               + w * (bottom - self.hip_top))
        sway = 0.004 * s.height_m * np.sin(t_ms / 900.0)
        hip = hip + np.array([sway, 0.0, 0.0])
        back_ball = self.back_ball_stand + c.stance * (self.back_ball_split
                                                       - self.back_ball_stand)
        back_ball = back_ball + np.array([0.0, 0.0, 0.07 * np.sin(np.pi * c.stance)])
        pitch = c.stance * (self.pitch_top_deg + w * (self.pitch_bottom_deg
                                                      - self.pitch_top_deg))
        lean = 3.0 * w + 0.8 * np.sin(t_ms / 1300.0)
        tilt = lumbar = roll = thoracic = 0.0
        arms = c.arms
        if self.carriage is ArmCarriage.OVERHEAD:
            arms = max(arms, c.stance)
        k = self.style.severity * w
        if "trunk_lean_forward" in f:
            lean += 36.0 * k
        if "trunk_lean_back" in f:
            lean -= (17.0 + 4.0 * arms) * k  # raised arms bring the chest 4 deg forward
        if "hip_not_extended" in f:
            lean += 8.0 * k
        if "arched_back" in f:
            tilt += 12.0 * k
            lumbar += 32.0 * k
            # Some people keep the chest more upright and arch only low in the back.
            thoracic = -self.style.chest_upright * (lumbar - tilt)
            # The pelvis tips forward over the back thigh (the hip flexes: the stretch is lost)
            # and the arch brings the shoulders back up over it, so the shoulder-hip line stays
            # about upright: the fault is in the back's shape. A trunk leaning back as a whole is
            # trunk_lean_back (the two together: both codes).
            lean += ARCH_PELVIS_PITCH_DEG * k * (1.0 - self.style.chest_upright)
        if "pelvis_not_level" in f:
            roll = 10.0 * k * self.sign_front  # the back leg's hip drops
        knee_turn = 22.0 * k if "knee_cave" in f else 0.0
        front_leg = LegTarget(self.front_ankle + np.array([off_x(s), 0.0, -s.ankle_height]),
                              0.0, knee_turn)
        back_leg = LegTarget(back_ball, float(pitch))
        left, right = (front_leg, back_leg) if self.front is Side.LEFT else (back_leg, front_leg)
        chest = lean + tilt - lumbar - thoracic  # the chest's forward pitch, arms down
        if self.carriage is ArmCarriage.HANGING:  # vertical: undo the chest's pitch
            down, elbow = chest, 8.0
        else:
            down, elbow = 6.0 + 10.0 * w, 12.0 + 10.0 * w
        arm = ArmPose(flex_deg=down + arms * (165.0 - down), abd_deg=7.0 + 5.0 * arms,
                      elbow_deg=elbow * (1.0 - arms) + 5.0 * arms)
        return BodyPose(root=hip, left_leg=left, right_leg=right, pitch_deg=lean,
                        pelvis_tilt_deg=tilt, pelvis_roll_deg=roll, lumbar_ext_deg=lumbar,
                        thoracic_ext_deg=thoracic - 4.0 * arms,
                        # Eyes stay on the horizon: the neck undoes most of the chest's pitch.
                        neck_flex_deg=4.0 - 0.8 * (chest + 4.0 * arms),
                        left_arm=arm, right_arm=arm)


def off_x(shape: BodyShape) -> float:
    """Forward distance from the ankle to the ball of the foot (foot flat)."""
    return float(ball_offset(shape)[0])


class BridgePoser:
    """Glute bridge postures: lying on the back along x, head toward -x, feet toward +x.

    The shoulders stay on the floor; the hips rise on an arc about them while the feet stay
    planted, and the knees follow by inverse kinematics.
    """

    def __init__(self, shape: BodyShape, faults: frozenset[str],
                 rng: np.random.Generator, variety: np.random.Generator | None = None) -> None:
        self.shape = shape
        self.faults = faults
        self.style = FaultStyle.sample(variety)
        self._upper_cache: dict[tuple[float, float], np.ndarray] = {}
        s = shape
        h = s.height_m
        self.shoulder_z = 0.92 * s.chest_depth
        self.hip_rest_z = 0.058 * h
        self.shoulder_x = 0.0
        self.foot_y = s.hip_half_width * float(rng.uniform(1.0, 1.5))
        if "knee_flare" in faults:
            self.foot_y = s.hip_half_width * 1.1
        knee_top = float(rng.uniform(86.0, 96.0))
        if "feet_too_close" in faults:
            knee_top = float(rng.uniform(58.0, 66.0))
        if "feet_too_far" in faults:
            knee_top = float(rng.uniform(122.0, 132.0))
        self.hip_top_deg = float(rng.uniform(176.0, 182.0))
        if "low_bridge" in faults:
            # lifted, but short of the line: between where the counter takes a lift for a rep
            # (150 from a rest at 135) and the engine's low-bridge limit (165)
            self.hip_top_deg = float(rng.uniform(155.0, 163.0))
        if "overextended" in faults:
            self.hip_top_deg = float(rng.uniform(198.0, 206.0))
        self.ankle_x = self._solve_feet(knee_top)
        if "arched_back" in faults:
            # the arch also pushes the hips a little higher: 187-190, between the engine's
            # limits for an arch (185) and for over-extension (192)
            self.hip_top_z = self._solve_hip_z(187.0 + (self.hip_top_deg - 176.0) / 2.0,
                                               self.ankle_x)

    def _upper(self, tilt: float, lumbar: float) -> np.ndarray:
        """Shoulder-centre offset from the hip centre in the upright root frame."""
        key = (round(tilt, 6), round(lumbar, 6))
        if key not in self._upper_cache:
            zero = LegTarget(np.array([0.0, 0.0, -1.0]))
            sk = forward_kinematics(self.shape, BodyPose(np.zeros(3), zero, zero,
                                                         pelvis_tilt_deg=tilt,
                                                         lumbar_ext_deg=lumbar))
            self._upper_cache[key] = 0.5 * (sk.shoulders[0] + sk.shoulders[1])
        return self._upper_cache[key]

    def _root(self, hip_z: float, tilt: float, lumbar: float) -> tuple[np.ndarray, float]:
        """Hip centre and body pitch that keep the shoulders on the floor at ``hip_z``."""
        v = self._upper(tilt, lumbar)
        c = self.shoulder_z - hip_z
        radius = float(np.hypot(v[0], v[2]))
        delta = float(np.arctan2(v[0], v[2]))
        pitch = -np.arccos(np.clip(c / radius, -1.0, 1.0)) - delta
        world = rot_y(np.degrees(pitch)) @ v
        return np.array([self.shoulder_x - world[0], 0.0, hip_z]), float(np.degrees(pitch))

    def _skeleton(self, hip_z: float, ankle_x: float, tilt: float = 0.0, lumbar: float = 0.0):
        root, pitch = self._root(hip_z, tilt, lumbar)
        s = self.shape
        legs = [LegTarget(np.array([ankle_x + off_x(s), y, 0.0])) for y in (self.foot_y,
                                                                            -self.foot_y)]
        return forward_kinematics(s, BodyPose(root, legs[0], legs[1], pitch_deg=pitch))

    def _hip_angle(self, hip_z: float, ankle_x: float) -> float:
        from formcheck.render.truth_angles import bridge_hip_angle

        return bridge_hip_angle(self._skeleton(hip_z, ankle_x))

    def _solve_hip_z(self, target_deg: float, ankle_x: float) -> float:
        lo, hi = self.hip_rest_z, 0.9 * (self.shape.thigh + self.shape.shin)
        for _ in range(16):  # 0.8 m / 2**16: ~0.01 mm
            mid = 0.5 * (lo + hi)
            if self._hip_angle(mid, ankle_x) < target_deg:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def _solve_feet(self, knee_deg: float) -> float:
        """Ankle x giving ``knee_deg`` at the top of a clean bridge."""
        from formcheck.render.truth_angles import interior_deg

        s = self.shape
        lo, hi = 0.3 * s.height_m, 0.75 * s.height_m
        for _ in range(13):  # 0.8 m / 2**13: 0.1 mm
            mid = 0.5 * (lo + hi)
            z = self._solve_hip_z(self.hip_top_deg, mid)
            sk = self._skeleton(z, mid)
            knee = interior_deg(sk.hips[0], sk.knees[0], sk.ankles[0])
            if knee < knee_deg:
                lo = mid
            else:
                hi = mid
        self.hip_top_z = self._solve_hip_z(self.hip_top_deg, 0.5 * (lo + hi))
        return 0.5 * (lo + hi)

    def pose(self, c: Controls, t_ms: float) -> BodyPose:
        """Joint parameters for controls ``c`` at ``t_ms``."""
        s = self.shape
        f = self.faults
        w = c.depth
        tilt = lumbar = twist = turn = 0.0
        k = self.style.severity * w
        if "arched_back" in f:
            tilt += 14.0 * k
            lumbar += 22.0 * k
        if "hip_drop" in f:
            twist = 11.0 * k * self.style.drop_side
        if "knee_cave" in f:
            turn = 24.0 * k
        if "knee_flare" in f:
            turn = -22.0 * k
        top = self.hip_top_z * (1.0 + 0.004 * c.jitter)
        hip_z = self.hip_rest_z + w * (top - self.hip_rest_z)
        root, pitch = self._root(hip_z, tilt, lumbar)
        legs = [LegTarget(np.array([self.ankle_x + off_x(s), y, 0.0]), 0.0, turn)
                for y in (self.foot_y, -self.foot_y)]
        rest_pitch = self._root(self.hip_rest_z, 0.0, 0.0)[1]
        arm = ArmPose(flex_deg=84.0, abd_deg=14.0, elbow_deg=0.0, in_world=True)
        return BodyPose(root=root, left_leg=legs[0], right_leg=legs[1], pitch_deg=pitch,
                        pelvis_tilt_deg=tilt, pelvis_twist_deg=twist, lumbar_ext_deg=lumbar,
                        neck_flex_deg=(rest_pitch - pitch) + 0.5 * np.sin(t_ms / 1100.0),
                        left_arm=arm, right_arm=arm)
