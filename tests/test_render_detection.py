"""End to end on a rendered clip: MediaPipe finds the mannequin and measures its knee angle."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.engine.types import Exercise, Side, View
from formcheck.pose.landmarks import LM
from formcheck.render.clip import ClipSpec, render_clip

LEGS = {Side.LEFT: (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE),
        Side.RIGHT: (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)}


def angle_2d(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    u, v = a - b, c - b
    cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def front_leg_points(found: np.ndarray, truth: np.ndarray, front: Side) -> np.ndarray:
    """The detected hip, knee, ankle that belong to the true front leg.

    Side views make left/right labels ambiguous for any detector; the leg is the one whose
    detected joints lie nearest the true front leg's.
    """
    want = truth[list(LEGS[front])]
    candidates = [found[list(leg)] for leg in LEGS.values()]
    return min(candidates, key=lambda pts: float(np.linalg.norm(pts - want, axis=1).sum()))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [21])
def test_mediapipe_finds_the_mannequin_and_its_knee_angle(tmp_path: Path, seed: int) -> None:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    video = tmp_path / "lunge.mp4"
    truth = render_clip(ClipSpec(Exercise.LUNGE, reps=2, view=View.SIDE, seed=seed), video)
    front = Side(truth.side)
    cap = cv2.VideoCapture(str(video))
    found, errors = 0, []
    with PoseEstimator() as estimator:
        for i, tf in enumerate(truth.frames):
            ok, image = cap.read()
            assert ok, f"frame {i} missing from the video"
            pose = estimator.estimate(Frame(image, tf.t_ms, i))
            if not pose.found:
                continue
            found += 1
            hip, knee, ankle = front_leg_points(pose.xy, tf.landmarks, front)
            errors.append(angle_2d(hip, knee, ankle) - tf.angles["front_knee_deg"])
    cap.release()
    assert found >= 0.95 * len(truth.frames)
    errors_abs = np.abs(np.array(errors))
    # Measured on seeds 21-23: medians 5-8 deg, mostly MediaPipe placing hips higher than the
    # joint centres (see sample_videos/README.md); a broken mannequin gives 20+.
    assert float(np.median(errors_abs)) <= 10.0
    assert float(np.percentile(errors_abs, 80)) <= 20.0
