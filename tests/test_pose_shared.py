"""The pose stage on real people (../shared/clips; skipped when absent, run in CI)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from formcheck.pose.landmarks import LM
from formcheck.pose.track import load_track
from formcheck.source import open_source
from tests.conftest import CLIPS, needs_shared, shared_manifest

pytestmark = [needs_shared, pytest.mark.shared]
ENTRIES = shared_manifest()
FULL_BODY = [e["file"] for e in ENTRIES if e.get("full_body")]


@pytest.mark.parametrize("name", FULL_BODY)
def test_person_found_in_90_percent_of_frames(shared_tracks, name):
    track = load_track(shared_tracks[name])
    found = np.isfinite(track.xy[:, :, 0]).any(axis=1)
    assert found.mean() >= 0.90, f"{name}: person in {found.mean():.1%} of frames"


@pytest.mark.parametrize("name", FULL_BODY)
def test_landmarks_land_on_an_upright_body(shared_tracks, name):
    """Head above the feet when standing; head and feet level when lying; all inside the frame.

    A clip decoded sideways would put a standing person's head beside the feet, so this also
    checks that portrait clips come out upright.
    """
    track = load_track(shared_tracks[name])
    entry = next(e for e in ENTRIES if e["file"] == name)
    ok = np.isfinite(track.xy[:, LM.NOSE, 0])
    xy = track.xy[ok]
    head = xy[:, [LM.NOSE, LM.LEFT_EAR, LM.RIGHT_EAR]].mean(axis=1)
    feet = xy[:, [LM.LEFT_ANKLE, LM.RIGHT_ANKLE]].mean(axis=1)
    hips = xy[:, [LM.LEFT_HIP, LM.RIGHT_HIP]].mean(axis=1)
    size = np.array([track.width, track.height])
    inside = ((hips >= 0) & (hips <= size)).all(axis=1)
    assert inside.mean() > 0.95
    if entry["exercise"] == "bridge":
        # Lying: the body runs across the image, head and feet at similar heights.
        spread = np.abs(head - feet)
        assert np.median(spread[:, 0]) > np.median(spread[:, 1]), name
    else:
        assert np.median(feet[:, 1] - head[:, 1]) > 0.3 * track.height, name


@pytest.mark.parametrize("name", [e["file"] for e in ENTRIES])
def test_timestamps_strictly_increase_and_portrait_stays_portrait(name):
    with open_source(CLIPS / name) as src:
        stamps = [f.t_ms for f in src]
        portrait = src.height > src.width
    assert len(stamps) > 10
    assert all(b > a for a, b in itertools.pairwise(stamps))
    assert portrait == ("portrait" in name)
