"""Pose stage: frames in, :class:`Pose` values out (MediaPipe stays inside this package)."""

from formcheck.pose.landmarks import LM, NUM_LANDMARKS, SKELETON
from formcheck.pose.types import Pose

__all__ = ["LM", "NUM_LANDMARKS", "SKELETON", "Pose"]
