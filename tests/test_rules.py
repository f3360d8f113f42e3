"""Every rule: fires when it should, quiet when it should not, not applicable in the wrong view."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from formcheck.engine.config import CueConfig
from formcheck.engine.exercises import EXERCISES
from formcheck.engine.rules import Bound, CueTracker, Rule, Scope, Verdict, judge
from formcheck.engine.types import Severity, View

ALL_RULES = [(ex, r) for ex, spec in EXERCISES.items() for r in spec.rules]


@pytest.mark.parametrize(("ex", "rule"), ALL_RULES,
                         ids=[f"{ex.value}-{r.code}-{r.metric}" for ex, r in ALL_RULES])
def test_each_rule_fires_beyond_its_limit_only(ex, rule: Rule) -> None:
    view = next(iter(rule.views))
    bad = rule.limit + (5 if rule.bound is Bound.ABOVE else -5)
    good = rule.limit - (5 if rule.bound is Bound.ABOVE else -5)
    # a tiny-scale metric (ratios) needs a tiny step
    if (abs(rule.limit) < 5 and "ratio" in rule.metric) or "rise" in rule.metric:
        step = 0.2 * max(abs(rule.limit), 0.05)
        bad = rule.limit + (step if rule.bound is Bound.ABOVE else -step)
        good = rule.limit - (step if rule.bound is Bound.ABOVE else -step)
    assert rule.verdict({rule.metric: bad}, view) is Verdict.FAULT
    assert rule.verdict({rule.metric: good}, view) is Verdict.OK
    assert rule.verdict({rule.metric: math.nan}, view) is Verdict.NOT_APPLICABLE
    assert rule.verdict({}, view) is Verdict.NOT_APPLICABLE
    for other in set(View) - set(rule.views):
        assert rule.verdict({rule.metric: bad}, other) is Verdict.NOT_APPLICABLE
    assert rule.condition().startswith(rule.metric)
    assert all(code in rule.condition() for code in rule.unless)


def test_slack_keeps_an_active_fault_on_near_the_limit() -> None:
    r = Rule("x", "d", "m", Bound.ABOVE, 10.0, frozenset({View.SIDE}))
    assert r.verdict({"m": 9.0}, View.SIDE) is Verdict.OK
    assert r.verdict({"m": 9.0}, View.SIDE, slack=3.0) is Verdict.FAULT
    below = replace(r, bound=Bound.BELOW)
    assert below.verdict({"m": 11.0}, View.SIDE, slack=3.0) is Verdict.FAULT


def test_a_time_has_no_hysteresis() -> None:
    """Rep rules on times are judged once, with no fault active; a frame rule on a time would
    need a slack of its own, not a share of its limit."""
    pause = Rule("no_pause", "d", "top_pause_ms", Bound.BELOW, 600.0, frozenset({View.SIDE}))
    with pytest.raises(ValueError, match="no hysteresis"):
        pause.slack(CueConfig())


def test_every_rule_is_a_correction_not_praise() -> None:
    """Green is for praise: a rule's cue asks for a change, so it is amber or red."""
    assert all(r.severity is not Severity.GOOD for _, r in ALL_RULES)


FRAME_RULES = [(ex, r) for ex, r in ALL_RULES if r.scope is Scope.FRAME]


@pytest.mark.parametrize(("ex", "rule"), FRAME_RULES,
                         ids=[f"{ex.value}-{r.code}-{r.metric}" for ex, r in FRAME_RULES])
def test_an_active_fault_clears_once_the_value_is_clearly_good(ex, rule: Rule) -> None:
    """Clearly good is 10 degrees past an angle's limit, or 30% past a ratio's (a stance width
    of 0.65 where 0.5 is narrow): 3 degrees of slack on a ratio kept a narrow stance called
    until the phase ended, however wide the feet went."""
    cues = CueConfig()
    slack = rule.slack(cues)
    assert slack > 0.0
    toward_ok = -1.0 if rule.bound is Bound.ABOVE else 1.0
    clearly = 10.0 if rule.metric.endswith("_deg") else 0.3 * abs(rule.limit)
    view = next(iter(rule.views))
    active = frozenset({rule.code})
    inside = {rule.metric: rule.limit + toward_ok * 0.5 * slack}
    clear = {rule.metric: rule.limit + toward_ok * clearly}
    assert judge([rule], inside, view)[rule.code] is Verdict.OK
    assert judge([rule], inside, view, active, cues)[rule.code] is Verdict.FAULT
    assert judge([rule], clear, view, active, cues)[rule.code] is Verdict.OK


def test_codes_shared_by_rules_combine() -> None:
    rules = [Rule("arched_back", "a", "p", Bound.ABOVE, 8.0, frozenset({View.SIDE})),
             Rule("arched_back", "b", "q", Bound.ABOVE, 0.03, frozenset({View.SIDE}))]
    assert judge(rules, {"p": 2.0}, View.SIDE)["arched_back"] is Verdict.OK  # q unknown
    assert judge(rules, {"p": 2.0, "q": 0.1}, View.SIDE)["arched_back"] is Verdict.FAULT
    assert judge(rules, {}, View.SIDE)["arched_back"] is Verdict.NOT_APPLICABLE
    assert judge(rules, {"p": 20.0}, View.FRONT)["arched_back"] is Verdict.NOT_APPLICABLE


def test_a_fault_explained_by_another_is_not_reported() -> None:
    side = frozenset({View.SIDE})
    rules = [Rule("trunk_lean_back", "lean", "lean", Bound.BELOW, -10.0, side,
                  unless=frozenset({"arched_back"})),
             Rule("arched_back", "arch", "curve", Bound.ABOVE, 0.03, side)]
    leaning = {"lean": -15.0, "curve": 0.01}
    arching = {"lean": -15.0, "curve": 0.08}
    assert judge(rules, leaning, View.SIDE)["trunk_lean_back"] is Verdict.FAULT
    v = judge(rules, arching, View.SIDE)
    assert v["arched_back"] is Verdict.FAULT and v["trunk_lean_back"] is Verdict.OK


def test_cue_tracker_needs_on_and_off_time() -> None:
    cfg = CueConfig()
    tr = CueTracker(cfg)
    dt = 1000 / 30
    # flickering every other frame never turns on
    for i in range(61):  # ends on an OK frame
        v = Verdict.FAULT if i % 2 else Verdict.OK
        assert tr.update(i * dt, {"c": v}) == frozenset()
    # steady fault turns on after on_ms
    t0 = 61 * dt
    on_at = None
    for i in range(30):
        if tr.update(t0 + i * dt, {"c": Verdict.FAULT}) and on_at is None:
            on_at = i * dt
    assert on_at is not None and cfg.on_ms <= on_at < cfg.on_ms + 2 * dt
    # a single OK frame does not clear it; a steady OK does after off_ms
    t1 = t0 + 30 * dt
    assert tr.update(t1, {"c": Verdict.OK}) == {"c"}
    assert tr.update(t1 + dt, {"c": Verdict.FAULT}) == {"c"}
    off_at = None
    for i in range(40):
        if not tr.update(t1 + 2 * dt + i * dt, {"c": Verdict.NOT_APPLICABLE}) and off_at is None:
            off_at = i * dt
    assert off_at is not None and cfg.off_ms <= off_at < cfg.off_ms + 2 * dt


def test_exercises_command_lists_every_check_and_what_it_yields_to() -> None:
    from typer.testing import CliRunner

    from formcheck.cli import app

    result = CliRunner().invoke(app, ["exercises"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for spec in EXERCISES.values():
        for rule in spec.rules:
            assert rule.code in result.output
    assert "not with arched_back" in result.output
