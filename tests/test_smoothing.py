"""One Euro filter, its no-op twin, visibility gating; lag and jitter bounds on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.config import SmoothingConfig
from formcheck.engine.smoothing import LandmarkGate, NoSmoother, OneEuroSmoother

DT = 1000.0 / 30.0


def smoother() -> OneEuroSmoother:
    return OneEuroSmoother.from_config(SmoothingConfig(), speed_columns=2)


def classic() -> OneEuroSmoother:
    """The filter with each element's own speed (the authors' form), the same constants."""
    cfg = SmoothingConfig()
    return OneEuroSmoother(cfg.min_cutoff_hz, cfg.beta, cfg.d_cutoff_hz)


def test_step_response_is_fast() -> None:
    s = smoother()
    out = [s(i * DT, np.array([0.5 if i < 30 else 0.7]))[0] for i in range(40)]
    resp = (np.array(out[30:]) - 0.5) / 0.2
    assert resp[0] >= 0.5  # half the step on the step frame
    assert resp[2] >= 0.9  # 90 % within two frames (67 ms)
    assert np.all(resp <= 1.0 + 1e-9)  # no overshoot


def test_ramp_lag_under_one_frame() -> None:
    s = smoother()
    v = 0.5  # frame heights per second
    xs = [0.3 + v * i * DT / 1000 for i in range(90)]
    ys = [s(i * DT, np.array([x]))[0] for i, x in enumerate(xs)]
    lag_ms = (xs[-1] - ys[-1]) / v * 1000
    assert 0 < lag_ms < DT


def test_noise_is_reduced() -> None:
    rng = np.random.default_rng(0)
    s = smoother()
    ys = [s(i * DT, np.array([0.5 + rng.normal(0, 0.003)]))[0] for i in range(600)]
    assert np.std(ys[30:]) < 0.003 / 2.2


def test_noise_of_a_still_body_is_reduced() -> None:
    """A still body's jitter does not open the filter much, though its speed is a quantile."""
    rng = np.random.default_rng(0)
    s = smoother()
    ys = np.array([s(i * DT, 0.5 + rng.normal(0, 0.003, (33, 5))) for i in range(600)])
    assert np.std(ys[30:, :, :2]) < 0.003 / 2.2


def moving_body_lag_ms(s: OneEuroSmoother) -> tuple[float, float]:
    """Lag of the fast points (0.5 heights/s) and of one slow point (0.05) after 3 s."""
    for i in range(90):
        t = i * DT / 1000
        x = np.zeros((33, 5))
        x[:20, :2] = 0.3 + 0.5 * t
        x[20, :2] = 0.3 + 0.05 * t
        out = s(i * DT, x)
    return (x[0, 0] - out[0, 0]) / 0.5 * 1000, (x[20, 0] - out[20, 0]) / 0.05 * 1000


def test_a_slow_point_of_a_moving_body_keeps_up_with_the_fast_ones() -> None:
    # A lunge's front knee barely moves while the hips drop; filtered at its own speed it
    # trails them and the knee angle comes out bent late.
    fast, slow = moving_body_lag_ms(smoother())
    assert 0 < fast < DT / 2 and abs(slow - fast) < 2.0
    fast, slow = moving_body_lag_ms(classic())
    assert slow > fast + DT / 2  # what the body's speed prevents


def test_world_columns_do_not_open_the_filter() -> None:
    # Metres next to frame heights: only the image columns give the body's speed.
    rng = np.random.default_rng(2)
    s = smoother()
    ys = []
    for i in range(300):
        x = np.full((33, 5), 0.5)
        x[:, :2] += rng.normal(0, 0.003, (33, 2))
        x[:, 2:] = 3.0 * np.sin(i * DT / 1000 * 2 * np.pi)  # world points sweeping 3 m
        ys.append(s(i * DT, x)[:, :2])
    assert np.std(np.array(ys)[30:]) < 0.003 / 2.2


def test_no_smoother_passes_through() -> None:
    s = NoSmoother()
    x = np.array([[1.0, 2.0], [np.nan, 3.0]])
    np.testing.assert_array_equal(s(0.0, x), x)


def test_first_sample_at_time_zero_and_nan_elements() -> None:
    s = smoother()
    out = s(0.0, np.array([1.0, np.nan]))
    assert out[0] == 1.0 and np.isnan(out[1])
    out = s(DT, np.array([1.0, 5.0]))  # second element starts fresh: passes unchanged
    assert out[0] == 1.0 and out[1] == 5.0


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(1)
    data = rng.normal(0, 1, (50, 3))
    vec = classic()
    scal = [classic() for _ in range(3)]
    for i, row in enumerate(data):
        v = vec(i * DT, row)
        for k in range(3):
            assert v[k] == pytest.approx(scal[k](i * DT, row[k:k + 1])[0])


def gate_run(vis: list[float], cfg: SmoothingConfig | None = None) -> list[np.ndarray]:
    cfg = cfg or SmoothingConfig()
    gate = LandmarkGate(NoSmoother(), cfg)
    out = []
    for i, v in enumerate(vis):
        pts = np.array([[float(i), 0.0]])
        sm, known = gate(i * DT, pts, np.array([v]), np.array([1.0]))
        out.append(sm[0] if known[0] else np.full(2, np.nan))
    return out


def test_gate_bridges_short_gaps_then_unknown() -> None:
    # 1 visible frame, then low visibility: bridged for <= 250 ms (7 frames), then NaN
    out = gate_run([1.0] + [0.1] * 12)
    assert out[0][0] == 0.0
    bridged = [i for i in range(1, 13) if np.isfinite(out[i]).all()]
    assert bridged == list(range(1, 8))
    assert all(o[0] == 0.0 for o in out[1:8])  # holds the last value, no extrapolated guess


def test_gate_restarts_after_long_gap() -> None:
    cfg = SmoothingConfig()
    gate = LandmarkGate(OneEuroSmoother.from_config(cfg), cfg)
    one = np.ones(1)
    gate(0.0, np.array([[0.0, 0.0]]), one, one)
    for i in range(1, 20):
        gate(i * DT, np.array([[0.0, 0.0]]), np.zeros(1), one)
    sm, known = gate(20 * DT, np.array([[1.0, 1.0]]), one, one)
    assert known[0] and sm[0, 0] == 1.0  # no slide from the stale value
