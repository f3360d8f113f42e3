"""Poses, faults and choreography of the synthetic renderer: truth angles move as intended."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from formcheck.engine.config import EngineConfig
from formcheck.engine.exercises import EXERCISES
from formcheck.engine.rules import Bound, Rule
from formcheck.engine.types import Exercise, Side, View
from formcheck.render.body import BodyShape, forward_kinematics
from formcheck.render.clip import ClipPlan, ClipSpec
from formcheck.render.motion import (
    ArmCarriage,
    Controls,
    LungeStyle,
    bridge_choreography,
    lunge_choreography,
)
from formcheck.render.poser import BRIDGE_FAULTS, LUNGE_FAULTS, BridgePoser, LungePoser
from formcheck.render.truth_angles import true_angles

BOTTOM = Controls(depth=1.0, stance=1.0, arms=0.0, jitter=0.0)


@cache
def lunge_angles(faults: tuple[str, ...], seed: int = 3,
                 controls: Controls = BOTTOM) -> dict[str, float]:
    shape = BodyShape.sample(np.random.default_rng(seed))
    poser = LungePoser(shape, Side.LEFT, frozenset(faults), np.random.default_rng(seed))
    return true_angles(forward_kinematics(shape, poser.pose(controls, 0.0)), Exercise.LUNGE, 0)


@cache
def bridge_angles(faults: tuple[str, ...], seed: int = 3) -> dict[str, float]:
    shape = BodyShape.sample(np.random.default_rng(seed))
    poser = BridgePoser(shape, frozenset(faults), np.random.default_rng(seed))
    return true_angles(forward_kinematics(shape, poser.pose(BOTTOM, 0.0)), Exercise.BRIDGE, 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lunge_bottom_knee_is_the_requested_angle(seed: int) -> None:
    shape = BodyShape.sample(np.random.default_rng(seed))
    poser = LungePoser(shape, Side.RIGHT, frozenset(), np.random.default_rng(seed))
    skel = forward_kinematics(shape, poser.pose(BOTTOM, 0.0))
    angles = true_angles(skel, Exercise.LUNGE, 1)
    assert angles["front_knee_deg"] == pytest.approx(poser.knee_bottom_deg, abs=0.5)
    assert 80.0 < angles["front_knee_deg"] < 100.0
    assert 5.0 < angles["back_hip_ext_deg"] < 30.0
    assert abs(angles["trunk_lean_deg"]) < 8.0
    assert min(skel.knees[0][2], skel.knees[1][2]) > 0.05  # the back knee stays off the floor


def test_lunge_standing_start_is_upright() -> None:
    angles = lunge_angles((), controls=Controls(0.0, 0.0, 0.0, 0.0))
    assert angles["front_knee_deg"] > 170.0 and angles["back_knee_deg"] > 170.0
    assert abs(angles["trunk_lean_deg"]) < 5.0


def test_arched_back_raises_lumbar_extension_and_pelvic_tilt() -> None:
    clean, arched = lunge_angles(()), lunge_angles(("arched_back",))
    assert arched["lumbar_ext_deg"] > clean["lumbar_ext_deg"] + 20.0
    assert arched["pelvis_tilt_deg"] > clean["pelvis_tilt_deg"] + 8.0
    # The pelvis tips forward instead of the hip extending, and the chest stays over the hips:
    # the thigh behind the trunk line looks about as extended as in a clean lunge.
    assert arched["true_hip_ext_deg"] < clean["true_hip_ext_deg"] - 15.0
    assert abs(arched["back_hip_ext_deg"] - clean["back_hip_ext_deg"]) < 8.0
    assert abs(arched["trunk_lean_deg"]) < 5.0
    b_clean, b_arched = bridge_angles(()), bridge_angles(("arched_back",))
    assert b_arched["lumbar_ext_deg"] > b_clean["lumbar_ext_deg"] + 15.0
    assert b_arched["pelvis_tilt_deg"] > b_clean["pelvis_tilt_deg"] + 8.0


LUNGE_EFFECTS = [
    ("shallow_depth", "front_knee_deg", 20.0),
    ("knee_past_toes", "front_shin_deg", 15.0),
    ("trunk_lean_forward", "trunk_lean_deg", 20.0),
    ("trunk_lean_back", "trunk_lean_deg", -12.0),
    ("hip_not_extended", "back_hip_ext_deg", -15.0),
    ("knee_cave", "knee_valgus_deg", 10.0),
    ("pelvis_not_level", "pelvis_level_deg", 6.0),
    ("narrow_stance", "stance_width_ratio", -0.6),
]


@pytest.mark.parametrize(("fault", "metric", "change"), LUNGE_EFFECTS)
def test_each_lunge_fault_moves_its_metric(fault: str, metric: str, change: float) -> None:
    delta = lunge_angles((fault,))[metric] - lunge_angles(())[metric]
    if metric == "pelvis_level_deg":
        delta = abs(delta)
    assert delta >= change if change > 0 else delta <= change


BRIDGE_EFFECTS = [
    ("low_bridge", "bridge_hip_deg", -12.0),
    ("overextended", "bridge_hip_deg", 12.0),
    ("feet_too_close", "bridge_knee_deg", -20.0),
    ("feet_too_far", "bridge_knee_deg", 20.0),
    ("hip_drop", "pelvis_level_deg", 6.0),
    ("knee_cave", "knee_valgus_deg", 10.0),
    ("knee_flare", "knee_valgus_deg", -10.0),
]


@pytest.mark.parametrize(("fault", "metric", "change"), BRIDGE_EFFECTS)
def test_each_bridge_fault_moves_its_metric(fault: str, metric: str, change: float) -> None:
    delta = bridge_angles((fault,))[metric] - bridge_angles(())[metric]
    if metric == "pelvis_level_deg":
        delta = abs(delta)
    assert delta >= change if change > 0 else delta <= change


def test_clean_bridge_top_lines_up_shoulders_hips_knees() -> None:
    angles = bridge_angles(())
    assert 172.0 < angles["bridge_hip_deg"] < 186.0
    assert 80.0 < angles["bridge_knee_deg"] < 102.0


def test_fault_tables_cover_the_documented_codes() -> None:
    assert set(LUNGE_FAULTS) >= {"arched_back", "hip_not_extended", "knee_cave"}
    assert set(BRIDGE_FAULTS) >= {"arched_back", "no_pause", "hip_drop", "knee_flare"}


@pytest.mark.parametrize("style", list(LungeStyle))
def test_lunge_choreography_reps_are_ordered_and_start_still(style: LungeStyle) -> None:
    ch = lunge_choreography(np.random.default_rng(0), 4, 3.0, style, Side.LEFT, 1.0)
    assert len(ch.reps) == 4 and len(ch.holds) == 1
    assert ch.reps[0].start_ms >= 900  # stands still before the first rep
    assert ch.at(0.0).depth == 0.0 and ch.at(500.0).depth == 0.0
    ends = 0
    for rep in ch.reps:
        assert ends <= rep.start_ms < (rep.bottom_ms or 0) < rep.end_ms
        assert ch.at(rep.bottom_ms or 0).depth == pytest.approx(1.0)
        ends = rep.end_ms
    hold = ch.holds[0]
    assert hold.end_ms - hold.start_ms == 3000
    assert ch.at(0.5 * (hold.start_ms + hold.end_ms)).arms == pytest.approx(1.0)


def test_rep_jitter_keeps_a_shallow_lunge_a_lunge_rep() -> None:
    """Each rep's depth offset is cut at two standard deviations (lunge reps 3 deg, bridges 2.5,
    holds 2): a shallow lunge (118-126) then bottoms out short of the knee angle the engine
    still takes for a lunge rep. Uncut, the shallow lunge clip of seed 143 drew +9.9 and
    bottomed out at 136 deg."""
    biggest = 0.0
    for seed in range(300):
        lunge = lunge_choreography(np.random.default_rng(seed), 3, 5.0, LungeStyle.SPLIT,
                                   Side.LEFT, 1.0)
        bridge = bridge_choreography(np.random.default_rng(seed), 3, 5.0, True, 1.0)
        assert np.abs(lunge.keys[:, 4]).max() <= 6.0 and np.abs(bridge.keys[:, 4]).max() <= 5.0
        biggest = max(biggest, float(np.abs(lunge.keys[:, 4]).max()))
    assert biggest == 6.0  # the cut is reached: tails exist and are cut, not absent
    limit = EngineConfig().lunge.rep_max_front_knee_deg
    for seed in range(1, 13):
        shallowest = lunge_angles(("shallow_depth",), seed,
                                  Controls(depth=1.0, stance=1.0, arms=0.0, jitter=6.0))
        assert shallowest["front_knee_deg"] < limit - 2.0, seed


def test_bridge_no_pause_shortens_the_top() -> None:
    def top_ms(pause: bool) -> float:
        ch = bridge_choreography(np.random.default_rng(1), 3, 0.0, pause, 1.0)
        ts = np.arange(0, ch.duration_ms, 10.0)
        return float(sum(ch.at(t).depth > 0.98 for t in ts) * 10.0 / 3)

    assert top_ms(True) > 500.0
    assert top_ms(False) < 250.0


@cache
def _rendered_extreme(exercise: Exercise, faults: tuple[str, ...], seed: int) -> dict[str, float]:
    """Truth angles at the working position of a clip as ``formcheck render`` plans it."""
    plan = ClipPlan(ClipSpec(exercise, reps=1, faults=faults, seed=seed))
    skel = forward_kinematics(plan.poser.shape, plan.poser.pose(BOTTOM, 0.0))
    return true_angles(skel, exercise, 0 if plan.side is not Side.RIGHT else 1)


def _side_angle_rules(exercise: Exercise) -> list[tuple[str, str, Rule]]:
    """The engine's side-view rules on an angle the truth has: (code, truth metric, rule).

    The lunge's arched back (read from the back contour and the apparent hip extension) and the
    bridge's pause are not single truth angles; they are not in this list.
    """
    spec = EXERCISES[exercise]
    by_summary = {s.name: s.metric for s in spec.summaries}
    probe = _rendered_extreme(exercise, (), 1)
    out = []
    for rule in spec.rules:
        metric = by_summary.get(rule.metric, rule.metric)
        # how deep a lunge went is, in truth, how far the front knee bent
        metric = TRUTH_OF.get(metric, metric)
        if View.SIDE in rule.views and metric in probe:
            out.append((rule.code, metric, rule))
    return out


TRUTH_OF = {"lunge_bottom_deg": "front_knee_deg"}
CHECKED = {Exercise.LUNGE: {"shallow_depth", "knee_past_toes", "trunk_lean_forward",
                            "trunk_lean_back", "hip_not_extended"},
           Exercise.BRIDGE: {"low_bridge", "arched_back", "overextended", "feet_too_close",
                             "feet_too_far"}}


def _past(value: float, rule: Rule) -> float:
    """How far ``value`` is beyond ``rule``'s limit on its fault side (negative: inside)."""
    return value - rule.limit if rule.bound is Bound.ABOVE else rule.limit - value


#: A fault sits this far past its limit, a clean rep this far inside: about the smallest 2D
#: angle error published for side views, so that no fault is rendered on the limit itself.
CLEAR_DEG = 4.0
#: ... except where the engine leaves less room: a bridge arch is 5-12 deg above the line
#: (185-192) and rendered at 187-190, while a clean top is in line within a few degrees
#: (176-182); a low bridge must still lift far enough to count (150 from a rest at 135) and
#: stay short of 165, so it is rendered at 155-163. (2 deg, less 0.1 for the poser's numeric
#: solve of the hip height.)
CLEAR_IN_WINDOW_DEG = 1.9
NARROW = {(Exercise.BRIDGE, "arched_back"), (Exercise.BRIDGE, "low_bridge")}


@pytest.mark.parametrize("exercise", [Exercise.LUNGE, Exercise.BRIDGE])
def test_side_view_faults_are_rendered_clear_of_the_engines_limits(exercise: Exercise) -> None:
    """Each fault past its own limit, clear of the other limits on the same angle (unless that
    rule yields to it), and clean reps clear of every limit."""
    faults = LUNGE_FAULTS if exercise is Exercise.LUNGE else BRIDGE_FAULTS
    rules = _side_angle_rules(exercise)
    assert {code for code, _, _ in rules} == CHECKED[exercise]
    for code, metric, rule in rules:
        assert code in faults
        clear = CLEAR_IN_WINDOW_DEG if (exercise, code) in NARROW else CLEAR_DEG
        for seed in range(1, 13):
            fault = _rendered_extreme(exercise, (code,), seed)
            clean = _rendered_extreme(exercise, (), seed)
            assert _past(fault[metric], rule) >= clear, (code, seed, fault[metric])
            assert _past(clean[metric], rule) <= -clear, (code, seed, clean[metric])
            for other_code, other_metric, other in rules:
                if other_metric == metric and other_code != code and code not in other.unless:
                    assert _past(fault[metric], other) <= -CLEAR_IN_WINDOW_DEG, (
                        code, other_code, seed, fault[metric])


#: (exercise, fault, the other fault it cannot help showing): a trunk leaning forward over the
#: back thigh leaves the thigh in front of the trunk line; over-extension and the bridge's arch
#: are nested limits on the same angle (hips above the line by more than 5 and by more than 12).
#: The engine lets the second yield to the first.
IMPLIED = {(Exercise.LUNGE, "trunk_lean_forward", "hip_not_extended"),
           (Exercise.BRIDGE, "overextended", "arched_back")}


@pytest.mark.parametrize("exercise", [Exercise.LUNGE, Exercise.BRIDGE])
def test_a_side_view_fault_crosses_no_other_faults_limit(exercise: Exercise) -> None:
    """A clip rendered with one fault shows that fault only: every other side-view rule on a
    truth angle stays at least 1.9 degrees inside its limit, even one that yields to it in the
    engine, except where one fault implies the other by geometry (``IMPLIED``). An arched lunge
    that also leaned back past the lean-back limit would carry two faults under one label, and
    scoring either call would measure the label, not the reading. (The lunge's arch has no truth
    angle of its own, so it is checked as the rendered fault only.)"""
    faults = LUNGE_FAULTS if exercise is Exercise.LUNGE else BRIDGE_FAULTS
    side_codes = {r.code for r in EXERCISES[exercise].rules if View.SIDE in r.views}
    rules = _side_angle_rules(exercise)
    assert "arched_back" in side_codes & set(faults)  # the case this test was written for
    for code in sorted(side_codes & set(faults)):
        for seed in range(1, 13):
            fault = _rendered_extreme(exercise, (code,), seed)
            for other_code, metric, other in rules:
                if other_code != code and (exercise, code, other_code) not in IMPLIED:
                    assert _past(fault[metric], other) <= -CLEAR_IN_WINDOW_DEG, (
                        code, other_code, seed, fault[metric])


def test_a_low_bridge_lifts_far_enough_to_count() -> None:
    cfg = EngineConfig()
    b = cfg.bridge
    counts_at = b.hip_start_deg + cfg.counter.work_enter_progress * (b.hip_work_deg
                                                                       - b.hip_start_deg)
    for seed in range(1, 13):
        top = _rendered_extreme(Exercise.BRIDGE, ("low_bridge",), seed)["bridge_hip_deg"]
        assert top >= counts_at + CLEAR_IN_WINDOW_DEG, (seed, top)


@pytest.mark.parametrize("faults", [(), ("trunk_lean_forward",), ("arched_back",)])
def test_each_arm_carriage_puts_the_hands_where_it_says(faults: tuple[str, ...]) -> None:
    shape = BodyShape.sample(np.random.default_rng(5))

    def skeleton(carriage: ArmCarriage, controls: Controls = BOTTOM):
        poser = LungePoser(shape, Side.LEFT, frozenset(faults), np.random.default_rng(5),
                           carriage=carriage)
        return forward_kinematics(shape, poser.pose(controls, 0.0))

    for i in (0, 1):
        hang = skeleton(ArmCarriage.HANGING)
        ahead = (hang.wrists[i] - hang.shoulders[i]) @ hang.facing
        assert abs(ahead) < 0.05  # straight down, however the chest leans
        if "trunk_lean_forward" not in faults:  # (a chest leaning forward carries them back)
            fwd = skeleton(ArmCarriage.FORWARD)
            assert (fwd.wrists[i] - fwd.shoulders[i]) @ fwd.facing > 0.15  # over the thigh
        up = skeleton(ArmCarriage.OVERHEAD)
        assert up.wrists[i][2] > up.head_centre[2]
        # overhead only once in the split stance: standing at the start, the arms are down
        start = skeleton(ArmCarriage.OVERHEAD, Controls(0.0, 0.0, 0.0, 0.0))
        assert start.wrists[i][2] < start.shoulders[i][2]


def test_the_seed_chooses_the_arm_carriage_unless_told_and_nothing_else_changes() -> None:
    seen = {ClipPlan(ClipSpec(Exercise.LUNGE, reps=1, seed=s)).poser.carriage  # type: ignore[union-attr]
            for s in range(12)}
    assert seen == set(ArmCarriage)
    for seed in (3, 7):
        auto = ClipPlan(ClipSpec(Exercise.LUNGE, reps=1, seed=seed))
        for carriage in ArmCarriage:
            told = ClipPlan(ClipSpec(Exercise.LUNGE, reps=1, seed=seed, arms=carriage))
            assert told.poser.carriage is carriage  # type: ignore[union-attr]
            # the same body, side, tempo and camera direction (its distance frames the arms)
            assert told.shape == auto.shape and told.side is auto.side
            assert told.choreo.duration_ms == auto.choreo.duration_ms
            for key in ("azimuth_deg", "elevation_deg", "roll_deg", "fov_v_deg"):
                assert told.camera_info[key] == auto.camera_info[key]
