"""Every image read twice, as it is and mirrored, and the two readings made one (``--mirror-pass``).

MediaPipe's model is not mirror-symmetric: the landmarks of a mirrored image, mirrored back,
are not the landmarks of the image.

* Standing (lunges): neither reading is the better one throughout. Each has its own glitches (a
  knee dragged to a hand hanging beside it, legs laid on top of each other for a few frames) and
  they mostly come on different frames, so the average of the two is steadier than either. On
  168 rendered side-view lunges (three seed ranges, the two readings tracked separately and
  averaged), rep counts exact went from 155 to 162 and the median errors of the knee angles and
  the trunk lean went down by 0-0.4 degrees; the back-hip extension's moved by -0.8 to +0.7.
* Lying seen from the side (bridges): the model reads a person whose head is on the right of the
  picture clearly better, the same clips mirrored included: bridge hip angle median error 3.5
  and 3.8 degrees with the head on the right, 6.1 and 6.2 with it on the left (56 rendered
  bridges, each read both ways). The average took the best with the worst (4.9, from 4.2 for
  the plain reading); the head-right reading alone gives 3.6.

The numbers are in bench/ACCURACY_LOG.md (the mirror pass). It is not the default: it costs a
second model run per frame (about 22 frames/s instead of 30 at 640x480), it read the lunge's
back-hip extension worse on two of three seed ranges, and the test suite ran over its time budget
with it. (The bundled low-bridge sample, which it once missed, counts 3 of 3 with it now.)
``live`` reads each frame once.

The mirrored reading's leg labels are matched to the plain reading's by where the knees and
ankles are (MediaPipe swaps the legs' labels in side views, and differently in the two
images), so a knee is always averaged with the same knee.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.pose.landmarker import Detection, Landmarker
from formcheck.pose.landmarks import LM, NUM_LANDMARKS

_PAIRS: tuple[tuple[LM, LM], ...] = (
    (LM.LEFT_EYE_INNER, LM.RIGHT_EYE_INNER), (LM.LEFT_EYE, LM.RIGHT_EYE),
    (LM.LEFT_EYE_OUTER, LM.RIGHT_EYE_OUTER), (LM.LEFT_EAR, LM.RIGHT_EAR),
    (LM.MOUTH_LEFT, LM.MOUTH_RIGHT), (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    (LM.LEFT_ELBOW, LM.RIGHT_ELBOW), (LM.LEFT_WRIST, LM.RIGHT_WRIST),
    (LM.LEFT_PINKY, LM.RIGHT_PINKY), (LM.LEFT_INDEX, LM.RIGHT_INDEX),
    (LM.LEFT_THUMB, LM.RIGHT_THUMB), (LM.LEFT_HIP, LM.RIGHT_HIP),
    (LM.LEFT_KNEE, LM.RIGHT_KNEE), (LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    (LM.LEFT_HEEL, LM.RIGHT_HEEL), (LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX),
)
#: Below the hips: the landmarks whose labels are matched between the two readings.
_LEG_PAIRS = _PAIRS[-4:]
#: The landmarks the match is judged on.
_MATCH = np.array([LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_KNEE, LM.RIGHT_ANKLE])


def _swapped(pairs: tuple[tuple[LM, LM], ...]) -> np.ndarray:
    """Landmark order with each pair's left and right exchanged."""
    order = np.arange(NUM_LANDMARKS)
    for left, right in pairs:
        order[left], order[right] = right, left
    return order


#: A person's landmarks in a mirror image: their left side is the picture's right side.
MIRROR_ORDER = _swapped(_PAIRS)
_LEGS_SWAPPED = _swapped(_LEG_PAIRS)


def unmirror(found: Detection) -> Detection:
    """A detection made on the mirror image, in the coordinates and labels of the image itself."""
    raw = found.raw[MIRROR_ORDER].copy()
    raw[:, 0] = 1.0 - raw[:, 0]
    world = found.world[MIRROR_ORDER].copy()
    world[:, 0] = -world[:, 0]
    mask = None if found.mask is None else found.mask[:, ::-1].copy()
    return Detection(raw, world, mask)


def merge(plain: Detection | None, mirrored: Detection | None,
          size: tuple[int, int]) -> Detection | None:
    """The plain reading and the mirrored one (already :func:`unmirror`-ed) made one.

    ``size`` is the image's ``(width, height)``, to compare positions in pixels. The mirrored
    reading's legs first take the plain reading's labels. Then a person lying seen from the side
    gets the reading of the image with their head on the right (:func:`head_right`); anyone else
    the average of the two: positions and world coordinates averaged, visibility and presence
    the lower of the two. The mask is always the plain reading's. When only one reading found
    the person, it is the answer.
    """
    if plain is None or mirrored is None:
        return plain if mirrored is None else mirrored
    scale = np.array(size, dtype=np.float64)
    a, b = plain.raw[_MATCH, :2] * scale, mirrored.raw[_MATCH, :2] * scale
    if np.isfinite(a).all() and np.isfinite(b).all():
        keep = np.linalg.norm(a - b, axis=1).sum()
        cross = np.linalg.norm(a - b[[2, 3, 0, 1]], axis=1).sum()
        if cross < keep:
            mirrored = Detection(mirrored.raw[_LEGS_SWAPPED], mirrored.world[_LEGS_SWAPPED],
                                 mirrored.mask)
    head = head_right(plain.raw[:, :2] * scale)
    if head is not None:
        return plain if head else Detection(mirrored.raw, mirrored.world, plain.mask)
    raw = plain.raw.copy()
    raw[:, :3] = (plain.raw[:, :3] + mirrored.raw[:, :3]) / 2
    raw[:, 3:] = np.minimum(plain.raw[:, 3:], mirrored.raw[:, 3:])
    return Detection(raw, (plain.world + mirrored.world) / 2, plain.mask)


def head_right(xy: np.ndarray) -> bool | None:
    """Whether a lying person's head is on the right of the picture; None: not lying sideways.

    Lying means the shoulders-to-hips line within 45 deg of the picture's horizontal (``xy``:
    ``(33, 2)`` pixels). At the top of a bridge that line rises 20-40 deg, so a whole bridge
    stays with one reading.
    """
    trunk = xy[[LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]].mean(0) - xy[[LM.LEFT_HIP,
                                                                   LM.RIGHT_HIP]].mean(0)
    if not np.isfinite(trunk).all() or abs(trunk[0]) <= abs(trunk[1]):
        return None
    return bool(trunk[0] > 0)


class MirroredLandmarker:
    """Two landmarkers, one fed the images and one their mirror images; answers :func:`merge`.

    Each keeps its own tracking in time. The mirrored one need not make masks.
    """

    def __init__(self, plain: Landmarker, mirrored: Landmarker) -> None:
        self._plain = plain
        self._mirrored = mirrored
        self.depth = min(plain.depth, mirrored.depth)
        self._sizes: deque[tuple[int, int]] = deque()

    def submit(self, rgb: np.ndarray, t_ms: int) -> None:
        """Hand ``rgb`` to the plain landmarker and its mirror image to the other."""
        self._plain.submit(rgb, t_ms)
        self._mirrored.submit(np.ascontiguousarray(rgb[:, ::-1]), t_ms)
        self._sizes.append((rgb.shape[1], rgb.shape[0]))

    def collect(self) -> Detection | None:
        """The merged detection of the oldest image not yet collected."""
        plain = self._plain.collect()
        mirrored = self._mirrored.collect()
        size = self._sizes.popleft()
        return merge(plain, None if mirrored is None else unmirror(mirrored), size)

    def close(self) -> None:
        """Close both landmarkers."""
        try:
            self._plain.close()
        finally:
            self._mirrored.close()
