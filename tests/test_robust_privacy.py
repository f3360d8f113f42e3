"""Privacy and hostile names: file names reach HTML and the terminal as text, never as markup or
control codes; camera frames reach the disk only when ``--out`` asks for it.

No-network checks are in tests/test_privacy.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from formcheck.output.html import render_html
from formcheck.output.report import build_report
from tests.conftest import write_video
from tests.test_analyze import moving_frames, run_cli

#: First bytes of the picture and video formats a frame could be saved as.
MEDIA_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"RIFF", b"\x1aE\xdf\xa3", b"GIF8")


def is_media(path: Path) -> bool:
    head = path.read_bytes()[:12]
    return head.startswith(MEDIA_MAGIC) or head[4:8] == b"ftyp"


def media_files(*folders: Path) -> set[Path]:
    return {p for folder in folders for p in folder.rglob("*") if p.is_file() and is_media(p)}


def test_html_escapes_a_hostile_file_name(tmp_path: Path, monkeypatch, capsys) -> None:
    name = "<img src=x onerror=alert(1)><script>alert(2)<script>.mp4"
    clip = write_video(tmp_path / name, moving_frames(6))
    html = tmp_path / "r.html"
    code, _, stderr = run_cli(["analyze", str(clip), "--html", str(html), "--quiet"],
                              monkeypatch, capsys)
    assert code == 0, stderr
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(2)" in page and "&lt;img src=x" in page


def test_html_escapes_every_report_text() -> None:
    """Fault messages and codes come from the engine, but the page must not trust them either."""
    from formcheck.engine.types import Exercise, FaultSpan, SessionSummary, View

    evil = '"><script>x()</script>'
    summary = SessionSummary(Exercise.LUNGE, View.SIDE, 0, 1000, 30, 30, {}, (), (),
                             (FaultSpan(evil, 0, 500, evil),), evil)
    page = render_html(build_report(summary, evil))
    assert "<script>" not in page and page.count("&lt;script&gt;") >= 4


def test_error_line_escapes_control_characters_in_a_file_name(tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    name = "a\x1b]0;owned\x07\nb.mp4"  # a terminal title escape and a newline
    code, _, stderr = run_cli(["analyze", str(tmp_path / name), "--quiet"], monkeypatch, capsys)
    assert code == 2
    assert "\x1b" not in stderr and "\x07" not in stderr
    assert stderr.count("\n") == 1 and "no such file" in stderr
    assert "\\x1b]0;owned" in stderr


def test_terminal_summary_shows_rich_markup_in_a_name_literally(tmp_path: Path, monkeypatch,
                                                                capsys) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative path: the table does not cut it
    Path("[red]x[").mkdir()
    write_video(Path("[red]x[") / "red]y.mp4", moving_frames(6))  # reads [red]x[/red]y.mp4
    code, stdout, stderr = run_cli(["analyze", "[red]x[/red]y.mp4", "--quiet"], monkeypatch,
                                   capsys)
    assert code == 0, stderr
    assert "[red]x[/red]y.mp4" in stdout.replace("\n", "").replace("│", "").replace(" ", "")


def test_terminal_summary_survives_an_unbalanced_markup_tag(tmp_path: Path, monkeypatch,
                                                            capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("[", "bold]").mkdir(parents=True)
    write_video(Path("[", "bold]", "c.mp4"), moving_frames(6))
    code, _, stderr = run_cli(["analyze", "[/bold]/c.mp4", "--quiet"], monkeypatch, capsys)
    assert code == 0, stderr


def test_terminal_summary_strips_escape_sequences_in_a_name(tmp_path: Path) -> None:
    """Through the real command (stdout a pipe, so rich adds no styling codes of its own)."""
    import subprocess
    import sys

    name = "a\x1b]0;owned\x07b.mp4"
    write_video(tmp_path / name, moving_frames(6))
    proc = subprocess.run([sys.executable, "-m", "formcheck", "analyze", name, "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "formcheck summary" in proc.stdout and "\x1b" not in proc.stdout


def test_analyze_without_out_writes_no_frames(tmp_path: Path, monkeypatch, capsys) -> None:
    """Only the files asked for appear: in the working folder, beside the clip, in the output
    folder and in the temporary folder."""
    work, outputs, tmp = tmp_path / "work", tmp_path / "outputs", Path(os.environ.get(
        "TMPDIR", "/tmp"))
    work.mkdir()
    outputs.mkdir()
    clip = write_video(tmp_path / "clip.mp4", moving_frames(24))
    monkeypatch.chdir(work)
    before_tmp = {p for p in tmp.iterdir() if p.is_file() and is_media(p)}
    before = set(tmp_path.rglob("*"))
    code, _, stderr = run_cli(["analyze", str(clip), "--report", str(outputs / "r.json"),
                               "--csv", str(outputs / "m.csv"), "--html",
                               str(outputs / "r.html"), "--quiet"], monkeypatch, capsys)
    assert code == 0, stderr
    new = set(tmp_path.rglob("*")) - before
    assert new == {outputs / "r.json", outputs / "m.csv", outputs / "r.html"}
    assert not media_files(work, outputs)
    assert {p for p in tmp.iterdir() if p.is_file() and is_media(p)} <= before_tmp


def test_live_session_writes_no_frames(tmp_path: Path, monkeypatch) -> None:
    """A live session (frames from a fake camera, history on) leaves no picture or video behind."""
    import formcheck.app.inputs as inputs
    from formcheck.app.live import LiveOptions, run_live
    from tests.test_live import FakeDisplay, ListSource, NoPose, frames

    work, data = tmp_path / "work", tmp_path / "data"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(data))
    source = ListSource(frames(20))
    monkeypatch.setattr(inputs, "open_input", lambda spec, stack, **kw: (source, NoPose()))
    before = set(tmp_path.rglob("*"))
    run_live(LiveOptions(camera=0, report=work / "r.json"), display=FakeDisplay())
    new = set(tmp_path.rglob("*")) - before
    assert work / "r.json" in new
    assert not {p for p in new if p.is_file() and is_media(p)}
    assert {p for p in new if p.is_relative_to(work)} == {work / "r.json"}
