"""Cost of the pose stage over the bare MediaPipe call, at a fixed input size.

Both sides get the same pre-decoded frames, already at the requested size. The bare side also
gets them pre-converted to RGB ``mp.Image``; the pose stage does its own conversion and builds
a :class:`Pose`. Runs alternate in rounds so machine noise hits both equally.

    python bench/pose_overhead.py VIDEO [--size 640x480] [--frames 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.model import find_model
from formcheck.source import Frame, open_source


def load_frames(video: Path, size: tuple[int, int], limit: int) -> list[Frame]:
    frames = []
    with open_source(video) as src:
        for frame in src:
            image = cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA)
            frames.append(Frame(image, frame.t_ms, frame.index))
            if len(frames) >= limit:
                break
    return frames


def bare(frames: list[Frame]) -> float:
    images = [mp.Image(image_format=mp.ImageFormat.SRGB,
                       data=cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB)) for f in frames]
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(find_model())),
        running_mode=vision.RunningMode.VIDEO)
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        landmarker.detect_for_video(images[0], 0)
        start = time.perf_counter()
        for f, image in zip(frames, images, strict=True):
            landmarker.detect_for_video(image, f.t_ms + 1)
        return (time.perf_counter() - start) / len(frames)


def stage(frames: list[Frame]) -> float:
    with PoseEstimator(people=None) as estimator:  # the bare tracker
        estimator.estimate(Frame(frames[0].image, 0, 0))
        start = time.perf_counter()
        for f in frames:
            estimator.estimate(Frame(f.image, f.t_ms + 1, f.index))
        return (time.perf_counter() - start) / len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    frames = load_frames(args.video, size, args.frames)
    bare_ms, stage_ms = [], []
    for _ in range(args.rounds):
        bare_ms.append(bare(frames) * 1000)
        stage_ms.append(stage(frames) * 1000)
    result = {"video": str(args.video), "size": args.size, "frames": len(frames),
              "bare_ms_per_frame": statistics.median(bare_ms),
              "stage_ms_per_frame": statistics.median(stage_ms)}
    result["overhead_pct"] = 100 * (result["stage_ms_per_frame"] / result["bare_ms_per_frame"] - 1)
    print(f"{args.size}, {len(frames)} frames x {args.rounds} rounds: bare "
          f"{result['bare_ms_per_frame']:.2f} ms/frame, pose stage "
          f"{result['stage_ms_per_frame']:.2f} ms/frame, overhead {result['overhead_pct']:+.1f}%")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
