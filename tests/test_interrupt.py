"""A real Ctrl-C (SIGINT to the process) mid-run: exit 130, one line, and the partial report.

tests/test_analyze.py raises KeyboardInterrupt in-process; here the signal comes from outside,
as from a terminal, while MediaPipe and the read-ahead thread are busy.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from formcheck.output.report import validate_report
from tests.conftest import REPO, write_video
from tests.test_analyze import moving_frames

CLIP = REPO / "sample_videos" / "lunge_side_clean.mp4"
needs_clip = pytest.mark.skipif(not CLIP.exists(), reason="rendered sample missing")


def frame_count(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        cap.release()


def interrupt_after(args: list[str], seconds: float, env: dict[str, str] | None = None,
                    started: Path | None = None,
                    group: bool = False) -> subprocess.CompletedProcess[str]:
    """Run formcheck, send SIGINT ``seconds`` after it started (or after ``started`` has data).

    ``group``: to its whole process group, as a terminal's Ctrl-C does (the model's process
    gets it too).
    """
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=group,
                            env={**os.environ, "NO_COLOR": "1", **(env or {})})
    try:
        if started is not None:  # mid-analysis on a fast or a loaded machine alike
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and not (
                    started.exists() and started.stat().st_size > 0):
                time.sleep(0.05)
        time.sleep(seconds)
        assert proc.poll() is None, "finished before the interrupt: use a longer clip"
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def shared_files() -> set[Path]:
    """The model process's shared-memory files (Linux)."""
    shm = Path("/dev/shm")
    return set(shm.glob("formcheck-*")) if shm.is_dir() else set()


@needs_clip
@pytest.mark.parametrize("group", [False, True], ids=["process", "process-group"])
def test_sigint_during_analyze_writes_the_partial_report_and_exits_130(tmp_path: Path,
                                                                      group: bool) -> None:
    report, metrics = tmp_path / "r.json", tmp_path / "m.csv"
    before = shared_files()
    proc = interrupt_after(["analyze", str(CLIP), "--report", str(report), "--csv", str(metrics),
                            "--quiet"], seconds=1.0, started=metrics, group=group)
    assert shared_files() <= before
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("formcheck:")]
    assert len(errors) == 1 and "interrupted" in errors[0], proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == []
    assert 0 < data["frames"]["total"] < frame_count(CLIP)
    rows = metrics.read_text(encoding="utf-8").splitlines()
    assert len(rows) - 1 == data["frames"]["total"]  # the CSV holds exactly what was analysed
    assert "formcheck summary" in proc.stdout


needs_x = pytest.mark.skipif(any(shutil.which(t) is None for t in ("Xvfb", "xdotool")),
                             reason="needs Xvfb and xdotool")



@pytest.mark.slow
@needs_x
def test_sigint_during_live_writes_the_report_and_exits_130(xvfb: str, tmp_path: Path) -> None:
    clip = write_video(tmp_path / "clip.mp4", moving_frames(600), fps=30.0)  # 20 s, paced
    report = tmp_path / "live.json"
    proc = interrupt_after(["live", "--source", str(clip), "--report", str(report),
                            "--max-seconds", "60"], seconds=6.0,
                           env={"DISPLAY": xvfb, "FORMCHECK_DATA_DIR": str(tmp_path / "data"),
                                "QT_QPA_PLATFORM": "xcb"})
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == [] and 0 < data["frames"]["total"] < 600
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 130, proc.stderr
