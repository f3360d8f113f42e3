"""TrueType text on OpenCV images, with umlauts.

OpenCV's Hershey fonts have no umlauts and this OpenCV build has no ``cv2.freetype``, so text is
rasterised with Pillow from the bundled DejaVu Sans (licence beside the font files). Each distinct
(text, size, weight) is rasterised once into an alpha mask and cached: a cue stays on screen for
hundreds of frames, so drawing it costs one alpha blend of a small patch per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from formcheck.output.theme import BGR, DARK

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


@dataclass(frozen=True, eq=False)
class TextMask:
    """A rasterised line of text.

    Attributes:
        fill: ``(h, w)`` float32 in [0, 1], coverage of the glyphs.
        outline: ``(h, w)`` float32 in [0, 1], coverage of glyphs plus a dark outline (keeps text
            readable on any background).

    """

    fill: np.ndarray
    outline: np.ndarray

    @property
    def width(self) -> int:
        """Mask width in pixels."""
        return int(self.fill.shape[1])

    @property
    def height(self) -> int:
        """Mask height in pixels."""
        return int(self.fill.shape[0])


@lru_cache(maxsize=16)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size_px)


@lru_cache(maxsize=512)
def rasterise(text: str, size_px: int, bold: bool = True) -> TextMask:
    """Masks of one line of text; the box spans the font's full ascent and descent.

    Using the font's ascent/descent (not the ink box) keeps lines of different text the same
    height, so a label does not jump when its digits change.
    """
    font = _font(size_px, bold)
    stroke = max(1, round(size_px / 14))
    ascent, descent = font.getmetrics()
    left, _, right, _ = font.getbbox(text, stroke_width=stroke) if text else (0, 0, 0, 0)
    width = max(1, right - min(0, left) + 2 * stroke)
    height = ascent + descent + 2 * stroke
    origin = (stroke - min(0, left), stroke)
    outline = Image.new("L", (width, height), 0)
    ImageDraw.Draw(outline).text(origin, text, font=font, fill=255, stroke_width=stroke,
                                 stroke_fill=255)
    fill = Image.new("L", (width, height), 0)
    ImageDraw.Draw(fill).text(origin, text, font=font, fill=255)
    return TextMask(np.asarray(fill, dtype=np.float32) / 255.0,
                    np.asarray(outline, dtype=np.float32) / 255.0)


def text_size(text: str, size_px: int, bold: bool = True) -> tuple[int, int]:
    """``(width, height)`` in pixels that :func:`draw_text` covers."""
    mask = rasterise(text, size_px, bold)
    return mask.width, mask.height


@dataclass(frozen=True, eq=False)
class _Sprite:
    """Text pre-composited for one colour pair: ``out = roi * keep / 255 + ink`` (uint8)."""

    keep: np.ndarray  # (h, w, 3) uint8, 255 * (1 - total alpha)
    ink: np.ndarray  # (h, w, 3) uint8, colour premultiplied by its alpha


@lru_cache(maxsize=512)
def _sprite(text: str, size_px: int, bold: bool, colour: BGR, outline: BGR | None) -> _Sprite:
    mask = rasterise(text, size_px, bold)
    fill = mask.fill[..., None]
    ink = fill * np.asarray(colour, np.float32)
    keep = 1.0 - fill
    if outline is not None:
        edge = mask.outline[..., None] * (1.0 - fill)
        ink = ink + edge * np.asarray(outline, np.float32)
        keep = keep * (1.0 - mask.outline[..., None])
    keep3 = np.broadcast_to(keep, ink.shape)
    return _Sprite(np.clip(keep3 * 255.0 + 0.5, 0, 255).astype(np.uint8),
                   np.clip(ink + 0.5, 0, 255).astype(np.uint8))


def draw_text(image: np.ndarray, text: str, org: tuple[int, int], size_px: int, colour: BGR,
              *, bold: bool = True, outline: BGR | None = DARK) -> tuple[int, int]:
    """Draw one line with its top-left corner at ``org``; returns the covered ``(w, h)``.

    Parts outside the image are clipped. ``outline`` None draws the glyphs only. The blend runs
    on uint8 with OpenCV (a few tenths of a millisecond for a cue line at 1080p).
    """
    sprite = _sprite(text, size_px, bold, tuple(colour), None if outline is None
                     else tuple(outline))
    sh, sw = sprite.ink.shape[:2]
    x, y = org
    h_img, w_img = image.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(w_img, x + sw), min(h_img, y + sh)
    if x0 < x1 and y0 < y1:
        sy, sx = slice(y0 - y, y1 - y), slice(x0 - x, x1 - x)
        roi = image[y0:y1, x0:x1]
        kept = cv2.multiply(roi, sprite.keep[sy, sx], scale=1.0 / 255.0)
        roi[:] = cv2.add(kept, sprite.ink[sy, sx])
    return sw, sh


def wrap_text(text: str, size_px: int, max_width_px: int, bold: bool = True) -> list[str]:
    """Split ``text`` at spaces into lines no wider than ``max_width_px`` (long words overflow)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and text_size(candidate, size_px, bold)[0] > max_width_px:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]
