"""Mark label layout (plain geometry): inside the plot, no overlaps, clusters with a count."""

import itertools
import random

import pytest

from views.charts.mark_layout import GAP_PX, Mark, MarkLayout, PlacedLabel, one_label

CHAR_PX = 8.0
"""A monospaced stand-in for the font: every character 8 px, the box 12 px more."""


def measure(text: str) -> float:
    return CHAR_PX * len(text) + 12


def elide(text: str, width: float) -> str:
    keep = int((width - 12) // CHAR_PX) - 1
    return text[:keep] + "…" if keep > 0 else ""


def summary(marks):
    named = one_label(marks)
    if len(marks) == 1:
        return "{label}", named.text
    return f"{{label}} (+{len(marks) - 1})", named.text


def layout(width=800.0, height=300.0) -> MarkLayout:
    return MarkLayout(width, height, 22.0, measure=measure, elide=elide, summary=summary)


def assert_tidy(labels: list[PlacedLabel], width: float, height: float) -> None:
    for label in labels:
        assert label.left >= 0 and label.right <= width, label
        assert label.top >= 0 and label.bottom <= height, label
        assert measure(label.text) <= label.width + 1e-6, label
    for a, b in itertools.combinations(labels, 2):
        apart = (a.right <= b.left or b.right <= a.left or a.bottom <= b.top
                 or b.bottom <= a.top)
        assert apart, (a, b)


def test_a_label_near_the_right_edge_goes_left_of_its_line():
    text = "System frequency 49.343 Hz, -0.657 Hz from 50 Hz (limit ±0.2 Hz)"
    [label] = layout().place([Mark(700.0, text, 1)])
    assert label.text == text and label.right == pytest.approx(700.0 - GAP_PX)
    [label] = layout().place([Mark(100.0, text, 1)])
    assert label.left == pytest.approx(100.0 + GAP_PX)


def test_a_label_wider_than_the_plot_is_elided_to_fit():
    [label] = layout(width=300).place([Mark(150.0, "x" * 200, 0)])
    assert label.text.endswith("…") and label.width <= 300
    assert_tidy([label], 300, 300)


def test_marks_outside_the_view_have_no_label():
    assert layout().place([Mark(-5.0, "before", 0), Mark(805.0, "after", 0)]) == []


def test_close_marks_share_one_label_naming_the_most_severe_with_a_count():
    marks = [Mark(400.0, "medium one", 2), Mark(402.0, "critical one", 0),
             Mark(404.0, "low one", 3)]
    [label] = layout().place(marks)
    assert label.text == "critical one (+2)" and label.rank == 0 and len(label.marks) == 3


def test_an_alarm_flood_gives_a_few_tidy_labels_that_count_every_mark():
    marks = [Mark(300.0 + 7 * i, f"Alarm number {i} with a long message", i % 4)
             for i in range(60)]
    labels = layout().place(marks)
    assert 1 <= len(labels) <= 3 * 3
    assert sum(len(label.marks) for label in labels) == 60
    assert_tidy(labels, 800, 300)


@pytest.mark.parametrize("seed", range(20))
def test_random_marks_never_overlap_or_leave_the_plot(seed):
    rng = random.Random(seed)
    width, height = rng.choice([(400.0, 120.0), (1100.0, 230.0), (1800.0, 500.0)])
    marks = [Mark(rng.uniform(0, width), "m" * rng.randint(3, 60), rng.randint(0, 3))
             for _ in range(rng.randint(1, 80))]
    labels = MarkLayout(width, height, 22.0, measure=measure, elide=elide,
                        summary=summary).place(marks)
    assert_tidy(labels, width, height)
    assert sum(len(label.marks) for label in labels) == len(marks)


def test_no_room_for_a_row_means_no_labels():
    assert layout(height=10).place([Mark(10.0, "a", 0)]) == []
