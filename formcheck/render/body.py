"""The mannequin's body: proportions, the joint parameters of one posture, forward kinematics.

Proportions follow the classic segment-length fractions of stature (Drillis & Contini, as
tabulated by Winter, *Biomechanics and Motor Control of Human Movement*), with seeded variation
so no two renders share a body. Frames are right-handed, metres, z up; a body frame has x pointing
where the person faces, y to their left, z toward the head.

Chain: root (hip-joint midpoint; overall pitch/yaw of the trunk line) -> pelvis (tilt, roll,
twist) -> legs by two-link inverse kinematics to the feet; root -> lumbar (pelvis tilt minus lumbar
extension) -> thorax -> neck/head and arms. Tilting the pelvis and extending the lumbar segment
by matching amounts arches the lower back while the chest stays upright, which is exactly the
compensation the ``arched_back`` fault describes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.render.geometry import rot_axis, rot_x, rot_y, rot_z, unit


@dataclass(frozen=True)
class BodyShape:
    """Segment lengths and girths in metres (fractions of ``height_m`` from anthropometry)."""

    height_m: float
    hip_half_width: float  # hip joint centre to the midline
    pelvis_height: float  # hip joint centres -> lumbosacral joint
    lumbar_len: float
    thorax_len: float  # thoracolumbar joint -> base of the neck
    shoulder_half_width: float  # shoulder joint centre to the midline
    shoulder_drop: float  # base of the neck -> shoulder joint centres, downward
    neck_len: float  # base of the neck -> head centre
    head_radii: tuple[float, float, float]  # depth, half width, half height
    upper_arm: float
    forearm: float
    hand: float
    thigh: float
    shin: float  # knee joint -> ankle joint
    ankle_height: float
    heel_back: float  # ankle -> back of the heel
    toe_front: float  # ankle -> tip of the toes
    thigh_girth: float  # radius of the thigh muscle at its widest
    calf_girth: float
    arm_girth: float
    waist_girth: float  # half width of the waist
    chest_depth: float  # half depth of the thorax
    hip_girth: float  # half width of the pelvis / buttocks

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BodyShape:
        """A plausible adult: stature 1.55-1.92 m, +-4% on segment fractions, +-12% on girths."""
        h = float(rng.uniform(1.55, 1.92))

        def f(frac: float, spread: float = 0.04) -> float:
            return frac * h * float(rng.uniform(1.0 - spread, 1.0 + spread))

        build = float(rng.uniform(0.88, 1.12))
        return cls(
            height_m=h,
            hip_half_width=f(0.051),
            pelvis_height=f(0.068, 0.02),
            lumbar_len=f(0.100, 0.03),
            thorax_len=f(0.155, 0.03),
            shoulder_half_width=f(0.104),
            shoulder_drop=f(0.022, 0.02),
            neck_len=f(0.088, 0.03),
            head_radii=(f(0.056, 0.03), f(0.044, 0.03), f(0.066, 0.03)),
            upper_arm=f(0.186),
            forearm=f(0.146),
            hand=f(0.108, 0.03),
            thigh=f(0.245),
            shin=f(0.246),
            ankle_height=f(0.039, 0.02),
            heel_back=f(0.028, 0.03),
            toe_front=f(0.124, 0.03),
            thigh_girth=0.036 * h * build,
            calf_girth=0.026 * h * build,
            arm_girth=0.022 * h * build,
            waist_girth=0.078 * h * build,
            chest_depth=0.060 * h * build,
            hip_girth=0.095 * h * build,
        )

    @classmethod
    def average(cls) -> BodyShape:
        """The unvaried 1.75 m body (tests want round numbers)."""
        h = 1.75
        return cls(h, 0.051 * h, 0.068 * h, 0.100 * h, 0.155 * h, 0.104 * h, 0.022 * h,
                   0.088 * h, (0.056 * h, 0.044 * h, 0.066 * h), 0.186 * h, 0.146 * h, 0.108 * h,
                   0.245 * h, 0.246 * h, 0.039 * h, 0.028 * h, 0.124 * h, 0.036 * h, 0.026 * h,
                   0.022 * h, 0.078 * h, 0.060 * h, 0.095 * h)


@dataclass(frozen=True)
class ArmPose:
    """One arm: flexion raises it forward (180 = overhead), abduction raises it sideways."""

    flex_deg: float = 5.0
    abd_deg: float = 8.0
    elbow_deg: float = 10.0  # elbow flexion, 0 = straight
    in_world: bool = False  # angles relative to the upright world (arms resting on the floor)


@dataclass(frozen=True)
class LegTarget:
    """Where a foot goes, and how the knee above it points.

    ``ball`` ``(3,)`` is the world point under the ball of the foot, ``pitch_deg`` the heel raise
    about it (0 = flat). ``knee_turn_deg`` turns the knee's bending plane about the hip-ankle
    line, positive toward the midline (valgus, knee caving in).
    """

    ball: np.ndarray
    pitch_deg: float = 0.0
    knee_turn_deg: float = 0.0


@dataclass(frozen=True)
class BodyPose:
    """Every joint parameter of one posture (degrees; positions in world metres).

    ``root`` is the hip-joint midpoint; ``pitch_deg`` leans the whole trunk line forward (a hip
    hinge), ``yaw_deg`` turns the facing direction from +x. ``pelvis_tilt_deg`` is anterior tilt
    relative to that line, ``lumbar_ext_deg`` lumbar extension relative to the pelvis,
    ``thoracic_ext_deg`` thoracic extension relative to the lumbar segment.
    """

    root: np.ndarray
    left_leg: LegTarget
    right_leg: LegTarget
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    pelvis_tilt_deg: float = 0.0
    pelvis_roll_deg: float = 0.0  # + = left hip up (frontal plane)
    pelvis_twist_deg: float = 0.0  # about the trunk's long axis, + = left hip forward
    lumbar_ext_deg: float = 0.0
    thoracic_ext_deg: float = 0.0
    neck_flex_deg: float = 0.0  # + = chin toward the chest
    left_arm: ArmPose = ArmPose()
    right_arm: ArmPose = ArmPose()


@dataclass(frozen=True, eq=False)
class Skeleton:
    """Joint centres ``(3,)`` and segment frames ``(3, 3)`` (columns = body x, y, z) in world.

    ``facing`` is the unit horizontal direction the person faces, ``left`` their left.
    """

    hip_centre: np.ndarray
    root: np.ndarray  # the trunk line's neutral frame (pitch and yaw only)
    pelvis: np.ndarray
    lumbar: np.ndarray
    thorax: np.ndarray
    head: np.ndarray
    lumbar_joint: np.ndarray
    thoracic_joint: np.ndarray
    neck_base: np.ndarray
    head_centre: np.ndarray
    hips: tuple[np.ndarray, np.ndarray]  # (left, right)
    knees: tuple[np.ndarray, np.ndarray]
    ankles: tuple[np.ndarray, np.ndarray]
    feet: tuple[np.ndarray, np.ndarray]  # foot frames
    shoulders: tuple[np.ndarray, np.ndarray]
    elbows: tuple[np.ndarray, np.ndarray]
    wrists: tuple[np.ndarray, np.ndarray]
    hands: tuple[np.ndarray, np.ndarray]  # hand frames, z along the hand toward the fingers
    facing: np.ndarray
    left: np.ndarray
    shape: BodyShape


def two_link(hip: np.ndarray, target: np.ndarray, upper: float, lower: float,
             hint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knee and ankle of a two-link limb from ``hip`` reaching for ``target``.

    The knee bends toward ``hint`` (its part perpendicular to the hip-target line). Targets out of
    reach are approached along the line with the limb straight.
    """
    span = target - hip
    dist = float(np.linalg.norm(span))
    axis = span / dist
    dist = float(np.clip(dist, abs(upper - lower) + 1e-6, 0.999 * (upper + lower)))
    side = hint - float(hint @ axis) * axis
    side = unit(side)
    # Law of cosines: distance of the knee along the axis and away from it.
    along = (upper * upper - lower * lower + dist * dist) / (2.0 * dist)
    off = np.sqrt(max(upper * upper - along * along, 0.0))
    knee = hip + along * axis + off * side
    return knee, hip + dist * axis


def frame_from_axis(z_axis: np.ndarray, y_hint: np.ndarray) -> np.ndarray:
    """``(3, 3)`` frame (columns x, y, z) with z along ``z_axis`` and y as close to ``y_hint``."""
    z = unit(z_axis)
    y = y_hint - float(y_hint @ z) * z
    if np.linalg.norm(y) < 1e-6:
        y = np.cross(z, np.array([1.0, 0.0, 0.0]))
    y = unit(y)
    return np.stack([np.cross(y, z), y, z], axis=1)


def foot_frame(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Foot frame for a facing ``yaw_deg`` and heel raise ``pitch_deg`` (toes down)."""
    return rot_z(yaw_deg) @ rot_y(pitch_deg)


def ball_offset(shape: BodyShape) -> np.ndarray:
    """Ball of the foot relative to the ankle in the foot frame."""
    return np.array([0.76 * shape.toe_front, 0.0, -shape.ankle_height])


def pelvis_frame(pose: BodyPose) -> np.ndarray:
    """World frame of the pelvis."""
    root = rot_z(pose.yaw_deg) @ rot_y(pose.pitch_deg)
    return (root @ rot_z(pose.pelvis_twist_deg) @ rot_x(pose.pelvis_roll_deg)
            @ rot_y(pose.pelvis_tilt_deg))


def forward_kinematics(shape: BodyShape, pose: BodyPose) -> Skeleton:
    """Place every joint of ``shape`` in ``pose``."""
    root = rot_z(pose.yaw_deg) @ rot_y(pose.pitch_deg)
    pelvis = pelvis_frame(pose)
    lumbar = root @ rot_y(pose.pelvis_tilt_deg - pose.lumbar_ext_deg)
    thorax = lumbar @ rot_y(-pose.thoracic_ext_deg)
    head = thorax @ rot_y(pose.neck_flex_deg)
    hc = np.asarray(pose.root, dtype=np.float64)
    h = shape.height_m
    lumbar_joint = hc + pelvis @ np.array([-0.012 * h, 0.0, shape.pelvis_height])
    thoracic_joint = lumbar_joint + lumbar @ np.array([0.0, 0.0, shape.lumbar_len])
    neck_base = thoracic_joint + thorax @ np.array([-0.008 * h, 0.0, shape.thorax_len])
    head_centre = neck_base + head @ np.array([0.014 * h, 0.0, shape.neck_len])

    facing = rot_z(pose.yaw_deg) @ np.array([1.0, 0.0, 0.0])
    left = rot_z(pose.yaw_deg) @ np.array([0.0, 1.0, 0.0])
    body_forward = pelvis[:, 0]

    hips, knees, ankles, feet = [], [], [], []
    for sign, leg in ((1.0, pose.left_leg), (-1.0, pose.right_leg)):
        hip = hc + pelvis @ np.array([0.0, sign * shape.hip_half_width, 0.0])
        foot = foot_frame(pose.yaw_deg, leg.pitch_deg)
        ankle_target = np.asarray(leg.ball, dtype=np.float64) - foot @ ball_offset(shape)
        axis = unit(ankle_target - hip)
        # Knees point where the pelvis faces; turning the bend plane about the hip-ankle line
        # moves the knee toward the midline (valgus) for positive angles.
        hint = rot_axis(axis, sign * leg.knee_turn_deg) @ body_forward
        knee, ankle = two_link(hip, ankle_target, shape.thigh, shape.shin, hint)
        hips.append(hip)
        knees.append(knee)
        ankles.append(ankle)
        feet.append(foot)

    shoulders, elbows, wrists, hands = [], [], [], []
    for sign, arm in ((1.0, pose.left_arm), (-1.0, pose.right_arm)):
        shoulder = neck_base + thorax @ np.array([0.006 * h, sign * shape.shoulder_half_width,
                                                  -shape.shoulder_drop])
        base = rot_z(pose.yaw_deg) if arm.in_world else thorax
        upper = base @ rot_x(sign * arm.abd_deg) @ rot_y(-arm.flex_deg)
        fore = upper @ rot_y(-arm.elbow_deg)
        elbow = shoulder + upper @ np.array([0.0, 0.0, -shape.upper_arm])
        wrist = elbow + fore @ np.array([0.0, 0.0, -shape.forearm])
        shoulders.append(shoulder)
        elbows.append(elbow)
        wrists.append(wrist)
        # Hand frame: z toward the fingers, y to the body's left like the forearm's.
        hands.append(frame_from_axis(-fore[:, 2], fore[:, 1]))

    return Skeleton(hc, root, pelvis, lumbar, thorax, head, lumbar_joint, thoracic_joint, neck_base,
                    head_centre, (hips[0], hips[1]), (knees[0], knees[1]),
                    (ankles[0], ankles[1]), (feet[0], feet[1]), (shoulders[0], shoulders[1]),
                    (elbows[0], elbows[1]), (wrists[0], wrists[1]), (hands[0], hands[1]),
                    facing, left, shape)
