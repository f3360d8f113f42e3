"""Odd and broken inputs: one clear line and exit 2, or a normal run; never a traceback."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.source import open_source
from tests.conftest import gradient_frames, write_video


def _ffmpeg() -> str:
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


def assert_clean_failure(proc: subprocess.CompletedProcess[str], message: str = "") -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("formcheck: error:")]
    assert len(errors) == 1, proc.stderr
    assert message in errors[0]


def _noise_frames(n: int, w: int, h: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(n)]


def _zero_frame_mp4(path: Path) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (64, 48))
    writer.release()
    return path


def _png_renamed(path: Path) -> Path:
    _ok, data = cv2.imencode(".png", gradient_frames(1)[0])
    path.write_bytes(data.tobytes())
    return path


def _truncated(path: Path) -> Path:
    write_video(path, _noise_frames(30, 64, 48))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _audio_only(path: Path) -> Path:
    subprocess.run([_ffmpeg(), "-v", "quiet", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-y", str(path)], check=True)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.mp4", "no such file"),
    (lambda p: (p / "empty_dir").mkdir() or p / "empty_dir", "no images"),
    (lambda p: (p / "notes.mp4").write_text("just text\n") and p / "notes.mp4", ""),
    (lambda p: (p / "noise.mp4").write_bytes(os.urandom(20000)) and p / "noise.mp4", ""),
    (lambda p: _zero_frame_mp4(p / "zero.mp4"), ""),
    (lambda p: _truncated(p / "truncated.mp4"), ""),
    (lambda p: _audio_only(p / "audio.m4a"), ""),
], ids=["missing", "directory", "text", "random-bytes", "zero-frames", "truncated", "audio-only"])
def test_bad_files_fail_with_one_line(tmp_path, make, message):
    path = make(tmp_path)
    report = tmp_path / "r.json"
    proc = run_cli("analyze", str(path), "--report", str(report), "--quiet")
    assert_clean_failure(proc, message)


def test_image_renamed_mp4_is_a_one_frame_video_or_a_clean_error(tmp_path):
    proc = run_cli("analyze", str(_png_renamed(tmp_path / "photo.mp4")), "--quiet")
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr


def _damaged_mkv(path: Path, how: str) -> Path:
    write_video(path, _noise_frames(60, 64, 48), fourcc="VP80")
    data = bytearray(path.read_bytes())
    n = len(data)
    if how == "cut":
        data = data[: n // 2]
    else:
        data[n // 2: n // 2 + n // 5] = bytes(n // 5)
    path.write_bytes(bytes(data))
    return path


def test_file_cut_short_is_analysed_up_to_the_damage_with_a_warning(tmp_path):
    path = _damaged_mkv(tmp_path / "cut.mkv", "cut")
    with open_source(path) as src:
        frames = list(src)
        assert 10 < len(frames) < 60
        assert src.damage and "damaged" in src.damage
    report = tmp_path / "r.json"
    proc = run_cli("analyze", str(path), "--report", str(report), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "damaged" in proc.stderr
    assert json.loads(report.read_text())["frames"]["total"] == len(frames)


def test_file_corrupt_in_the_middle_is_analysed_around_the_damage(tmp_path):
    """The decoder skips the zeroed stretch; the timestamps keep the gap, the report is written."""
    path = _damaged_mkv(tmp_path / "holed.mkv", "hole")
    with open_source(path) as src:
        stamps = [f.t_ms for f in src]
    assert 10 < len(stamps) < 60
    assert max(np.diff(stamps)) > 5 * 1000 / 30
    report = tmp_path / "r.json"
    proc = run_cli("analyze", str(path), "--report", str(report), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text())["frames"]["total"] == len(stamps)


@pytest.mark.parametrize("size", [(3840, 2160), (16, 12)], ids=["4k", "tiny"])
def test_extreme_frame_sizes_run(tmp_path, size):
    path = write_video(tmp_path / "clip.mp4", _noise_frames(3, *size))
    report = tmp_path / "r.json"
    proc = run_cli("analyze", str(path), "--report", str(report), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text())["frames"]["total"] == 3


def test_variable_frame_rate_keeps_its_timestamps(tmp_path):
    src_path = write_video(tmp_path / "cfr.mp4", gradient_frames(30))
    vfr = tmp_path / "vfr.mkv"
    # Frame i is shown at i*i ms-ish: gaps grow, as on a phone that drops frames in low light.
    subprocess.run([_ffmpeg(), "-v", "quiet", "-i", str(src_path), "-vf",
                    "setpts='N*N*0.004/TB'", "-fps_mode", "vfr", "-c:v", "mpeg4", "-y", str(vfr)],
                   check=True)
    with open_source(vfr) as src:
        stamps = [f.t_ms for f in src]
        assert src.damage is None  # the container's frame count is an estimate, not a promise
    gaps = np.diff(stamps)
    assert len(stamps) >= 28 and (gaps > 0).all()  # ffmpeg may merge the first two frames
    assert gaps[-1] > 3 * gaps[1]


def _mutations(seed_file: bytes, count: int, rng: random.Random) -> list[bytes]:
    out = []
    for _ in range(count):
        data = bytearray(seed_file)
        kind = rng.randrange(4)
        if kind == 0:
            data = data[: rng.randrange(len(data))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 50)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:
            start = rng.randrange(len(data))
            data[start: start + rng.randrange(1, 2000)] = os.urandom(rng.randrange(1, 2000))
        else:
            data = bytearray(os.urandom(rng.randrange(1, 5000)))
        out.append(bytes(data))
    return out


def test_fuzzed_files_only_ever_raise_input_errors(tmp_path):
    """300 mutated files through the decoder: frames or an InputError, nothing else."""
    seed = write_video(tmp_path / "seed.mp4", _noise_frames(8, 64, 48)).read_bytes()
    rng = random.Random(1234)
    outcomes = {"decoded": 0, "rejected": 0}
    for i, data in enumerate(_mutations(seed, 300, rng)):
        path = tmp_path / f"fuzz{i}.{rng.choice(['mp4', 'avi', 'mkv', 'gif'])}"
        path.write_bytes(data)
        try:
            with open_source(path) as src:
                stamps = [f.t_ms for f in src]
            assert all(b > a for a, b in itertools.pairwise(stamps))
            outcomes["decoded"] += 1
        except InputError:
            outcomes["rejected"] += 1
        path.unlink()
    assert outcomes["decoded"] + outcomes["rejected"] == 300
    assert outcomes["decoded"] > 0 and outcomes["rejected"] > 0


def test_fuzzed_files_through_the_cli_exit_0_or_2(tmp_path):
    seed = write_video(tmp_path / "seed.mp4", _noise_frames(8, 64, 48)).read_bytes()
    rng = random.Random(99)
    for i, data in enumerate(_mutations(seed, 8, rng)):
        path = tmp_path / f"cli{i}.mp4"
        path.write_bytes(data)
        proc = run_cli("analyze", str(path), "--quiet", "--report", str(tmp_path / f"r{i}.json"))
        assert proc.returncode in (0, 2), proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_successful_run_prints_nothing_of_the_native_runtime(tmp_path: Path) -> None:
    """Both landmarkers (tracker and people scan) log to the C stderr on their first call."""
    clip = tmp_path / "short.mp4"
    sample = Path(__file__).resolve().parent.parent / "sample_videos" / "lunge_side_clean.mp4"
    with open_source(sample) as src:
        frames = [f.image for _, f in zip(range(45), src, strict=False)]
    write_video(clip, frames)
    proc = run_cli("analyze", str(clip), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


@pytest.mark.parametrize("args", [
    ["analyze", "clip.mp4", "--exercise", "squat"],
    ["analyze"],
    ["analyze", "clip.mp4", "--bogus"],
    ["live", "--camera", "-1"],  # was a segmentation fault in OpenCV
    ["live", "--max-seconds", "0"],
    ["render", "lunge", "--seed", "abc", "--out", "a.mp4"],
    ["eval", "m.json", "--jobs", "0"],
])
def test_usage_errors_are_one_line(args, monkeypatch, capsys):
    """A mistyped option was a boxed usage message of six lines."""
    from tests.test_analyze import run_cli as run_in_process

    code, out, err = run_in_process(args, monkeypatch, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: error: "), err
    named = [a for a in args if a.startswith("--")]
    assert not named or named[0] in lines[0]  # the option's own complaint, not a later one


def test_a_manifest_with_no_clips_is_an_error(tmp_path, monkeypatch, capsys):
    from tests.test_analyze import run_cli as run_in_process

    manifest = tmp_path / "m.json"
    manifest.write_text('{"clips": []}')
    code, _, err = run_in_process(["eval", str(manifest)], monkeypatch, capsys)
    assert code == 2 and err.strip() == f"formcheck: error: {manifest}: the manifest lists no clips"


def test_version_is_one_line(monkeypatch, capsys):
    from formcheck import __version__
    from tests.test_analyze import run_cli as run_in_process

    code, out, err = run_in_process(["--version"], monkeypatch, capsys)
    assert (code, out, err) == (0, f"formcheck {__version__}\n", "")
