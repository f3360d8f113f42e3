"""Looking for other people: tiles, merging one person seen twice, and the real model on video.

The video case builds a two-person clip from the bundled samples: a bystander in view from the
start (whom MediaPipe's tracker locks on to), the exerciser appearing two seconds later, larger
and nearer the middle. Without scans the tracker never leaves the bystander; with them the
exerciser is coached from the second scan that sees both on.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.pose.landmarker import LocalLandmarker
from formcheck.pose.people import Box, PeopleConfig, Person, merge_people, square_tiles

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


@given(st.integers(1, 4000), st.integers(1, 4000))
@settings(max_examples=200, deadline=None)
def test_tiles_are_squares_that_cover_the_frame_overlapping_by_half(width: int,
                                                                    height: int) -> None:
    tiles = square_tiles(width, height)
    side = min(width, height)
    assert tiles
    assert all(t.width == side and t.height == side for t in tiles)
    assert all(t.x0 >= 0 and t.y0 >= 0 and t.x1 <= width and t.y1 <= height for t in tiles)
    starts = [t.x0 if width >= height else t.y0 for t in tiles]
    assert starts[0] == 0 and starts[-1] + side == max(width, height)
    assert all(0 < b - a <= side / 2 + 1 for a, b in itertools.pairwise(starts))


def test_tile_counts_for_the_model_inputs_of_common_frames() -> None:
    assert len(square_tiles(640, 480)) == 2  # a 4:3 camera
    assert len(square_tiles(640, 360)) == 3  # 16:9, e.g. 1280x720 at the model's input size
    assert len(square_tiles(360, 640)) == 3  # a phone held upright
    assert len(square_tiles(500, 500)) == 1


def test_one_person_seen_in_two_tiles_is_one_person() -> None:
    cfg = PeopleConfig()
    whole = Person(Box(100, 50, 300, 450), 320.0)
    cut = Person(Box(200, 50, 300, 440), 200.0)  # the same person, cut by a tile's edge
    other = Person(Box(600, 100, 700, 400), 250.0)
    merged = merge_people([cut, other, whole], cfg)
    assert set(merged) == {whole, other}
    # someone lying across the frame, and a tile that saw only their raised knees: a narrow box
    # reaching far beyond theirs (little overlap) but centred on them
    lying = Person(Box(120, 1000, 850, 1230), 680.0)
    knees = Person(Box(710, 900, 880, 1430), 390.0)
    assert lying.box.iou(knees.box) < cfg.same_person_iou
    assert merge_people([lying, knees], cfg) == [lying]
    # two people side by side stay two, even with their boxes touching
    left, right = Person(Box(100, 100, 400, 600), 400.0), Person(Box(380, 120, 700, 600), 380.0)
    assert len(merge_people([left, right], cfg)) == 2


def test_box_geometry() -> None:
    a, b = Box(0, 0, 10, 10), Box(5, 5, 15, 15)
    assert a.intersection(b) == 25 and a.iou(b) == pytest.approx(25 / 175)
    assert a.iou(Box(20, 20, 30, 30)) == 0
    assert a.union(b) == Box(0, 0, 15, 15)
    assert a.grown(0.5, 12, 100) == Box(0, 0, 12, 15)
    assert Box.around(np.array([[1.0, 2.0], [np.nan, 0.0], [3.0, 5.0]])) == Box(1, 2, 3, 5)
    assert Box.around(np.full((3, 2), np.nan)) is None
    assert Person.from_landmarks(np.full((33, 2), np.nan)) is None


# --- the real model ---------------------------------------------------------------------------


def _frames(path: Path) -> list[np.ndarray]:
    from formcheck.source import open_source

    with open_source(path) as src:
        return [f.image for f in src]


@pytest.fixture(scope="module")
def bystander_then_exerciser(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1280x480: a lunging bystander on the right from the start, the exerciser (a bridge) on
    the left from 2 s on."""
    from formcheck.output.video import VideoWriter

    exerciser = _frames(SAMPLES / "bridge_side_clean.mp4")
    bystander = _frames(SAMPLES / "lunge_side_clean.mp4")
    path = tmp_path_factory.mktemp("people") / "two.mp4"
    with VideoWriter(path, 1280, 480, 30.0) as writer:
        for i, (ex, by) in enumerate(zip(exerciser, bystander, strict=False)):
            canvas = np.full((480, 1280, 3), 90, np.uint8)
            canvas[:, 640:] = cv2.resize(by, (640, 480))
            if i >= 60:
                canvas[:, 160:800] = cv2.resize(ex, (640, 480))
            writer.write(canvas)
    return path


def _coached_x(path: Path, people: PeopleConfig | None) -> list[float]:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import open_source

    xs = []
    with open_source(path) as src, PoseEstimator(segmentation=True, people=people) as est:
        for frame in src:
            pose = est.estimate(frame)
            xs.append(float(np.nanmean(pose.xy[:, 0])) if pose.found else math.nan)
            if pose.found and pose.mask is not None:  # the mask covers the whole frame
                assert pose.mask.shape[1] / pose.mask.shape[0] == pytest.approx(1280 / 480,
                                                                                 rel=0.02)
    return xs


def test_the_exerciser_is_coached_once_two_scans_agree(bystander_then_exerciser: Path) -> None:
    """Default schedule: the 0 s scan sees one person, so the next is at 6 s; it sees both, the
    exerciser leads, and after the 8 s scan (the second in a row) the exerciser is coached."""
    config = PeopleConfig()
    assert (config.lone_scan_every_ms, config.scan_every_ms, config.switch_after_scans) == \
        (6000, 2000, 2)
    xs = _coached_x(bystander_then_exerciser, config)
    before, after = xs[30:55], [x for x in xs[250:] if math.isfinite(x)]
    assert all(x > 800 for x in before if math.isfinite(x))  # the bystander, the only one there
    assert len(after) >= 0.9 * len(xs[250:])
    assert all(x < 800 for x in after)  # from the 8 s scan on: the exerciser, never back
    # the scenario is one the tracker alone gets wrong: it stays on the bystander
    alone = [x for x in _coached_x(bystander_then_exerciser, None)[250:] if math.isfinite(x)]
    assert alone and np.median(alone) > 800


# --- the crop, with a stand-in for MediaPipe ---------------------------------------------------


class _Landmark:
    def __init__(self, x: float, y: float) -> None:
        self.x, self.y, self.z, self.visibility, self.presence = x, y, 0.1, 0.9, 0.9


class _Mask:
    def __init__(self, mask: np.ndarray) -> None:
        self._mask = mask

    def numpy_view(self) -> np.ndarray:
        return self._mask


class _FakeTracker:
    """Finds one person whose landmarks all sit at the middle of whatever image it is given,
    with a mask that is 1 in that image's middle pixel only; records the images' sizes."""

    def __init__(self, spread: float = 0.0) -> None:
        self.sizes: list[tuple[int, int]] = []
        self.spread = spread  # landmarks on a diagonal this far either side of the middle

    def detect_for_video(self, image: object, t_ms: int) -> object:
        h, w = image.height, image.width  # type: ignore[attr-defined]
        self.sizes.append((w, h))
        mask = np.zeros((h, w), np.float32)
        mask[h // 2, w // 2] = 1.0

        offsets = np.linspace(-self.spread, self.spread, 33)
        return SimpleNamespace(pose_landmarks=[[_Landmark(0.5 + d, 0.5 + d) for d in offsets]],
                               pose_world_landmarks=[[_Landmark(0.0, 0.0) for _ in range(33)]],
                               segmentation_masks=[_Mask(mask)])

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("width", "height"), [(608, 768), (1280, 720), (641, 479)])
def test_a_crop_at_the_frame_edge_maps_landmarks_and_mask_back(width: int, height: int) -> None:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    est = PoseEstimator(segmentation=True)  # not entered: the fake stands in for the model
    fake = _FakeTracker()
    est._landmarker = LocalLandmarker(fake, segmentation=True, warm=True)
    # the main person at the right edge, as a scan would leave it
    est._anchor = est._crop = Box(width * 0.55, height * 0.2, float(width), float(height))
    est._main.follow(Box(width * 0.6, height * 0.3, width * 0.95, height * 0.9), 0)
    frame = Frame(np.zeros((height, width, 3), np.uint8), 0, 0)
    pose = est.estimate(frame)
    (cw, ch), = fake.sizes
    rgb_w, rgb_h = est.inference_size(width, height)
    assert cw < rgb_w and ch <= rgb_h  # the model saw a crop ...
    x0, y0 = rgb_w - cw, rgb_h - ch  # ... reaching the right and bottom edges
    scale = np.array([width / rgb_w, height / rgb_h])
    expected = (np.array([x0 + cw * 0.5, y0 + ch * 0.5])) * scale
    assert np.allclose(pose.xy, expected)
    assert pose.mask is not None and pose.mask.shape == (rgb_h, rgb_w)
    (my, mx), = np.argwhere(pose.mask == 1.0)
    assert (mx, my) == (x0 + cw // 2, y0 + ch // 2)  # the mask is back where the crop was


def test_someone_else_found_inside_the_crop_is_not_coached() -> None:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    est = PoseEstimator(segmentation=True)
    est._landmarker = LocalLandmarker(_FakeTracker(spread=0.05), segmentation=True, warm=True)
    est._anchor = est._crop = Box(600, 0, 1280, 720)
    frame = Frame(np.zeros((720, 1280, 3), np.uint8), 0, 0)
    est._main.follow(Box(600, 0, 700, 200), 0)  # the chosen person: the crop's top-left corner
    assert not est.estimate(frame).found  # the fake's person sits in the middle of the crop
    est._main.follow(Box(850, 250, 1100, 500), 33)  # the chosen person is the one in the middle
    assert est.estimate(Frame(frame.image, 33, 1)).found


class _TwoInFlight:
    """The fake tracker's answers, two images in flight, as the model's own process gives them."""

    depth = 2

    def __init__(self, fake: _FakeTracker) -> None:
        self.fake = fake
        self.queue: list[object] = []

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        from formcheck.pose.landmarker import detection_from_result

        image = SimpleNamespace(height=rgb.shape[0], width=rgb.shape[1])
        self.queue.append(detection_from_result(self.fake.detect_for_video(image, t_ms), True))

    def collect(self) -> object:
        return self.queue.pop(0)

    def close(self) -> None:
        pass


def test_a_pose_in_flight_is_judged_against_the_person_chosen_when_it_was_sent() -> None:
    """With two frames in flight the next frame's scan may switch people before the previous
    frame's pose comes back; that pose belongs to the crop made for the earlier choice."""
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    est = PoseEstimator(segmentation=True)
    est._landmarker = _TwoInFlight(_FakeTracker(spread=0.05))  # type: ignore[assignment]
    est._anchor = est._crop = Box(600, 0, 1280, 720)
    est._main.follow(Box(850, 250, 1100, 500), 0)  # the person in the middle of the crop
    sent = est._submit(Frame(np.zeros((720, 1280, 3), np.uint8), 0, 0))
    est._main.follow(Box(600, 0, 700, 200), 33)  # meanwhile: someone else is followed
    assert est._collect(sent).found


class _FakeScanner:
    """Finds one person in the middle of every tile; counts its calls."""

    def __init__(self, half_width: float = 0.1) -> None:
        self.calls = 0
        self.half_width = half_width  # of the person, as a share of the tile

    def detect(self, image: object) -> object:
        self.calls += 1
        ring = [_Landmark(0.5 + self.half_width * math.cos(a), 0.5 + 0.2 * math.sin(a))
                for a in np.linspace(0, 2 * math.pi, 33)]
        return SimpleNamespace(pose_landmarks=[ring])

    def close(self) -> None:
        pass


def test_a_scan_looks_at_one_tile_per_frame_and_reports_on_its_last() -> None:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    est = PoseEstimator(people=PeopleConfig(scan_every_ms=2000))
    scanner = _FakeScanner()
    est._scanner, est._scanner_warm = scanner, True
    image = np.zeros((720, 1280, 3), np.uint8)  # 3 tiles at the model's 640x360
    reports, calls = [], []
    for i in range(90):  # 3 s at 30 fps
        before = scanner.calls
        prepared = est.prepare(Frame(image, round(i * 1000 / 30), i))
        calls.append(scanner.calls - before)
        if prepared.people is not None:
            reports.append((i, len(prepared.people)))
    assert max(calls) == 1  # never more than one landmarker run per frame
    assert calls[:4] == [1, 1, 1, 0] and calls[60:64] == [1, 1, 1, 0]
    # each scan reports once, on its third frame; while it sees several people, every 2 s
    assert [i for i, _ in reports] == [2, 62]
    assert all(n >= 2 for _, n in reports)


def test_with_one_person_in_view_scans_are_rarer() -> None:
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.source import Frame

    est = PoseEstimator(people=PeopleConfig(scan_every_ms=2000, lone_scan_every_ms=6000))
    scanner = _FakeScanner(half_width=0.4)  # one wide person, seen by both tiles
    est._scanner, est._scanner_warm = scanner, True
    image = np.zeros((480, 640, 3), np.uint8)
    reports = [i for i in range(400)
               if est.prepare(Frame(image, round(i * 1000 / 30), i)).people is not None]
    assert reports == [1, 181, 361]  # every 6 s
