"""Named joint angles and inclinations from smoothed landmarks (definitions: docs in METRICS).

Angles between three landmarks come from the checked table :data:`ANGLES`; inclinations are
measured against the floor-normal of :class:`~formcheck.engine.view.ViewState`, never the image
vertical. Side view uses the image plane (the sagittal plane faces the camera); front and oblique
views take joint angles from the 3D world landmarks, where the image would foreshorten them, and
leave sagittal inclinations unknown. Unknown inputs give NaN, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from formcheck.engine.floor import ankle_rise, leg_length
from formcheck.engine.geometry import (
    NAN,
    Vec,
    angle_deg,
    incline_deg,
    ldot,
    lmid,
    lsub,
    nanmean2,
    nanmin2,
    triangle_angle_deg,
    wrap_deg,
)
from formcheck.engine.types import Side, View
from formcheck.engine.view import Posture, ViewState
from formcheck.pose.landmarks import LM

#: Interior angles as landmark triplets (a, vertex, c); tests check each is two skeleton bones.
ANGLES: Mapping[str, tuple[LM, LM, LM]] = {
    "left_knee_deg": (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
    "right_knee_deg": (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
    "left_hip_deg": (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE),
    "right_hip_deg": (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE),
}

#: Every metric the engine may report, with its meaning (units in the names).
METRICS: Mapping[str, str] = {
    "left_knee_deg": "left hip-knee-ankle angle, 180 = straight",
    "right_knee_deg": "right hip-knee-ankle angle, 180 = straight",
    "left_hip_deg": "left shoulder-hip-knee angle",
    "right_hip_deg": "right shoulder-hip-knee angle",
    "lunge_knee_deg": "front knee angle as its landmarks read (never from the lengths), the "
                      "smaller one while the front leg is unknown (from "
                      "the side standing, the whole leg's where only one reads whole: the lunge "
                      "counter's signal there)",
    "lunge_depth_deg": "knee-equivalent angle from hip height vs standing (other views)",
    "lunge_signal_deg": "what the lunge counter runs on: lunge_knee_deg from the side (no "
                        "straighter than the hips' drop allows), else lunge_depth_deg",
    "lunge_bottom_deg": "the deeper of front_knee_deg and lunge_depth_deg, while the front knee "
                        "is known (how deep the lunge went: a hand over the knee can hide its "
                        "bend from the pose model, not the hips' drop)",
    "hip_height_ratio": "hip centre above the lowest foot point, along the floor-normal / trunk",
    "hip_height_px": "hip centre above the lowest foot point, along the floor-normal, in pixels "
                     "(the lunge's hip drop: the trunk's image length changes as it leans)",
    "back_knee_drop_ratio": "back knee below the front knee along the floor-normal / trunk, 0 "
                            "when above (the back leg: the one whose ankle shows higher; front "
                            "and oblique views)",
    "ankle_height_diff_ratio": "height difference of the ankles / trunk (split stance from the "
                               "front: the back foot is further away)",
    "knee_height_diff_ratio": "height difference of the knees / trunk (back knee drops)",
    "front_knee_deg": "front leg hip-knee-ankle angle (~90 at a good lunge bottom); from the "
                      "side, while only the front leg reads too short, the angle the usual "
                      "thigh and shin lengths give for the hip-ankle distance where deeper",
    "back_knee_deg": "back leg hip-knee-ankle angle",
    "front_shin_deg": "front shin from the floor-normal, + knee ahead of the ankle; unknown "
                      "while either leg reads too short to be one (legs mixed up)",
    "back_hip_ext_deg": "back thigh behind the trunk line, both from the hip centre, + extension "
                        "(includes any arch); unknown while either leg reads too short",
    "trunk_lean_deg": "trunk from the floor-normal, + forward",
    "bridge_hip_deg": "shoulder-hip-knee angle, 180 = in line, > 180 hips above the line; from "
                      "the feet estimated from end_on_hips_below_shoulders_px against its "
                      "level lying flat",
    "end_on_hips_below_shoulders_px": "lying, seen end-on: hip centre below the shoulder "
                                      "centre in the picture, in pixels (from the feet; "
                                      "shrinks as the hips rise)",
    "end_on_shoulder_width_px": "lying, seen end-on: distance between the shoulders in the "
                                "picture",
    "bridge_knee_deg": "hip-knee-ankle angle on the bridge (~90 at the top)",
    "leg_raise_deg": "lying: how far one ankle is raised above the other, as the angle of a "
                     "leg that high (single-leg bridge), 0 = both feet down; unknown end-on and, "
                     "from the side, while the raised leg reads too short to be one",
    "pelvis_level_deg": "hip line against the floor line, + left hip higher",
    "pelvis_level_change_deg": "size of pelvis_level_deg's change from the person's own level "
                               "at rest (front view)",
    "left_knee_valgus_deg": "left knee inside the hip-ankle line, + toward the midline",
    "right_knee_valgus_deg": "right knee inside the hip-ankle line, + toward the midline",
    "knee_valgus_deg": "working knee (front leg / larger of both) inside the hip-ankle line",
    "knee_width_ratio": "lateral distance between the knees / between the ankles",
    "stance_width_ratio": "lateral distance between the feet / hip width",
    "arch_proxy_deg": "apparent arch: back-hip extension beyond anatomy or trunk tilting back",
    "lumbar_curve_ratio": "depth of the back contour's lumbar curve / trunk length (mask)",
    "lumbar_curve_rise": "lumbar_curve_ratio above the person's own baseline",
}

_FEET = (LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL, LM.LEFT_FOOT_INDEX,
         LM.RIGHT_FOOT_INDEX)

_LEGS = {
    Side.LEFT: (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
    Side.RIGHT: (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
}


def table_angles(points: Sequence[Sequence[float]]) -> dict[str, float]:
    """All :data:`ANGLES` from 33 points (image or world; array rows or float lists)."""
    return {name: angle_deg(points[a], points[b], points[c]) for name, (a, b, c) in ANGLES.items()}


def _other(side: Side) -> Side:
    return Side.RIGHT if side is Side.LEFT else Side.LEFT


Pts = list[list[float]]


def _thigh_ext_deg(shoulders: Vec, hips: Vec, knee: Vec, up: Vec, fwd: Vec) -> float:
    """Back thigh (``hips`` -> ``knee``) behind the downward trunk line, degrees (+ = extension).

    Trunk and thigh start from the centres of the shoulders and of the hips. From the side both
    hips (and both shoulders) show a few pixels apart, and MediaPipe's side labels for the legs
    often disagree with those of the hips, so a line from one side's hip can belong to the other
    leg. On rendered side-view lunges the centres took the median error from 7.3 to 4.7 deg
    (seeds 1-8) and from 6.4 to 4.0 (seeds 9-16).
    """
    down = [-up[0], -up[1]]
    trunk_down = incline_deg(lsub(hips, shoulders), down, fwd)
    thigh = incline_deg(lsub(knee, hips), down, fwd)
    return wrap_deg(trunk_down - thigh)


def _valgus_deg(p: Pts, side: Side, medial: Vec) -> float:
    """Signed angle at the hip between hip->ankle and hip->knee, + knee toward ``medial``."""
    _, hip, knee, ankle = _LEGS[side]
    ha = lsub(p[ankle], p[hip])
    hk = lsub(p[knee], p[hip])
    a = angle_deg(p[ankle], p[hip], p[knee])
    if math.isnan(a):
        return NAN
    # which side of the hip-ankle line the knee is on, measured along the medial direction
    n = [-ha[1], ha[0]]
    if ldot(n, medial) < 0:
        n = [-n[0], -n[1]]
    return a if ldot(hk, n) > 0 else -a


def _bridge_knee(p: Pts, leg: Side) -> Vec:
    """Knee of the leg on the floor (single-leg bridge), else the knees' midpoint."""
    if leg is Side.LEFT:
        return p[LM.LEFT_KNEE]
    if leg is Side.RIGHT:
        return p[LM.RIGHT_KNEE]
    return lmid(p[LM.LEFT_KNEE], p[LM.RIGHT_KNEE])


#: Lying on the back, a shoulder-hip-knee angle in the picture outside this is no body's: below
#: 90 the thighs would be pulled to the chest, above 230 the hips 50 deg above the shoulder-knee
#: line. Such a reading is landmarks mixed up (a rendered 3/4 bridge at rest, read with the head
#: at the feet, gave 9-55 and 347-360, and counted two reps that never were), not a bridge.
BRIDGE_HIP_BELIEVABLE_DEG = (90.0, 230.0)


def believable_bridge_hip_deg(deg: float) -> float:
    """``deg`` if a lying body can make that hip angle (BRIDGE_HIP_BELIEVABLE_DEG), else NaN."""
    lo, hi = BRIDGE_HIP_BELIEVABLE_DEG
    return deg if lo <= deg <= hi else NAN


def _bridge_hip_deg(p: Pts, up: Vec, leg: Side = Side.BOTH) -> float:
    """Shoulder-hip-knee angle, reflexive (> 180) when the hip is above the shoulder-knee line."""
    s = lmid(p[LM.LEFT_SHOULDER], p[LM.RIGHT_SHOULDER])
    h = lmid(p[LM.LEFT_HIP], p[LM.RIGHT_HIP])
    k = _bridge_knee(p, leg)
    a = angle_deg(s, h, k)
    if math.isnan(a):
        return NAN
    line = lsub(k, s)
    n = [-line[1], line[0]]
    if ldot(n, up) < 0:
        n = [-n[0], -n[1]]
    return 360.0 - a if ldot(lsub(h, s), n) > 0 else a


def _leg_raise_deg(p: Pts, up: Vec, vs: ViewState) -> float:
    """Lying: angle a leg would be lifted to raise its ankle that far above the other ankle.

    From the side or at 3/4 a raised leg lifts its ankle far off the floor; the ankle height
    difference over the leg length (image) is scale-free and needs no knee angle. Unknown:

    - end-on (from the feet or the head, View.FRONT): the legs point at the camera, and a
      rendered two-leg bridge seen from the feet, one leg read along an arm, read up to 40 deg up
      with both feet down at the top and counted 5 lifts in 2 bridges (another read 53 with the
      legs whole). Lifts there are counted on the hips' rise alone (the bridge counter).
    - from the side, while the raised leg reads too short to be one (laid over the other): there
      a leg keeps its length when raised. At 3/4 it does not (a raised straight leg read down to
      0.6 of the floor leg on synthetic views), so there a folded leg is not told from a raised
      one, and a rendered two-leg bridge at 3/4 still counts 4 lifts in 2 bridges.
    """
    if vs.view is View.FRONT:
        return NAN
    leg = leg_length(p)
    rise = ankle_rise(p, up)
    if not (math.isfinite(rise) and math.isfinite(leg)) or leg <= 1e-9:
        return NAN
    if vs.view is View.SIDE and not _side_whole(p, Side.LEFT if rise > 0 else Side.RIGHT, vs):
        return NAN
    return math.degrees(math.asin(min(1.0, abs(rise) / leg)))


def _bend_ahead(p: Pts, hip: int, knee: int, ankle: int, fwd: Vec) -> float:
    """How far the knee sits ahead of the hip-ankle line along ``fwd`` (px); knees bend forward."""
    h, k, a = p[hip], p[knee], p[ankle]
    d = lsub(a, h)
    n2 = ldot(d, d)
    if not math.isfinite(n2) or n2 < 1e-9:
        return NAN
    w = ldot(lsub(k, h), d) / n2
    proj = [h[0] + w * d[0], h[1] + w * d[1]]
    return ldot(lsub(k, proj), fwd)


def unswap_knees(p: Pts, fwd: Vec) -> Pts:
    """Side view: undo MediaPipe's left/right knee mix-up, which bends a knee backwards.

    Near the bottom of a lunge the two knees can trade labels while hips and ankles keep theirs;
    knees only bend forward, so if trading them back makes the worse leg bend less backwards the
    labels were swapped. Returns ``p`` itself or a corrected copy.
    """
    lk, rk = LM.LEFT_KNEE, LM.RIGHT_KNEE
    now = min(_bend_ahead(p, LM.LEFT_HIP, lk, LM.LEFT_ANKLE, fwd),
              _bend_ahead(p, LM.RIGHT_HIP, rk, LM.RIGHT_ANKLE, fwd))
    if not (now < 0):  # NaN or both knees forward: leave as is
        return p
    q = list(p)
    q[lk], q[rk] = p[rk], p[lk]
    swapped = min(_bend_ahead(q, LM.LEFT_HIP, lk, LM.LEFT_ANKLE, fwd),
                  _bend_ahead(q, LM.RIGHT_HIP, rk, LM.RIGHT_ANKLE, fwd))
    return q if swapped > now else p


def _back_knee_drop(p: Pts, height: Callable[[Vec], float]) -> float:
    """How far the back knee shows below the front knee along the floor-normal, 0 if above.

    The back leg is the one whose ankle shows higher: its foot is further from the camera. For
    the same reason the back knee of a split stance shows *higher* than the front knee (a
    rendered front view: 25-35 px), which read as a dropped knee while standing; only a back knee
    below the front one is a drop. An ankle not seen: unknown.
    """
    left_ankle, right_ankle = height(p[LM.LEFT_ANKLE]), height(p[LM.RIGHT_ANKLE])
    left_knee, right_knee = height(p[LM.LEFT_KNEE]), height(p[LM.RIGHT_KNEE])
    if left_ankle >= right_ankle:
        drop = right_knee - left_knee
    elif right_ankle > left_ankle:
        drop = left_knee - right_knee
    else:  # NaN
        return NAN
    return max(0.0, drop) if math.isfinite(drop) else NAN


def _leg_whole(hip: Vec, knee: Vec, ankle: Vec, vs: ViewState) -> bool:
    """False when the thigh or shin reads too short to be one (legs laid over each other)."""
    return not (math.dist(hip, knee) < vs.thigh_min_px or math.dist(knee, ankle) < vs.shin_min_px)


def _knee_from_lengths(hip: Vec, ankle: Vec, vs: ViewState) -> float:
    """The knee angle the usual thigh and shin lengths give for this hip-ankle distance.

    For a front leg read too short while the back leg reads whole: at deep lunge bottoms,
    most with the shin far forward, MediaPipe draws that knee back toward the hip-ankle line
    (the angle read 20-35 deg open, the hip and ankle within a few pixels). The usual lengths
    pool both legs, and the far leg shows shorter: on rendered side lunges these angles read a
    median 9 deg deep on such frames where the landmarks read 17 open (bench/ACCURACY_LOG.md).
    It assumes the hip and ankle are right: an ankle read up the shin reads deep too.
    """
    return triangle_angle_deg(vs.thigh_px, vs.shin_px, math.dist(hip, ankle))


def _side_read(p: Pts, side: Side) -> bool:
    """Whether the hip, knee and ankle of ``side`` are all known."""
    return all(math.isfinite(c) for i in _LEGS[side][1:] for c in p[i])


def _side_whole(p: Pts, side: Side, vs: ViewState) -> bool:
    """:func:`_leg_whole` for the leg of ``side``."""
    return _leg_whole(*(p[i] for i in _LEGS[side][1:]), vs)


def _standing_knee(img: Pts, m: dict[str, float], vs: ViewState) -> float:
    """The smaller knee angle; where only one leg reads whole, that leg's knee angle.

    Seen from the side with the feet together, the far leg is hidden behind the near one and
    MediaPipe may draw it anywhere: on a rendered stepping lunge it read that knee at 65-157
    degrees where it is 175, with its shin at a quarter to two thirds of its length, so the
    counter never saw a rest. A leg not read at all is not the whole one.
    """
    whole = [s for s in (Side.LEFT, Side.RIGHT)
             if math.isfinite(m[f"{s.value}_knee_deg"])
             and _side_whole(img, s, vs)]
    if len(whole) == 1:
        return m[f"{whole[0].value}_knee_deg"]
    return nanmin2(m["left_knee_deg"], m["right_knee_deg"])


def compute_metrics(xy: np.ndarray, world: np.ndarray, vs: ViewState) -> dict[str, float]:
    """Named metrics of one frame; ``xy`` ``(33, 2)`` px, ``world`` ``(33, 3)`` m; NaN = unknown."""
    side_view = vs.view is View.SIDE
    img: Pts = xy.tolist()
    if side_view and vs.facing != 0 and vs.posture is Posture.STANDING:
        al = vs.along.tolist()
        img = unswap_knees(img, [al[0] * vs.facing, al[1] * vs.facing])
    wld: Pts = world.tolist()
    m: dict[str, float] = table_angles(img if side_view else wld)
    front = vs.front
    if front in (Side.LEFT, Side.RIGHT):
        m["front_knee_deg"] = m[f"{front.value}_knee_deg"]
        m["back_knee_deg"] = m[f"{_other(front).value}_knee_deg"]
    else:
        m["front_knee_deg"] = m["back_knee_deg"] = NAN
    # In a split stance the front knee is the lunge knee: the back knee may stay bent between
    # reps (a split squat) and would hold the smaller angle far from the start level.
    m["lunge_knee_deg"] = (m["front_knee_deg"] if math.isfinite(m["front_knee_deg"])
                           else _standing_knee(img, m, vs)
                           if side_view and vs.posture is Posture.STANDING
                           else nanmin2(m["left_knee_deg"], m["right_knee_deg"]))
    up = vs.up.tolist()
    along = vs.along.tolist()
    fwd = [along[0] * vs.facing, along[1] * vs.facing]
    standing = vs.posture is Posture.STANDING
    lying = vs.posture is Posture.LYING
    m["front_shin_deg"] = m["back_hip_ext_deg"] = m["trunk_lean_deg"] = NAN
    sc = lmid(img[LM.LEFT_SHOULDER], img[LM.RIGHT_SHOULDER])
    hc = lmid(img[LM.LEFT_HIP], img[LM.RIGHT_HIP])
    if side_view and standing and vs.facing != 0:
        m["trunk_lean_deg"] = incline_deg(lsub(sc, hc), up, fwd)
        if front in (Side.LEFT, Side.RIGHT):
            # A leg read too short to be one is laid over the other: neither leg's shin or
            # thigh direction is judged, as the other leg's landmarks come from the same
            # mix-up (judged, it called hip not extended on 7 of the 400 side-lunge renders
            # without that fault). The knee angles stay: left unknown as well, they cost count
            # and depth calls on rendered lunges (bench/ACCURACY_LOG.md). Where only the front
            # leg reads short, and the back leg is read, and whole, the front knee is taken as
            # drawn in (its hip and ankle right): its angle comes from the lengths where that
            # is deeper than the landmarks'. ``lunge_knee_deg``, set above, keeps the
            # landmarks' angle: counting on the lengths' angle lost 3 exact counts of 240
            # rendered side lunges.
            hip, knee, ankle = _LEGS[front][1:]
            back = _other(front)
            back_whole = _side_whole(img, back, vs)
            if back_whole and _side_whole(img, front, vs):
                m["front_shin_deg"] = incline_deg(lsub(img[knee], img[ankle]), up, fwd)
                m["back_hip_ext_deg"] = _thigh_ext_deg(sc, hc, img[_LEGS[back][2]], up, fwd)
            elif back_whole and _side_read(img, back):
                m["front_knee_deg"] = nanmin2(m["front_knee_deg"],
                                              _knee_from_lengths(img[hip], img[ankle], vs))
    m["end_on_hips_below_shoulders_px"] = m["end_on_shoulder_width_px"] = NAN
    if lying:
        leg = vs.lying_leg
        if vs.view is View.FRONT:  # end-on the image angle is meaningless. From the feet
            # the session reads the hip angle from the hips' offset below the shoulders
            # (engine/feet_view.py). Where that cannot be used (seen from the head, a camera
            # near the floor) the 3D angle stands in, not checked against
            # BRIDGE_HIP_BELIEVABLE_DEG: the 3D reading of a rest may fall under 90 and still
            # rise with the hips.
            below = ldot(lsub(sc, hc), up)
            m["end_on_hips_below_shoulders_px"] = below if below > 0.0 else NAN
            m["end_on_shoulder_width_px"] = math.dist(img[LM.LEFT_SHOULDER],
                                                      img[LM.RIGHT_SHOULDER])
            s = lmid(wld[LM.LEFT_SHOULDER], wld[LM.RIGHT_SHOULDER])
            h = lmid(wld[LM.LEFT_HIP], wld[LM.RIGHT_HIP])
            m["bridge_hip_deg"] = angle_deg(s, h, _bridge_knee(wld, leg))
        else:  # side, and oblique where the image still shows the sagittal plane best
            m["bridge_hip_deg"] = believable_bridge_hip_deg(_bridge_hip_deg(img, up, leg))
        if leg in (Side.LEFT, Side.RIGHT):
            m["bridge_knee_deg"] = m[f"{leg.value}_knee_deg"]
        else:
            m["bridge_knee_deg"] = nanmean2(m["left_knee_deg"], m["right_knee_deg"])
        m["leg_raise_deg"] = _leg_raise_deg(img, up, vs)
    else:
        m["bridge_hip_deg"] = m["bridge_knee_deg"] = m["leg_raise_deg"] = NAN

    # heights along the floor-normal, in trunk lengths (any view)
    torso = math.dist(sc, hc)
    m["hip_height_ratio"] = m["ankle_height_diff_ratio"] = m["knee_height_diff_ratio"] = NAN
    m["hip_height_px"] = m["back_knee_drop_ratio"] = NAN

    def height(q: Vec) -> float:
        return q[0] * up[0] + q[1] * up[1]
    feet = [f for f in (height(img[i]) for i in _FEET) if math.isfinite(f)]
    if feet:  # needs no shoulders
        m["hip_height_px"] = height(hc) - min(feet)
    if math.isfinite(torso) and torso > 1e-9:
        m["hip_height_ratio"] = m["hip_height_px"] / torso
        m["ankle_height_diff_ratio"] = abs(height(img[LM.LEFT_ANKLE])
                                           - height(img[LM.RIGHT_ANKLE])) / torso
        m["knee_height_diff_ratio"] = abs(height(img[LM.LEFT_KNEE])
                                          - height(img[LM.RIGHT_KNEE])) / torso
        if not side_view:  # from the side both feet are as far away: no back leg by height
            m["back_knee_drop_ratio"] = _back_knee_drop(img, height) / torso

    # front view: frontal-plane checks in the image, against the floor line
    m["pelvis_level_deg"] = m["left_knee_valgus_deg"] = m["right_knee_valgus_deg"] = NAN
    m["knee_valgus_deg"] = m["stance_width_ratio"] = NAN
    m["knee_width_ratio"] = NAN
    # At 3/4 (not square-on) the front knee's reach and the feet's fore-aft spread project
    # across the picture: the frontal plane is not seen (ViewConfig.square_max_turn_deg).
    if vs.view is View.FRONT and vs.square:
        lh, rh = img[LM.LEFT_HIP], img[LM.RIGHT_HIP]
        hip_v = lsub(rh, lh)  # image direction from the left hip to the right hip
        hip_w = math.hypot(*hip_v)
        if math.isfinite(hip_w) and hip_w > 1e-9:
            lat = [hip_v[0] / hip_w, hip_v[1] / hip_w]
            d = [-hip_v[0], -hip_v[1]]  # + when the left hip is higher, whichever way one faces
            m["pelvis_level_deg"] = math.degrees(math.atan2(ldot(d, up), abs(ldot(d, along))))
            feet_w = abs(ldot(lsub(img[LM.LEFT_ANKLE], img[LM.RIGHT_ANKLE]), lat))
            knees_w = abs(ldot(lsub(img[LM.LEFT_KNEE], img[LM.RIGHT_KNEE]), lat))
            if feet_w > 1e-9:
                m["knee_width_ratio"] = knees_w / feet_w
            if not lying:  # lying seen from the feet: legs foreshortened, no valgus angle
                m["left_knee_valgus_deg"] = _valgus_deg(img, Side.LEFT, lat)
                m["right_knee_valgus_deg"] = _valgus_deg(img, Side.RIGHT, [-lat[0], -lat[1]])
                if front in (Side.LEFT, Side.RIGHT):
                    m["knee_valgus_deg"] = m[f"{front.value}_knee_valgus_deg"]
                else:
                    vals = [v for v in (m["left_knee_valgus_deg"], m["right_knee_valgus_deg"])
                            if math.isfinite(v)]
                    m["knee_valgus_deg"] = max(vals) if vals else NAN
                m["stance_width_ratio"] = feet_w / hip_w
    return m
