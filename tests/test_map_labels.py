"""Map labels are placed so that none covers another: at their point, else nearby, else left out."""

import itertools

from villages.maps.labels import Box, Label, place_labels

SCREEN = Box(0, 0, 1000, 800)


def overlapping(placements):
    """Pairs of placed labels whose boxes overlap, checked directly (no grid)."""
    boxes = [(p.key, p.box) for p in placements if p is not None]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.left < box_b.right
        and box_b.left < box_a.right
        and box_a.bottom < box_b.top
        and box_b.bottom < box_a.top
    ]


def test_a_label_with_room_stays_on_its_point():
    placed = place_labels([Label("榆次区", 100, 100, 40, 10)], SCREEN)["榆次区"]
    assert (placed.x, placed.y, placed.moved) == (100, 100, False)
    # 2 px of padding on each side: 44 × 14.
    assert placed.box == Box(78, 93, 122, 107)


def test_a_second_label_on_the_same_point_moves_just_below_the_first():
    placed = place_labels([Label("a", 100, 100, 40, 10), Label("b", 100, 100, 40, 10)], SCREEN)
    assert (placed["a"].x, placed["a"].y) == (100, 100)
    # One step down is the padded height, 14 px: the boxes touch and do not overlap.
    assert (placed["b"].x, placed["b"].y, placed["b"].moved) == (100, 86, True)


def test_a_label_at_the_edge_moves_inside_the_map():
    placed = place_labels([Label("edge", 995, 400, 40, 10)], SCREEN)["edge"]
    assert placed.moved and placed.box.right <= 1000
    assert placed.x == 995 - 29  # one step sideways: half the padded width and height, (44 + 14) / 2


def test_labels_keep_off_the_obstacles():
    scale_bar = Box(0, 0, 200, 60)
    placed = place_labels([Label("near the bar", 100, 50, 40, 10)], SCREEN, obstacles=[scale_bar])["near the bar"]
    assert placed.moved and placed.box.bottom >= 60


def test_a_label_with_no_room_anywhere_is_left_out():
    crowded = [Label(index, 20, 20, 30, 10) for index in range(30)]
    placed = place_labels(crowded, Box(0, 0, 60, 40))
    assert placed[0] is not None and placed[0].moved is False
    assert None in placed.values()
    assert overlapping(placed.values()) == []


def test_120_county_labels_in_a_dense_province_never_overlap():
    # A 12 × 10 grid of counties 60 px apart, each name about 50 × 14 px: neighbours' names would touch.
    labels = [
        Label((row, column), 40 + 60 * column, 40 + 60 * row, 50 + (row * column) % 3 * 10, 14)
        for row, column in itertools.product(range(10), range(12))
    ]
    placed = place_labels(labels, Box(0, 0, 780, 660))
    shown = [p for p in placed.values() if p is not None]
    assert len(placed) == 120
    assert len(shown) >= 110
    assert overlapping(shown) == []
    assert all(p.box.inside(Box(0, 0, 780, 660)) for p in shown)
