"""The truth file: round trip, schema checks, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.render.truth import (
    SCHEMA,
    FaultTruth,
    HoldTruth,
    RepTruth,
    Truth,
    TruthFrame,
    load_truth,
    save_truth,
    truth_path,
)


def make_truth() -> Truth:
    rng = np.random.default_rng(0)
    frames = tuple(
        TruthFrame(t, rng.uniform(0, 640, (33, 2)).round(2), rng.random(33) > 0.3,
                   {"front_knee_deg": float(90 + i), "trunk_lean_deg": -1.25})
        for i, t in enumerate((0, 33, 67)))
    return Truth("lunge", "side", "left", "split", 7, 30.0, 640, 480,
                 {"azimuth_deg": 90.5, "distance_m": 3.2}, frames,
                 (RepTruth(1, "left", 0, 33, 67),), (HoldTruth("left", 10, 60),),
                 (FaultTruth("arched_back", 20, 50, 1), FaultTruth("arched_back", 55, 60, None)))


def test_truth_round_trips(tmp_path: Path) -> None:
    truth = make_truth()
    path = tmp_path / "clip.truth.json"
    save_truth(truth, path)
    back = load_truth(path)
    assert back.reps == truth.reps and back.holds == truth.holds and back.faults == truth.faults
    assert (back.exercise, back.view, back.side, back.style, back.seed) == (
        "lunge", "side", "left", "split", 7)
    np.testing.assert_allclose(back.landmarks, truth.landmarks)
    np.testing.assert_array_equal(back.times_ms, [0, 33, 67])
    np.testing.assert_allclose(back.angle("front_knee_deg"), [90, 91, 92])
    assert np.isnan(back.angle("bridge_hip_deg")).all()
    assert [bool(v) for v in back.frames[1].visible] == [bool(v) for v in truth.frames[1].visible]
    assert back.fault_codes() == ("arched_back",)


def test_truth_json_names_the_schema_and_seconds(tmp_path: Path) -> None:
    path = tmp_path / "c.truth.json"
    save_truth(make_truth(), path)
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA
    assert len(data["landmark_names"]) == 33 and data["landmark_names"][0] == "nose"
    assert data["faults"][0]["start_s"] == pytest.approx(0.02)


def test_truth_path_sits_next_to_the_video() -> None:
    assert truth_path(Path("a/b/clip.mp4")) == Path("a/b/clip.truth.json")


def test_bad_truth_files_raise_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_truth(tmp_path / "missing.truth.json")
    bad = tmp_path / "bad.truth.json"
    bad.write_text('{"schema": "something/else"}')
    with pytest.raises(InputError, match=r"formcheck\.truth/1"):
        load_truth(bad)
    bad.write_text("{not json")
    with pytest.raises(InputError):
        load_truth(bad)
