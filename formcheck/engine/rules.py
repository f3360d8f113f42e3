"""Form checks as data: one metric, one bound, the views and phases where it can be judged.

A :class:`Rule` is a small pure function of named metrics (:meth:`Rule.verdict`). Frame rules run
on every frame in their phases; rep rules run once on a finished rep's summary (depth, pause). A
rule whose view or metric is missing says NOT_APPLICABLE instead of guessing. Several rules may
share one fault code (``arched_back`` from landmark proxies and from the back contour): the code
is a fault if any of them says so.

:class:`CueTracker` adds time hysteresis: a fault shows after ``on_ms`` and clears after
``off_ms``, and an active fault's limit is relaxed (:meth:`Rule.slack`), so cues do not flicker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from formcheck.engine.config import CueConfig
from formcheck.engine.types import Phase, Severity, View


class Bound(str, Enum):
    """Which side of the limit is the fault."""

    ABOVE = "above"
    BELOW = "below"


class Scope(str, Enum):
    """When a rule is judged."""

    FRAME = "frame"  # every frame in its phases
    REP = "rep"  # once per finished rep, on the rep's summary metrics


class Verdict(str, Enum):
    """Outcome of one rule on one frame or rep."""

    OK = "ok"
    FAULT = "fault"
    NOT_APPLICABLE = "not_applicable"


ALL_PHASES = frozenset(Phase)
WORK_PHASES = frozenset({Phase.WORK, Phase.HOLD})
MOVING_PHASES = frozenset({Phase.MOVING, Phase.WORK, Phase.HOLD})


@dataclass(frozen=True)
class Rule:
    """``code`` fires when ``metric`` is beyond ``limit`` on the ``bound`` side."""

    code: str
    description: str
    metric: str
    bound: Bound
    limit: float
    views: frozenset[View]
    phases: frozenset[Phase] = WORK_PHASES
    scope: Scope = Scope.FRAME
    severity: Severity = Severity.WARNING
    #: Codes that explain this one: while any of them is a fault on the same frame, this rule
    #: says OK (one cause, one correction: an arched back also tips the trunk back).
    unless: frozenset[str] = frozenset()

    def verdict(self, metrics: Mapping[str, float], view: View, slack: float = 0.0) -> Verdict:
        """Judge ``metrics``; ``slack`` moves the limit toward OK values (hysteresis if active)."""
        if view not in self.views:
            return Verdict.NOT_APPLICABLE
        value = metrics.get(self.metric, math.nan)
        if not math.isfinite(value):
            return Verdict.NOT_APPLICABLE
        if self.bound is Bound.ABOVE:
            return Verdict.FAULT if value > self.limit - slack else Verdict.OK
        return Verdict.FAULT if value < self.limit + slack else Verdict.OK

    def slack(self, cues: CueConfig) -> float:
        """How far the limit moves toward OK values while the fault is active, in its unit.

        Angles (``_deg`` metrics) move by ``hysteresis_deg``; ratios by ``hysteresis_share`` of
        the limit: a 3-degree slack on a stance-width ratio of 0.5 kept a fault on until 3.5,
        that is for the rest of the phase.
        """
        if self.metric.endswith("_deg"):
            return cues.hysteresis_deg
        if self.metric.endswith("_ms"):  # judged once per rep, where no fault is active
            raise ValueError(f"{self.metric}: a time has no hysteresis")
        return cues.hysteresis_share * abs(self.limit)  # ratios, with or without "_ratio"

    def condition(self) -> str:
        """The test in words: metric, bound, limit, when it is judged, what it yields to."""
        when = "per rep" if self.scope is Scope.REP else "/".join(
            sorted(p.value for p in self.phases))
        op = ">" if self.bound is Bound.ABOVE else "<"
        unless = f"; not with {', '.join(sorted(self.unless))}" if self.unless else ""
        return f"{self.metric} {op} {self.limit:g} ({when}{unless})"


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """Verdict of a code judged by several rules: any fault wins, then any OK."""
    vs = list(verdicts)
    if Verdict.FAULT in vs:
        return Verdict.FAULT
    if Verdict.OK in vs:
        return Verdict.OK
    return Verdict.NOT_APPLICABLE


def judge(rules: Iterable[Rule], metrics: Mapping[str, float], view: View,
          active: frozenset[str] = frozenset(), cues: CueConfig | None = None
          ) -> dict[str, Verdict]:
    """Verdict per fault code; ``unless`` applied.

    Rules of codes in ``active`` get their slack under ``cues`` (none without ``cues``).
    """
    by_code: dict[str, list[Verdict]] = {}
    unless: dict[str, set[str]] = {}
    for r in rules:
        slack = r.slack(cues) if cues is not None and r.code in active else 0.0
        by_code.setdefault(r.code, []).append(r.verdict(metrics, view, slack))
        unless.setdefault(r.code, set()).update(r.unless)
    verdicts = {code: combine(vs) for code, vs in by_code.items()}
    for code, causes in unless.items():
        if verdicts[code] is Verdict.FAULT and any(
                verdicts.get(c) is Verdict.FAULT for c in causes):
            verdicts[code] = Verdict.OK
    return verdicts


@dataclass
class _Track:
    active: bool = False
    since_ms: float | None = None  # when the verdict started to disagree with ``active``


class CueTracker:
    """Debounces per-code verdicts into active faults (min on/off durations)."""

    def __init__(self, cfg: CueConfig) -> None:
        self._cfg = cfg
        self._tracks: dict[str, _Track] = {}
        self._active: frozenset[str] = frozenset()

    def reset(self) -> None:
        """Clear every active fault."""
        self._tracks.clear()
        self._active = frozenset()

    @property
    def active(self) -> frozenset[str]:
        """Codes currently active."""
        return self._active

    def update(self, t_ms: float, verdicts: Mapping[str, Verdict]) -> frozenset[str]:
        """Feed this frame's verdicts (codes not present count as OK); return active codes."""
        for code in set(verdicts) | set(self._tracks):
            tr = self._tracks.setdefault(code, _Track())
            fault = verdicts.get(code, Verdict.OK) is Verdict.FAULT
            if fault == tr.active:
                tr.since_ms = None
                continue
            if tr.since_ms is None:
                tr.since_ms = t_ms
            need = self._cfg.on_ms if fault else self._cfg.off_ms
            if t_ms - tr.since_ms >= need:
                tr.active = fault
                tr.since_ms = None
        self._active = frozenset(c for c, tr in self._tracks.items() if tr.active)
        return self._active
