import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.pose.track import TrackRecorder, is_track_path, load_track, save_track
from formcheck.pose.types import Pose


def _pose(t, rng):
    xy = rng.uniform(0, 600, (33, 2))
    return Pose(t, 640, 480, xy, rng.normal(size=33), rng.normal(size=(33, 3)),
                rng.uniform(size=33), rng.uniform(size=33))


def test_round_trip_keeps_poses_and_missing_frames(tmp_path):
    rng = np.random.default_rng(0)
    rec = TrackRecorder("clip.mp4", 640, 480, 30.0)
    poses = [_pose(0, rng), Pose.empty(33, 640, 480), _pose(67, rng)]
    for p in poses:
        rec.add(p)
    path = tmp_path / "t.npz"
    save_track(rec.track(), path)
    track = load_track(path)
    assert (track.width, track.height, track.fps, track.source) == (640, 480, 30.0, "clip.mp4")
    replay = list(track.poses())
    assert [p.t_ms for p in replay] == [0, 33, 67]
    assert not replay[1].found and replay[0].found
    np.testing.assert_allclose(replay[2].xy, poses[2].xy, rtol=1e-6)
    np.testing.assert_allclose(replay[0].visibility, poses[0].visibility, rtol=1e-6)
    assert is_track_path(path)


def test_masks_round_trip_as_bits_at_their_own_size(tmp_path):
    """The lumbar check reads the mask, so a replay must have it; stored thresholded."""
    rng = np.random.default_rng(1)
    base = _pose(0, rng)
    mask = rng.uniform(size=(120, 160)).astype(np.float32)  # model-size, not frame-size
    with_mask = Pose(0, 640, 480, base.xy, base.z, base.world, base.visibility, base.presence,
                     mask=mask)
    rec = TrackRecorder("clip.mp4", 640, 480, 30.0)
    for p in (with_mask, Pose.empty(33, 640, 480)):
        rec.add(p)
    path = tmp_path / "m.npz"
    save_track(rec.track(), path)
    replay = list(load_track(path).poses())
    assert replay[1].mask is None
    assert replay[0].mask is not None and replay[0].mask.shape == (120, 160)
    np.testing.assert_array_equal(replay[0].mask, (mask >= 0.5).astype(np.float32))


@pytest.mark.parametrize("mirror_pass", [False, True])
def test_a_track_says_whether_it_was_read_with_the_mirror_pass(tmp_path, mirror_pass):
    rec = TrackRecorder("clip.mp4", 640, 480, 30.0, mirror_pass=mirror_pass)
    rec.add(_pose(0, np.random.default_rng(2)))
    path = tmp_path / "p.npz"
    save_track(rec.track(), path)
    assert load_track(path).mirror_pass is mirror_pass


@pytest.mark.parametrize(("field", "default"), [("mirror_pass", False), ("complete", True)])
def test_a_track_from_before_a_field_reads_with_its_default(tmp_path, field, default):
    """Older tracks lack these: they were read in one pass, and a cut-short one did not say so."""
    from dataclasses import replace

    rec = TrackRecorder("clip.mp4", 640, 480, 30.0, mirror_pass=True)
    rec.add(_pose(0, np.random.default_rng(3)))
    path = tmp_path / "old.npz"
    save_track(replace(rec.track(), complete=False), path)
    assert getattr(load_track(path), field) is not default
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files if k != field}
    np.savez_compressed(path, **arrays)
    assert getattr(load_track(path), field) is default


def test_empty_track_round_trips(tmp_path):
    path = tmp_path / "e.npz"
    save_track(TrackRecorder("x", 10, 10, 30.0).track(), path)
    assert len(load_track(path)) == 0


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_corrupt_track_is_an_input_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(InputError):
        load_track(path)


def test_wrong_schema_is_rejected(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, schema=np.array("something/9"))
    with pytest.raises(InputError, match="schema"):
        load_track(path)


def test_an_interrupted_tracking_leaves_a_track_that_says_so(tmp_path, monkeypatch, capsys):
    """Ctrl-C (or a dead model process) during ``track`` keeps the frames so far; analysing
    that file took it for the whole clip. It warns now, as for a damaged video."""
    from dataclasses import replace

    from formcheck.app import track as track_app
    from formcheck.app.analyze import AnalyzeOptions, run_analyze
    from tests.conftest import gradient_frames, write_video

    video = write_video(tmp_path / "clip.mp4", gradient_frames(12))

    class StopsAfterFive:
        def __init__(self, **_kwargs: object) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def poses(self, source):
            for i, frame in enumerate(source):
                if i == 5:
                    raise KeyboardInterrupt
                yield frame, Pose.empty(frame.t_ms, source.width, source.height)

    monkeypatch.setattr(track_app, "PoseEstimator", StopsAfterFive)
    path = tmp_path / "t.npz"
    with pytest.raises(KeyboardInterrupt):
        track_app.run_track(video, path, quiet=True)
    partial = load_track(path)
    assert len(partial) == 5 and not partial.complete
    run_analyze(AnalyzeOptions(source=path, quiet=True))
    err = capsys.readouterr().err
    assert "formcheck: warning:" in err and "ends after 5 frames" in err
    save_track(replace(partial, complete=True), path)
    run_analyze(AnalyzeOptions(source=path, quiet=True, force=True))
    assert "warning" not in capsys.readouterr().err


def test_analyze_replays_a_track_without_the_video(tmp_path):
    """A recorded track goes through the engine and overlay with no MediaPipe and no video."""
    import json

    from formcheck.app.analyze import AnalyzeOptions, run_analyze

    rng = np.random.default_rng(1)
    rec = TrackRecorder("clip.mp4", 320, 240, 30.0)
    for i in range(12):
        rec.add(_pose(i * 33, rng) if i % 3 else Pose.empty(i * 33, 320, 240))
    path = tmp_path / "t.npz"
    save_track(rec.track(), path)
    report = tmp_path / "r.json"
    result = run_analyze(AnalyzeOptions(source=path, report=report, out=tmp_path / "a.mp4",
                                        quiet=True))
    data = json.loads(report.read_text())
    assert result.frames == 12
    assert data["frames"] == {"total": 12, "with_pose": 8}


def test_replay_matches_frames_by_time_when_frames_are_dropped(tmp_path):
    from formcheck.pose.track import open_track_input

    rng = np.random.default_rng(2)
    rec = TrackRecorder("c", 64, 48, 30.0)
    poses = [_pose(i * 33, rng) for i in range(6)]
    for p in poses:
        rec.add(p)
    save_track(rec.track(), tmp_path / "t.npz")
    frames, stage = open_track_input(tmp_path / "t.npz")
    kept = [f for f in frames if f.index in (0, 3, 5)]  # a paced replay dropped 1, 2 and 4
    got = [stage.estimate(f) for f in kept]
    assert [p.t_ms for p in got] == [0, 99, 165]
    np.testing.assert_allclose(got[1].xy, poses[3].xy, rtol=1e-6)
    assert frames.frame_count == 6
