import numpy as np
import pytest

from formcheck.coach.routine import (
    DEFAULT_ROUTINE_TOML,
    RoutineRunner,
    SetPlan,
    Stage,
    load_plan,
    plan_from_toml,
)
from formcheck.engine.types import Exercise, FrameResult, Phase, RepEvent, Side, View
from formcheck.errors import InputError
from formcheck.pose.types import Pose

STEP_MS = 100


def frame(t_ms, *, found=True, phase=Phase.HOLD, exercise=Exercise.LUNGE, side=Side.LEFT,
          rep=None, cues=()):
    if found:
        pose = Pose(t_ms, 640, 480, np.full((33, 2), 100.0), np.zeros(33), np.zeros((33, 3)),
                    np.ones(33), np.ones(33))
    else:
        pose = Pose.empty(t_ms, 640, 480)
        phase = Phase.NOT_READY
    return FrameResult(t_ms=t_ms, pose=pose, exercise=exercise, view=View.SIDE, side=side,
                       phase=phase, metrics={}, reps={}, cues=tuple(cues), rep=rep)


class Feeder:
    """Drives a runner through stream time, collecting what it says with the time it says it."""

    def __init__(self, runner):
        self.runner = runner
        self.t = 0
        self.said: list[tuple[int, str]] = []

    def run(self, seconds, **kw):
        end = self.t + round(seconds * 1000)
        while self.t < end:
            self.feed(frame(self.t, **kw))
            self.t += STEP_MS

    def feed(self, result):
        self.said.extend((result.t_ms, u.text) for u in self.runner.announce(result))

    def texts(self):
        return [text for _, text in self.said]


def small_plan(text):
    return plan_from_toml(text)


HOLDS = """
lang = "en"
[[block]]
exercise = "lunge"
sides = ["left", "right"]
sets = 1
hold_s = 12
switch_s = 5
rest_s = 20
[[block]]
exercise = "bridge"
sets = 2
reps = 3
top_hold_s = 2
rest_s = 4
"""


def test_default_plan_is_the_ten_minute_routine():
    plan = load_plan(None)
    assert plan.lang == "en"
    lunges = [s for s in plan.sets if s.exercise is Exercise.LUNGE]
    bridges = [s for s in plan.sets if s.exercise is Exercise.BRIDGE]
    assert [s.side for s in lunges] == [Side.LEFT, Side.RIGHT] * 2
    assert all(s.hold_s == 45 for s in lunges)
    assert [(s.reps, s.top_hold_s) for s in bridges] == [(12, 2.0), (12, 2.0)]
    assert [s.rest_after_s for s in plan.sets] == [10, 30, 10, 30, 30, 0]
    work_s = sum(s.hold_s or s.reps * 5 for s in plan.sets) + sum(s.rest_after_s
                                                                 for s in plan.sets)
    assert 6 * 60 <= work_s <= 12 * 60
    assert plan == plan_from_toml(DEFAULT_ROUTINE_TOML)


def test_plan_from_file(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(HOLDS.replace('lang = "en"', 'lang = "de"'))
    plan = load_plan(path)
    assert plan.lang == "de"
    assert [(s.exercise, s.side, s.rest_after_s) for s in plan.sets] == [
        (Exercise.LUNGE, Side.LEFT, 5), (Exercise.LUNGE, Side.RIGHT, 20),
        (Exercise.BRIDGE, Side.BOTH, 4), (Exercise.BRIDGE, Side.BOTH, 0)]


@pytest.mark.parametrize(("text", "message"), [
    ('[[block]]\nexercise = "lunge"\nreps = 3\nhold_s = 4\n', "exactly one of reps or hold_s"),
    ('[[block]]\nexercise = "lunge"\n', "exactly one of reps or hold_s"),
    ('[[block]]\nexercise = "squat"\nreps = 3\n', "lunge or bridge"),
    ('[[block]]\nexercise = "bridge"\nreps = 3\nrepz = 4\n', "unknown key"),
    ('[[block]]\nexercise = "bridge"\nreps = "ten"\n', "'reps' must be a int"),
    ('[[block]]\nexercise = "bridge"\nreps = -1\n', "must not be negative"),
    ('[[block]]\nexercise = "lunge"\nsides = ["up"]\nreps = 3\n', "sides"),
    ('lang = "fr"\n[[block]]\nexercise = "bridge"\nreps = 3\n', "lang"),
    ('lang = "en"\n', "at least one [[block]]"),
    ('[[block]\n', "not valid TOML"),
])
def test_bad_configs_name_the_problem(text, message):
    with pytest.raises(InputError, match="routine config") as err:
        plan_from_toml(text)
    assert message in str(err.value)


def test_missing_config_file_is_input_error(tmp_path):
    with pytest.raises(InputError):
        load_plan(tmp_path / "nope.toml")


def test_set_plan_needs_reps_or_hold():
    with pytest.raises(ValueError):
        SetPlan(Exercise.BRIDGE, Side.BOTH)


def test_hold_set_starts_in_position_counts_down_and_moves_on():
    expected = []
    runner = RoutineRunner(small_plan(HOLDS), on_exercise=lambda *told: expected.append(told))
    feed = Feeder(runner)
    feed.run(3, found=False)  # nobody there yet: nothing counts
    assert runner.stage is Stage.WAITING and runner.progress() == (0, 0.0)
    feed.run(0.5)  # in position, dwell not yet over
    assert runner.stage is Stage.WAITING
    feed.run(12.2)
    assert runner.stage is Stage.REST
    assert feed.texts() == [
        "Crescent lunge, left leg forward, twelve seconds.", "Ready.",
        "five", "four", "three", "two", "one", "Set done. Switch legs. Rest, five seconds."]
    assert expected == [(Exercise.LUNGE, False)]  # a hold set
    outcome = runner.outcomes[0]
    assert outcome.completed and outcome.held_s == pytest.approx(12.0, abs=0.11)
    # the rest is timed: 5 s, then the right side is announced
    feed.run(5.0, found=False)
    assert runner.stage is Stage.WAITING and runner.current.side is Side.RIGHT
    assert feed.texts()[-4:] == ["three", "two", "one",
                                 "Crescent lunge, right leg forward, twelve seconds."]


def test_leaving_pauses_the_hold_and_returning_resumes():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    feed.run(4.5)  # 0.5 s dwell, then ~4 s held
    held_before = runner.progress()[1]
    feed.run(5, found=False)
    assert runner.stage is Stage.PAUSED
    assert runner.progress()[1] == held_before  # out of frame is never holding
    feed.run(1)
    assert runner.stage is Stage.ACTIVE
    assert "Paused." in feed.texts() and "Welcome back." in feed.texts()


def test_not_holding_does_not_count():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    feed.run(10, phase=Phase.MOVING)
    assert runner.stage is Stage.ACTIVE and runner.progress() == (0, 0.0)


def test_wrong_leg_forward_is_not_counted_and_named():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    feed.run(4, side=Side.RIGHT)
    # counted only until the wrong side had lasted 1.5 s into the set
    assert runner.progress()[1] == pytest.approx(1.5, abs=0.11)
    assert feed.texts().count("Left leg forward.") == 1
    feed.run(2, side=Side.LEFT)
    assert runner.progress()[1] == pytest.approx(3.5, abs=0.11)


def test_flickering_side_estimate_still_counts():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    for _ in range(8):
        feed.run(0.5, side=Side.LEFT)
        feed.run(0.5, side=Side.RIGHT)
    assert runner.progress()[1] == pytest.approx(7.5, abs=0.11)
    assert "Left leg forward." not in feed.texts()


def test_gap_in_frames_is_not_counted_as_held_time():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    feed.run(1)
    held = runner.progress()[1]
    feed.t += 3000  # stream jumps 3 s (dropped frames)
    feed.run(0.1)
    assert runner.progress()[1] - held <= 0.5 + 1e-9


def rep_frames(feed, n, exercise=Exercise.BRIDGE, period_ms=2000):
    for i in range(n):
        for _ in range(period_ms // STEP_MS - 1):
            feed.feed(frame(feed.t, exercise=exercise, side=Side.BOTH, phase=Phase.MOVING))
            feed.t += STEP_MS
        rep = RepEvent(index=i + 1, side=Side.BOTH, start_ms=feed.t - period_ms,
                       bottom_ms=feed.t - period_ms // 2, end_ms=feed.t)
        feed.feed(frame(feed.t, exercise=exercise, side=Side.BOTH, phase=Phase.START, rep=rep))
        feed.t += STEP_MS


def test_whole_routine_runs_by_itself():
    expected = []
    runner = RoutineRunner(small_plan(HOLDS), on_exercise=lambda *told: expected.append(told))
    feed = Feeder(runner)
    feed.run(13)  # left
    feed.run(5, found=False)  # switch
    feed.run(13, side=Side.RIGHT)
    assert runner.stage is Stage.REST
    # told during the rest before the bridges, which are a rep set: holds at the top count
    assert expected == [(Exercise.LUNGE, False), (Exercise.BRIDGE, True)]
    feed.run(20, exercise=Exercise.BRIDGE, side=Side.BOTH, phase=Phase.START)
    assert runner.stage is Stage.WAITING
    rep_frames(feed, 4)  # the fourth rep falls into the rest and is not counted
    assert runner.stage is Stage.REST and runner.index == 3 and runner.outcomes[-1].reps == 3
    feed.run(4, exercise=Exercise.BRIDGE, side=Side.BOTH, phase=Phase.START)
    rep_frames(feed, 4)
    assert runner.done
    texts = feed.texts()
    assert texts.count("Glute bridge, three reps, hold two seconds at the top.") == 2
    assert ("Set done. Rest, twenty seconds. "
            "Next: Glute bridge, three reps, hold two seconds at the top.") in texts
    assert texts[-4:] == ["one", "two", "three", "Routine complete. Well done!"]
    assert [(o.plan.exercise, o.reps, o.completed) for o in runner.outcomes] == [
        (Exercise.LUNGE, 0, True), (Exercise.LUNGE, 0, True),
        (Exercise.BRIDGE, 3, True), (Exercise.BRIDGE, 3, True)]
    assert len(runner.finish(feed.t)) == 4


def test_reps_of_another_exercise_do_not_count():
    plan = plan_from_toml('[[block]]\nexercise = "bridge"\nreps = 2\n')
    runner = RoutineRunner(plan)
    feed = Feeder(runner)
    feed.run(1, exercise=Exercise.BRIDGE, side=Side.BOTH, phase=Phase.START)
    rep = RepEvent(index=1, side=Side.LEFT, start_ms=0, bottom_ms=0, end_ms=feed.t)
    feed.feed(frame(feed.t, exercise=Exercise.LUNGE, rep=rep))
    assert runner.progress()[0] == 0


def test_unfinished_set_is_reported_by_finish():
    runner = RoutineRunner(small_plan(HOLDS))
    feed = Feeder(runner)
    feed.run(5)
    outcomes = runner.finish(feed.t)
    assert len(outcomes) == 1 and not outcomes[0].completed
    assert 4.0 < outcomes[0].held_s < 5.0


def test_german_side_hint_keeps_noun_capitalised():
    runner = RoutineRunner(small_plan(HOLDS.replace('lang = "en"', 'lang = "de"')))
    feed = Feeder(runner)
    feed.run(4, side=Side.RIGHT)
    assert "Linkes Bein vorne." in feed.texts()


def test_german_routine_words():
    runner = RoutineRunner(small_plan(HOLDS.replace('lang = "en"', 'lang = "de"')))
    feed = Feeder(runner)
    feed.run(13)
    assert feed.texts()[0] == "Ausfallschritt, linkes Bein vorne, zwölf Sekunden."
    assert feed.texts()[-1] == "Satz geschafft. Bein wechseln. Pause, fünf Sekunden."


def test_long_hold_says_thirty_and_ten_seconds_left():
    runner = RoutineRunner(load_plan(None))
    feed = Feeder(runner)
    feed.run(46)
    texts = feed.texts()
    assert texts[:4] == ["Crescent lunge, left leg forward, forty-five seconds.", "Ready.",
                         "thirty seconds", "ten seconds"]
    assert texts[-1] == "Set done. Switch legs. Rest, ten seconds."
