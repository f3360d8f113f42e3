"""Front-view lunge depth from the knee drop and the hip drop, and the split-stance test behind
auto detection."""

from __future__ import annotations

import math

from formcheck.engine.config import DepthConfig, EngineConfig
from formcheck.engine.depth import RestHeight, hip_drop_deg, knee_drop_deg
from formcheck.engine.view import ViewEstimator
from tests.synth import STAND, Camera, lateral_lunge, lunge, make_pose, squat

CFG = DepthConfig()


def metrics_of(stance, cam: Camera) -> dict[str, float]:
    from formcheck.engine.metrics import compute_metrics

    ve = ViewEstimator(EngineConfig().view)
    for i in range(20):
        p = make_pose(stance, cam, i * 33)
        vs = ve.update(p.t_ms, p.xy, p.world, p.z)
    return compute_metrics(p.xy, p.world, vs)


def test_knee_drop_maps_to_the_knee_angle_scale() -> None:
    assert knee_drop_deg(0.0, CFG) == 180.0
    assert knee_drop_deg(CFG.full_knee_drop_ratio, CFG) == 90.0
    assert knee_drop_deg(5.0, CFG) == 45.0  # clamped: a bad frame cannot run away
    assert math.isnan(knee_drop_deg(math.nan, CFG))


def test_knee_drop_moves_for_lunges_only_in_every_view() -> None:
    for cam in (Camera(yaw_deg=90), Camera(yaw_deg=45)):  # from the side: the knee angle
        stand = knee_drop_deg(metrics_of(STAND, cam)["back_knee_drop_ratio"], CFG)
        bottom = knee_drop_deg(metrics_of(lunge(1.0), cam)["back_knee_drop_ratio"], CFG)
        sq = knee_drop_deg(metrics_of(squat(1.0), cam)["back_knee_drop_ratio"], CFG)
        assert stand > 170 and sq > 165, cam
        assert 60 < bottom < 120, (cam, bottom)
    for cam in (Camera(yaw_deg=90), Camera(yaw_deg=45)):
        for to in ("left", "right"):  # knees stay roughly level in a lateral lunge
            lat = metrics_of(lateral_lunge(1.0, to=to), cam)["back_knee_drop_ratio"]
            assert knee_drop_deg(lat, CFG) > 140, (cam, to)


def test_hip_drop_maps_to_the_knee_angle_scale() -> None:
    assert hip_drop_deg(180.0, 180.0, CFG) == 180.0
    assert hip_drop_deg(200.0, 180.0, CFG) == 180.0  # above standing is standing
    assert math.isclose(hip_drop_deg(180.0 * (1 - CFG.full_hip_drop_share), 180.0, CFG), 90.0)
    assert math.isnan(hip_drop_deg(100.0, math.nan, CFG))
    standing = RestHeight(CFG.standing)
    # standing at 180 px with lunges down to 110 px: the standing height stays near 180
    for i in range(120):
        up = (i // 30) % 2 == 0
        level = standing.update(i * 33.0, 180.0 if up else 110.0, 2.0 if up else 1.2)
    assert 170.0 < level <= 180.0
    assert math.isnan(RestHeight(CFG.standing).update(0.0, math.nan, math.nan))


def _feed(standing, t: float, seconds: float, px: float, ratio: float) -> tuple[float, float]:
    """``seconds`` of one height at 30 fps; returns (time after, last level)."""
    level = math.nan
    for _ in range(round(seconds * 30)):
        level = standing.update(t, px, ratio)
        t += 1000.0 / 30
    return t, level


def test_a_held_lunge_keeps_its_depth() -> None:
    """Hips held down longer than the standing window do not become "standing", not even the
    way down into the hold; after a minute with no standing height the level is learnt again."""
    standing = RestHeight(CFG.standing)
    t, _ = _feed(standing, 0.0, 3.0, 180.0, 2.0)
    for px in range(178, 152, -2):  # the way down, still within the standing band
        standing.update(t, float(px), 2.0 * px / 180.0)
        t += 1000.0 / 30
    for _ in range(900):  # 30 s held at the bottom
        assert standing.update(t, 110.0, 1.2) == 180.0
        t += 1000.0 / 30
    t, level = _feed(standing, t, CFG.standing.stale_ms / 1000.0 + 2.0, 100.0, 1.1)
    assert level == 100.0


def test_standing_further_from_the_camera_is_still_standing() -> None:
    """Stepping back shrinks the hips' height in pixels by more than a lunge's band but leaves
    it the same in trunk lengths: the level follows (it had frozen, and the next lunges read as
    already down)."""
    standing = RestHeight(CFG.standing)
    t, _ = _feed(standing, 0.0, 3.0, 180.0, 2.0)
    t, level = _feed(standing, t, 5.0, 140.0, 2.0)  # 22% smaller: 1 m further away
    assert level == 140.0
    t, level = _feed(standing, t, 3.0, 95.0, 1.3)  # and a lunge from there
    assert level == 140.0


def test_one_glitch_is_not_a_standing_height() -> None:
    standing = RestHeight(CFG.standing)
    standing.update(0.0, 300.0, 3.3)  # a first frame far off
    _, level = _feed(standing, 33.0, 6.0, 180.0, 2.0)
    assert level == 180.0


def test_a_split_stance_seen_from_above_is_not_a_knee_drop() -> None:
    """A camera above hip height shows the back foot and knee of a split stance higher in the
    picture (further away). Only a back knee *below* the front one is depth; the unsigned knee
    height difference read the standing split as half-way down, and split squats from it never
    returned to the start."""
    from formcheck.engine.session import Engine
    from tests.synth import reps, sequence

    cam = Camera(yaw_deg=90, height_m=2.5, offset_px=(0.0, -375.0))  # on a shelf
    split, bottom = metrics_of(lunge(0.0), cam), metrics_of(lunge(1.0), cam)
    assert split["knee_height_diff_ratio"] > 0.2  # the back knee shows higher ...
    assert split["back_knee_drop_ratio"] == 0.0  # ... which is no drop
    assert bottom["back_knee_drop_ratio"] > 0.3
    eng = Engine()
    for p in sequence(reps(lunge, 3), cam, noise_px=1.0):
        eng.update(p)
    assert eng.summary().reps_total == 3


def test_a_trunk_leaning_toward_the_camera_is_not_a_hip_drop() -> None:
    """Seen from the front, a trunk leaning toward the camera is shorter in the picture. Hip
    heights in trunk lengths then rose and fell with the lean alone (a rendered split stance:
    trunk 106 -> 87 px), and a still split stance rocking the trunk read as lunges."""
    from dataclasses import replace

    from formcheck.engine.session import Engine
    from tests.synth import sequence

    split = lunge(0.0)
    keys = [(0.0, split), (1.0, split)]
    for k in range(3):  # lean forward 40 deg and back up, hips where they are
        keys += [(2.0 + 2.5 * k, replace(split, trunk_deg=40.0)), (3.5 + 2.5 * k, split)]
    keys.append((keys[-1][0] + 1.0, split))
    eng = Engine()
    depths = []
    for p in sequence(keys, Camera(yaw_deg=90), noise_px=0.5):
        depths.append(eng.update(p).metrics["lunge_depth_deg"])
    assert min(depths[30:]) > 160.0, min(depths[30:])
    assert eng.summary().reps_total == 0


def _hide_back_leg(pose, front: str):
    """What MediaPipe does with a back leg hidden behind the front leg seen from the front: the
    back knee lies on the front knee and the back foot is not seen."""
    from dataclasses import replace

    from formcheck.pose.landmarks import LM

    back = "RIGHT" if front == "left" else "LEFT"
    xy, vis = pose.xy.copy(), pose.visibility.copy()
    xy[LM[f"{back}_KNEE"]] = xy[LM[f"{front.upper()}_KNEE"]]
    for part in ("ANKLE", "HEEL", "FOOT_INDEX"):
        vis[LM[f"{back}_{part}"]] = 0.05
    return replace(pose, xy=xy, visibility=vis)


def test_front_view_lunges_with_the_back_leg_hidden_still_count() -> None:
    from formcheck.engine.session import Engine
    from tests.synth import reps, sequence

    cam = Camera(yaw_deg=90)
    for make, expected in ((lunge, 3), (squat, 0)):
        eng = Engine()
        for p in sequence(reps(make, 3), cam, noise_px=1.0):
            deep = make is lunge and p.found and p.t_ms % 3100 > 1500
            eng.update(_hide_back_leg(p, "left") if deep else p)
        assert eng.summary().reps_total == expected, make.__name__


def _draw_back_leg_on_front(pose, front: str):
    """What MediaPipe also does from the front at a lunge bottom: both legs drawn on the front
    one, every landmark seen (a rendered clip: knees 3 px apart, ankles 14 px)."""
    from dataclasses import replace

    from formcheck.pose.landmarks import LM

    back = "RIGHT" if front == "left" else "LEFT"
    xy = pose.xy.copy()
    for part in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        xy[LM[f"{back}_{part}"]] = xy[LM[f"{front.upper()}_{part}"]] + (3.0, 3.0)
    return replace(pose, xy=xy)


def _stepping_lateral_lunges(n: int, lift_m: float = 0.2) -> list:
    """Lateral lunges that start with a step: the stepping foot lifted on the way down."""
    from dataclasses import replace

    from tests.synth import ANKLE_H_M

    step = replace(STAND, pelvis_b=0.90, pelvis_c=0.08, r_ankle_b=ANKLE_H_M + lift_m,
                   r_ankle_c=0.32, trunk_deg=8)
    keys = [(0.0, STAND), (1.0, STAND)]
    t = 1.0
    for _ in range(n):
        bottom = lateral_lunge(1.0, to="right")
        keys += [(t + 0.5, step), (t + 1.2, bottom), (t + 1.5, bottom), (t + 2.2, step),
                 (t + 2.7, STAND), (t + 3.5, STAND)]
        t += 3.5
    return keys


def test_a_split_seen_only_on_the_way_down_still_counts() -> None:
    from formcheck.engine.session import Engine
    from tests.synth import reps, sequence

    eng = Engine()
    for p in sequence(reps(lunge, 3), Camera(yaw_deg=90), noise_px=1.0):
        deep = p.found and p.t_ms % 3100 > 1500
        eng.update(_draw_back_leg_on_front(p, "left") if deep else p)
    assert eng.summary().reps_total == 3
    # but a lateral lunge that begins with a lifted foot is no split, however it starts
    for yaw in (90.0, 60.0, 45.0):
        eng = Engine()
        for p in sequence(_stepping_lateral_lunges(3), Camera(yaw_deg=yaw), noise_px=1.0):
            eng.update(p)
        assert eng.summary().reps_total == 0, yaw
