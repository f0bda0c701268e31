"""A small raster canvas for the plan's PNG charts, drawn with Pillow.

Pillow draws a chart in tens of milliseconds and imports in a few; a general plotting library costs
about a second to import and most of a second per chart of small multiples, more than the whole
solve of the default scenario. Coordinates are in layout pixels (CSS pixels in the report); the
PNG holds ``DENSITY`` image pixels per layout pixel, so a 900-pixel chart printed 18 cm wide has
about 250 dots per inch, and says so in its pHYs chunk (``DPI``). The canvas draws at that density
(text is smoothed by FreeType; a browser smooths the lines when it shows the chart at layout size),
so no resampling is needed: drawing the three charts of the default plan takes about 0.3 s.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageDraw, ImageFont

from ..fmt import clip
from .axes import DENSITY, nice_ticks, tick_label

SUPERSAMPLE = DENSITY
DPI = 96 * DENSITY  # a layout pixel is 1/96 inch, as in CSS
LONGEST = 100  # characters of one label: more never fits a chart, and costs memory to draw
GRID = "#e4e4e4"
AXIS = "#555555"
TEXT = "#222222"

_fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in scalable font at ``size`` final pixels (cached)."""
    if size not in _fonts:
        _fonts[size] = ImageFont.load_default(size=size * SUPERSAMPLE)
    return _fonts[size]


class Canvas:
    """A white image to draw on in final-pixel coordinates."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.image = Image.new("RGB", (width * SUPERSAMPLE, height * SUPERSAMPLE), "white")
        self.draw = ImageDraw.Draw(self.image)

    @staticmethod
    def _xy(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in points]

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float = 1.5, dash: float = 0) -> None:
        """A polyline; ``dash`` > 0 draws it dashed with dashes of that length."""
        if len(points) < 2:
            return
        if dash <= 0:
            self.draw.line(self._xy(points), fill=colour, width=max(1, round(width * SUPERSAMPLE)), joint="curve")
            return
        for a, b in _dashes(points, dash):
            self.draw.line(self._xy([a, b]), fill=colour, width=max(1, round(width * SUPERSAMPLE)))

    def polygon(self, points: Sequence[tuple[float, float]], colour: str) -> None:
        if len(points) >= 3:
            self.draw.polygon(self._xy(points), fill=colour)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str | None, outline: str | None = None) -> None:
        self.draw.rectangle(
            self._xy([(min(x0, x1), min(y0, y1)), (max(x0, x1), max(y0, y1))]), fill=fill, outline=outline
        )

    def text(self, x: float, y: float, s: str, size: int = 11, anchor: str = "la", colour: str = TEXT) -> None:
        """Text at (x, y), at most ``LONGEST`` characters; ``anchor`` as Pillow's (e.g. "la" left-top,
        "mm" centred, "rm" right-middle)."""
        self.draw.text(
            (x * SUPERSAMPLE, y * SUPERSAMPLE), clip(s, LONGEST), font=font(size), fill=colour, anchor=anchor
        )

    def vertical_text(self, x: float, y: float, s: str, size: int = 11) -> None:
        """Text rotated a quarter turn anticlockwise, centred on (x, y); at most ``LONGEST`` characters."""
        s = clip(s, LONGEST)
        f = font(size)
        left, top, right, bottom = f.getbbox(s)
        tile = Image.new("RGB", (right - left + 4, bottom - top + 4), "white")
        ImageDraw.Draw(tile).text((2 - left, 2 - top), s, font=f, fill=TEXT)
        tile = tile.rotate(90, expand=True)
        self.image.paste(tile, (round(x * SUPERSAMPLE - tile.width / 2), round(y * SUPERSAMPLE - tile.height / 2)))

    def save(self, path: Path | BinaryIO) -> Path | BinaryIO:
        """The PNG at ``DENSITY`` pixels per layout pixel, tagged with its resolution, into a file
        or a binary buffer."""
        size = (self.width * DENSITY, self.height * DENSITY)
        image = self.image if self.image.size == size else self.image.resize(size, Image.Resampling.LANCZOS)
        image.save(path, "PNG", optimize=False, dpi=(DPI, DPI))
        return path


def _dashes(
    points: Sequence[tuple[float, float]], dash: float
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The drawn pieces of a dashed polyline (dash on, dash off)."""
    pieces = []
    on, left = True, dash
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length - 1e-9:
            step = min(left, length - pos)
            if on:
                a, b = pos / length, (pos + step) / length
                pieces.append(((x0 + a * (x1 - x0), y0 + a * (y1 - y0)), (x0 + b * (x1 - x0), y0 + b * (y1 - y0))))
            pos += step
            left -= step
            if left <= 1e-9:
                on, left = not on, dash
    return pieces


@dataclass
class Panel:
    """A plotting area on a canvas: data (x index, y value) to pixels, with axes, ticks and a title."""

    canvas: Canvas
    left: float
    top: float
    width: float
    height: float
    x_count: int
    y_low: float
    y_high: float

    def x(self, i: float) -> float:
        return self.left + (i / max(1, self.x_count - 1)) * self.width

    def y(self, v: float) -> float:
        span = self.y_high - self.y_low or 1.0
        v = min(max(v, self.y_low), self.y_high)
        return self.top + self.height - (v - self.y_low) / span * self.height

    def frame(self, title: str, x_labels: Sequence[str], y_labels: bool = True, x_tick_labels: bool = True) -> None:
        """Grid lines, the axes box, tick labels (about five along x) and the title above."""
        c = self.canvas
        for v in nice_ticks(self.y_low, self.y_high, 4):
            c.line([(self.left, self.y(v)), (self.left + self.width, self.y(v))], GRID, 1)
            c.line([(self.left - 3, self.y(v)), (self.left, self.y(v))], AXIS, 1)
            if y_labels:
                c.text(self.left - 4, self.y(v), tick_label(v), 10, "rm")
        step = max(1, len(x_labels) // 5)
        for i in range(0, len(x_labels), step):
            c.line([(self.x(i), self.top + self.height), (self.x(i), self.top + self.height + 3)], AXIS, 1)
            if x_tick_labels:
                c.text(self.x(i), self.top + self.height + 5, x_labels[i], 9, "ma")
        c.rect(self.left, self.top, self.left + self.width, self.top + self.height, None, AXIS)
        c.text(self.left + self.width / 2, self.top - 4, title, 12, "md")

    def legend(
        self,
        entries: Sequence[tuple[str, str, float] | tuple[str, str, float, str]],
        corner: str = "lower right",
        size: int = 9,
    ) -> None:
        """Entries (label, colour, dash[, "box" for a filled area]) in a white box in a corner of the
        panel: a line drawn as the series is (dashed or not), a box for an area."""
        if not entries:
            return
        c = self.canvas
        row = size + 5
        width = 26 + max(font(size).getlength(clip(label, LONGEST)) / SUPERSAMPLE for label, *_ in entries)
        height = row * len(entries) + 4
        x0 = self.left + self.width - width - 6 if "right" in corner else self.left + 6
        y0 = self.top + self.height - height - 6 if "lower" in corner else self.top + 6
        c.rect(x0, y0, x0 + width, y0 + height, "white", "#cccccc")
        for n, (label, colour, dash, *kind) in enumerate(entries):
            y = y0 + 2 + row * n + row / 2
            if kind == ["box"]:
                c.rect(x0 + 6, y - 4, x0 + 18, y + 4, colour)
            else:
                c.line([(x0 + 4, y), (x0 + 20, y)], colour, 2, dash)
            c.text(x0 + 24, y, label, size, "lm")


def grid_layout(n: int, cols: int, panel_w: int, panel_h: int, top: int, margins: tuple[int, int, int, int]):
    """Canvas size and each panel's (left, top) for ``n`` small multiples in ``cols`` columns;
    ``margins`` = (left, right, bottom, gap) in pixels around and between the panels."""
    left, right, bottom, gap = margins
    rows = max(1, -(-n // cols))
    width = left + cols * panel_w + (cols - 1) * gap + right
    height = top + rows * panel_h + (rows - 1) * (gap + 12) + bottom
    places = [(left + (k % cols) * (panel_w + gap), top + (k // cols) * (panel_h + gap + 12)) for k in range(n)]
    return width, height, places
