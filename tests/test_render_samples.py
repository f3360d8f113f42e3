"""The bundled sample clips: their truth loads, and the README's commands reproduce it."""

from __future__ import annotations

import shlex
from pathlib import Path

import cv2
import pytest

from formcheck.render.clip import ClipPlan
from formcheck.render.command import build_spec
from formcheck.render.truth import load_truth

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"


def readme_commands() -> dict[str, list[str]]:
    """``clip file name -> render command arguments`` from the README's table."""
    out = {}
    for line in (SAMPLES / "README.md").read_text().splitlines():
        if line.startswith("| `") and "`formcheck render" in line:
            cmd = line.split("`formcheck render", 1)[1].split("`", 1)[0]
            args = shlex.split(cmd)
            out[Path(args[args.index("--out") + 1]).name] = args
    return out


def spec_from(args: list[str]):
    opts: dict[str, list[str]] = {}
    i = 1
    while i < len(args):
        opts.setdefault(args[i], []).append(args[i + 1])
        i += 2
    one = {k: v[-1] for k, v in opts.items()}
    return build_spec(args[0], int(one["--reps"]) if "--reps" in one else None,
                      one.get("--view", "side"), opts.get("--fault", []),
                      int(one.get("--seed", "0")), float(one.get("--hold", "0")),
                      one.get("--style", "split"), one.get("--front-leg", "auto"), 30.0, 640, 480,
                      one.get("--arms", "auto"))


def test_readme_lists_every_sample_clip() -> None:
    clips = sorted(p.name for p in SAMPLES.glob("*.mp4"))
    assert 4 <= len(clips) <= 6
    assert sorted(readme_commands()) == clips
    for name in clips:
        assert (SAMPLES / name).stat().st_size <= 3 * 1024 * 1024


@pytest.mark.parametrize("name", sorted(readme_commands()))
def test_sample_truth_matches_video_and_command(name: str) -> None:
    video = SAMPLES / name
    truth = load_truth(video.with_suffix(".truth.json"))
    cap = cv2.VideoCapture(str(video))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    assert frames == len(truth.frames) and size == (truth.width, truth.height)
    assert 8.0 <= frames / truth.fps <= 20.0  # short: the hold clip holds 10 s
    plan = ClipPlan(spec_from(readme_commands()[name]))
    assert plan.frame_count == len(truth.frames)
    assert [(r.start_ms, r.end_ms) for r in plan.choreo.reps] == [
        (r.start_ms, r.end_ms) for r in truth.reps]
    assert plan.camera_info["azimuth_deg"] == pytest.approx(truth.camera["azimuth_deg"], abs=1e-3)
    assert sorted(plan.spec.faults) == list(truth.fault_codes())
