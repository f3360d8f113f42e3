"""Who is in the picture: nobody, someone leaving and coming back, two people, half a body.

Stick-figure pose sequences (tests/synth.py) through the engine, and :class:`MainPerson` on
synthetic scans: fast, and each case isolates one behaviour. The real model on a two-person
video is in tests/test_people_video.py.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from formcheck.engine.config import EngineConfig
from formcheck.engine.exercises import specs_for
from formcheck.engine.rules import Verdict, judge
from formcheck.engine.session import Engine
from formcheck.engine.types import Exercise, FrameResult, Phase
from formcheck.pose.landmarks import LM, NUM_LANDMARKS
from formcheck.pose.people import Box, MainPerson, PeopleConfig, Person, person_score
from formcheck.pose.types import Pose
from tests.synth import STAND, Camera, lunge, reps, sequence

CAM = Camera(width=1280, height=720)


def run(poses: list[Pose], exercise: str = "auto") -> tuple[Engine, list[FrameResult]]:
    engine = Engine(exercise=exercise)  # type: ignore[arg-type]
    return engine, [engine.update(p) for p in poses]


def codes(cues: tuple) -> set[str]:
    return {c.code for c in cues}


def shifted(keys: list, dt: float) -> list:
    return [(t + dt, s) for t, s in keys]


# --- nobody ----------------------------------------------------------------------------------


def test_nobody_in_frame_gets_guidance_and_no_reps() -> None:
    poses = [Pose.empty(round(i * 1000 / 30), 640, 480) for i in range(90)]
    for exercise in ("auto", "lunge", "bridge"):
        engine, results = run(poses, exercise)
        assert all("no_person" in codes(r.guidance) for r in results)
        assert all(r.reps_total == 0 and r.rep is None and not r.cues for r in results)
        summary = engine.summary()
        assert summary.reps_total == 0 and summary.frames_with_pose == 0
        assert summary.reason == "no person found"


# --- leaving and coming back -----------------------------------------------------------------


def test_person_leaving_and_coming_back_pauses_the_counter() -> None:
    """Two lunges, 4 s out of the picture, two more: 4 reps, nothing moves while away."""
    first = reps(lunge, 2)
    away_from = first[-1][0] + 0.5
    back_at = away_from + 4.0
    keys = [*first, (back_at, STAND), *shifted(reps(lunge, 2)[1:], back_at)]
    poses = sequence(keys, CAM, noise_px=1.0, dropouts=((away_from, back_at),))
    engine, results = run(poses)
    away = [r for r in results if away_from <= r.t_ms / 1000 < back_at]
    assert away and all(not r.pose.found for r in away)
    counts = {r.reps_total for r in away}
    assert counts == {2}  # paused at the reps done before leaving
    assert all(r.rep is None and r.phase is not Phase.WORK for r in away)
    assert all("no_person" in codes(r.guidance) for r in away)
    assert engine.summary().reps_total == 4


def test_walking_out_at_the_bottom_and_back_standing_adds_no_phantom_rep() -> None:
    """Gone at the bottom of rep 3, back standing: rep 3 was never seen finishing."""
    keys = reps(lunge, 3)
    bottom3 = 1.0 + 2 * 3.1 + 1.0
    poses = sequence([*keys, (keys[-1][0] + 3.0, STAND)], CAM, noise_px=1.0,
                     dropouts=((bottom3 + 0.1, bottom3 + 3.0),))
    engine, _ = run(poses)
    assert engine.summary().reps_total == 2


# --- two people ------------------------------------------------------------------------------


def person(pose: Pose, scale: float, dx: float, dy: float = 0.0) -> Pose:
    """``pose`` scaled about its hip centre and moved by ``(dx, dy)`` pixels (same frame)."""
    hip = (pose.xy[LM.LEFT_HIP] + pose.xy[LM.RIGHT_HIP]) / 2
    xy = hip + (pose.xy - hip) * scale + np.array([dx, dy])
    return replace(pose, xy=xy)


def exerciser_and_bystander() -> tuple[list[Pose], list[Pose]]:
    """The exerciser lunging in the middle; a smaller bystander walking across the room behind."""
    lunges = sequence(reps(lunge, 3), CAM, noise_px=1.0)
    stand = sequence([(0.0, STAND), (len(lunges) / 30, STAND)], CAM, noise_px=1.0)
    walkers = [person(s, 0.55, -700 + 1400 * i / len(lunges), -60)
               for i, s in enumerate(stand[: len(lunges)])]
    return lunges, walkers


def seen(pose: Pose) -> Person:
    person = Person.from_landmarks(pose.xy)
    assert person is not None
    return person


def test_the_largest_most_central_person_is_chosen_when_nobody_is_tracked() -> None:
    lunges, walkers = exerciser_and_bystander()
    big, small = seen(lunges[0]), seen(walkers[0])
    for people in ([big, small], [small, big]):
        assert MainPerson().scan(people, CAM.width, CAM.height, 0) == big.box
    off_centre = seen(person(lunges[0], 1.0, 420))
    assert MainPerson().scan([off_centre, big], CAM.width, CAM.height, 0) == big.box
    # twice as near the camera beats a little more central
    near, far = seen(person(lunges[0], 1.0, 150)), seen(person(lunges[0], 0.5, 0))
    assert MainPerson().scan([far, near], CAM.width, CAM.height, 0) == near.box


def test_lying_down_does_not_make_a_person_larger() -> None:
    """Size is body length, not the box: a lying person's box is wide but no nearer."""
    lunges, _ = exerciser_and_bystander()
    standing = lunges[0]
    hip = (standing.xy[LM.LEFT_HIP] + standing.xy[LM.RIGHT_HIP]) / 2
    lying_xy = hip + (standing.xy - hip) @ np.array([[0.0, 1.0], [-1.0, 0.0]])  # turned 90 deg
    lying = replace(standing, xy=lying_xy)
    flat, upright = seen(lying).box, seen(standing).box
    assert flat.width > flat.height and upright.height > upright.width
    assert seen(lying).body_px == pytest.approx(seen(standing).body_px)
    assert person_score(seen(lying), CAM.width, CAM.height) == pytest.approx(
        person_score(seen(standing), CAM.width, CAM.height), abs=0.01)


def test_one_person_in_view_needs_no_choice() -> None:
    lunges, _ = exerciser_and_bystander()
    chooser = MainPerson()
    assert chooser.scan([seen(lunges[0])], CAM.width, CAM.height, 0) is None
    assert chooser.scan([], CAM.width, CAM.height, 2000) is None


def scans(chooser: MainPerson, tracked: list[Pose], people: list[list[Pose]],
          every: int = 60) -> list[object]:
    """Frame by frame as the estimator does: follow the tracked pose, scan every ``every``."""
    chosen: list[object] = []
    for i, (t, others) in enumerate(zip(tracked, people, strict=True)):
        if i % every == 0:
            pick = chooser.scan([seen(p) for p in others], CAM.width, CAM.height, t.t_ms)
            chosen.append(pick)
        chooser.follow(seen(t).box if t.found else None, t.t_ms)
    return chosen


def test_a_tracked_bystander_gives_way_only_after_the_exerciser_leads_two_scans() -> None:
    lunges, walkers = exerciser_and_bystander()
    frames = list(zip(lunges, walkers, strict=True))[:181]
    chooser = MainPerson(PeopleConfig(switch_after_scans=2))
    chooser.follow(seen(walkers[0]).box, 0)  # the tracker found the bystander first
    tracked = [w for _, w in frames]  # ... and would stay on them
    picks = scans(chooser, tracked, [[w, a] for a, w in frames])
    assert picks[0] == seen(walkers[0]).box  # first scan: the tracked person stays
    assert picks[1] == seen(lunges[60]).box  # second scan in a row: the exerciser


def test_the_main_person_does_not_jump_to_a_bystander_crossing_the_picture() -> None:
    lunges, walkers = exerciser_and_bystander()
    rng = np.random.default_rng(3)
    frames = [[a, b] if rng.random() < 0.5 else [b, a]
              for a, b in zip(lunges, walkers, strict=True)]
    picks = scans(MainPerson(), lunges, frames, every=15)
    assert picks == [seen(a).box for a in lunges[::15]]


def test_a_moment_out_of_sight_at_a_scan_does_not_hand_over_the_session() -> None:
    """The exerciser is missed for a few frames (occluded) just before a scan."""
    lunges, walkers = exerciser_and_bystander()
    chooser = MainPerson()
    for t in lunges[:100]:
        chooser.follow(seen(t).box, t.t_ms)
    # frames 100-103 lost; the scan at 104 still sees both and keeps the exerciser ...
    pick = chooser.scan([seen(walkers[104]), seen(lunges[104])], CAM.width, CAM.height,
                        lunges[104].t_ms)
    assert pick == seen(lunges[104]).box
    # ... even when the bystander would score better, as long as that lasts one scan only
    big_bystander = seen(person(walkers[104], 3.0, 0, 0))
    pick = MainPerson(PeopleConfig(switch_after_scans=2))
    pick.follow(seen(lunges[100]).box, lunges[100].t_ms)
    assert pick.scan([big_bystander, seen(lunges[104])], CAM.width, CAM.height,
                     lunges[104].t_ms) == seen(lunges[104]).box


# --- half a body -----------------------------------------------------------------------------


def legs_cut_off(poses: list[Pose]) -> list[Pose]:
    """The camera frames only the upper body: hips down are below the picture, unseen."""
    lower = [lm for lm in LM if lm >= LM.LEFT_KNEE]
    out = []
    for p in poses:
        shift = np.array([0.0, p.height * 0.45])  # everything moves down by the camera tilt
        xy = p.xy + shift
        vis, pres = p.visibility.copy(), p.presence.copy()
        vis[lower], pres[lower] = 0.02, 0.05
        out.append(replace(p, xy=xy, visibility=vis, presence=pres))
    return out


def test_partial_body_gets_step_back_and_checks_needing_legs_say_not_applicable() -> None:
    poses = legs_cut_off(sequence(reps(lunge, 3), CAM, noise_px=1.0))
    assert all(p.xy[LM.LEFT_ANKLE, 1] > p.height for p in poses)
    engine, results = run(poses, "lunge")
    assert all(r.rep is None for r in results)
    later = results[len(results) // 3:]
    assert all("step_back" in codes(r.guidance) for r in later)
    spec = specs_for(EngineConfig())[Exercise.LUNGE]
    leg_metrics = {"front_knee_deg", "back_knee_deg", "front_shin_deg", "back_hip_ext_deg"}
    leg_rules = [r for r in spec.rules if r.metric in leg_metrics]
    assert leg_rules
    for r in later:
        assert all(not math.isfinite(r.metric(m)) for m in leg_metrics)
        verdicts = judge(leg_rules, r.metrics, r.view)
        assert set(verdicts.values()) == {Verdict.NOT_APPLICABLE}
        assert not codes(r.cues) & {rule.code for rule in leg_rules}
    summary = engine.summary()
    assert summary.reps_total == 0
    assert summary.reason == "body not fully visible in most frames"


def test_no_landmark_is_faked_for_an_unseen_joint() -> None:
    """The engine's input contract: unseen is NaN, never (0, 0)."""
    empty = Pose.empty(0, 640, 480)
    assert empty.xy.shape == (NUM_LANDMARKS, 2) and np.isnan(empty.xy).all()
    assert not empty.found


def test_a_bystander_leading_a_single_scan_or_rivals_taking_turns_change_nothing() -> None:
    exerciser = Person(Box(800, 200, 950, 650), 300.0)
    near_a = Person(Box(450, 100, 650, 700), 600.0)  # two others, each nearer and more central
    near_b = Person(Box(600, 100, 780, 700), 600.0)
    chooser = MainPerson(PeopleConfig(switch_after_scans=2))

    def scan(people: list[Person], t_ms: int) -> Box | None:
        chooser.follow(exerciser.box, t_ms - 33)  # the tracker is on the exerciser
        return chooser.scan(people, CAM.width, CAM.height, t_ms)

    # a leads one scan, then is gone: the exerciser stays
    assert scan([exerciser, near_a], 0) == exerciser.box
    assert scan([exerciser], 2000) is None
    # a, then b, lead one scan each: never the same rival twice in a row
    assert scan([exerciser, near_a], 4000) == exerciser.box
    assert scan([exerciser, near_b], 6000) == exerciser.box
    # b again: now the same person has led two scans in a row
    assert scan([exerciser, near_b], 8000) == near_b.box
