"""Who is coached when more than one person is in view: tiles to scan, the main person, a crop.

MediaPipe's single-person tracker follows whoever its detector found first, and its detector sees
the whole frame at 224x224 px, where two people side by side are too small to be found together
(two-person composites, 1280x480: ``num_poses=3`` found both in 0-9 of 42 sampled frames). Run on
overlapping square tiles of the frame instead, one person per tile, it found both in 44 of 44 and
42 of 42. So the pose stage scans the tiles every few seconds (:class:`PeopleConfig`);
:class:`MainPerson` keeps the person to coach (the largest and most central, switching only after
the same other person has led for several scans in a row); and while more than one person is in
view the model sees only a crop around that person, and a pose found there that is not them is
dropped, so the tracker cannot hand the session to someone else between scans.

Pure geometry and bookkeeping here (no MediaPipe): boxes are in frame pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.pose.landmarks import LM


@dataclass(frozen=True)
class PeopleConfig:
    """How often to look for other people, and how reluctantly to change the main person."""

    # Scanning costs one landmarker run per tile (35-40 ms each, off the model's core, but the
    # two cores are shared: analyze at 1280x720 lost 4 points of the bare model's rate to a scan
    # every 2 s). So it looks often only while several people are in view ...
    scan_every_ms: int = 2000
    # ... and seldom while the last scan saw one person or nobody: someone walking in is
    # noticed within this long, and needs two more scans to take over.
    lone_scan_every_ms: int = 6000
    # Another person must score better than the main one in this many scans in a row (about
    # 4 s): a moment of the exerciser bending low must not hand the session to a bystander.
    switch_after_scans: int = 2
    # ... and by at least this much (score: body length over the frame diagonal minus half the
    # centre offset as a share of the frame size; see person_score).
    switch_margin: float = 0.05
    # The tracked person still counts as there this long after the last frame they were found
    # in (a moment of occlusion at a scan must not hand the session to someone else).
    tracked_hold_ms: int = 1000
    # Boxes overlapping this much (intersection over union) are one person seen in two tiles,
    # or the same person in two scans.
    same_person_iou: float = 0.3
    # ... as is a box lying this much (share of its own area) inside a larger one.
    same_person_inside: float = 0.6
    # The model's crop reaches this share of the person's larger side beyond their box on every
    # side: room for a stepping leg, and enough context for the detector.
    crop_margin_ratio: float = 0.3


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in frame pixels, ``x0 < x1``, ``y0 < y1``."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, xy: np.ndarray) -> Box | None:
        """The bounding box of the finite points of ``xy`` (``(n, 2)``), None if there are none."""
        ok = np.isfinite(xy).all(axis=1)
        if not ok.any():
            return None
        lo, hi = xy[ok].min(axis=0), xy[ok].max(axis=0)
        if not (hi > lo).all():
            return None
        return cls(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    @property
    def width(self) -> float:
        """Pixels from left to right edge."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """Pixels from top to bottom edge."""
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        """Square pixels."""
        return self.width * self.height

    def intersection(self, other: Box) -> float:
        """Area both boxes cover."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(0.0, w) * max(0.0, h)

    def iou(self, other: Box) -> float:
        """Intersection over union, 0 for disjoint boxes."""
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def grown(self, ratio: float, width: int, height: int) -> Box:
        """The box widened by ``ratio`` of its larger side on every side, clipped to the frame."""
        pad = ratio * max(self.width, self.height)
        return Box(max(0.0, self.x0 - pad), max(0.0, self.y0 - pad),
                   min(float(width), self.x1 + pad), min(float(height), self.y1 + pad))

    def union(self, other: Box) -> Box:
        """The smallest box covering both."""
        return Box(min(self.x0, other.x0), min(self.y0, other.y0),
                   max(self.x1, other.x1), max(self.y1, other.y1))

    def scaled(self, sx: float, sy: float) -> Box:
        """The box in a frame scaled by ``(sx, sy)``."""
        return Box(self.x0 * sx, self.y0 * sy, self.x1 * sx, self.y1 * sy)


def square_tiles(width: int, height: int) -> tuple[Box, ...]:
    """Squares of the short side, overlapping by half, covering the long side end to end.

    A square keeps a tile's people as large for the detector's square input as the frame allows;
    the half overlap puts anyone cut by one tile's edge whole into the next.
    """
    side = min(width, height)
    long_side = max(width, height)
    if side <= 0:
        return ()
    count = math.ceil((long_side - side) / max(1, side // 2)) + 1
    step = (long_side - side) / (count - 1) if count > 1 else 0.0
    starts = sorted({round(i * step) for i in range(count)})
    if width >= height:
        return tuple(Box(s, 0, s + side, side) for s in starts)
    return tuple(Box(0, s, side, s + side) for s in starts)


#: Shoulder-hip, hip-knee and knee-ankle on each side: together about 0.8 of a body's height.
_SEGMENTS = ((LM.LEFT_SHOULDER, LM.LEFT_HIP), (LM.LEFT_HIP, LM.LEFT_KNEE),
             (LM.LEFT_KNEE, LM.LEFT_ANKLE), (LM.RIGHT_SHOULDER, LM.RIGHT_HIP),
             (LM.RIGHT_HIP, LM.RIGHT_KNEE), (LM.RIGHT_KNEE, LM.RIGHT_ANKLE))


@dataclass(frozen=True)
class Person:
    """One person a scan found: where (``box``) and how large (``body_px``), in frame pixels.

    Size is the shoulder-to-ankle length along the limbs, not the box: a person lying down has a
    wide, flat box, and a lunge's split stance a wide one, without being any nearer the camera.
    """

    box: Box
    body_px: float

    @classmethod
    def from_landmarks(cls, xy: np.ndarray) -> Person | None:
        """From ``(33, 2)`` landmark pixels; None without a box or a measurable body."""
        box = Box.around(xy)
        lengths = [float(np.linalg.norm(xy[a] - xy[b])) for a, b in _SEGMENTS]
        per_side = [sum(lengths[:3]), sum(lengths[3:])]
        body = float(np.nanmean(per_side)) if np.isfinite(per_side).any() else math.nan
        if box is None or not math.isfinite(body) or body <= 0:
            return None
        return cls(box, body)


def same_person(a: Box, b: Box, config: PeopleConfig) -> bool:
    """Whether two boxes are taken for one person.

    They overlap, or the smaller lies mostly inside the larger, or its centre does: a tile that
    shows only part of someone (the bent legs of a person lying across the frame) yields a
    narrow box reaching beyond theirs, centred on them. Two people that far inside each other's
    boxes could not be cropped apart anyway.
    """
    small, large = sorted((a, b), key=lambda box: box.area)
    cx, cy = (small.x0 + small.x1) / 2, (small.y0 + small.y1) / 2
    return (a.iou(b) >= config.same_person_iou
            or (small.area > 0 and a.intersection(b) / small.area >= config.same_person_inside)
            or (large.x0 <= cx <= large.x1 and large.y0 <= cy <= large.y1))


def merge_people(people: Sequence[Person], config: PeopleConfig) -> list[Person]:
    """One entry per person: of those taken for the same person, the largest body stays."""
    kept: list[Person] = []
    for person in sorted(people, key=lambda p: p.body_px, reverse=True):
        if not any(same_person(person.box, k.box, config) for k in kept):
            kept.append(person)
    return kept


def person_score(person: Person, width: int, height: int) -> float:
    """Larger and more central is higher.

    Body length over the frame diagonal, minus half the box centre's offset from the frame
    centre (as shares of the frame size): a person twice as near the camera wins over one a
    little more central.
    """
    box = person.box
    size = person.body_px / math.hypot(width, height)
    cx = (box.x0 + box.x1) / 2 / width - 0.5
    cy = (box.y0 + box.y1) / 2 / height - 0.5
    return size - 0.5 * math.hypot(cx, cy)


class MainPerson:
    """The person to coach, kept from scan to scan; switches only to a clear, lasting leader.

    The estimator reports on every frame where the person it tracks is (:meth:`follow`). A scan
    that sees several people keeps that person while they are still there, unless someone else
    scores clearly better scan after scan; with nobody tracked (the start, or the person gone
    for longer than :attr:`PeopleConfig.tracked_hold_ms`) it takes the best-scoring one at once.
    """

    def __init__(self, config: PeopleConfig | None = None) -> None:
        self.config = config or PeopleConfig()
        self.tracked: Box | None = None
        self._tracked_ms: int | None = None
        self._rival: Box | None = None  # who led the last scan instead of the tracked person
        self._rival_scans = 0

    def follow(self, box: Box | None, t_ms: int) -> None:
        """Where the tracked person is at ``t_ms``; None when nobody was found in that frame."""
        if box is not None:
            self.tracked, self._tracked_ms = box, t_ms

    def _current(self, t_ms: int) -> Box | None:
        recent = (self._tracked_ms is not None
                  and t_ms - self._tracked_ms <= self.config.tracked_hold_ms)
        return self.tracked if recent else None

    def scan(self, people: Sequence[Person], width: int, height: int, t_ms: int) -> Box | None:
        """Take one scan's people; returns whom to coach while two or more are in view.

        With one person or nobody in view there is nobody to confuse the tracker with: None.
        """
        cfg = self.config
        if len(people) < 2:
            self._rival_scans = 0
            return None

        def score(p: Person) -> float:
            return person_score(p, width, height)

        best = max(people, key=score)
        tracked, current = self._current(t_ms), None
        if tracked is not None:
            near = [p for p in people if same_person(p.box, tracked, cfg)]
            current = max(near, key=lambda p: p.box.iou(tracked)) if near else None
        if current is None or current is best:
            chosen, self._rival, self._rival_scans = best, None, 0
        elif score(best) > score(current) + cfg.switch_margin:
            same_rival = self._rival is not None and same_person(best.box, self._rival, cfg)
            self._rival_scans = self._rival_scans + 1 if same_rival else 1
            self._rival = best.box
            chosen = best if self._rival_scans >= cfg.switch_after_scans else current
            if chosen is best:
                self._rival, self._rival_scans = None, 0
        else:
            chosen, self._rival, self._rival_scans = current, None, 0
        self.tracked, self._tracked_ms = chosen.box, t_ms
        return chosen.box
