"""One Euro filter, its no-op twin, visibility gating; lag and jitter bounds on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine.config import SmoothingConfig
from formcheck.engine.smoothing import LandmarkGate, NoSmoother, OneEuroSmoother

DT = 1000.0 / 30.0


def smoother() -> OneEuroSmoother:
    return OneEuroSmoother.from_config(SmoothingConfig())


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
    assert np.std(ys[30:]) < 0.003 / 2.5


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
    vec = smoother()
    scal = [smoother() for _ in range(3)]
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
