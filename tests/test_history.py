import csv
import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from rich.console import Console

from formcheck.coach.history import (
    SCHEMA_VERSION,
    FaultRecord,
    HistoryStore,
    HoldRecord,
    RepRecord,
    SessionRecord,
    SetRecord,
    history_path,
    schema_version,
)
from formcheck.coach.history_view import day_rows, print_history, trend, write_csv
from formcheck.coach.recorder import HistorySink, SessionRecorder
from formcheck.coach.routine import SetOutcome, SetPlan
from formcheck.engine.types import (
    Cue,
    Exercise,
    FrameResult,
    Phase,
    RepEvent,
    Severity,
    Side,
    View,
)
from formcheck.errors import OutputError
from formcheck.pose.types import Pose

TZ = timezone(timedelta(hours=1))


def when(day, hour=8):
    return datetime(2026, 11, day, hour, 0, 0, tzinfo=TZ)


def routine_record(day=20, faults=("arched_back", "arched_back", "knee_past_toes")):
    return SessionRecord(
        started_at=when(day), kind="routine", source="camera:0", duration_s=600.0, lang="de",
        sets=(SetRecord(0, "lunge", "left", None, 45.0, 0, 45.0, True, 1.0, 47.0),
              SetRecord(1, "bridge", "both", 12, None, 12, 0.0, True, 60.0, 110.0)),
        reps=tuple(RepRecord("bridge", "both", i + 1, 60.0 + 4 * i, 63.0 + 4 * i,
                             ("low_bridge",) if i == 0 else ()) for i in range(12)),
        holds=(HoldRecord("lunge", "left", 2.0, 47.0),),
        faults=tuple(FaultRecord(code, 10.0 + i, 11.0 + i) for i, code in enumerate(faults)),
    )


def test_history_path_precedence(tmp_path):
    assert history_path({"FORMCHECK_DATA_DIR": str(tmp_path), "XDG_DATA_HOME": "/x"}) == (
        tmp_path / "history.db")
    assert history_path({"XDG_DATA_HOME": "/x", "HOME": "/h"}).as_posix() == (
        "/x/formcheck/history.db")
    assert history_path({"HOME": "/h"}).as_posix() == "/h/.local/share/formcheck/history.db"


def test_write_and_read_back(tmp_path):
    record = routine_record()
    with HistoryStore(tmp_path / "h.db") as store:
        sid = store.save(record)
    with HistoryStore(tmp_path / "h.db") as store:
        assert store.load(sid) == record
        (totals,) = store.totals()
    assert totals.reps_by_exercise == {"bridge": 12}
    assert totals.hold_s == pytest.approx(45.0)
    assert totals.faults == {"arched_back": 2, "knee_past_toes": 1}
    assert totals.started_at == when(20)


def test_new_database_is_current_version(tmp_path):
    with HistoryStore(tmp_path / "h.db"):
        pass
    db = sqlite3.connect(tmp_path / "h.db")
    assert schema_version(db) == SCHEMA_VERSION == 2
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sessions", "sets", "reps", "holds", "faults"}


def make_v1(path):
    """A history written by the first schema: totals per session, fault counts."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL,
            kind TEXT NOT NULL, source TEXT NOT NULL, exercise TEXT NOT NULL,
            reps INTEGER NOT NULL, hold_s REAL NOT NULL);
        CREATE TABLE faults (session_id INTEGER NOT NULL REFERENCES sessions(id),
            code TEXT NOT NULL, count INTEGER NOT NULL);
        INSERT INTO sessions VALUES (1, '2026-11-01T08:00:00+01:00', 'live', 'camera:0',
            'lunge', 10, 0.0);
        INSERT INTO sessions VALUES (2, '2026-11-02T08:00:00+01:00', 'live', 'clip.mp4',
            'bridge', 8, 30.0);
        INSERT INTO faults VALUES (1, 'arched_back', 3);
        INSERT INTO faults VALUES (1, 'knee_past_toes', 1);
        INSERT INTO faults VALUES (2, 'low_bridge', 2);
        PRAGMA user_version = 1;
    """)
    db.commit()
    db.close()


def test_migrates_v1_history(tmp_path):
    path = tmp_path / "h.db"
    make_v1(path)
    with HistoryStore(path) as store:
        totals = store.totals()
        new_id = store.save(routine_record(day=3))
    assert [t.id for t in totals] == [1, 2]
    assert totals[0].reps_by_exercise == {"lunge": 10}
    assert totals[0].faults == {"arched_back": 3, "knee_past_toes": 1}
    assert totals[1].reps_by_exercise == {"bridge": 8}
    assert totals[1].hold_s == 30.0
    assert totals[1].faults == {"low_bridge": 2}
    assert new_id == 3
    db = sqlite3.connect(path)
    assert schema_version(db) == SCHEMA_VERSION
    assert not {"sessions_v1", "faults_v1"} & {
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_failed_migration_leaves_old_version(tmp_path, monkeypatch):
    from formcheck.coach import history

    path = tmp_path / "h.db"
    make_v1(path)

    def broken(db):
        db.execute("ALTER TABLE sessions RENAME TO sessions_v1")
        raise sqlite3.OperationalError("disk on fire")

    monkeypatch.setitem(history.MIGRATIONS, 1, broken)
    with pytest.raises(OutputError, match="disk on fire"):
        HistoryStore(path)
    db = sqlite3.connect(path)
    assert schema_version(db) == 1
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(OutputError, match="newer"):
        HistoryStore(path)


def test_not_a_database_is_output_error(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OutputError):
        HistoryStore(path)


def test_days_table_trend_and_csv(tmp_path):
    with HistoryStore(tmp_path / "h.db") as store:
        store.save(routine_record(day=20, faults=("arched_back",) * 6))
        store.save(routine_record(day=20, faults=("arched_back",) * 6))
        store.save(routine_record(day=21, faults=("knee_past_toes",)))
        totals = store.totals()
    rows = day_rows(totals)
    assert [(r.day, r.sessions, r.bridge_reps, r.faults, r.top_fault) for r in rows] == [
        ("2026-11-20", 2, 24, 12, "arched_back"), ("2026-11-21", 1, 12, 1, "knee_past_toes")]
    assert rows[0].hold_s == pytest.approx(90.0)
    assert trend(rows) == "fewer faults: 5.0 -> 0.8 faults per 10 reps"
    console = Console(width=140, record=True)
    print_history(totals, console)
    text = console.export_text()
    assert "2026-11-20" in text and "1:30" in text and "0.8 ↓" in text
    out = tmp_path / "h.csv"
    write_csv(totals, out)
    with out.open() as fh:
        table = list(csv.DictReader(fh))
    assert [r["bridge_reps"] for r in table] == ["12", "12", "12"]
    assert table[2]["fault_codes"] == "knee_past_toes:1"
    assert table[0]["day"] == "2026-11-20"


def test_empty_history_message():
    console = Console(record=True)
    print_history([], console)
    assert "No sessions" in console.export_text()


# -- recording from FrameResults -------------------------------------------------------------------


def frame(t_ms, *, found=True, exercise=Exercise.BRIDGE, side=Side.BOTH, rep=None, cues=(),
          hold_ms=0):
    pose = (Pose(t_ms, 640, 480, np.full((33, 2), 100.0), np.zeros(33), np.zeros((33, 3)),
                 np.ones(33), np.ones(33)) if found else Pose.empty(t_ms, 640, 480))
    return FrameResult(t_ms=t_ms, pose=pose, exercise=exercise, view=View.SIDE, side=side,
                       phase=Phase.HOLD if hold_ms else Phase.START, metrics={}, reps={},
                       cues=tuple(cues), rep=rep, hold_ms=hold_ms)


ARCH = Cue("arched_back", "Ribs down.", Severity.FAULT)
WARN = Cue("trunk_lean_forward", "Chest up.", Severity.WARNING)


def test_recorder_collects_reps_holds_and_merged_fault_spans():
    rec = SessionRecorder()
    for t in range(1000, 11000, 100):
        rep = (RepEvent(1, Side.BOTH, 1500, 2500, 3500, faults=("arched_back",))
               if t == 3500 else None)
        arch = 2000 <= t < 3000 or 3300 <= t < 4000 or 8000 <= t < 9000  # 300 ms gap merges
        hold = t - 5000 if 5000 <= t < 7000 else 0
        rec.update(frame(t, rep=rep, cues=(ARCH, WARN) if arch else (WARN,), hold_ms=hold))
    record = rec.record(when(20), "live", "clip.mp4", "en")
    assert record.reps == (RepRecord("bridge", "both", 1, 0.5, 2.5, ("arched_back",)),)
    assert record.holds == (HoldRecord("bridge", "both", 4.0, 5.9),)
    assert record.faults == (FaultRecord("arched_back", 1.0, 2.9),
                             FaultRecord("arched_back", 7.0, 7.9))
    assert record.duration_s == pytest.approx(9.9)


def test_history_sink_saves_with_routine_sets(tmp_path):
    path = tmp_path / "data" / "history.db"
    plan = SetPlan(Exercise.BRIDGE, Side.BOTH, reps=2, rest_after_s=0)
    outcome = SetOutcome(0, plan, 2, 0.0, 1000, 5000, True)
    with HistorySink(path, when(22), "routine", "camera:0", "de",
                     sets=lambda t_ms: [outcome]) as sink:
        for t in range(0, 6000, 100):
            sink.update(frame(t))
    with HistoryStore(path) as store:
        saved = store.load(sink.saved_id)
    assert saved.sets == (SetRecord(0, "bridge", "both", 2, None, 2, 0.0, True, 1.0, 5.0),)
    assert saved.kind == "routine" and saved.lang == "de"


def test_history_sink_skips_sessions_without_a_person(tmp_path):
    path = tmp_path / "history.db"
    with HistorySink(path, when(22), "live", "camera:0") as sink:
        for t in range(0, 1000, 100):
            sink.update(frame(t, found=False))
    assert sink.saved_id is None and not path.exists()


def test_history_sink_warns_instead_of_failing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    warnings = []
    with HistorySink(blocker / "history.db", when(22), "live", "camera:0",
                     warn=warnings.append) as sink:
        sink.update(frame(0))
    assert len(warnings) == 1 and "not saved" in warnings[0]


def test_hold_with_flickering_side_is_one_hold():
    rec = SessionRecorder()
    for t in range(0, 5000, 100):
        side = Side.LEFT if (t // 300) % 2 else Side.RIGHT
        rec.update(frame(t, exercise=Exercise.LUNGE, side=side, hold_ms=t - 1000 if t > 1000
                         else 0))
    rec.update(frame(5000, exercise=Exercise.LUNGE, hold_ms=100))  # a new hold begins
    record = rec.record(when(20), "live", "clip.mp4", "en")
    assert [(h.start_s, h.end_s) for h in record.holds] == [(1.0, 4.9), (4.9, 5.0)]


@pytest.mark.parametrize(("pause_s", "holds"), [(0.8, 0), (10.0, 2)])
def test_the_history_holds_are_the_engines_holds(pause_s, holds):
    """Bridges with a pause at the top: the history saved pauses as holds (a live session over
    the clean sample bridge, 1.9 s and 1.7 s) while the report had none. The engine shows no
    hold time before a pause is a hold (2 s), and the history records what it shows."""
    from formcheck.engine.session import Engine
    from tests.synth import LYING_CAM, bridge, reps, sequence

    eng, rec = Engine(exercise="bridge"), SessionRecorder()
    for p in sequence(reps(bridge, 2, hold_s=pause_s), LYING_CAM, noise_px=1.0):
        rec.update(eng.update(p))
    saved = rec.record(when(20), "live", "clip.mp4", "en").holds
    assert len(saved) == holds == len(eng.summary().holds)


def test_routine_hold_time_is_the_hold_sets_time(tmp_path):
    record = SessionRecord(
        started_at=when(20), kind="routine", source="camera:0", duration_s=100.0,
        sets=(SetRecord(0, "lunge", "left", None, 45.0, 0, 45.0, True),
              SetRecord(1, "lunge", "right", None, 45.0, 0, 30.0, False)),
        holds=(HoldRecord("lunge", "left", 2.0, 12.0),))  # the engine's own, stricter holds
    with HistoryStore(tmp_path / "h.db") as store:
        store.save(record)
        (totals,) = store.totals()
    assert totals.hold_s == 75.0
