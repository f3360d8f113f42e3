import json
import math
from pathlib import Path

import pytest

from formcheck.app.evaluate import (
    ClipLabel,
    ClipOutcome,
    load_manifest,
    outcome_from_report,
    score,
    write_eval_report,
)
from formcheck.errors import InputError


def _label(reps, tol=0, faults=()):
    return ClipLabel(file=Path(f"c{reps}.mp4"), exercise="lunge", view="side", reps=reps,
                     reps_tolerance=tol, faults=tuple(faults))


def test_scores_follow_the_literature_definitions():
    outcomes = [
        ClipOutcome(_label(10), counted=10),
        ClipOutcome(_label(4, tol=1), counted=5),
        ClipOutcome(_label(0), counted=2),
        ClipOutcome(_label(None), counted=7),  # not scored
    ]
    totals = score(outcomes)
    assert totals.scored == 3
    assert totals.exact_rate == pytest.approx(1 / 3)
    assert totals.exact_rate_strict_clips == pytest.approx(1 / 2)
    assert totals.within_tolerance_rate == pytest.approx(2 / 3)
    assert totals.obo_rate == pytest.approx(2 / 3)
    # |0|/10, |1|/4, |2|/max(0, 1)
    assert totals.mae == pytest.approx((0 + 0.25 + 2) / 3)
    assert totals.fault_precision is None and totals.fault_recall is None


def test_fault_precision_and_recall():
    outcomes = [
        ClipOutcome(_label(2, faults=["narrow_stance"]), counted=2,
                    faults=("narrow_stance", "knee_cave")),
        ClipOutcome(_label(3, faults=["arched_back"]), counted=3, faults=()),
        ClipOutcome(_label(3), counted=3, faults=("knee_cave",)),  # unlabelled: not judged
    ]
    totals = score(outcomes)
    assert totals.fault_precision == pytest.approx(1 / 2)
    assert totals.fault_recall == pytest.approx(1 / 2)


def test_failed_clip_is_listed_and_not_scored():
    totals = score([ClipOutcome(_label(3), counted=None, error="corrupt"),
                    ClipOutcome(_label(3), counted=3)])
    assert totals.scored == 1 and totals.exact_rate == 1.0 and totals.failed == ("c3.mp4",)


def test_unknown_exercise_counts_zero():
    report = {"exercise": "unknown", "view": "front", "reps": {"total": 4},
              "faults": [{"code": "knee_cave"}]}
    outcome = outcome_from_report(_label(0), report)
    assert outcome.counted == 0 and outcome.faults == ("knee_cave",)


def test_manifest_paths_relative_to_manifest(tmp_path):
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"clips": [
        {"file": "a.mp4", "exercise": "bridge", "view": "side", "reps": 3},
        {"file": "/abs/b.mp4", "exercise": "squat", "view": "front", "reps": None}]}))
    labels = load_manifest(manifest)
    assert labels[0].file == tmp_path / "a.mp4" and labels[0].reps == 3
    assert labels[1].file == Path("/abs/b.mp4") and labels[1].reps is None


@pytest.mark.parametrize("text", ["", "{}", '{"clips": [{"exercise": "x"}]}', "[1, 2]"])
def test_bad_manifest_is_an_input_error(tmp_path, text):
    manifest = tmp_path / "m.json"
    manifest.write_text(text)
    with pytest.raises(InputError):
        load_manifest(manifest)


def test_report_round_trips_as_json(tmp_path):
    outcomes = [ClipOutcome(_label(2), counted=1)]
    path = tmp_path / "eval.json"
    write_eval_report(outcomes, score(outcomes), "auto", path)
    data = json.loads(path.read_text())
    assert data["schema"] == "formcheck.eval/1"
    assert data["clips"][0]["error"] == -1
    assert math.isclose(data["totals"]["mae"], 0.5)


@pytest.mark.parametrize(("cpus", "workers", "expected"), [
    ([0, 1], 2, [{0}, {1}]),
    ([0, 1, 2, 3], 2, [{0, 1}, {2, 3}]),
    ([0, 1, 2], 2, [{0, 1}, {2}]),
    ([4, 5], 3, [{4}, {5}, {4}]),
    ([], 2, []),
])
def test_eval_workers_get_cpu_shares_of_their_own(cpus: list[int], workers: int,
                                                  expected: list[set[int]]) -> None:
    from formcheck.app.evaluate import cpu_shares

    assert [set(s) for s in cpu_shares(cpus, workers)] == expected
