"""The session report, schema ``formcheck.report/1`` (see the contract), and its checker.

Built from the engine's :class:`~formcheck.engine.types.SessionSummary` plus what only the caller
knows (the source's name). NaN metrics become JSON ``null``: strict JSON has no NaN, and
readers in other languages choke on it. The file is written to a temporary name and renamed, so a
reader never sees half a report, even after Ctrl-C.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from formcheck.engine.types import SessionSummary, Side, View
from formcheck.errors import OutputError

REPORT_SCHEMA = "formcheck.report/1"
_VIEWS = {v.value for v in View}
_SIDES = {s.value for s in Side}


def _s(ms: int) -> float:
    return round(ms / 1000.0, 3)


def _num(value: float) -> float | None:
    # three decimals: the engine keeps ratios to a thousandth (a lumbar curve rise of 0.034 is
    # over its 0.03 limit; at two decimals it read as on it)
    return round(float(value), 3) if math.isfinite(value) else None


def build_report(summary: SessionSummary, source: str) -> dict[str, Any]:
    """The report as a JSON-ready dict (key order as in the contract).

    ``reason`` (an extension of the contract) says why a session could not be judged, else null.
    """
    by_side = {"left": int(summary.reps_by_side.get(Side.LEFT, 0)),
               "right": int(summary.reps_by_side.get(Side.RIGHT, 0))}
    for extra in (Side.BOTH, Side.UNKNOWN):  # listed only when used, so the usual case stays
        count = int(summary.reps_by_side.get(extra, 0))  # as in the contract's example
        if count:
            by_side[extra.value] = count
    return {
        "schema": REPORT_SCHEMA,
        "source": source,
        "exercise": summary.exercise.value,
        "view": summary.view.value,
        "duration_s": round(summary.duration_s, 3),
        "frames": {"total": summary.frames_total, "with_pose": summary.frames_with_pose},
        "reps": {"total": sum(by_side.values()), "by_side": by_side},
        "rep_list": [
            {"index": rep.index, "side": rep.side.value, "start_s": _s(rep.start_ms),
             "bottom_s": _s(rep.bottom_ms), "end_s": _s(rep.end_ms),
             "metrics": {name: _num(v) for name, v in rep.metrics.items()},
             "faults": list(rep.faults)}
            for rep in summary.reps
        ],
        "holds": [
            {"side": hold.side.value, "start_s": _s(hold.start_ms), "end_s": _s(hold.end_ms),
             "faults": list(hold.faults)}
            for hold in summary.holds
        ],
        "faults": [
            {"code": f.code, "start_s": _s(f.start_ms), "end_s": _s(f.end_ms),
             "message": f.message}
            for f in summary.faults
        ],
        "reason": summary.reason,
    }


def write_json(report: Mapping[str, Any], path: Path) -> None:
    """Write ``report`` as UTF-8 JSON (umlauts kept), replacing ``path`` only when complete.

    Only a regular file is replaced through a temporary name: a device or pipe (``/dev/stdout``)
    is written in place, since renaming over it would replace the device node itself.
    """
    text = json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if path.exists() and not path.is_file():
        try:
            with path.open("w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as err:
            raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None
        return
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None


# --- checker ---------------------------------------------------------------------------------


def _is_num(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(
        value)


def _check_span(item: Mapping[str, Any], where: str, keys: Sequence[str],
                errors: list[str]) -> None:
    times = [item.get(k) for k in keys]
    if not all(_is_num(t) and t >= 0 for t in times):
        errors.append(f"{where}: {'/'.join(keys)} must be non-negative numbers")
    elif any(a > b for a, b in itertools.pairwise(times)):
        errors.append(f"{where}: times out of order")


def validate_report(report: object) -> list[str]:
    """Everything wrong with ``report`` against ``formcheck.report/1``; empty when valid.

    Checks types, enums, time order and that the counts agree with each other (total = sum of
    sides = length of the rep list), which is what readers of the report rely on.
    """
    errors: list[str] = []
    if not isinstance(report, dict):
        return ["report is not a JSON object"]
    required = {"schema": str, "source": str, "exercise": str, "view": str, "duration_s": object,
                "frames": dict, "reps": dict, "rep_list": list, "holds": list, "faults": list}
    for key, kind in required.items():
        if key not in report:
            errors.append(f"missing key {key!r}")
        elif kind is not object and not isinstance(report[key], kind):
            errors.append(f"{key!r} must be {kind.__name__}")
    if errors:
        return errors
    if report["schema"] != REPORT_SCHEMA:
        errors.append(f"schema must be {REPORT_SCHEMA!r}")
    if report["view"] not in _VIEWS:
        errors.append(f"view {report['view']!r} not one of {sorted(_VIEWS)}")
    if not _is_num(report["duration_s"]) or report["duration_s"] < 0:
        errors.append("duration_s must be a non-negative number")
    frames = report["frames"]
    if not (isinstance(frames.get("total"), int) and isinstance(frames.get("with_pose"), int)
            and 0 <= frames["with_pose"] <= frames["total"]):
        errors.append("frames must have integers 0 <= with_pose <= total")
    reps = report["reps"]
    by_side = reps.get("by_side")
    if not isinstance(by_side, dict) or not all(
            k in _SIDES and isinstance(v, int) and v >= 0 for k, v in by_side.items()):
        errors.append("reps.by_side must map sides to non-negative integers")
    elif reps.get("total") != sum(by_side.values()):
        errors.append("reps.total must equal the sum of reps.by_side")
    if reps.get("total") != len(report["rep_list"]):
        errors.append("reps.total must equal the number of entries in rep_list")
    for i, rep in enumerate(report["rep_list"]):
        where = f"rep_list[{i}]"
        if not isinstance(rep, dict):
            errors.append(f"{where}: not an object")
            continue
        if rep.get("index") != i + 1:
            errors.append(f"{where}: index must be {i + 1}")
        if rep.get("side") not in _SIDES:
            errors.append(f"{where}: bad side {rep.get('side')!r}")
        _check_span(rep, where, ("start_s", "bottom_s", "end_s"), errors)
        metrics = rep.get("metrics")
        if not isinstance(metrics, dict) or not all(
                isinstance(k, str) and (v is None or _is_num(v)) for k, v in metrics.items()):
            errors.append(f"{where}: metrics must map names to numbers or null")
        if not isinstance(rep.get("faults"), list) or not all(
                isinstance(f, str) for f in rep["faults"]):
            errors.append(f"{where}: faults must be a list of codes")
    for i, hold in enumerate(report["holds"]):
        where = f"holds[{i}]"
        if not isinstance(hold, dict) or hold.get("side") not in _SIDES:
            errors.append(f"{where}: must be an object with a valid side")
            continue
        _check_span(hold, where, ("start_s", "end_s"), errors)
        if not isinstance(hold.get("faults"), list):
            errors.append(f"{where}: faults must be a list of codes")
    for i, fault in enumerate(report["faults"]):
        where = f"faults[{i}]"
        if not isinstance(fault, dict) or not isinstance(fault.get("code"), str) or \
                not isinstance(fault.get("message"), str):
            errors.append(f"{where}: must have string code and message")
            continue
        _check_span(fault, where, ("start_s", "end_s"), errors)
    if report.get("reason") is not None and not isinstance(report["reason"], str):
        errors.append("reason must be a string or null")
    return errors
