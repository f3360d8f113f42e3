"""``--html``: the report as one self-contained page (no scripts, no external files).

Built from the same report dict as the JSON, so the two always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from formcheck.errors import OutputError

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 60rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fault { color: #b00020; font-weight: 600; }
.ok { color: #1b7f2a; }
"""


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _td(value: object, num: bool = False, cls: str = "") -> str:
    classes = " ".join(c for c in ("num" if num else "", cls) if c)
    attr = f' class="{classes}"' if classes else ""
    return f"<td{attr}>{escape(str(value))}</td>"


def _faults(codes: Sequence[str]) -> str:
    return _td(", ".join(codes), cls="fault") if codes else _td("none", cls="ok")


def _metric(name: str, value: float | None) -> str:
    """A rep metric for the page: angles and times whole, ratios to a thousandth.

    A lumbar curve rise of 0.03 is its limit; rounded whole, every rise read 0.
    """
    if value is None:
        return ""
    if name.endswith(("_deg", "_ms")):
        return f"{value:.0f}"
    return f"{value:.3f}"


def render_html(report: Mapping[str, Any]) -> str:
    """The page's HTML text."""
    overview = [
        ("source", report["source"]), ("exercise", report["exercise"]),
        ("view", report["view"]), ("duration", f"{report['duration_s']:.1f} s"),
        ("frames with a person", f"{report['frames']['with_pose']} / {report['frames']['total']}"),
        ("reps", ", ".join(f"{k} {v}" for k, v in report["reps"]["by_side"].items())),
    ]
    if report.get("reason"):
        overview.append(("note", report["reason"]))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>formcheck report: {escape(str(report['source']))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>formcheck report</h1>",
        _table(("", ""), ((_td(k), _td(v)) for k, v in overview)),
    ]
    if report["rep_list"]:
        metric_names = sorted({m for rep in report["rep_list"] for m in rep["metrics"]})
        parts.append("<h2>Reps</h2>")
        parts.append(_table(
            ("#", "side", "start s", "bottom s", "end s", *metric_names, "faults"),
            ([_td(r["index"], True), _td(r["side"]), _td(f"{r['start_s']:.1f}", True),
              _td(f"{r['bottom_s']:.1f}", True), _td(f"{r['end_s']:.1f}", True),
              *(_td(_metric(m, r["metrics"].get(m)), True)
                for m in metric_names),
              _faults(r["faults"])] for r in report["rep_list"])))
    if report["holds"]:
        parts.append("<h2>Holds</h2>")
        parts.append(_table(("side", "start s", "end s", "length s", "faults"), (
            [_td(h["side"]), _td(f"{h['start_s']:.1f}", True), _td(f"{h['end_s']:.1f}", True),
             _td(f"{h['end_s'] - h['start_s']:.1f}", True), _faults(h["faults"])]
            for h in report["holds"])))
    if report["faults"]:
        parts.append("<h2>Faults</h2>")
        parts.append(_table(("from s", "to s", "fault", "cue"), (
            [_td(f"{f['start_s']:.1f}", True), _td(f"{f['end_s']:.1f}", True),
             _td(f["code"], cls="fault"), _td(f["message"])] for f in report["faults"])))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html(report: Mapping[str, Any], path: Path) -> None:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    try:
        path.write_text(render_html(report), encoding="utf-8")
    except OSError as err:
        raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None
