import io
import shutil
import threading
import time
import wave

import numpy as np
import pytest

from formcheck.coach.announce import LiveAnnouncer, PresenceTracker
from formcheck.coach.factory import live_voice_sink, make_speaker
from formcheck.coach.phrases import phrases_for
from formcheck.coach.speech import EspeakEngine, FakeSpeechEngine
from formcheck.coach.utterances import Kind, Utterance, UtteranceQueue, VoicePolicy
from formcheck.coach.voice import Speaker, SpeechLog, SpokenLine, VoiceSink
from formcheck.engine.types import (
    Cue,
    Exercise,
    FrameResult,
    Phase,
    RepEvent,
    Severity,
    Side,
    View,
)
from formcheck.pose.types import Pose


def frame(t_ms, *, found=True, phase=Phase.WORK, exercise=Exercise.LUNGE, side=Side.LEFT,
          reps=None, rep=None, cues=(), hold_ms=0):
    if found:
        pose = Pose(t_ms, 640, 480, np.full((33, 2), 100.0), np.zeros(33), np.zeros((33, 3)),
                    np.ones(33), np.ones(33))
    else:
        pose = Pose.empty(t_ms, 640, 480)
        phase = Phase.NOT_READY
    return FrameResult(t_ms=t_ms, pose=pose, exercise=exercise, view=View.SIDE, side=side,
                       phase=phase, metrics={}, reps=reps or {}, cues=tuple(cues), rep=rep,
                       hold_ms=hold_ms)


def u(text, kind, t_ms=0, key=""):
    return Utterance(text, kind, t_ms, key)


# -- the pure queue --------------------------------------------------------------------------------


def test_counts_then_countdowns_then_prompts_then_cues():
    q = UtteranceQueue()
    q.push(u("knees out", Kind.CUE))
    q.push(u("switch legs", Kind.PROMPT))
    q.push(u("five", Kind.COUNTDOWN))
    q.push(u("one", Kind.COUNT))
    assert [q.pop(0).text for _ in range(4)] == ["one", "five", "switch legs", "knees out"]
    assert q.pop(0) is None


def test_same_kind_keeps_arrival_order():
    q = UtteranceQueue()
    for text in ("a", "b", "c"):
        q.push(u(text, Kind.PROMPT))
    assert [q.pop(0).text for _ in range(3)] == ["a", "b", "c"]


def test_newer_count_replaces_waiting_count():
    q = UtteranceQueue()
    q.push(u("two", Kind.COUNT, 0, "count"))
    q.push(u("three", Kind.COUNT, 900, "count"))
    assert q.pop(1000).text == "three"
    assert q.pop(1000) is None
    assert [(d.utterance.text, d.reason) for d in q.dropped] == [("two", "replaced")]


def test_stale_lines_are_dropped_by_kind_age():
    policy = VoicePolicy()
    q = UtteranceQueue(policy)
    q.push(u("arched back", Kind.CUE, 0))
    q.push(u("rest thirty seconds", Kind.PROMPT, 0))
    now = policy.max_age_ms[Kind.CUE] + 1
    assert q.pop(now).text == "rest thirty seconds"
    assert [(d.utterance.text, d.reason) for d in q.dropped] == [("arched back", "stale")]


def test_line_exactly_at_age_limit_is_still_said():
    policy = VoicePolicy()
    q = UtteranceQueue(policy)
    q.push(u("arched back", Kind.CUE, 0))
    assert q.pop(policy.max_age_ms[Kind.CUE]).text == "arched back"


def test_same_cue_is_rate_limited():
    policy = VoicePolicy(cue_repeat_ms=8000)
    q = UtteranceQueue(policy)
    q.push(u("arched back", Kind.CUE, 0, "arched_back"))
    assert q.pop(100).text == "arched back"
    q.push(u("arched back", Kind.CUE, 5000, "arched_back"))
    q.push(u("knee past toes", Kind.CUE, 5000, "knee_past_toes"))
    assert q.pop(5000).text == "knee past toes"
    assert q.pop(5000) is None
    q.push(u("arched back", Kind.CUE, 8200, "arched_back"))
    assert q.pop(8200).text == "arched back"


def test_same_cue_waiting_twice_is_said_once():
    q = UtteranceQueue()
    q.push(u("arched back", Kind.CUE, 0, "arched_back"))
    q.push(u("arched back", Kind.CUE, 10, "arched_back"))
    assert len(q) == 1


def test_prompts_are_not_rate_limited():
    q = UtteranceQueue()
    q.push(u("Paused.", Kind.PROMPT, 0))
    q.pop(0)
    q.push(u("Paused.", Kind.PROMPT, 100))
    assert q.pop(100).text == "Paused."


def test_overflow_drops_oldest_of_lowest_priority():
    q = UtteranceQueue(VoicePolicy(max_waiting=2))
    q.push(u("prompt", Kind.PROMPT))
    q.push(u("cue a", Kind.CUE, key="a"))
    q.push(u("cue b", Kind.CUE, key="b"))
    assert [d.utterance.text for d in q.dropped] == ["cue a"]
    assert len(q) == 2


# -- the speaker thread ----------------------------------------------------------------------------


def test_cue_never_goes_before_a_waiting_count():
    gate = threading.Event()
    started = threading.Event()
    engine = FakeSpeechEngine(gate=gate, on_say=lambda text: started.set())
    with Speaker(engine, "en") as speaker:
        speaker.submit(u("arched back", Kind.CUE, 0, "arched_back"))
        assert started.wait(2.0)  # first cue is being said, engine busy
        speaker.submit(u("knee past toes", Kind.CUE, 100, "knee_past_toes"))
        speaker.submit(u("one", Kind.COUNT, 200, "count"))
        gate.set()
        assert speaker.wait_idle(5.0)
    assert engine.texts() == ["arched back", "one", "knee past toes"]


def test_submit_does_not_wait_for_speech():
    gate = threading.Event()
    engine = FakeSpeechEngine(gate=gate)
    speaker = Speaker(engine, "en")
    speaker.start()
    try:
        t0 = time.perf_counter()
        for i in range(200):
            speaker.submit(u(f"cue {i}", Kind.CUE, i, f"c{i}"))
        assert time.perf_counter() - t0 < 0.5  # engine is blocked the whole time
    finally:
        gate.set()
        speaker.close(drain_timeout_s=2.0)


def test_stale_cue_dropped_while_engine_busy():
    gate = threading.Event()
    started = threading.Event()
    engine = FakeSpeechEngine(gate=gate, on_say=lambda text: started.set())
    lines: list[SpokenLine] = []
    with Speaker(engine, "en", on_line=lines.append) as speaker:
        speaker.submit(u("Rest, thirty seconds.", Kind.PROMPT, 0))
        assert started.wait(2.0)
        speaker.submit(u("arched back", Kind.CUE, 100, "arched_back"))
        speaker.advance(10_000)  # stream moved on 10 s while the prompt was being said
        gate.set()
        assert speaker.wait_idle(5.0)
        dropped = speaker.dropped()
    assert engine.texts() == ["Rest, thirty seconds."]
    assert [(d.utterance.text, d.reason) for d in dropped] == [("arched back", "stale")]
    assert [(line.utterance.text, line.spoken, line.dropped) for line in lines] == [
        ("Rest, thirty seconds.", True, ""), ("arched back", False, "stale")]


def test_missing_engine_warns_once_and_stays_silent():
    warnings: list[str] = []
    lines: list[SpokenLine] = []
    with Speaker(None, "en", warn=warnings.append, on_line=lines.append) as speaker:
        for i in range(3):
            speaker.submit(u(str(i), Kind.PROMPT, i))
        assert speaker.wait_idle(2.0)
    assert len(warnings) == 1 and "espeak-ng" in warnings[0]
    assert [line.spoken for line in lines] == [False, False, False]


def test_failing_engine_warns_once_then_mutes():
    engine = FakeSpeechEngine(fail=True)
    warnings: list[str] = []
    with Speaker(engine, "en", warn=warnings.append) as speaker:
        for i in range(3):
            speaker.submit(u(str(i), Kind.PROMPT, i))
        assert speaker.wait_idle(2.0)
        assert speaker.muted
    assert len(warnings) == 1


def test_speech_log_lines(tmp_path):
    path = tmp_path / "speech.log"
    with path.open("w") as fh, Speaker(FakeSpeechEngine(), "de",
                                       on_line=SpeechLog(fh)) as speaker:
        speaker.submit(u("eins", Kind.COUNT, 1500, "count"))
        assert speaker.wait_idle(2.0)
        speaker.submit(u("Rücken gerade", Kind.CUE, 1600, "arched_back"))
        assert speaker.wait_idle(2.0)
        speaker.submit(u("Rücken gerade", Kind.CUE, 2000, "arched_back"))  # rate-limited
        assert speaker.wait_idle(2.0)
    rows = [line.split("\t") for line in path.read_text().splitlines()]
    assert rows == [["    1.50", "count", "said", "eins"],
                    ["    1.60", "cue", "said", "Rücken gerade"],
                    ["    2.00", "cue", "dropped-repeat", "Rücken gerade"]]


# -- announcing FrameResults -----------------------------------------------------------------------


def run_sink(frames, lang="en"):
    engine = FakeSpeechEngine()
    announcer = LiveAnnouncer(phrases_for(lang))
    said = []
    for f in frames:
        said.extend(announcer.announce(f))
    with VoiceSink(LiveAnnouncer(phrases_for(lang)), Speaker(engine, lang)) as sink:
        for f in frames:
            sink.update(f)
            sink.speaker.wait_idle(2.0)
    return [x.text for x in said], engine.texts()


def rep_event(index, side, t_ms):
    return RepEvent(index=index, side=side, start_ms=t_ms - 1500, bottom_ms=t_ms - 700,
                    end_ms=t_ms)


def test_live_counts_per_side_in_german():
    frames = [frame(t) for t in range(0, 1000, 100)]
    frames.append(frame(1000, reps={Side.LEFT: 1}, rep=rep_event(1, Side.LEFT, 1000)))
    frames.append(frame(1100, reps={Side.LEFT: 1}))
    frames.append(frame(3000, reps={Side.LEFT: 2}, rep=rep_event(2, Side.LEFT, 3000)))
    announced, spoken = run_sink(frames, "de")
    assert announced == ["Bereit.", "eins", "zwei"]
    assert spoken == announced


def test_live_rep_before_the_dwell_starts_silently():
    frames = [frame(0), frame(100, reps={Side.LEFT: 1}, rep=rep_event(1, Side.LEFT, 100))]
    frames += [frame(t) for t in range(200, 1500, 100)]
    announced, _ = run_sink(frames)
    assert announced == ["one"]


def test_live_new_cue_once_while_it_stays_active():
    cue = Cue("arched_back", "Keep your lower back flat.", Severity.FAULT)
    praise = Cue("good_depth", "Good depth!", Severity.GOOD)
    frames = [frame(t, cues=(cue, praise) if 600 <= t < 1500 else ()) for t in range(0, 2000, 100)]
    announced, _ = run_sink(frames)
    assert announced == ["Ready.", "Keep your lower back flat."]


def test_live_side_switch_announced_after_dwell():
    frames = [frame(t, side=Side.LEFT) for t in range(0, 2000, 100)]
    frames += [frame(t, side=Side.RIGHT) for t in range(2000, 2500, 100)]  # too short
    frames += [frame(t, side=Side.LEFT) for t in range(2500, 3000, 100)]
    frames += [frame(t, side=Side.RIGHT) for t in range(3000, 4500, 100)]
    announced, _ = run_sink(frames)
    assert announced == ["Ready.", "Right leg forward."]


def test_live_pause_and_resume():
    frames = [frame(t) for t in range(0, 1000, 100)]
    frames += [frame(t, found=False) for t in range(1000, 2000, 100)]  # short drop-out
    frames += [frame(t) for t in range(2000, 3000, 100)]
    frames += [frame(t, found=False) for t in range(3000, 5000, 100)]  # left
    frames += [frame(t) for t in range(5000, 6000, 100)]
    announced, _ = run_sink(frames)
    assert announced == ["Ready.", "Paused.", "Welcome back."]


def test_live_hold_milestones():
    frames = [frame(t, phase=Phase.HOLD, hold_ms=t) for t in range(0, 21_000, 100)]
    announced, _ = run_sink(frames)
    assert announced == ["Ready.", "ten seconds", "twenty seconds"]


def test_presence_needs_dwell_to_start():
    p = PresenceTracker()
    assert p.update(0, True) is None
    assert p.update(300, False) is None
    assert p.update(400, True) is None
    assert p.update(800, True) is None
    assert p.update(900, True).value == "started"


@pytest.mark.parametrize(("lang", "n", "word"), [
    ("en", 1, "one"), ("en", 12, "twelve"), ("en", 21, "twenty-one"), ("en", 45, "forty-five"),
    ("de", 1, "eins"), ("de", 2, "zwei"), ("de", 21, "einundzwanzig"), ("de", 30, "dreißig"),
    ("de", 45, "fünfundvierzig"), ("en", 120, "120"),
])
def test_numbers(lang, n, word):
    assert phrases_for(lang).count(n) == word


# -- the real engine -------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.parametrize(("lang", "text"), [("en", "one, two, three"),
                                            ("de", "eins, zwei, Bein wechseln")])
def test_espeak_renders_audible_wav(tmp_path, lang, text):
    out = tmp_path / f"{lang}.wav"
    EspeakEngine(executable=shutil.which("espeak-ng"), wav_path=out).say(text, lang)
    with wave.open(str(out)) as w:
        assert w.getsampwidth() == 2
        duration_s = w.getnframes() / w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64)
    rms = float(np.sqrt(np.mean(samples**2)))
    assert duration_s > 0.3
    assert rms > 300.0  # about -40 dBFS; digital silence is 0


# -- the factory the commands use ------------------------------------------------------------------


def test_no_voice_is_silent_without_a_warning(capsys):
    log = io.StringIO()
    with make_speaker("en", False, log=log) as speaker:
        speaker.submit(u("Ready.", Kind.PROMPT, 0))
        assert speaker.wait_idle(2.0)
    assert capsys.readouterr().err == ""
    assert log.getvalue().split("\t")[1:] == ["prompt", "muted", "Ready.\n"]


def test_voice_without_engine_warns_once_on_stderr(capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with live_voice_sink("de") as sink:
        for t in range(0, 2000, 100):
            sink.update(frame(t))
        assert sink.speaker.wait_idle(2.0)
        assert sink.speaker.muted
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "espeak-ng" in err
