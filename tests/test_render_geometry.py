"""Ray casting, camera and forward kinematics of the synthetic renderer."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.render.body import BodyShape, two_link
from formcheck.render.camera import Camera
from formcheck.render.geometry import ray_capsule, ray_ellipsoid, rot_z, unit
from formcheck.render.poser import _leg_span
from formcheck.render.truth_angles import interior_deg


def test_ray_capsule_side_cap_and_miss() -> None:
    a, b = np.array([-0.5, 0.0, 0.0]), np.array([0.5, 0.0, 0.0])
    origin = np.array([0.0, -1.0, 0.0])
    dirs = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], unit(np.array([0.6, 1.0, 0.0]))])
    t, n = ray_capsule(origin, dirs, a, b, 0.1)
    assert t[0] == pytest.approx(0.9)
    np.testing.assert_allclose(n[0], [0.0, -1.0, 0.0], atol=1e-9)
    assert np.isinf(t[1])
    # Along the axis from the -x side: the rounded end cap at x = -0.6.
    t2, n2 = ray_capsule(np.array([-2.0, 0.0, 0.0]), np.array([[1.0, 0.0, 0.0]]), a, b, 0.1)
    assert t2[0] == pytest.approx(1.4)
    np.testing.assert_allclose(n2[0], [-1.0, 0.0, 0.0], atol=1e-9)
    # A ray grazing just past the cap misses.
    t3, _ = ray_capsule(np.array([-2.0, 0.0, 0.11]), np.array([[1.0, 0.0, 0.0]]),
                        np.array([-0.5, 0.0, 0.0]), np.array([-0.5, 0.0, -1.0]), 0.1)
    assert np.isinf(t3[0])


def test_ray_capsule_from_behind_endpoint_hits_body() -> None:
    a, b = np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    origin = np.array([2.0, 0.0, 0.5])
    t, n = ray_capsule(origin, np.array([[-1.0, 0.0, 0.0]]), a, b, 0.25)
    assert t[0] == pytest.approx(1.75)
    np.testing.assert_allclose(n[0], [1.0, 0.0, 0.0], atol=1e-9)


def test_ray_ellipsoid_rotated_axes() -> None:
    axes = rot_z(90.0)  # local x -> world y
    radii = np.array([2.0, 1.0, 0.5])
    centre = np.array([1.0, 1.0, 1.0])
    origin = np.array([1.0, 10.0, 1.0])
    t, n = ray_ellipsoid(origin, np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]]), centre, axes,
                         radii)
    assert t[0] == pytest.approx(7.0)  # hits the 2 m semi-axis, now along world y
    np.testing.assert_allclose(n[0], [0.0, 1.0, 0.0], atol=1e-9)
    assert np.isinf(t[1])


def test_camera_projects_target_to_centre_and_rays_agree() -> None:
    target = np.array([0.3, -0.2, 0.9])
    cam = Camera.look_at(target, 35.0, 12.0, 3.0, 2.0, 55.0, 160, 120)
    xy, depth = cam.project(target[None, :])
    np.testing.assert_allclose(xy[0], [80.0, 60.0], atol=1e-9)
    assert depth[0] == pytest.approx(3.0)
    point = target + np.array([0.2, 0.1, 0.3])
    xy2, _ = cam.project(point[None, :])
    px, py = xy2[0]
    rays = cam.pixel_rays()
    ray = rays[int(py), int(px)]
    to_point = unit(point - cam.position)
    assert np.degrees(np.arccos(np.clip(ray @ to_point, -1, 1))) < 1.0


@pytest.mark.parametrize("knee_deg", [60.0, 90.0, 135.0, 170.0])
def test_two_link_knee_angle_matches_request(knee_deg: float) -> None:
    shape = BodyShape.average()
    hip = np.array([0.0, 0.1, 0.9])
    direction = unit(np.array([0.3, 0.0, -1.0]))
    ankle = hip + _leg_span(shape, knee_deg) * direction
    knee, reached = two_link(hip, ankle, shape.thigh, shape.shin, np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(reached, ankle, atol=1e-9)
    assert interior_deg(hip, knee, reached) == pytest.approx(knee_deg, abs=1e-6)
    assert np.linalg.norm(knee - hip) == pytest.approx(shape.thigh)
    assert knee[0] > (hip + 0.5 * (ankle - hip))[0]  # bends toward the hint (forward)


def test_two_link_out_of_reach_is_straight() -> None:
    hip, ankle = np.zeros(3), np.array([0.0, 0.0, -5.0])
    knee, reached = two_link(hip, ankle, 0.4, 0.4, np.array([1.0, 0.0, 0.0]))
    assert interior_deg(hip, knee, reached) > 170.0
    assert np.linalg.norm(reached) < 0.8
