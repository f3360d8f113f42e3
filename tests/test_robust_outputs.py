"""Outputs that cannot be written: one line, exit 2, and what was measured is not thrown away.

Defined behaviour: outputs finish in the order annotated video + CSV (closed when the analysis
ends), then the JSON report, then the HTML page. An output that fails late leaves every output
finished before it complete on disk. An output failing mid-analysis (video or CSV on a full disk)
should still leave the report: that needs a change in ``formcheck/app/analyze.py`` (see the xfail
tests). Runs as root in CI, so "unwritable" means a place no one can create files (``/proc``) and
"disk full" means ``/dev/full`` behind an ordinary-looking name (a symlink).

Overwriting existing outputs only with ``--force``, and refusing the input as an output, are in
tests/test_analyze.py.
"""

from __future__ import annotations

import csv
import gc
import json
import stat
from pathlib import Path

import pytest

from formcheck.errors import OutputError
from formcheck.output.report import validate_report
from tests.conftest import write_video
from tests.test_analyze import moving_frames, run_cli, video_props

FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clip.mp4", moving_frames(24), fps=24.0)


def full_disk(path: Path) -> Path:
    """``path`` made a name for /dev/full: every write to it fails with ENOSPC."""
    path.symlink_to(FULL)
    return path


def one_error_line(stderr: str, *words: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1 and lines[0].startswith("formcheck: error:"), stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert "FFMPEG" not in lines[0] and len(lines[0]) < 300, lines[0]  # clear, not a dump
    return lines[0]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(autouse=True)
def _dev_full_stays_a_device():
    """A report must never be renamed over a device node (formcheck runs as root in CI)."""
    yield
    if FULL.exists() or FULL.is_symlink():
        assert stat.S_ISCHR(FULL.lstat().st_mode), "/dev/full was replaced by a file"


@pytest.fixture
def collect_leaks():
    """A failed ffmpeg writer is garbage with a pending error (video.py): collect it here, so
    its "unraisable exception" lands on this xfail test and not on whichever test runs next."""
    yield
    gc.collect()


@needs_dev_full
def test_report_on_a_full_disk_keeps_the_finished_video_and_csv(clip, tmp_path, monkeypatch,
                                                              capsys):
    out, metrics = tmp_path / "a.mp4", tmp_path / "m.csv"
    report = full_disk(tmp_path / "r.json")
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(out), "--csv", str(metrics),
                               "--report", str(report), "--force", "--quiet"], monkeypatch,
                              capsys)
    assert code == 2
    one_error_line(stderr, "r.json", "No space left")
    assert video_props(out)[:3] == (24, 160, 120)
    assert [int(r["frame"]) for r in csv_rows(metrics)] == list(range(24))
    assert report.is_symlink() and not (tmp_path / "r.json.part").exists()


@needs_dev_full
def test_html_on_a_full_disk_keeps_the_json_report(clip, tmp_path, monkeypatch, capsys):
    report, html = tmp_path / "r.json", full_disk(tmp_path / "r.html")
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(report), "--html",
                               str(html), "--force", "--quiet"], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "r.html", "No space left")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == [] and data["frames"]["total"] == 24


@needs_dev_full
def test_report_straight_to_dev_full_is_written_in_place_not_renamed(clip, monkeypatch, capsys):
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(FULL), "--force",
                               "--quiet"], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "/dev/full", "No space left")
    assert not Path("/dev/full.part").exists()


@needs_dev_full
def test_csv_on_a_full_disk_is_one_line(clip, tmp_path, monkeypatch, capsys):
    metrics = full_disk(tmp_path / "m.csv")
    code, _, stderr = run_cli(["analyze", str(clip), "--csv", str(metrics), "--force",
                               "--quiet"], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "m.csv", "No space left")


@needs_dev_full
def test_csv_on_a_full_disk_still_writes_the_report(clip, tmp_path, monkeypatch, capsys):
    metrics, report = full_disk(tmp_path / "m.csv"), tmp_path / "r.json"
    code, _, stderr = run_cli(["analyze", str(clip), "--csv", str(metrics), "--report",
                               str(report), "--force", "--quiet"], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "m.csv")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert validate_report(data) == [] and data["frames"]["total"] == 24


@needs_dev_full
@pytest.mark.usefixtures("collect_leaks")
# imageio-ffmpeg leaves its pipe to ffmpeg for the garbage collector after a failed write.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_video_on_a_full_disk_is_one_line_and_still_writes_the_report(clip, tmp_path,
                                                                      monkeypatch, capsys):
    out, report = full_disk(tmp_path / "a.mp4"), tmp_path / "r.json"
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(out), "--report", str(report),
                               "--force", "--quiet"], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "a.mp4")
    data = json.loads(report.read_text(encoding="utf-8"))
    # The analysis stops where the video failed; what was analysed up to there is reported.
    assert validate_report(data) == [] and 0 < data["frames"]["total"] <= 24


@pytest.mark.parametrize("option", ["--report", "--csv", "--html"])
def test_unwritable_output_place_is_one_line(clip, option, monkeypatch, capsys):
    target = Path("/proc") / "formcheck-no-such-output"  # nobody, not even root, creates here
    code, _, stderr = run_cli(["analyze", str(clip), option, str(target), "--quiet"],
                              monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, str(target), "cannot write")
    assert not target.exists()


@pytest.mark.usefixtures("collect_leaks")
def test_unwritable_video_place_is_one_line(clip, monkeypatch, capsys):
    target = Path("/proc") / "formcheck-no-such-output.mp4"
    code, _, stderr = run_cli(["analyze", str(clip), "--out", str(target), "--quiet"],
                              monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, str(target))


def test_output_that_is_the_input_under_another_name_is_refused(clip, tmp_path, monkeypatch,
                                                                capsys):
    alias = tmp_path / "alias.mp4"
    alias.symlink_to(clip)
    before = clip.read_bytes()
    for option, target in (("--out", alias), ("--csv", tmp_path / "." / ".." / tmp_path.name
                                               / "clip.mp4")):
        code, _, stderr = run_cli(["analyze", str(clip), option, str(target), "--force",
                                   "--quiet"], monkeypatch, capsys)
        assert code == 2
        one_error_line(stderr, "is the input")
    assert clip.read_bytes() == before


# --- every command: existing outputs, unwritable folders, checked before any work -------------

@pytest.mark.parametrize("command", [
    ["render", "lunge", "--reps", "1", "--quiet", "--out", "{old}.mp4"],
    ["render", "lunge", "--reps", "1", "--quiet", "--out", "{new}.mp4"],  # its truth exists
    ["track", "{clip}", "--quiet", "--out", "{old}.mp4"],
    ["eval", "{clip}", "--quiet", "--report", "{old}.mp4"],
    ["live", "--source", "{clip}", "--report", "{old}.mp4"],
    ["history", "--csv", "{old}.mp4"],
    ["routine", "--source", "{clip}", "--no-voice", "--speech-log", "{old}.mp4"],
], ids=["render", "render-truth", "track", "eval", "live", "history", "routine"])
def test_no_command_replaces_an_existing_file_without_force(command, clip, tmp_path,
                                                            monkeypatch, capsys):
    """``analyze`` refused to overwrite; render, track, eval, live and history replaced the
    file silently. Refused before any work: live opens no window, eval reads no manifest."""
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    old = tmp_path / "old.mp4"
    old.write_text("keep me")
    (tmp_path / "new.truth.json").write_text("keep me")
    args = [a.format(clip=clip, old=tmp_path / "old", new=tmp_path / "new") for a in command]
    code, _, stderr = run_cli(args, monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "already exists", "--force")
    assert old.read_text() == "keep me"
    assert (tmp_path / "new.truth.json").read_text() == "keep me"
    assert not (tmp_path / "data").exists()  # history not even opened


def test_force_lets_a_command_replace_its_output(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    old = tmp_path / "h.csv"
    old.write_text("keep me")
    code, _, stderr = run_cli(["history", "--csv", str(old), "--force"], monkeypatch, capsys)
    assert code == 0, stderr
    assert old.read_text() != "keep me"


@pytest.mark.parametrize("command", [
    ["live", "--source", "{clip}", "--report", "/proc/formcheck-x.json"],
    ["eval", "{clip}", "--report", "/proc/formcheck-x.json"],
    ["track", "{clip}", "--out", "/proc/formcheck-x.npz"],
    ["render", "bridge", "--out", "/proc/formcheck-x.mp4"],
], ids=["live", "eval", "track", "render"])
def test_an_unwritable_folder_fails_before_any_work(command, clip, monkeypatch, capsys):
    """``live --report /proc/x.json`` ran the whole session, then failed without a summary."""
    args = [a.format(clip=clip) for a in command]
    code, out, stderr = run_cli(args, monkeypatch, capsys)
    assert code == 2 and out == ""
    one_error_line(stderr, "/proc/formcheck-x", "cannot write")


def test_the_speech_log_cannot_be_the_input(clip, monkeypatch, capsys):
    """``routine --speech-log`` opened its log before anything was checked: given the input
    video's name, it emptied the video."""
    size = clip.stat().st_size
    code, _, stderr = run_cli(["routine", "--source", str(clip), "--no-voice", "--speech-log",
                               str(clip)], monkeypatch, capsys)
    assert code == 2
    one_error_line(stderr, "is the input")
    assert clip.stat().st_size == size


def test_a_device_or_pipe_needs_no_force(tmp_path):
    """A device or pipe is no file the user keeps: ``--report /dev/stdout`` on a terminal or
    into a pipe works as is."""
    import os

    from formcheck.output.paths import check_outputs

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    check_outputs((Path("/dev/null"), pipe), force=False)
    regular = tmp_path / "r.json"
    regular.write_text("{}")
    with pytest.raises(OutputError, match="already exists"):
        check_outputs((regular,), force=False)
