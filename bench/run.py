"""One benchmark run: inference ceiling, analyze, live, memory over a long stream, engine.

    python bench/run.py [--clip VIDEO] [--frames 300] [--rounds 2] [--minutes 20]
                        [--only a,b,c,d,e] [--json bench/results.json]

(a) bare ``PoseLandmarker.detect_for_video`` on pre-decoded frames already at the model's input
    size and in RGB, with the same options ``analyze`` uses (segmentation masks on), frames/s;
(b) ``formcheck analyze --out --report`` on the same clip, frames/s (model loaded, then timed),
    as it runs by default and with ``--mirror-pass`` (each frame also read mirrored: two model
    runs a frame); (a) and (b) alternate round by round, so machine load hits both alike: quote
    the ratio;
(c) ``formcheck live --source`` under a display (``DISPLAY``, e.g. ``Xvfb :99``): displayed
    frames/s and capture-to-display latency (median, p95) from its ``--timing`` file;
(d) RSS of a live session over a looped clip paced at its frame rate for ``--minutes``, sampled
    every few seconds in a child process; also the newest-frame slot and Python object counts;
(e) the engine alone per frame (``bench/engine_bench.py``).

The clips are made from ``--clip`` (a rendered sample video) at 640x480 and 1280x720 into a
temporary folder; nothing is written into the repository except the JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from formcheck.source import Frame, FrameSource, open_source  # noqa: E402

SIZES = ((640, 480), (1280, 720))
DEFAULT_CLIP = ROOT / "sample_videos" / "lunge_side_clean.mp4"


# --- clips -----------------------------------------------------------------------------------


def make_clip(src: Path, size: tuple[int, int], frames: int, out: Path) -> Path:
    """``frames`` frames of ``src`` scaled to ``size``, looped if shorter, as H.264."""
    from formcheck.output.video import VideoWriter

    with VideoWriter(out, size[0], size[1], 30.0) as writer:
        for frame in _looped_frames(src, frames):
            writer.write(cv2.resize(frame.image, size, interpolation=cv2.INTER_LINEAR))
    return out


def _looped_frames(path: Path, total: int) -> Iterator[Frame]:
    """``total`` frames of ``path`` played over and over, timestamps and indices continuing."""
    index, offset_ms = 0, 0
    while index < total:
        last_ms = 0
        with open_source(path) as src:
            step_ms = round(1000.0 / src.fps)
            for frame in src:
                yield Frame(frame.image, offset_ms + frame.t_ms, index)
                index, last_ms = index + 1, frame.t_ms
                if index >= total:
                    return
        offset_ms += last_ms + step_ms


class LoopedSource(FrameSource):
    """A clip re-opened and played again until ``total`` frames (a long stream for the RSS run)."""

    def __init__(self, path: Path, total: int) -> None:
        with open_source(path) as probe:
            self.width, self.height, self.fps = probe.width, probe.height, probe.fps
        self.name = f"{path} (looped)"
        self.frame_count = total
        self._path, self._total = path, total

    def __iter__(self) -> Iterator[Frame]:
        return _looped_frames(self._path, self._total)


# --- (a) ceiling -----------------------------------------------------------------------------


def _cpu_s() -> float:
    """CPU seconds of this process and its waited-for children (ffmpeg), all threads."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ceiling_fps(clip: Path, limit: int, *, pinned: bool = True) -> tuple[float, float]:
    """Bare landmarker on frames decoded, resized to the model input and converted beforehand.

    ``pinned``: its worker threads on the model's CPUs, as ``analyze`` places them (the fair
    ceiling); else wherever the scheduler puts them. Returns frames/s and CPU ms per frame
    (MediaPipe runs the model on its own threads).
    """
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from formcheck.pose.estimator import PoseEstimator
    from formcheck.pose.model import find_model
    from formcheck.priority import on_model_cores

    sizer = PoseEstimator()  # only for its inference_size rule; never entered
    images: list[tuple[int, object]] = []
    with open_source(clip) as src:
        size = sizer.inference_size(src.width, src.height)
        for frame in src:
            image = frame.image
            if size != (frame.width, frame.height):
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            images.append((frame.t_ms, mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)))
            if len(images) >= limit:
                break
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(find_model())),
        running_mode=vision.RunningMode.VIDEO, output_segmentation_masks=True)
    landmarker = (on_model_cores(lambda: vision.PoseLandmarker.create_from_options(options))
                  if pinned else vision.PoseLandmarker.create_from_options(options))
    with landmarker:
        landmarker.detect_for_video(images[0][1], 0)  # warm-up, as analyze's first frame
        start, cpu = time.perf_counter(), _cpu_s()
        for t_ms, image in images:
            landmarker.detect_for_video(image, t_ms + 1)
        wall, cpu = time.perf_counter() - start, _cpu_s() - cpu
        return len(images) / wall, cpu * 1000.0 / len(images)


# --- (b) analyze -----------------------------------------------------------------------------


def analyze_fps(clip: Path, work: Path, mirror_pass: bool) -> tuple[float, float]:
    """``formcheck analyze CLIP --out --report [--mirror-pass]`` in a child process.

    Returns the frames/s it reports and CPU ms per frame from the first frame on (every thread,
    the encoder process and the model's process, whose start-ups are included).
    """
    out, report, timing = work / "out.mp4", work / "report.json", work / "analyze_timing.json"
    code = ("import json,sys,resource; from pathlib import Path; "
            "import formcheck.app.analyze as A; "
            "cpu = lambda w: (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(w)); "
            "mark = {}; inner = A.run; "
            "A.run = lambda *a, **k: (mark.setdefault('s', cpu(resource.RUSAGE_SELF)), "
            "inner(*a, **k))[1]; "
            "r = A.run_analyze(A.AnalyzeOptions(Path(sys.argv[1]), out=Path(sys.argv[2]), "
            "report=Path(sys.argv[3]), quiet=True, force=True, "
            "mirror_pass=sys.argv[5] == '1')); "
            "import threading; [t.join() for t in threading.enumerate() "
            "if t.name == 'reap-pose-model']; "  # the model's process counts once it has ended
            "used = cpu(resource.RUSAGE_SELF) - mark['s'] + cpu(resource.RUSAGE_CHILDREN); "
            "Path(sys.argv[4]).write_text(json.dumps({'frames': r.frames, 'seconds': r.seconds, "
            "'cpu_s': used}))")
    subprocess.run([sys.executable, "-c", code, str(clip), str(out), str(report), str(timing),
                    "1" if mirror_pass else "0"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=_child_env(work))
    data = json.loads(timing.read_text())
    return data["frames"] / data["seconds"], data["cpu_s"] * 1000.0 / data["frames"]


def _child_env(work: Path) -> dict[str, str]:
    env = dict(os.environ, FORMCHECK_DATA_DIR=str(work / "data"))
    env["PYTHONPATH"] = str(ROOT)
    return env


# --- (c) live --------------------------------------------------------------------------------


def live_stats(clip: Path, work: Path) -> dict[str, float]:
    """``formcheck live --source CLIP --timing FILE`` to the end of the clip."""
    timing = work / "live_timing.json"
    subprocess.run([sys.executable, "-m", "formcheck", "live", "--source", str(clip),
                    "--timing", str(timing)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_child_env(work))
    return summarise_timing(json.loads(timing.read_text()))


def summarise_timing(data: dict) -> dict[str, float]:
    """Displayed fps and latency percentiles from a ``--timing`` file."""
    shown = np.asarray(data["displayed_s"], dtype=np.float64)
    latency = np.asarray(data["latency_ms"], dtype=np.float64)
    skip = min(10, len(shown) // 10)  # the first frames include model warm-up
    shown, latency = shown[skip:], latency[skip:]
    fps = (len(shown) - 1) / (shown[-1] - shown[0]) if len(shown) > 1 else float("nan")
    return {"displayed_fps": float(fps), "latency_median_ms": float(np.median(latency)),
            "latency_p95_ms": float(np.percentile(latency, 95)), "frames": len(shown),
            "dropped": int(data.get("dropped", 0))}


# --- (d) memory ------------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def memory_child(clip: Path, minutes: float, out: Path, every_s: float) -> None:
    """A live session (real window) over ``clip`` looped and paced for ``minutes``; RSS samples."""
    from formcheck.app.inputs import open_input
    from formcheck.app.live import CvWindow, LiveSession, LiveState
    from formcheck.app.pipeline import LatestFrame, Pipeline, ResultSink
    from formcheck.coach.factory import live_history_sink
    from formcheck.engine.session import Engine

    samples: list[dict[str, float]] = []
    stop = threading.Event()
    engine = Engine()
    with ExitStack() as stack:
        probe, pose_stage = open_input(clip, stack)
        total = int(minutes * 60 * probe.fps) + 1
        source = LoopedSource(clip, total)
        history = stack.enter_context(live_history_sink(
            __import__("datetime").datetime.now(), source.name, "en"))
        window = stack.enter_context(CvWindow())
        latest = stack.enter_context(LatestFrame(source, pace=True))
        session = LiveSession(latest, Pipeline(pose_stage, engine), engine, window,
                              LiveState("auto", "en"), sinks=[ResultSink(history.update)])
        start = time.monotonic()

        def sample() -> None:
            while not stop.wait(every_s):
                samples.append({"t_s": time.monotonic() - start, "rss_mb": _rss_mb(),
                                "analysed": session.analysed, "delivered": latest.delivered,
                                "dropped": latest.dropped,
                                "slot": int(latest._latest is not None),
                                "threads": threading.active_count(),
                                "py_objects": len(gc.get_objects())})

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        session.run()
        stop.set()
        sampler.join()
    out.write_text(json.dumps({"minutes": minutes, "frames_streamed": total,
                               "samples": samples}))


def memory_stats(clip: Path, minutes: float, sample_s: float, work: Path) -> dict[str, float]:
    """The memory run in a child process (its RSS is the session's alone)."""
    out = work / "memory.json"
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--memory-child",
                    "--clip", str(clip), "--minutes", str(minutes), "--memory-out", str(out),
                    "--sample-s", str(sample_s)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=_child_env(work))
    return summarise_memory(json.loads(out.read_text()))


def summarise_memory(data: dict) -> dict[str, float]:
    """Growth from the end of the first minute (warm-up done) to the end."""
    samples = data["samples"]
    warm = [s for s in samples if s["t_s"] >= 60.0] or samples
    rss = [s["rss_mb"] for s in warm]
    return {"minutes": data["minutes"], "frames_streamed": data["frames_streamed"],
            "analysed": samples[-1]["analysed"], "rss_start_mb": rss[0], "rss_end_mb": rss[-1],
            "rss_max_mb": max(rss), "rss_growth_mb": rss[-1] - rss[0],
            "slot_max": max(s["slot"] for s in samples),
            "threads_max": max(s["threads"] for s in samples),
            "py_objects_growth": warm[-1]["py_objects"] - warm[0]["py_objects"]}


# --- (e) engine ------------------------------------------------------------------------------


def engine_stats() -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "engine_bench.py")], check=True,
                          cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


# --- main ------------------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--only", default="a,b,c,d,e")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample-s", type=float, default=5.0)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.clip, args.minutes, args.memory_out, args.sample_s)
        return
    only = set(args.only.split(","))
    result: dict[str, object] = {"date": time.strftime("%Y-%m-%d %H:%M %Z"),
                                 "clip": str(args.clip.relative_to(ROOT)
                                             if args.clip.is_relative_to(ROOT) else args.clip),
                                 "cores": os.cpu_count(), "load_start": _load()}
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        work = Path(tmp)
        clips = {f"{w}x{h}": make_clip(args.clip, (w, h), args.frames, work / f"clip_{w}x{h}.mp4")
                 for w, h in SIZES}
        for name, clip in clips.items():
            if not {"a", "b"} & only:
                break
            ceil, ceil_cpu = [], []
            ana: dict[bool, list[float]] = {True: [], False: []}  # by mirror_pass
            ana_cpu: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(args.rounds):
                if "a" in only:
                    fps, cpu = ceiling_fps(clip, args.frames)
                    ceil.append(fps)
                    ceil_cpu.append(cpu)
                if "b" in only:
                    for mirror_pass in (False, True):
                        fps, cpu = analyze_fps(clip, work, mirror_pass)
                        ana[mirror_pass].append(fps)
                        ana_cpu[mirror_pass].append(cpu)
            entry: dict[str, object] = {"ceiling_fps": ceil, "analyze_fps": ana[False],
                                        "analyze_mirror_pass_fps": ana[True],
                                        "ceiling_cpu_ms_per_frame": ceil_cpu,
                                        "analyze_cpu_ms_per_frame": ana_cpu[False],
                                        "analyze_mirror_pass_cpu_ms_per_frame": ana_cpu[True]}
            if ceil and ana[False]:
                rows.append((f"(a) ceiling {name}", f"{statistics.median(ceil):.1f} fps"))
            for mirror_pass, label, key in ((False, "", "ratio"),
                                            (True, "--mirror-pass", "mirror_ratio")):
                if not (ceil and ana[mirror_pass]):
                    continue
                ratios = [b / a for a, b in zip(ceil, ana[mirror_pass], strict=True)]
                entry[f"{key}_per_round"] = ratios
                entry[f"{key}_median"] = statistics.median(ratios)
                what = f"{label} {name}".strip()
                rows.append((f"(b) analyze {what}",
                             f"{statistics.median(ana[mirror_pass]):.1f} fps"))
                rows.append((f"(b)/(a) {what}", f"{statistics.median(ratios):.2f} "
                             f"(rounds {', '.join(f'{r:.2f}' for r in ratios)})"))
                rows.append((f"CPU ms/frame (a) / (b) {what}",
                             f"{statistics.median(ceil_cpu):.1f} / "
                             f"{statistics.median(ana_cpu[mirror_pass]):.1f}"))
            entry["load_after"] = _load()
            result[f"ceiling_analyze_{name}"] = entry
        if "c" in only:
            live = live_stats(clips["640x480"], work)
            live["load_after"] = _load()
            result["live_640x480"] = live
            rows.append(("(c) live 640x480 displayed", f"{live['displayed_fps']:.1f} fps"))
            rows.append(("(c) live latency median/p95",
                         f"{live['latency_median_ms']:.0f} / {live['latency_p95_ms']:.0f} ms"))
        if "e" in only:
            eng = engine_stats()
            result["engine"] = eng.splitlines()
            rows.extend(("(e) engine", line) for line in eng.splitlines())
        if "d" in only:  # last and alone: it would slow the others down
            memory = memory_stats(clips["640x480"], args.minutes, args.sample_s, work)
            memory["load_after"] = _load()
            result["memory"] = memory
            rows.append((f"(d) RSS over {memory['minutes']:g} min live",
                         f"{memory['rss_start_mb']:.1f} -> {memory['rss_end_mb']:.1f} MB "
                         f"(growth {memory['rss_growth_mb']:+.1f} MB, max "
                         f"{memory['rss_max_mb']:.1f}); newest-frame slot <= "
                         f"{memory['slot_max']}"))
    result["load_end"] = _load()
    width = max(len(k) for k, _ in rows) if rows else 0
    print(f"formcheck bench {result['date']}, {result['cores']} cores, load "
          f"{result['load_start']} -> {result['load_end']}")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
