"""Seeded end-to-end evaluation on rendered clips: pixels -> MediaPipe -> engine vs exact truth.

Renders a grid of clips (both exercises, every fault, several views and seeds) into a cache
folder, analyses each with ``formcheck analyze`` (report + per-frame CSV), and reports:

- person found: share of frames with a pose;
- angle errors: per view, median |analyser metric - true metric| over frames where both exist;
- reps: exact-count rate;
- faults: per code, clip-level precision and recall (a clip "has" a fault if the analyser
  reports it anywhere; truth = the codes injected into that clip).

Usage::

    python bench/render_eval.py --out /tmp/render_eval [--quick] [--jobs 2] [--replay] [--seeds 2]
                                [--first-seed 1] [--mirror-pass]

``--quick`` renders a handful of short clips (a smoke run); the full grid has 58 clips: per seed
clean reps in every view (and stepping-back lunges from the side and the front), 10 s holds (lunge
in every view, bridge from the side and the feet), every side-view fault, and a lunge that arches
with the chest leaning back (two faults at once, scored apart); the front-view faults with the
first seed.
``--replay`` tracks each clip once (``formcheck track``, landmarks and person masks, cached
beside the clip) and analyses the track: the same poses as analysing the video, so only the
engine runs again when it changes (seconds instead of minutes per clip).
``--mirror-pass`` also reads each frame mirrored (``analyze --mirror-pass``); a cached track read
the other way is tracked again.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.engine.types import Exercise, View
from formcheck.render.clip import ClipSpec, arm_carriage, render_clip
from formcheck.render.motion import LungeStyle
from formcheck.render.poser import BRIDGE_FAULTS, LUNGE_FAULTS
from formcheck.render.truth import Truth, load_truth, save_truth, truth_path

ANGLES = ("front_knee_deg", "back_knee_deg", "back_hip_ext_deg", "trunk_lean_deg",
          "front_shin_deg", "bridge_hip_deg", "bridge_knee_deg", "left_knee_deg",
          "right_knee_deg", "left_hip_deg", "right_hip_deg", "pelvis_level_deg",
          "knee_valgus_deg")
SIDE_FAULTS = {"lunge": ("shallow_depth", "knee_past_toes", "trunk_lean_forward",
                         "trunk_lean_back", "hip_not_extended", "arched_back"),
               "bridge": ("low_bridge", "arched_back", "overextended", "feet_too_close",
                          "feet_too_far", "no_pause")}
FRONT_FAULTS = {"lunge": ("knee_cave", "pelvis_not_level", "narrow_stance"),
                "bridge": ("hip_drop", "knee_cave", "knee_flare")}
#: Side-view faults also rendered together (each is in the grid alone too): a lunge that arches
#: with the chest leaning back, where an arm hanging down can cover the hollow of the back.
#: Their own two codes are scored apart from the single-fault tables; any other code a pair
#: clip is called is a false alarm there.
SIDE_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "lunge": (("arched_back", "trunk_lean_back"),), "bridge": ()}


@dataclass(frozen=True)
class Job:
    """One clip of the grid."""

    name: str
    spec: ClipSpec


def grid(quick: bool, seeds: int = 2, first_seed: int = 1) -> list[Job]:
    """The seeded clip grid: clean clips per view, each side-view fault alone and the pairs of
    ``SIDE_PAIRS``, ``seeds`` seeds each from ``first_seed``; the front-view faults with the
    first seed."""
    jobs: list[Job] = []
    reps = 2
    seeds_used = (first_seed,) if quick else tuple(range(first_seed, first_seed + seeds))
    for ex in (Exercise.LUNGE, Exercise.BRIDGE):
        views = (View.SIDE,) if quick else (View.SIDE, View.FRONT, View.OBLIQUE)
        for seed in seeds_used:
            for view in views:
                jobs.append(Job(f"{ex.value}_{view.value}_clean_s{seed}",
                                ClipSpec(ex, reps=reps, view=view, seed=seed)))
            if not quick:
                hold_views = views if ex is Exercise.LUNGE else (View.SIDE, View.FRONT)
                for view in hold_views:
                    jobs.append(Job(f"{ex.value}_{view.value}_hold_s{seed}",
                                    ClipSpec(ex, reps=0, hold_s=10.0, view=view,
                                             seed=seed + 300)))
                if ex is Exercise.LUNGE:
                    for view in (View.SIDE, View.FRONT):
                        jobs.append(Job(f"lunge_{view.value}_step_s{seed}",
                                        ClipSpec(ex, reps=reps, view=view, seed=seed + 400,
                                                 style=LungeStyle.STEP)))
            codes = SIDE_FAULTS[ex.value][:2] if quick else SIDE_FAULTS[ex.value]
            for faults in [(code,) for code in codes] + ([] if quick else
                                                          list(SIDE_PAIRS[ex.value])):
                jobs.append(Job(f"{ex.value}_side_{'+'.join(faults)}_s{seed}",
                                ClipSpec(ex, reps=reps, view=View.SIDE, faults=faults,
                                         seed=seed + 100)))
            if not quick and seed == seeds_used[0]:
                for code in FRONT_FAULTS[ex.value]:
                    jobs.append(Job(f"{ex.value}_front_{code}_s{seed}",
                                    ClipSpec(ex, reps=reps, view=View.FRONT, faults=(code,),
                                             seed=seed + 200)))
    # Side-view faults (alone and in pairs) first: they carry the precision/recall targets.
    # Then clean, then front.
    jobs.sort(key=lambda j: 0 if j.spec.faults and j.spec.view is View.SIDE
              else 1 if not j.spec.faults else 2)
    assert all(c in LUNGE_FAULTS for c in SIDE_FAULTS["lunge"] + FRONT_FAULTS["lunge"])
    assert all(c in BRIDGE_FAULTS for c in SIDE_FAULTS["bridge"] + FRONT_FAULTS["bridge"])
    return jobs


def run_job(job: Job, folder: Path, replay: bool = False,
            mirror_pass: bool = False) -> dict[str, object]:
    """Render (unless cached) and analyse one clip (or its cached track); return its scores.

    A cached track read another way than ``mirror_pass`` asks, or one whose tracking was
    interrupted (or that is shorter than the clip), is tracked again.
    """
    from formcheck.app.analyze import AnalyzeOptions, run_analyze
    from formcheck.app.track import run_track
    from formcheck.pose.track import load_track

    video = folder / f"{job.name}.mp4"
    if not truth_path(video).exists():
        truth = render_clip(job.spec, video)
        save_truth(truth, truth_path(video))
    truth = load_truth(truth_path(video))
    source = video
    if replay:
        source = folder / f"{job.name}.track.npz"
        cached = load_track(source) if source.exists() else None
        # a track cut short before tracks said so (no "complete" flag) has fewer frames
        if (cached is None or cached.mirror_pass != mirror_pass or not cached.complete
                or len(cached) < len(truth.frames)):
            run_track(video, source, quiet=True, mirror_pass=mirror_pass, force=True)
    report_path, csv_path = folder / f"{job.name}.report.json", folder / f"{job.name}.csv"
    result = run_analyze(AnalyzeOptions(source, exercise="auto", report=report_path,
                                        csv=csv_path, quiet=True, force=True,
                                        mirror_pass=mirror_pass))
    report = result.report
    return score_clip(job, truth, report, read_csv(csv_path))


def read_csv(path: Path) -> dict[str, np.ndarray]:
    """Columns of the analyser's per-frame CSV as float arrays (empty cells NaN)."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols: dict[str, np.ndarray] = {}
    for key in rows[0] if rows else []:
        vals = []
        for r in rows:
            try:
                vals.append(float(r[key]) if r[key] != "" else math.nan)
            except ValueError:
                vals.append(math.nan)
        cols[key] = np.array(vals)
    return cols


def score_clip(job: Job, truth: Truth, report: dict, cols: dict[str, np.ndarray]
               ) -> dict[str, object]:
    """Per-clip numbers: detection, reps, reported faults, per-angle errors."""
    frames = report.get("frames", {})
    total = max(int(frames.get("total", 0)), 1)
    found = int(frames.get("with_pose", 0)) / total
    codes = {f["code"] for f in report.get("faults", [])}
    for rep in report.get("rep_list", []):
        codes.update(rep.get("faults", []))
    for hold in report.get("holds", []):
        codes.update(hold.get("faults", []))
    errors: dict[str, float] = {}
    n = min(len(truth.frames), len(cols.get("frame", [])))
    for name in ANGLES:
        if name not in cols:
            continue
        est = cols[name][:n]
        ref = truth.angle(name)[:n]
        ok = np.isfinite(est) & np.isfinite(ref)
        if ok.sum() >= 10:
            errors[name] = float(np.median(np.abs(est[ok] - ref[ok])))
    true_hold = sum(h.end_ms - h.start_ms for h in truth.holds) / 1000.0
    found_hold = max((h["end_s"] - h["start_s"] for h in report.get("holds", [])), default=0.0)
    return {"name": job.name, "exercise": job.spec.exercise.value, "view": job.spec.view.value,
            "injected": sorted(job.spec.faults), "reported": sorted(codes), "found": found,
            "hold_true_s": true_hold, "hold_found_s": round(found_hold, 2),
            "reps_true": len(truth.reps), "reps_counted": int(report.get("reps", {}).get(
                "total", -1)), "exercise_detected": report.get("exercise"),
            "angle_err": errors, "arms": _carriage(job.spec)}


def _carriage(spec: ClipSpec) -> str | None:
    """A lunge's arm carriage (the truth file does not record it; a cache rendered by an
    older renderer had every lunge carry the arms forward)."""
    if spec.exercise is not Exercise.LUNGE:
        return None
    return arm_carriage(spec).value


def summarise(rows: list[dict]) -> str:
    """A plain-text table of everything measured."""
    out = [f"{'clip':44s} found  reps(true/counted)  injected -> reported"]
    for r in rows:
        out.append(f"{r['name']:44s} {r['found']:5.2f}  {r['reps_true']}/{r['reps_counted']}"
                   f"  {','.join(r['injected']) or '-'} -> {','.join(r['reported']) or '-'}")
    out.append("")
    by_view: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        for name, err in r["angle_err"].items():
            by_view[(r["view"], name)].append(err)
    out.append("median over clips of per-clip median |error| (deg), by view")
    for (view, name), errs in sorted(by_view.items()):
        out.append(f"  {view:8s} {name:20s} {np.median(errs):6.1f}  (clips {len(errs)})")
    by_arms: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["exercise"] == "lunge" and r["view"] == "side" and r.get("arms"):
            for name in ("front_knee_deg", "back_knee_deg", "back_hip_ext_deg", "trunk_lean_deg"):
                if name in r["angle_err"]:
                    by_arms[(name, r["arms"])].append(r["angle_err"][name])
    if by_arms:
        out.append("side-view lunges: the same, by arm carriage during the reps")
        for (name, arms), errs in sorted(by_arms.items()):
            out.append(f"  {name:20s} {arms:9s} {np.median(errs):6.1f}  (clips {len(errs)})")
    out.append("")
    exact = [r["reps_true"] == r["reps_counted"] for r in rows]
    out.append(f"reps exact: {sum(exact)}/{len(exact)}")
    for view in ("side", "front", "oblique"):
        v_all = [r["reps_true"] == r["reps_counted"] for r in rows if r["view"] == view]
        v_clean = [r["reps_true"] == r["reps_counted"] for r in rows
                   if r["view"] == view and not r["injected"]]
        out.append(f"  {view:8s} {sum(v_all)}/{len(v_all)}, clean {sum(v_clean)}/{len(v_clean)}")
    out.append(f"person found (mean over clips): {np.mean([r['found'] for r in rows]):.3f}; "
               f"worst clip {min(r['found'] for r in rows):.3f}")
    held = [r for r in rows if r.get("hold_true_s", 0.0) > 0]
    if held:
        out.append("")
        out.append("hold clips (--exercise auto): recognised as, reps counted, longest hold found "
                   "against the true hold (s)")
        for r in held:
            out.append(f"  {r['name']:34s} {r['exercise_detected']!s:8s} reps "
                       f"{r['reps_counted']}  hold {r['hold_found_s']:5.1f} / "
                       f"{r['hold_true_s']:4.1f}")
        ok = [r["exercise_detected"] == r["exercise"] and r["reps_counted"] == 0
              and abs(r["hold_found_s"] - r["hold_true_s"]) < 1.0 for r in held]
        out.append(f"  timed within 1 s, no rep, exercise right: {sum(ok)}/{len(ok)}")
    pairs = [r for r in rows if len(r["injected"]) > 1]
    single = [r for r in rows if len(r["injected"]) <= 1]
    for title, views, table in (
            ("side-view faults on the side-view clips", ("side",), SIDE_FAULTS),
            ("front-view faults on the front-view clips", ("front",), FRONT_FAULTS),
            ("every fault on every clip (front/oblique false alarms included)",
             ("side", "front", "oblique"), None)):
        out.append("")
        out.append(title)
        out.append("fault              exercise  TP  FP  FN  precision  recall")
        for ex in ("lunge", "bridge"):
            ex_rows = [r for r in single if r["exercise"] == ex and r["view"] in views]
            ex_all = [r for r in rows if r["exercise"] == ex and r["view"] in views]
            codes = table[ex] if table is not None else SIDE_FAULTS[ex] + FRONT_FAULTS[ex]
            for code in codes:
                tp = sum(code in r["injected"] and code in r["reported"] for r in ex_rows)
                fp = sum(code not in r["injected"] and code in r["reported"] for r in ex_all)
                fn = sum(code in r["injected"] and code not in r["reported"] for r in ex_rows)
                prec = tp / (tp + fp) if tp + fp else float("nan")
                rec = tp / (tp + fn) if tp + fn else float("nan")
                out.append(f"{code:18s} {ex:8s} {tp:3d} {fp:3d} {fn:3d}  {prec:9.2f}  {rec:6.2f}")
    if pairs:
        out.append("")
        out.append("two faults at once (their own codes are not in the tables above, their other "
                   "calls are false alarms there): clips where each was found, by arm carriage")
        by_pair: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for r in pairs:
            by_pair[tuple(r["injected"])].append(r)
        for pair, prs in sorted(by_pair.items()):
            for arms in sorted({str(r.get("arms")) for r in prs}):
                sel = [r for r in prs if str(r.get("arms")) == arms]
                found = ", ".join(f"{code} {sum(code in r['reported'] for r in sel)}"
                                  for code in pair)
                out.append(f"  {'+'.join(pair):34s} arms {arms:9s} of {len(sel)}: {found}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="cache folder for clips")
    parser.add_argument("--quick", action="store_true", help="a few short clips only")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--replay", action="store_true",
                        help="analyse cached landmark tracks of the clips (engine changes)")
    parser.add_argument("--mirror-pass", action="store_true",
                        help="also read each frame mirrored (analyze --mirror-pass)")
    parser.add_argument("--only", default="", help="comma-separated substrings of clip names")
    parser.add_argument("--seeds", type=int, default=2,
                        help="seeds per clean clip, hold and side-view fault (2: the 58-clip grid)")
    parser.add_argument("--first-seed", type=int, default=1,
                        help="first seed (a later range is a fresh sample: 9 with --seeds 8)")
    args = parser.parse_args()
    if args.seeds < 1 or args.first_seed < 1:
        parser.error("--seeds and --first-seed must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = grid(args.quick, args.seeds, args.first_seed)
    if args.only:
        jobs = [j for j in jobs if any(k in j.name for k in args.only.split(","))]
    partial = args.out / "render_eval.jsonl"  # one line per finished clip, for long runs
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool, partial.open("w") as log:
        for row in pool.map(run_job, jobs, [args.out] * len(jobs), [args.replay] * len(jobs),
                            [args.mirror_pass] * len(jobs)):
            rows.append(row)
            log.write(json.dumps(row) + "\n")
            log.flush()
    (args.out / "render_eval.json").write_text(json.dumps(rows, indent=1))
    text = summarise(rows)
    (args.out / "render_eval.txt").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
