import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import ModelError
from formcheck.pose.model import MODEL_NAME, MODEL_SHA256, find_model
from tests.conftest import REPO

MODEL = REPO / "models" / MODEL_NAME


def test_committed_model_has_documented_sha256():
    digest = hashlib.sha256(MODEL.read_bytes()).hexdigest()
    assert digest == MODEL_SHA256
    assert MODEL_SHA256 in (REPO / "models" / "README.md").read_text()


def test_model_bundle_layout():
    with zipfile.ZipFile(MODEL) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert set(infos) == {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())


def test_find_model_without_env_finds_a_real_file(monkeypatch):
    monkeypatch.delenv("FORMCHECK_MODEL", raising=False)
    found = find_model()
    assert hashlib.sha256(found.read_bytes()).hexdigest() == MODEL_SHA256


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        find_model(tmp_path / "nope.task")


def test_landmarker_loads_the_model_and_finds_nobody_in_a_blank_frame():
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    with PoseEstimator() as est:
        pose = est.estimate(Frame(np.zeros((480, 640, 3), np.uint8), 0, 0))
    assert not pose.found
    assert pose.xy.shape == (33, 2)


@pytest.mark.slow
def test_rebuild_reproduces_the_committed_model(tmp_path):
    """Rebuild from the mediapipe 0.10.21 wheel (pip download) and compare bytes."""
    wheel_dir = tmp_path / "wheel"
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "mediapipe==0.10.21", "-d", str(wheel_dir)], check=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
        pytest.skip(f"cannot download the mediapipe 0.10.21 wheel here: {err}")
    wheel = next(Path(wheel_dir).glob("*.whl"))
    out = tmp_path / MODEL_NAME
    subprocess.run([sys.executable, str(REPO / "models" / "build_model.py"), "--wheel", str(wheel),
                    "--out", str(out)], check=True, timeout=300)
    assert out.read_bytes() == MODEL.read_bytes()


def test_model_is_found_from_any_directory(tmp_path):
    """As installed (CI installs the wheel, which carries the model as package data)."""
    code = ("import hashlib; from formcheck.pose.model import find_model; p = find_model(); "
            "print(p); print(hashlib.sha256(p.read_bytes()).hexdigest())")
    env = {k: v for k, v in __import__("os").environ.items() if k != "FORMCHECK_MODEL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[1] == MODEL_SHA256
