"""The mirror pass: each image read as it is and mirrored, the two readings averaged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from formcheck.pose.landmarker import Detection
from formcheck.pose.landmarks import LM
from formcheck.pose.mirror import MirroredLandmarker, head_right, merge, unmirror
from formcheck.pose.types import Pose
from tests.test_worker import clip_frames, leftovers, needs_clip

W, H = 640, 480


def other_side(name: str) -> str:
    """LEFT_KNEE <-> RIGHT_KNEE, MOUTH_LEFT <-> MOUTH_RIGHT; NOSE stays."""
    for a, b in (("LEFT", "RIGHT"), ("RIGHT", "LEFT")):
        if a in name:
            return name.replace(a, b)
    return name


def relabel(d: Detection, names: set[str] | None = None) -> Detection:
    """Left and right labels exchanged (of ``names`` only, when given)."""
    order = [LM[other_side(lm.name)] if names is None or lm.name in names else lm for lm in LM]
    return Detection(d.raw[order], d.world[order], d.mask)


def mirrored(d: Detection) -> Detection:
    """What a mirror-symmetric model would read in the mirror image."""
    m = relabel(d)
    raw, world = m.raw.copy(), m.world.copy()
    raw[:, 0] = 1.0 - raw[:, 0]
    world[:, 0] = -world[:, 0]
    return Detection(raw, world, None if d.mask is None else d.mask[:, ::-1].copy())


def detection(rng: np.random.Generator, lying: bool = False) -> Detection:
    """Landmarks anywhere, but the trunk upright (or, ``lying``, level with the head left)."""
    raw = np.column_stack([rng.uniform(0.1, 0.9, (33, 2)), rng.normal(0, 0.1, 33),
                           rng.uniform(0.5, 1.0, (33, 2))])
    shoulders, hips = [LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER], [LM.LEFT_HIP, LM.RIGHT_HIP]
    if lying:
        raw[shoulders, 0], raw[hips, 0] = rng.uniform(0.1, 0.2, 2), rng.uniform(0.5, 0.6, 2)
        raw[shoulders + hips, 1] = rng.uniform(0.6, 0.7, 4)
    else:
        raw[shoulders, 1], raw[hips, 1] = rng.uniform(0.1, 0.2, 2), rng.uniform(0.5, 0.6, 2)
        raw[shoulders + hips, 0] = rng.uniform(0.4, 0.5, 4)
    return Detection(raw, rng.normal(0, 0.3, (33, 3)), rng.uniform(size=(24, 32)).astype(
        np.float32))


LEGS = {f"{s}_{p}" for s in ("LEFT", "RIGHT") for p in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")}


def test_unmirror_undoes_the_mirror() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        d = detection(rng)
        back = unmirror(mirrored(d))
        np.testing.assert_allclose(back.raw, d.raw)
        np.testing.assert_allclose(back.world, d.world)
        assert back.mask is not None and d.mask is not None
        np.testing.assert_array_equal(back.mask, d.mask)


@pytest.mark.parametrize("legs_swapped", [False, True])
def test_merge_averages_each_knee_with_itself_whatever_its_label(legs_swapped: bool) -> None:
    """MediaPipe may give the mirrored reading's legs the other labels: they are matched back."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        plain = detection(rng)
        other = Detection(plain.raw + np.r_[rng.normal(0, 0.004, (33, 3)).T, np.zeros((2, 33))].T,
                          plain.world + rng.normal(0, 0.01, (33, 3)), None)
        want_raw = (plain.raw[:, :3] + other.raw[:, :3]) / 2
        want_scores = np.minimum(plain.raw[:, 3:], other.raw[:, 3:])
        if legs_swapped:
            other = relabel(other, LEGS)
        got = merge(plain, other, (W, H))
        assert got is not None
        np.testing.assert_allclose(got.raw[:, :3], want_raw, atol=1e-12)
        np.testing.assert_allclose(got.raw[:, 3:], want_scores)
        assert got.mask is plain.mask


def test_merge_never_relabels_the_hips() -> None:
    """Only the legs below the hips are matched; hips keep their labels and are averaged."""
    rng = np.random.default_rng(2)
    plain = detection(rng)
    other = relabel(plain, LEGS | {"LEFT_HIP", "RIGHT_HIP"})
    got = merge(plain, other, (W, H))
    assert got is not None
    for hip in (LM.LEFT_HIP, LM.RIGHT_HIP):
        np.testing.assert_allclose(got.raw[hip, :3], (plain.raw[hip, :3] + other.raw[hip, :3]) / 2)
    np.testing.assert_allclose(got.raw[LM.LEFT_KNEE, :3], plain.raw[LM.LEFT_KNEE, :3])


def test_lying_sideways_the_reading_with_the_head_on_the_right_is_the_answer() -> None:
    """The model reads lying people with the head on the right better (rendered bridges)."""
    rng = np.random.default_rng(5)
    for _ in range(10):
        head_left = detection(rng, lying=True)
        head_left_reread = unmirror(mirrored(Detection(
            head_left.raw + np.array([0.01, 0.0, 0.0, 0.0, 0.0]), head_left.world, None)))
        got = merge(head_left, head_left_reread, (W, H))  # the mirror image had the head right
        assert got is not None and got.mask is head_left.mask
        np.testing.assert_allclose(got.raw, head_left_reread.raw)
        head_right = mirrored(head_left)
        assert merge(head_right, unmirror(mirrored(head_left)), (W, H)) is head_right
        # the reading taken keeps the plain reading's leg labels
        got = merge(head_left, relabel(head_left_reread, LEGS), (W, H))
        assert got is not None
        np.testing.assert_allclose(got.raw, head_left_reread.raw)


def test_a_trunk_steeper_than_45_degrees_is_not_lying() -> None:
    xy = np.zeros((33, 2))
    xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]] = [100, 100]
    for hip, want in (([160, 140], False), ([40, 140], True), ([130, 140], None),
                      ([100, 40], None), ([np.nan, 140], None)):
        xy[[LM.LEFT_HIP, LM.RIGHT_HIP]] = hip
        assert head_right(xy) is want


def test_with_one_reading_that_reading_is_the_answer() -> None:
    d = detection(np.random.default_rng(3))
    assert merge(d, None, (W, H)) is d
    assert merge(None, d, (W, H)) is d
    assert merge(None, None, (W, H)) is None


class FakeLandmarker:
    """Answers queued detections; keeps the images it was given."""

    def __init__(self, answers: list[Detection | None], depth: int = 2) -> None:
        self.answers = list(answers)
        self.depth = depth
        self.images: list[np.ndarray] = []
        self.closed = False

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        self.images.append(rgb.copy())

    def collect(self) -> Detection | None:
        return self.answers.pop(0)

    def close(self) -> None:
        self.closed = True


def test_the_twin_sees_the_mirror_image_and_the_answers_are_merged() -> None:
    rng = np.random.default_rng(4)
    d = detection(rng)
    plain, twin = FakeLandmarker([d, None], depth=2), FakeLandmarker([mirrored(d), None], depth=1)
    both = MirroredLandmarker(plain, twin)
    assert both.depth == 1
    image = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    both.submit(image, 0)
    got = both.collect()
    np.testing.assert_array_equal(plain.images[0], image)
    np.testing.assert_array_equal(twin.images[0], image[:, ::-1])
    assert got is not None
    np.testing.assert_allclose(got.raw[:, :3], d.raw[:, :3], atol=1e-12)
    both.submit(image, 33)
    assert both.collect() is None
    both.close()
    assert plain.closed and twin.closed


def merged(plain: Pose, mirror: Pose) -> Pose:
    """What the mirror pass should make of a plain run's pose and a mirrored run's (frame px)."""
    w, h = plain.width, plain.height

    def detection_of(p: Pose) -> Detection:
        return Detection(np.column_stack([p.xy / [w, h], p.z / w, p.visibility, p.presence]),
                         p.world, None)

    got = merge(detection_of(plain), unmirror(detection_of(mirror)), (w, h))
    assert got is not None
    return Pose(plain.t_ms, w, h, got.raw[:, :2] * [w, h], got.raw[:, 2] * w, got.world,
                got.raw[:, 3], got.raw[:, 4])


@needs_clip
def test_the_estimators_mirror_pass_averages_a_plain_and_a_mirrored_run() -> None:
    """Two model processes, tracking in time each; their answers averaged like :func:`merge`."""
    from formcheck.pose.estimator import PoseEstimator

    frames = clip_frames(10)
    flipped = [dataclasses.replace(f, image=np.ascontiguousarray(f.image[:, ::-1]))
               for f in frames]
    with PoseEstimator() as one:
        plain = [one.estimate(f) for f in frames]
    with PoseEstimator() as one:
        mirror = [one.estimate(f) for f in flipped]
    before = leftovers()
    with PoseEstimator(segmentation=True, own_process=True, mirror_pass=True) as two:
        got = [pose for _, pose in two.poses(frames)]
    assert leftovers() <= before
    assert all(p.found for p in plain + mirror + got)
    for a, b, c in zip(plain, mirror, got, strict=True):
        want = merged(a, b)
        np.testing.assert_allclose(c.xy, want.xy, atol=1e-3)
        np.testing.assert_allclose(c.world, want.world, atol=1e-6)
        assert c.mask is not None  # the plain run's
    # the mirror pass reads differently from either run alone (not a copy of one of them)
    assert max(np.abs(c.xy - a.xy).max() for a, c in zip(plain, got, strict=True)) > 0.5


@needs_clip
def test_track_mirror_pass_from_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    """``track --mirror-pass`` records the merged readings, and says so; without it, one pass."""
    import cv2

    from formcheck.pose.track import load_track
    from tests.test_analyze import run_cli

    plain_dir, flipped_dir = tmp_path / "plain", tmp_path / "flipped"
    plain_dir.mkdir()
    flipped_dir.mkdir()
    for i, frame in enumerate(clip_frames(8, step=9)):
        cv2.imwrite(str(plain_dir / f"{i:03d}.png"), frame.image)
        cv2.imwrite(str(flipped_dir / f"{i:03d}.png"), frame.image[:, ::-1])
    tracks = {}
    for name, folder, extra in (("one", plain_dir, []), ("two", plain_dir, ["--mirror-pass"]),
                                ("flipped", flipped_dir, [])):
        out = tmp_path / f"{name}.npz"
        code, _, err = run_cli(["track", str(folder), "--out", str(out), "--quiet", *extra],
                               monkeypatch, capsys)
        assert code == 0, err
        tracks[name] = load_track(out)
    assert not tracks["one"].mirror_pass and tracks["two"].mirror_pass
    for a, b, c in zip(tracks["one"].poses(), tracks["flipped"].poses(), tracks["two"].poses(),
                       strict=True):
        np.testing.assert_allclose(c.xy, merged(a, b).xy, atol=1e-2)


class _Refused(Exception):
    """Raised by the stand-in estimator once it has seen how it was asked to read."""


@pytest.mark.parametrize("extra, want", [([], False), (["--mirror-pass"], True)])
@pytest.mark.parametrize("command", ["analyze", "eval"])
def test_analyze_and_eval_hand_the_option_to_the_pose_stage(
        tmp_path, monkeypatch, capsys, small_video, command, extra, want) -> None:
    """The flag reaches the estimator through ``analyze`` and through ``eval``'s analyses."""
    import json

    from tests.test_analyze import run_cli

    asked: list[bool] = []

    def estimator(**kwargs: object) -> None:
        asked.append(bool(kwargs["mirror_pass"]))
        raise _Refused

    monkeypatch.setattr("formcheck.app.inputs.PoseEstimator", estimator)
    if command == "analyze":
        args = ["analyze", str(small_video), "--quiet", *extra]
    else:
        manifest = tmp_path / "m.json"
        manifest.write_text(json.dumps({"clips": [
            {"file": small_video.name, "exercise": "lunge", "view": "side", "reps": 0}]}))
        args = ["eval", str(manifest), "--jobs", "1", "--quiet", *extra]
    with pytest.raises(_Refused):
        run_cli(args, monkeypatch, capsys)
    assert asked == [want]


def test_mirror_pass_on_a_one_pass_track_is_a_clear_error(tmp_path, monkeypatch, capsys) -> None:
    from formcheck.pose.track import TrackRecorder, save_track
    from tests.test_analyze import run_cli
    from tests.test_track import _pose

    for mirror_pass in (False, True):
        rec = TrackRecorder("clip.mp4", 640, 480, 30.0, mirror_pass=mirror_pass)
        for t in range(0, 330, 33):
            rec.add(_pose(t, np.random.default_rng(t)))
        path = tmp_path / f"t{int(mirror_pass)}.npz"
        save_track(rec.track(), path)
        code, _, err = run_cli(["analyze", str(path), "--quiet", "--mirror-pass"],
                               monkeypatch, capsys)
        if mirror_pass:
            assert code == 0, err
        else:
            assert code == 2 and "single pass" in err and len(err.strip().splitlines()) == 1
