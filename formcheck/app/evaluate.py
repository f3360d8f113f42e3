"""``formcheck eval``: run the analyzer over a labelled manifest and score the counts and faults.

Scores follow the repetition-counting literature: a clip is *exact* when the count equals the
reference, *OBO* (off-by-one) when it is within one, and MAE is the mean absolute error relative
to the reference count, ``|counted - reference| / max(reference, 1)`` (the ``max`` keeps clips
whose reference is 0, such as squats, in the average instead of dividing by zero). A clip whose
reference is uncertain (``reps_tolerance`` > 0) *passes* when within that tolerance. Fault
precision and recall are counted over the clips that carry fault labels.

Each clip is analysed in its own process (one per core): inference is single-threaded, so two
clips on two cores take the time of one.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from formcheck.errors import FormcheckError, InputError, OutputError
from formcheck.output.paths import check_outputs

EVAL_SCHEMA = "formcheck.eval/1"


@dataclass(frozen=True)
class ClipLabel:
    """One manifest entry (format in the contract)."""

    file: Path
    exercise: str
    view: str
    reps: int | None
    reps_tolerance: int = 0
    full_body: bool = True
    faults: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class ClipOutcome:
    """What the analyzer reported for one clip (or why it could not)."""

    label: ClipLabel
    counted: int | None
    exercise: str = "unknown"
    view: str = "unknown"
    faults: tuple[str, ...] = ()
    reason: str = ""
    error: str = ""

    @property
    def scored(self) -> bool:
        """Whether the clip counts towards the totals (reference given, analysis ran)."""
        return self.label.reps is not None and self.counted is not None

    @property
    def error_reps(self) -> int | None:
        """Counted minus reference, None when not scored."""
        if not self.scored:
            return None
        return int(self.counted) - int(self.label.reps)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EvalTotals:
    """Aggregate scores over the scored clips; rates are fractions in [0, 1]."""

    clips: int
    scored: int
    exact_rate: float
    exact_rate_strict_clips: float  # over clips whose reference is exact (tolerance 0)
    within_tolerance_rate: float
    obo_rate: float
    mae: float
    fault_precision: float | None
    fault_recall: float | None
    failed: tuple[str, ...] = field(default=())


def load_manifest(path: Path) -> list[ClipLabel]:
    """Read a manifest; relative clip paths are relative to the manifest's folder."""
    try:
        data = json.loads(path.read_text())
        entries = data["clips"]
        labels = []
        for entry in entries:
            file = Path(entry["file"])
            labels.append(ClipLabel(
                file=file if file.is_absolute() else path.parent / file,
                exercise=str(entry.get("exercise", "unknown")),
                view=str(entry.get("view", "unknown")),
                reps=None if entry.get("reps") is None else int(entry["reps"]),
                reps_tolerance=int(entry.get("reps_tolerance", 0)),
                full_body=bool(entry.get("full_body", True)),
                faults=tuple(entry.get("faults", ())),
                notes=str(entry.get("notes", "")),
            ))
    except FileNotFoundError:
        raise InputError(f"{path}: no such manifest") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"{path}: not a valid manifest ({type(err).__name__}: {err})") from None
    if not labels:
        raise InputError(f"{path}: the manifest lists no clips")
    return labels


def outcome_from_report(label: ClipLabel, report: dict[str, Any]) -> ClipOutcome:
    """Read a contract report (``formcheck.report/1``) into an outcome.

    Only lunge and bridge reps count: a clip detected as "unknown" counted 0, whatever the
    engine may have seen.
    """
    exercise = str(report.get("exercise", "unknown"))
    counted = int(report["reps"]["total"]) if exercise in ("lunge", "bridge") else 0
    faults = tuple(sorted({f["code"] for f in report.get("faults", [])}))
    return ClipOutcome(label=label, counted=counted, exercise=exercise,
                       view=str(report.get("view", "unknown")), faults=faults,
                       reason=str(report.get("reason", "") or ""))


def score(outcomes: Sequence[ClipOutcome]) -> EvalTotals:
    """Totals over the outcomes (see the module docstring for the definitions)."""
    scored = [o for o in outcomes if o.scored]
    n = len(scored)

    def rate(items: Sequence[ClipOutcome], ok: Callable[[ClipOutcome], bool]) -> float:
        return sum(1 for o in items if ok(o)) / len(items) if items else float("nan")

    strict = [o for o in scored if o.label.reps_tolerance == 0]

    def miss(o: ClipOutcome) -> int:
        return abs(o.error_reps or 0)

    mae = (sum(miss(o) / max(int(o.label.reps or 0), 1) for o in scored) / n
           if n else float("nan"))
    labelled = [o for o in outcomes if o.label.faults and o.counted is not None]
    true_pos = sum(len(set(o.faults) & set(o.label.faults)) for o in labelled)
    reported = sum(len(o.faults) for o in labelled)
    expected = sum(len(o.label.faults) for o in labelled)
    return EvalTotals(
        clips=len(outcomes), scored=n,
        exact_rate=rate(scored, lambda o: miss(o) == 0),
        exact_rate_strict_clips=rate(strict, lambda o: miss(o) == 0),
        within_tolerance_rate=rate(scored, lambda o: miss(o) <= o.label.reps_tolerance),
        obo_rate=rate(scored, lambda o: miss(o) <= 1),
        mae=mae,
        fault_precision=(true_pos / reported if reported else None) if labelled else None,
        fault_recall=(true_pos / expected if expected else None) if labelled else None,
        failed=tuple(str(o.label.file.name) for o in outcomes if o.error),
    )


def analyze_clip(label: ClipLabel, exercise: str, mirror_pass: bool = False) -> ClipOutcome:
    """Analyse one clip (report only, no video) and read its report; errors become outcomes."""
    from formcheck.app.analyze import AnalyzeOptions, run_analyze

    try:
        result = run_analyze(AnalyzeOptions(source=label.file, exercise=exercise, quiet=True,
                                            mirror_pass=mirror_pass),
                             console=Console(file=io.StringIO()))
    except FormcheckError as err:
        return ClipOutcome(label=label, counted=None, error=str(err))
    return outcome_from_report(label, result.report)


def _analyze_job(job: tuple[ClipLabel, str, bool]) -> ClipOutcome:
    return analyze_clip(*job)


def cpu_shares(cpus: Sequence[int], workers: int) -> list[frozenset[int]]:
    """``cpus`` in ``workers`` contiguous shares of (nearly) equal size.

    At least one CPU each: with more workers than CPUs they share them round robin.
    """
    ordered = sorted(cpus)
    if not ordered:
        return []
    if workers >= len(ordered):
        return [frozenset({ordered[k % len(ordered)]}) for k in range(workers)]
    bounds = [round(k * len(ordered) / workers) for k in range(workers + 1)]
    return [frozenset(ordered[bounds[k]:bounds[k + 1]]) for k in range(workers)]


def worker_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Processes for analyses side by side, each on a CPU share of its own.

    Spawned, never forked from a process running MediaPipe's threads.
    """
    ctx = multiprocessing.get_context("spawn")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_confine_worker,
        initargs=(cpu_shares(cpus, workers), ctx.Value("i", 0)))


def _confine_worker(shares: list[frozenset[int]], counter: Any) -> None:
    """Pool initializer: this worker on a CPU share of its own.

    Each analysis splits the CPUs it is given between its model and its helpers; unconfined,
    every worker's model would land on the machine's first CPUs.
    """
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    if shares and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, shares[index % len(shares)])


def run_eval(manifest: Path, *, exercise: str = "auto", report: Path | None = None,
             jobs: int | None = None, quiet: bool = False, mirror_pass: bool = False,
             force: bool = False, console: Console | None = None
             ) -> tuple[list[ClipOutcome], EvalTotals]:
    """Analyse every clip of ``manifest``, print the table and totals, write ``report``.

    ``mirror_pass`` as in ``analyze``.
    """
    check_outputs((report,), force=force, source=manifest)
    labels = load_manifest(manifest)
    missing = [str(label.file) for label in labels if not label.file.is_file()]
    if missing:
        raise InputError(f"{manifest}: clip not found: {missing[0]}")
    console = console or Console()
    workers = max(1, min(jobs or os.cpu_count() or 1, len(labels)))
    columns = (TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    outcomes: dict[int, ClipOutcome] = {}
    with Progress(*columns, console=console, disable=quiet, transient=True) as progress:
        task = progress.add_task("eval", total=len(labels))
        if workers == 1:
            for i, label in enumerate(labels):
                outcomes[i] = analyze_clip(label, exercise, mirror_pass)
                progress.advance(task)
        else:
            with worker_pool(workers) as pool:
                futures = {pool.submit(_analyze_job, (label, exercise, mirror_pass)): i
                           for i, label in enumerate(labels)}
                for future in concurrent.futures.as_completed(futures):
                    outcomes[futures[future]] = future.result()
                    progress.advance(task)
    ordered = [outcomes[i] for i in range(len(labels))]
    totals = score(ordered)
    if not quiet:
        print_eval(ordered, totals, console)
    if report is not None:
        write_eval_report(ordered, totals, exercise, report)
    return ordered, totals


def print_eval(outcomes: Sequence[ClipOutcome], totals: EvalTotals, console: Console) -> None:
    """The per-clip table and the totals."""
    table = Table(title="formcheck eval")
    for column in ("clip", "reference", "counted", "error", "exercise", "view", "faults",
                   "note"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        ref = "-" if o.label.reps is None else str(o.label.reps)
        if o.label.reps_tolerance:
            ref += f" ±{o.label.reps_tolerance}"
        table.add_row(
            o.label.file.name, ref, "-" if o.counted is None else str(o.counted),
            "-" if o.error_reps is None else f"{o.error_reps:+d}",
            o.exercise, o.view, ", ".join(o.faults) or "-", o.error or o.reason)
    console.print(table)

    def pct(v: float | None) -> str:
        return "n/a" if v is None or v != v else f"{100 * v:.0f}%"

    console.print(
        f"clips {totals.clips}, scored {totals.scored}: exact {pct(totals.exact_rate)} "
        f"(exact-reference clips {pct(totals.exact_rate_strict_clips)}), within tolerance "
        f"{pct(totals.within_tolerance_rate)}, OBO {pct(totals.obo_rate)}, MAE {totals.mae:.3f}; "
        f"fault precision {pct(totals.fault_precision)}, recall {pct(totals.fault_recall)}")


def write_eval_report(outcomes: Sequence[ClipOutcome], totals: EvalTotals, exercise: str,
                      path: Path) -> None:
    """Write the evaluation as JSON (schema ``formcheck.eval/1``)."""
    clips = []
    for o in outcomes:
        clips.append({
            "file": str(o.label.file), "reference": o.label.reps,
            "reps_tolerance": o.label.reps_tolerance, "counted": o.counted,
            "error": o.error_reps, "exercise_labelled": o.label.exercise,
            "exercise_detected": o.exercise, "view": o.view, "faults_labelled":
            list(o.label.faults), "faults_found": list(o.faults), "reason": o.reason,
            "failure": o.error,
        })
    data = {"schema": EVAL_SCHEMA, "exercise_option": exercise, "clips": clips,
            "totals": {k: (None if isinstance(v, float) and v != v else v)
                       for k, v in asdict(totals).items()}}
    try:
        path.write_text(json.dumps(data, indent=2))
    except OSError as err:
        raise OutputError(f"{path}: cannot write ({err.strerror or err})") from None
