"""Front-view lunge depth from the knee drop, and the split-stance test behind auto detection."""

from __future__ import annotations

import math

from formcheck.engine.config import EngineConfig
from formcheck.engine.depth import knee_drop_deg
from formcheck.engine.view import ViewEstimator
from tests.synth import STAND, Camera, lateral_lunge, lunge, make_pose, squat


def metrics_of(stance, cam: Camera) -> dict[str, float]:
    from formcheck.engine.metrics import compute_metrics

    ve = ViewEstimator(EngineConfig().view)
    for i in range(20):
        p = make_pose(stance, cam, i * 33)
        vs = ve.update(p.t_ms, p.xy, p.world, p.z)
    return compute_metrics(p.xy, p.world, vs)


def test_knee_drop_maps_to_the_knee_angle_scale() -> None:
    assert knee_drop_deg(0.0) == 180.0
    assert knee_drop_deg(0.8) == 90.0
    assert knee_drop_deg(5.0) == 45.0  # clamped: a bad frame cannot run away
    assert math.isnan(knee_drop_deg(math.nan))


def test_knee_drop_moves_for_lunges_only_in_every_view() -> None:
    for cam in (Camera(), Camera(yaw_deg=90), Camera(yaw_deg=45)):
        stand = knee_drop_deg(metrics_of(STAND, cam)["knee_height_diff_ratio"])
        bottom = knee_drop_deg(metrics_of(lunge(1.0), cam)["knee_height_diff_ratio"])
        sq = knee_drop_deg(metrics_of(squat(1.0), cam)["knee_height_diff_ratio"])
        assert stand > 170 and sq > 165, cam
        assert 60 < bottom < 120, (cam, bottom)
    lat = knee_drop_deg(metrics_of(lateral_lunge(1.0), Camera(yaw_deg=90))[
        "knee_height_diff_ratio"])
    assert lat > 140  # knees stay roughly level in a lateral lunge
