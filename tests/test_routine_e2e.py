"""A guided routine end to end: a rendered bridge clip through ``formcheck routine --source``
in a real window under Xvfb, the spoken lines logged, the session saved to the history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.coach.history import HistoryStore
from tests.test_routine_session import PLAN as ROUTINE  # two bridge sets of two reps

needs_x = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb not installed")



def formcheck(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formcheck", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
@needs_x
def test_routine_moves_through_sets_on_a_rendered_clip(xvfb: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb, "FORMCHECK_DATA_DIR": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "xcb"}
    clip = tmp_path / "bridge.mp4"
    # 4 clean bridges, about 4 s each; 15 fps keeps rendering and pose estimation short
    done = formcheck("render", "bridge", "--reps", "4", "--fps", "15", "--seed", "0", "--out",
                     str(clip), "--quiet", env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    config = tmp_path / "routine.toml"
    config.write_text(ROUTINE, encoding="utf-8")
    log = tmp_path / "speech.log"
    run = formcheck("routine", "--config", str(config), "--source", str(clip), "--no-pace",
                    "--no-voice", "--speech-log", str(log), env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if not row[2].startswith("dropped")]
    prompts_and_counts = [text for _, kind, _, text in rows if kind in ("prompt", "count")]
    assert prompts_and_counts == [
        "Glute bridge, two reps.", "Ready.", "one", "two", "Set done. Rest, one second.",
        "Glute bridge, two reps.", "Ready.", "one", "two", "Routine complete. Well done!"]
    assert all(status == "muted" for _, _, status, _ in rows)  # --no-voice
    times = [float(t) for t, *_ in rows]
    assert times == sorted(times)
    assert "set 2: bridge: 2/2 reps (done)" in run.stdout
    with HistoryStore(tmp_path / "data" / "history.db") as store:
        (session,) = store.totals()
        saved = store.load(session.id)
    assert saved.kind == "routine"
    assert [(s.reps, s.completed) for s in saved.sets] == [(2, True), (2, True)]
