import io
from datetime import datetime, timezone

import numpy as np

from formcheck.coach.commands import RoutineSession
from formcheck.coach.factory import make_speaker
from formcheck.coach.history import HistoryStore
from formcheck.coach.recorder import HistorySink
from formcheck.coach.routine import plan_from_toml
from formcheck.coach.speech import FakeSpeechEngine
from formcheck.engine.types import Exercise, FrameResult, Phase, RepEvent, Side, View
from formcheck.pose.types import Pose

PLAN = """
lang = "en"
[[block]]
exercise = "bridge"
sets = 2
reps = 2
rest_s = 1
"""


def frame(t_ms, rep=None):
    pose = Pose(t_ms, 640, 480, np.full((33, 2), 100.0), np.zeros(33), np.zeros((33, 3)),
                np.ones(33), np.ones(33))
    return FrameResult(t_ms=t_ms, pose=pose, exercise=Exercise.BRIDGE, view=View.SIDE,
                       side=Side.BOTH, phase=Phase.START, metrics={}, reps={}, rep=rep)


def drive(session, seconds, rep_every_ms=1000, start_ms=0):
    t = start_ms
    while t < start_ms + seconds * 1000 and not session.should_stop():
        rep = (RepEvent(1, Side.BOTH, t - 800, t - 400, t)
               if t % rep_every_ms == 0 and t > 0 else None)
        session.update(frame(t, rep))
        t += 50
        session.voice.speaker.wait_idle(2.0)
    return t


def test_routine_session_runs_speaks_logs_and_saves(tmp_path):
    told = []
    log = io.StringIO()
    engine = FakeSpeechEngine()
    speaker = make_speaker("de", True, log=log, engine=engine)
    history = HistorySink(tmp_path / "history.db", datetime(2026, 11, 28, tzinfo=timezone.utc),
                          "routine", "clip.mp4", "de")
    with RoutineSession(plan_from_toml(PLAN), speaker, lambda *t: told.append(t), history,
                        lang="de") as s:
        drive(s, 30)
        assert s.should_stop() and s.runner.done
        lines = s.summary_lines()
    assert told == [(Exercise.BRIDGE, True)]  # a rep set
    assert engine.texts() == [
        "Beckenheben, zwei Wiederholungen.", "Bereit.", "eins", "zwei",
        "Satz geschafft. Pause, eine Sekunde.", "Beckenheben, zwei Wiederholungen.", "Bereit.",
        "eins", "zwei", "Programm geschafft. Gut gemacht!"]
    assert [row.split("\t")[2] for row in log.getvalue().splitlines()] == ["said"] * 10
    assert lines == ["set 1: bridge: 2/2 reps (done)", "set 2: bridge: 2/2 reps (done)"]
    with HistoryStore(tmp_path / "history.db") as store:
        (totals,) = store.totals()
        saved = store.load(totals.id)
    assert [(s.reps, s.completed) for s in saved.sets] == [(2, True), (2, True)]
    assert totals.kind == "routine"


def test_max_seconds_stops_and_keeps_unfinished_set(tmp_path):
    speaker = make_speaker("en", False)
    with RoutineSession(plan_from_toml(PLAN), speaker, lambda ex, reps: None,
                        max_seconds=2.0) as s:
        t = drive(s, 30, rep_every_ms=10_000)
        assert s.should_stop() and not s.runner.done
        assert t == 2050
        assert s.summary_lines() == ["set 1: bridge: 0/2 reps (stopped)"]
