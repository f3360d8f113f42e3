import csv
from datetime import datetime, timedelta, timezone

from typer.testing import CliRunner

from formcheck.cli import app
from formcheck.coach.history import HistoryStore, RepRecord, SessionRecord


def test_history_command_table_and_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path))
    tz = timezone(timedelta(hours=1))
    with HistoryStore(tmp_path / "history.db") as store:
        for day, reps in ((24, 8), (25, 10)):
            store.save(SessionRecord(
                started_at=datetime(2026, 11, day, 7, 30, tzinfo=tz), kind="live",
                source="camera:0", duration_s=120.0,
                reps=tuple(RepRecord("lunge", "left", i + 1, i * 3.0, i * 3.0 + 2.0)
                           for i in range(reps))))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["history", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "2026-11-24" in result.output and "2026-11-25" in result.output
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["lunge_reps"] for r in rows] == ["8", "10"]


def test_history_command_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["history"])
    assert result.exit_code == 0
    assert "No sessions" in result.output
