"""Report JSON (contract schema), metrics CSV and summary table."""

from __future__ import annotations

import copy
import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from formcheck.engine.types import (
    Exercise,
    FaultSpan,
    FrameResult,
    HoldEvent,
    Phase,
    RepEvent,
    SessionSummary,
    Side,
    View,
)
from formcheck.output.metrics_csv import BASE_COLUMNS, MetricsCsvWriter
from formcheck.output.report import (
    REPORT_SCHEMA,
    build_report,
    validate_report,
    write_json,
)
from formcheck.output.summary import print_summary
from formcheck.pose.types import Pose


def make_summary(**changes: object) -> SessionSummary:
    base = SessionSummary(
        exercise=Exercise.LUNGE, view=View.SIDE, start_ms=0, end_ms=10000, frames_total=300,
        frames_with_pose=290, reps_by_side={Side.LEFT: 2, Side.RIGHT: 0},
        reps=(
            RepEvent(1, Side.LEFT, 400, 1300, 2500, {"front_knee_min_deg": 92.0,
                                                      "back_hip_ext_max_deg": float("nan")}),
            RepEvent(2, Side.LEFT, 3000, 3900, 5000, {"front_knee_min_deg": 95.5},
                     ("arched_back",)),
        ),
        holds=(HoldEvent(Side.LEFT, 6000, 9000),),
        faults=(FaultSpan("arched_back", 3500, 4200, "Rippen runter – kein Hohlkreuz"),),
    )
    return replace(base, **changes)


def report_of(summary: SessionSummary | None = None) -> dict:
    return build_report(summary or make_summary(), "clip.mp4")


def test_report_matches_the_contract_and_round_trips(tmp_path: Path) -> None:
    report = report_of()
    assert validate_report(report) == []
    assert report["schema"] == REPORT_SCHEMA
    assert report["duration_s"] == 10.0  # the engine's span
    assert report["frames"] == {"total": 300, "with_pose": 290}
    assert report["reps"] == {"total": 2, "by_side": {"left": 2, "right": 0}}
    assert report["rep_list"][0]["start_s"] == 0.4
    assert report["rep_list"][0]["metrics"]["back_hip_ext_max_deg"] is None  # NaN -> null
    assert report["holds"] == [{"side": "left", "start_s": 6.0, "end_s": 9.0, "faults": []}]
    path = tmp_path / "r.json"
    write_json(report, path)
    text = path.read_text(encoding="utf-8")
    assert "Hohlkreuz" in text and "NaN" not in text  # umlauts kept, strict JSON
    assert json.loads(text) == report
    assert not (tmp_path / "r.json.part").exists()


def test_bridge_reps_count_under_both() -> None:
    summary = make_summary(exercise=Exercise.BRIDGE, reps_by_side={Side.BOTH: 1},
                           reps=(RepEvent(1, Side.BOTH, 0, 500, 1000),), holds=(), faults=())
    report = report_of(summary)
    assert report["reps"] == {"total": 1, "by_side": {"left": 0, "right": 0, "both": 1}}
    assert validate_report(report) == []


@pytest.mark.parametrize(("path", "value", "message"), [
    (("schema",), "formcheck.report/0", "schema"),
    (("view",), "top", "view"),
    (("reps", "total"), 3, "reps.total"),
    (("frames", "with_pose"), 301, "frames"),
    (("rep_list", 0, "end_s"), 0.1, "out of order"),
    (("rep_list", 1, "index"), 5, "index"),
    (("faults", 0, "message"), None, "faults[0]"),
    (("duration_s",), -1, "duration_s"),
    (("reason",), 3, "reason"),
])
def test_validator_catches_each_kind_of_error(path: tuple, value: object, message: str) -> None:
    report = copy.deepcopy(report_of())
    target = report
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    errors = validate_report(report)
    assert any(message in e for e in errors), errors


def test_validator_reports_missing_keys() -> None:
    report = report_of()
    del report["holds"]
    assert validate_report(report) == ["missing key 'holds'"]
    assert validate_report([]) == ["report is not a JSON object"]


def test_csv_has_fixed_columns_and_blank_unknowns(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    pose = Pose.empty(0, 64, 48)
    names = ["front_knee_deg", "bridge_hip_deg", "lumbar_curve_rise"]
    with MetricsCsvWriter(path, names) as writer:
        for i in range(3):
            writer.write(i, FrameResult(
                t_ms=33 * i, pose=pose, exercise=Exercise.LUNGE, view=View.SIDE, side=Side.LEFT,
                phase=Phase.MOVING, metrics={"front_knee_deg": 100.0 + i,
                                             "lumbar_curve_rise": 0.0123 * i},
                reps={Side.LEFT: i}, progress=float("nan")))
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [*BASE_COLUMNS, *names, "cues"]
    assert [r["front_knee_deg"] for r in rows] == ["100.00", "101.00", "102.00"]
    # ratios keep the digits their limits need (0.03, 0.015)
    assert [r["lumbar_curve_rise"] for r in rows] == ["0.0000", "0.0123", "0.0246"]
    assert rows[2]["bridge_hip_deg"] == "" and rows[2]["progress"] == ""
    assert rows[2]["t_s"] == "0.066" and rows[2]["reps_left"] == "2"


def test_default_csv_columns_are_the_engine_metrics(tmp_path: Path) -> None:
    from formcheck.engine.metrics import METRICS

    with MetricsCsvWriter(tmp_path / "m.csv") as writer:
        assert writer.metric_names == tuple(METRICS)


def test_summary_lists_reps_and_faults() -> None:
    buffer = io.StringIO()
    print_summary(report_of(),
                  Console(file=buffer, width=120, color_system=None))
    text = buffer.getvalue()
    assert "lunge" in text and "2 (left 2)" in text
    assert "arched_back" in text and "Hohlkreuz" in text and "0:03.5" in text
    assert "left 3.0 s" in text
    assert "note" not in text


def test_summary_says_why_nothing_was_judged() -> None:
    buffer = io.StringIO()
    report = report_of(make_summary(reps_by_side={}, reps=(), holds=(), faults=(),
                                    reason="no person found"))
    print_summary(report, Console(file=buffer, width=120, color_system=None))
    assert "no person found" in buffer.getvalue()


def test_html_report_escapes_and_lists_everything(tmp_path: Path) -> None:
    from formcheck.output.html import write_html

    report = report_of()
    report["source"] = "<clip>.mp4"
    path = tmp_path / "r.html"
    write_html(report, path)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;clip&gt;.mp4" in page and "<clip>" not in page
    assert "Hohlkreuz" in page and "arched_back" in page
    assert page.count("<h2>") == 3  # reps, holds, faults


def test_html_report_keeps_ratios_readable(tmp_path: Path) -> None:
    """Angles are shown whole, ratios to a thousandth: rounded whole, a lumbar curve rise over
    its 0.03 limit read 0 on the page."""
    from formcheck.output.html import write_html

    rep = RepEvent(1, Side.LEFT, 400, 1300, 2500, {"front_knee_min_deg": 92.4,
                                                    "lumbar_curve_rise_bottom": 0.041})
    path = tmp_path / "r.html"
    write_html(report_of(make_summary(reps=(rep,))), path)
    page = path.read_text(encoding="utf-8")
    assert ">0.041<" in page and ">92<" in page
