"""Where to put map labels so that none covers another.

Greedy, in the order given (put the most important first): each label goes at its point if it fits there,
else at the nearest free position in rings around the point (the caller draws a leader line back to it),
else it is left out. Boxes already placed are kept in a grid of cells, so a label is compared with its
neighbours only and the cost grows with the number of labels, not with its square (a province has ~120
counties). Everything is in pixels, y growing upwards (matplotlib's display coordinates).
"""

import math
from dataclasses import dataclass

RINGS = 3  # how far from its point a label may move, in steps of its own size


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other):
        return (
            self.left < other.right and other.left < self.right and self.bottom < other.top and other.bottom < self.top
        )

    def contains(self, x, y):
        return self.left <= x <= self.right and self.bottom <= y <= self.top

    def inside(self, other):
        return (
            other.left <= self.left
            and self.right <= other.right
            and other.bottom <= self.bottom
            and self.top <= other.top
        )


@dataclass(frozen=True)
class Label:
    key: object
    x: float  # the point it names
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Placement:
    key: object
    x: float  # centre of the label
    y: float
    box: Box
    moved: bool  # not at its point: draw a leader line


def centred_box(x, y, width, height):
    return Box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def candidate_offsets(width, height):
    """(dx, dy) of the centre of a box of this size: at the point first, then ring by ring (each step the box's
    own height, or half its width and height sideways), nearest first within a ring."""
    step_x, step_y = (width + height) / 2, height
    offsets = [(0.0, 0.0)]
    for ring in range(1, RINGS + 1):
        around = [
            (dx * step_x * ring, dy * step_y * ring) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)
        ]
        offsets.extend(sorted(around, key=lambda offset: math.hypot(*offset)))
    return offsets


class Grid:
    """Boxes bucketed by the cells they cover."""

    def __init__(self, cell):
        self.cell = max(cell, 1.0)
        self.cells = {}

    def keys(self, box):
        first_x, last_x = int(box.left // self.cell), int(box.right // self.cell)
        first_y, last_y = int(box.bottom // self.cell), int(box.top // self.cell)
        return [(cx, cy) for cx in range(first_x, last_x + 1) for cy in range(first_y, last_y + 1)]

    def add(self, box):
        for key in self.keys(box):
            self.cells.setdefault(key, []).append(box)

    def free(self, box):
        return not any(other.overlaps(box) for key in self.keys(box) for other in self.cells.get(key, ()))


def place_labels(labels, bounds, obstacles=(), padding=2.0):
    """{key: Placement or None} for `labels` inside `bounds` (a Box), avoiding each other and `obstacles` (Boxes).

    `padding` pixels are kept free around each label.
    """
    labels = list(labels)
    if not labels:
        return {}
    grid = Grid(max(max(label.width, label.height) for label in labels) + 2 * padding)
    for obstacle in obstacles:
        grid.add(obstacle)
    placed = {}
    for label in labels:
        placed[label.key] = None
        width, height = label.width + 2 * padding, label.height + 2 * padding
        for dx, dy in candidate_offsets(width, height):
            box = centred_box(label.x + dx, label.y + dy, width, height)
            if box.inside(bounds) and grid.free(box):
                grid.add(box)
                placed[label.key] = Placement(label.key, label.x + dx, label.y + dy, box, (dx, dy) != (0.0, 0.0))
                break
    return placed
