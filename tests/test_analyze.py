"""``formcheck analyze`` end to end: outputs, contract checks, exit codes, Ctrl-C."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.cli import main
from formcheck.output.report import validate_report
from tests.conftest import REPO, write_video


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["formcheck", *args])
    # main() installs a seccomp filter for its whole process; in-process here, it would outlive
    # the test and refuse sockets to every later test (tests/test_privacy.py checks the filter).
    monkeypatch.setattr("formcheck.cli.block_internet_sockets", lambda: False)
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def moving_frames(n: int, width: int = 160, height: int = 120) -> list[np.ndarray]:
    """Frames with a moving bright square (no person: the pipeline must still produce output)."""
    frames = []
    for i in range(n):
        image = np.full((height, width, 3), 40, np.uint8)
        x = (i * 5) % (width - 20)
        image[40:60, x: x + 20] = (200, 180, 160)
        frames.append(image)
    return frames


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clip.mp4", moving_frames(24), fps=24.0)


def video_props(path: Path) -> tuple[int, int, int, float]:
    cap = cv2.VideoCapture(str(path))
    try:
        frames = 0
        while cap.read()[0]:
            frames += 1
        return (frames, int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)), float(cap.get(cv2.CAP_PROP_FPS)))
    finally:
        cap.release()


def test_analyze_writes_video_report_and_csv(clip: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out, report, metrics = tmp_path / "a.mp4", tmp_path / "r.json", tmp_path / "m.csv"
    html = tmp_path / "r.html"
    code, stdout, stderr = run_cli(["analyze", str(clip), "--out", str(out), "--report",
                                    str(report), "--csv", str(metrics), "--html", str(html),
                                    "--quiet"], monkeypatch, capsys)
    assert code == 0, stderr
    assert video_props(out) == (24, 160, 120, 24.0)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == []
    assert data["frames"] == {"total": 24, "with_pose": 0}
    assert data["duration_s"] == pytest.approx(1.0, abs=0.05)
    assert data["source"] == str(clip)
    with metrics.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["frame"]) for r in rows] == list(range(24))
    assert all(r["pose_found"] == "0" for r in rows)
    assert "formcheck summary" in stdout and "0 / 24" in stdout
    assert "0 / 24" in html.read_text(encoding="utf-8")


def test_annotated_video_is_h264(clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    import imageio_ffmpeg

    out = tmp_path / "a.mp4"
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(out), "--quiet"],
                              monkeypatch, capsys)
    assert code == 0, stderr
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(out)],
                           capture_output=True, text=True, check=False)
    assert "Video: h264" in probe.stderr
    assert "yuv420p" in probe.stderr  # the pixel format every player decodes


@pytest.mark.parametrize("which", ["--out", "--report", "--csv"])
def test_refuses_to_overwrite_the_input(clip: Path, which: str,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = clip.read_bytes()
    code, _, stderr = run_cli(["analyze", str(clip), which, str(clip), "--force", "--quiet"],
                              monkeypatch, capsys)
    assert code == 2
    assert stderr.count("\n") == 1 and "is the input" in stderr and "Traceback" not in stderr
    assert clip.read_bytes() == before


def test_existing_output_needs_force(clip: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.json"
    report.write_text("keep me")
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(report), "--quiet"],
                              monkeypatch, capsys)
    assert code == 2 and "--force" in stderr and report.read_text() == "keep me"
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(report), "--quiet",
                               "--force"], monkeypatch, capsys)
    assert code == 0, stderr
    assert validate_report(json.loads(report.read_text())) == []


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.mp4", "no such file"),
    (lambda d: (d / "bad.mp4").write_text("not a video") and d / "bad.mp4", "video"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, make: object, message: str,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, _, stderr = run_cli(["analyze", str(path), "--quiet"], monkeypatch, capsys)
    assert code == 2
    assert stderr.strip().count("\n") == 0 and message in stderr


def test_bad_output_folder_and_exercise_exit_2(clip: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(tmp_path / "no" / "a.mp4")],
                              monkeypatch, capsys)
    assert code == 2 and "does not exist" in stderr
    code, _, _ = run_cli(["analyze", str(clip), "--exercise", "squat"], monkeypatch, capsys)
    assert code == 2


def test_ctrl_c_writes_partial_results_and_exits_130(clip: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from formcheck.pose.estimator import PoseEstimator

    real = PoseEstimator._collect  # the pose of each frame, in order (two are in the model)
    calls = {"n": 0}

    def interrupt_at_ten(self: PoseEstimator, sent: object) -> object:
        calls["n"] += 1
        if calls["n"] > 10:
            raise KeyboardInterrupt
        return real(self, sent)  # type: ignore[arg-type]

    monkeypatch.setattr(PoseEstimator, "_collect", interrupt_at_ten)
    out, report = tmp_path / "a.mp4", tmp_path / "r.json"
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(out), "--report", str(report),
                               "--quiet"], monkeypatch, capsys)
    assert code == 130 and "partial" in stderr
    data = json.loads(report.read_text())
    assert validate_report(data) == [] and data["frames"]["total"] == 10
    assert video_props(out)[:3] == (10, 160, 120)  # the partial video is finished and plays


def test_a_model_process_that_dies_mid_run_keeps_the_partial_report(
        clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from formcheck.errors import ModelError
    from formcheck.pose.estimator import PoseEstimator

    real = PoseEstimator._collect
    calls = {"n": 0}

    def die_at_ten(self: PoseEstimator, sent: object) -> object:
        calls["n"] += 1
        if calls["n"] > 10:
            raise ModelError("pose model process stopped unexpectedly (exit code -9)")
        return real(self, sent)  # type: ignore[arg-type]

    monkeypatch.setattr(PoseEstimator, "_collect", die_at_ten)
    report = tmp_path / "r.json"
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(report), "--quiet"],
                              monkeypatch, capsys)
    assert code == 2 and "stopped unexpectedly" in stderr and "Traceback" not in stderr
    assert json.loads(report.read_text())["frames"]["total"] == 10


def test_analyze_replays_a_landmark_track(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from formcheck.pose.track import TrackRecorder, save_track
    from tests.test_overlay import lunge_pose

    recorder = TrackRecorder("synthetic", 320, 240, 30.0)
    for i in range(30):
        recorder.add(lunge_pose(320, 240, t_ms=round(i * 1000 / 30)))
    track = tmp_path / "t.npz"
    save_track(recorder.track(), track)
    out, report = tmp_path / "a.mp4", tmp_path / "r.json"
    code, _, stderr = run_cli(["analyze", str(track), "--out", str(out), "--report", str(report),
                               "--quiet"], monkeypatch, capsys)
    assert code == 0, stderr
    data = json.loads(report.read_text())
    assert validate_report(data) == [] and data["frames"] == {"total": 30, "with_pose": 30}
    assert video_props(out)[:3] == (30, 320, 240)


SAMPLES = sorted((REPO / "sample_videos").glob("*lunge*side*.mp4"))


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLES, reason="no rendered lunge sample in sample_videos/")
def test_analyze_a_rendered_lunge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    sample = SAMPLES[0]
    out, report = tmp_path / "a.mp4", tmp_path / "r.json"
    code, stdout, stderr = run_cli(["analyze", str(sample), "--out", str(out), "--report",
                                    str(report), "--quiet", "--lang", "de"], monkeypatch, capsys)
    assert code == 0, stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == []
    assert data["exercise"] == "lunge"
    assert data["frames"]["with_pose"] >= 0.8 * data["frames"]["total"]
    cap = cv2.VideoCapture(str(sample))
    expected = (int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), int(cap.get(3)), int(cap.get(4)))
    cap.release()
    assert video_props(out)[:3] == expected
    assert "lunge" in stdout


def test_read_ahead_keeps_every_frame_in_order_and_stops_when_closed() -> None:
    import threading
    from contextlib import closing

    from formcheck.app.pipeline import read_ahead
    from formcheck.source import Frame

    frames = [Frame(np.zeros((4, 4, 3), np.uint8), i * 33, i) for i in range(50)]
    assert [f.index for f in read_ahead(frames, depth=3)] == list(range(50))

    with closing(read_ahead(iter(frames), depth=2)) as ahead:
        assert next(ahead).index == 0
    assert not any(t.name == "read-ahead" for t in threading.enumerate())

    def broken() -> object:
        yield frames[0]
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for frame in read_ahead(broken()):
            got.append(frame.index)
    assert got == [0]


class _CountingStage:
    """Pose stage that raises KeyboardInterrupt on frame ``stop_at`` (or never)."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.stop_at = stop_at

    def estimate(self, frame: object) -> object:
        if self.stop_at is not None and frame.index == self.stop_at:  # type: ignore[attr-defined]
            raise KeyboardInterrupt
        return frame


class _Echo:
    def update(self, pose: object) -> object:
        return pose


def test_run_with_sinks_behind_keeps_order_drains_on_interrupt_and_raises_sink_errors() -> None:
    import threading

    from formcheck.app.pipeline import Pipeline, run
    from formcheck.source import Frame

    frames = [Frame(np.zeros((4, 4, 3), np.uint8), i * 33, i) for i in range(40)]

    class Collect:
        def __init__(self, fail_at: int | None = None) -> None:
            self.seen: list[int] = []
            self.threads: set[str] = set()
            self.fail_at = fail_at

        def update(self, frame: Frame, result: object) -> None:
            if frame.index == self.fail_at:
                raise OSError("encoder died")
            self.seen.append(frame.index)
            self.threads.add(threading.current_thread().name)

    sink = Collect()
    assert run(frames, Pipeline(_CountingStage(), _Echo()), [sink], behind=3) == 40
    assert sink.seen == list(range(40)) and sink.threads == {"sinks"}

    sink = Collect()  # Ctrl-C in the model thread: what was analysed still reaches the sinks
    with pytest.raises(KeyboardInterrupt):
        run(frames, Pipeline(_CountingStage(stop_at=25), _Echo()), [sink], behind=3)
    assert sink.seen == list(range(25))

    with pytest.raises(OSError, match="encoder died"):
        run(frames, Pipeline(_CountingStage(), _Echo()), [Collect(fail_at=5)], behind=2)
    assert not any(t.name == "sinks" for t in threading.enumerate())


def test_run_hands_a_pipelined_stage_all_frames_and_keeps_its_order() -> None:
    """A stage with ``poses`` (the model in its own process) gets the whole frame stream."""
    from collections.abc import Iterable, Iterator

    from formcheck.app.pipeline import Pipeline, run
    from formcheck.pose.types import Pose
    from formcheck.source import Frame

    class Pipelined:
        def __init__(self) -> None:
            self.estimated = 0

        def estimate(self, frame: Frame) -> Pose:
            self.estimated += 1
            return Pose.empty(frame.t_ms, frame.width, frame.height)

        def poses(self, frames: Iterable[Frame]) -> Iterator[tuple[Frame, Pose]]:
            held: list[Frame] = []
            for frame in frames:  # two in flight, like the model's process
                held.append(frame)
                if len(held) == 2:
                    first = held.pop(0)
                    yield first, Pose.empty(first.t_ms, first.width, first.height)
            for frame in held:
                yield frame, Pose.empty(frame.t_ms, frame.width, frame.height)

    frames = [Frame(np.zeros((4, 4, 3), np.uint8), i * 33, i) for i in range(9)]
    seen: list[int] = []
    stage = Pipelined()
    done = run(frames, Pipeline(stage, _Echo()), [],
               on_frame=lambda f, _r: seen.append(f.index), behind=2)
    assert done == 9 and seen == list(range(9)) and stage.estimated == 0


def test_prepared_frames_give_the_same_model_input() -> None:
    from formcheck.pose.estimator import ModelFrame, PoseEstimator
    from formcheck.source import Frame

    estimator = PoseEstimator()  # not entered: prepare needs no model
    image = np.random.default_rng(1).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    prepared = estimator.prepare(Frame(image, 0, 0))
    assert isinstance(prepared, ModelFrame) and prepared.image is image
    assert prepared.model_input is not None and prepared.model_input.shape == (360, 640, 3)
    expected = cv2.cvtColor(cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA),
                            cv2.COLOR_BGR2RGB)
    assert np.array_equal(prepared.model_input, expected)


@pytest.mark.parametrize(("width", "prefer_h264", "codec", "pix_fmt"), [
    (160, True, "h264", "yuv420p"), (161, True, "h264", "yuv444p"), (160, False, "mp4v", None)])
def test_video_writer_keeps_the_exact_size(tmp_path: Path, width: int, prefer_h264: bool,
                                          codec: str, pix_fmt: str | None) -> None:
    from formcheck.output.video import VideoWriter

    path = tmp_path / "v.mp4"
    with VideoWriter(path, width, 121 if width % 2 else 120, 25.0,
                     prefer_h264=prefer_h264) as writer:
        height = writer.size[1]
        for image in moving_frames(10, width=width, height=height):
            writer.write(image)
        with pytest.raises(ValueError, match="differs"):
            writer.write(np.zeros((height, 100, 3), np.uint8))
    assert writer.codec == codec
    if pix_fmt is not None:
        assert writer.pix_fmt == pix_fmt
    assert video_props(path) == (10, width, height, 25.0)


@pytest.mark.parametrize("width", [160, 161])
def test_video_writer_keeps_colours(tmp_path: Path, width: int) -> None:
    """Both chroma paths (I420 converted here, 4:4:4 converted by FFmpeg) keep flat colours."""
    from formcheck.output.video import VideoWriter

    colours = [(0, 0, 0), (255, 255, 255), (128, 128, 128), (40, 120, 200), (0, 200, 0)]
    image = np.zeros((120, width, 3), np.uint8)
    step = width // len(colours)
    for i, colour in enumerate(colours):
        image[:, i * step:(i + 1) * step] = colour
    path = tmp_path / "c.mp4"
    with VideoWriter(path, width, 120, 25.0) as writer:
        for _ in range(3):
            writer.write(image)
    ok, back = cv2.VideoCapture(str(path)).read()
    assert ok and back.shape == image.shape
    for i, colour in enumerate(colours):
        got = back[60, i * step + step // 2].astype(int)
        assert np.abs(got - np.array(colour)).max() <= 8, (colour, got)
