import itertools
import math
import os

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from formcheck.errors import InputError
from formcheck.source import (
    ImageFolderSource,
    MonotonicTimestamps,
    VideoFileSource,
    open_source,
)
from tests.conftest import gradient_frames, write_video


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.floats(min_value=0, max_value=1e7)), min_size=1, max_size=200),
       st.floats(min_value=0.5, max_value=240))
def test_timestamps_always_strictly_increase(raw, fps):
    stamps = MonotonicTimestamps(fps)
    out = [stamps.next(r) for r in raw]
    assert all(b > a for a, b in itertools.pairwise(out))
    assert all(isinstance(t, int) and t >= 0 for t in out)


def test_timestamps_keep_good_times_and_repair_bad_ones():
    stamps = MonotonicTimestamps(25)
    assert [stamps.next(r) for r in (0, 40, 40, math.nan, 100, 90)] == [0, 40, 80, 120, 160, 200]


def test_variable_frame_rate_times_are_kept():
    stamps = MonotonicTimestamps(30)
    raw = [0, 33.4, 50.0, 120.2, 121.0, 400.7]
    assert [stamps.next(r) for r in raw] == [0, 33, 50, 120, 121, 401]


def test_video_file_frames_in_order_with_size_and_fps(small_video):
    with open_source(small_video) as src:
        assert (src.width, src.height) == (64, 48)
        assert src.fps == pytest.approx(30)
        frames = list(src)
    assert len(frames) == 20
    assert [f.index for f in frames] == list(range(20))
    t = [f.t_ms for f in frames]
    assert all(b > a for a, b in itertools.pairwise(t))
    assert t[-1] == pytest.approx(19 * 1000 / 30, abs=2)
    brightness = [int(f.image.mean()) for f in frames]
    assert brightness == sorted(brightness)
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape == (48, 64, 3)


def test_gif_is_read(tmp_path):
    path = tmp_path / "anim.gif"
    frames = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in gradient_frames(6)]
    if not hasattr(cv2, "imwriteanimation"):
        pytest.skip("this OpenCV cannot write GIFs")
    anim = cv2.Animation()
    anim.frames = frames
    anim.durations = [100] * len(frames)
    assert cv2.imwriteanimation(str(path), anim)
    with open_source(path) as src:
        got = list(src)
    assert len(got) == 6
    assert all(b.t_ms > a.t_ms for a, b in itertools.pairwise(got))
    assert got[0].image.shape[2] == 3


def test_image_folder(tmp_path):
    for i, frame in enumerate(gradient_frames(5)):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), frame)
    (tmp_path / "notes.txt").write_text("ignored")
    with open_source(tmp_path) as src:
        assert isinstance(src, ImageFolderSource)
        frames = list(src)
    assert [f.t_ms for f in frames] == [0, 33, 67, 100, 133]


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.mp4", "no such file"),
    (lambda p: (p / "text.mp4").write_text("hello") and p / "text.mp4", "not a video"),
    (lambda p: (p / "rnd.mp4").write_bytes(os.urandom(5000)) and p / "rnd.mp4",
     "not a video|no readable"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no images"),
])
def test_bad_inputs_raise_one_line_input_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message) as info:
        open_source(make(tmp_path))
    assert "\n" not in str(info.value)


def test_unreadable_file(small_video, monkeypatch):
    """No read permission (simulated: tests run as root in CI, and root reads anything)."""
    real_open = type(small_video).open

    def deny(self, *args, **kwargs):
        if self == small_video:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(small_video), "open", deny)
    with pytest.raises(InputError, match=r"cannot be read \(Permission denied"):
        VideoFileSource(small_video)


def _set_mp4_rotation(path, degrees_cw: int) -> None:
    """Patch the track header matrix of an mp4 (what phones write for portrait clips)."""
    import struct

    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    offset = at + 4 + (40 if data[at + 4] == 0 else 52)
    matrices = {90: (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)}
    struct.pack_into(">9i", data, offset, *matrices[degrees_cw])
    path.write_bytes(data)


def test_rotation_metadata_is_applied(tmp_path):
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :16] = 255  # a white band on the left edge
    path = write_video(tmp_path / "phone.mp4", [frame] * 5)
    _set_mp4_rotation(path, 90)
    with open_source(path) as src:
        assert (src.width, src.height) == (48, 64)
        first = next(iter(src))
    assert first.image.shape == (64, 48, 3)
    # Turned 90 degrees clockwise, the left band is now along the top.
    assert first.image[:8].mean() > 200 and first.image[-8:].mean() < 50
