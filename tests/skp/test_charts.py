"""The trend chart as a reader sees it: an axis that fits the data, the latest value, every line visible."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils.translation import override

from skp.charts import TREND_SERIES, trend_chart, y_range


def _points(*months):
    """months: (year, month, all, non_guru, guru) with rates or None."""
    return [
        {
            "period": SimpleNamespace(start_date=dt.date(year, month, 1)),
            "all": {"rate": everyone},
            "non_guru": {"rate": staff},
            "guru": {"rate": teachers},
        }
        for year, month, everyone, staff, teachers in months
    ]


def _year(everyone, staff, teachers):
    """Twelve months from January 2025 to December 2025, the rates per month given as lists (or one value)."""

    def at(values, i):
        return values[i] if isinstance(values, list) else values

    return _points(*[(2025, i + 1, at(everyone, i), at(staff, i), at(teachers, i)) for i in range(12)])


def _render(template, chart):
    with override("id"):
        return render_to_string(template, {"chart": chart})


def _tick_values(chart):
    return [int(label.rstrip("%")) for _y, label in chart.y_ticks]


def test_a_change_from_77_to_80_percent_gets_an_axis_that_shows_it():
    chart = trend_chart(_points((2025, 11, 0.77, 0.77, None), (2025, 12, 0.80, 0.80, None)), TREND_SERIES)
    ticks = _tick_values(chart)
    assert ticks[0] <= 77 and ticks[-1] >= 80
    assert ticks[0] > 50  # not 0-100: three points must not be a flat line
    assert ticks[-1] - ticks[0] <= 10
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (1, 2, 5)  # round, even ticks
    # The rise is at least a quarter of the plot's height.
    line = chart.lines[0]
    (_x1, y77), (_x2, y80) = line["coords"]
    top, bottom = chart.y_ticks[-1][0], chart.y_ticks[0][0]
    assert (y77 - y80) >= (bottom - top) / 4
    # The same axis for the phone's drawing.
    assert _tick_values(chart.narrow) == ticks


def test_an_axis_that_does_not_start_at_zero_says_so():
    chart = trend_chart(_points((2025, 11, 0.77, 0.77, None), (2025, 12, 0.80, 0.80, None)), TREND_SERIES)
    html = _render("includes/trend_chart.html", chart)
    assert f"Sumbu tegak dimulai dari {chart.y_ticks[0][1]}, bukan dari nol." in html
    # A chart whose data come near 0 starts at 0, with no such note.
    low = trend_chart(_points((2025, 11, 0.05, 0.05, None), (2025, 12, 0.9, 0.9, None)), TREND_SERIES)
    assert _tick_values(low) == [0, 25, 50, 75, 100]
    assert "Sumbu tegak" not in _render("includes/trend_chart.html", low)


@pytest.mark.parametrize(
    ("rates", "within"),
    [([0.98, 1.0], (90, 100)), ([0.0, 0.02], (0, 10)), ([0.5], (40, 60)), ([0.1, 0.95], (0, 100))],
)
def test_the_axis_stays_within_0_and_100_percent_and_round(rates, within):
    low, high, step = y_range(rates)
    assert within[0] <= low <= min(rates) * 100 and max(rates) * 100 <= high <= within[1]
    assert low % step == 0 and high % step == 0


def test_the_latest_value_of_each_line_is_written_beside_its_last_point():
    chart = trend_chart(_year([0.7] * 11 + [0.8], [0.6] * 11 + [0.75], [0.9] * 11 + [0.92]), TREND_SERIES)
    for drawing in (chart, chart.narrow):
        html = _render("includes/trend_plot.html", drawing)
        latest = re.findall(r'<text class="latest" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>', html)
        assert sorted(text for _x, _y, text in latest) == ["75%", "80%", "92%"]
        last_x = drawing.x_ticks[-1]
        assert all(float(x) > last_x for x, _y, _t in latest)  # beside, right of the last point
        assert all(float(x) < drawing.width - 20 for x, _y, _t in latest)  # and inside the drawing
        ys = sorted(float(y) for _x, y, _t in latest)
        assert all(b - a >= drawing.font for a, b in zip(ys, ys[1:], strict=False))  # not overlapping


def test_close_latest_values_are_pushed_apart_and_equal_ones_share_a_label():
    chart = trend_chart(_year(0.80, 0.81, 0.80), TREND_SERIES)
    labels = chart.end_labels
    assert sorted(lab["text"] for lab in labels) == ["80%", "81%"]  # 80 % of everyone and teachers: one label
    assert abs(labels[0]["y"] - labels[1]["y"]) >= chart.font


def test_the_latest_value_is_rounded_as_the_table_rounds():
    chart = trend_chart(_points((2025, 11, 0.7, 0.7, None), (2025, 12, 0.8049, 0.8049, None)), TREND_SERIES)
    assert [lab["text"] for lab in chart.end_labels] == ["80%"]
    assert "80%" in _render("includes/trend_chart.html", chart)


def test_coinciding_lines_stay_visible_and_the_legend_says_they_coincide():
    chart = trend_chart(_year([0.7, 0.75] * 6, [0.7, 0.75] * 6, [0.7, 0.75] * 6), TREND_SERIES)
    strokes = [line["stroke"] for line in chart.lines]
    radii = [line["radius"] for line in chart.lines]
    # Drawn in this order, each narrower than the one below: all three show, one inside the other.
    assert strokes == sorted(strokes, reverse=True) and len(set(strokes)) == 3
    assert radii == sorted(radii, reverse=True) and len(set(radii)) == 3
    assert len({line["dash"] for line in chart.lines}) == 3
    html = _render("includes/trend_chart.html", chart)
    assert html.count('class="line ') == 6  # three lines in each of the two drawings
    assert "Selain guru (garisnya sama dengan Semua ASN)" in html
    assert "Guru (garisnya sama dengan Semua ASN)" in html


def test_lines_that_differ_carry_no_same_line_note():
    chart = trend_chart(_year(0.7, 0.6, 0.9), TREND_SERIES)
    assert [line["same_as"] for line in chart.lines] == [None, None, None]
    assert "garisnya sama" not in _render("includes/trend_chart.html", chart)


def test_a_group_with_no_members_has_no_line_no_legend_entry_and_no_column():
    chart = trend_chart(_year(0.8, 0.8, None), TREND_SERIES)
    assert [line["css"] for line in chart.lines] == ["s-all", "s-staff"]
    assert [row["values"] for row in chart.rows][0] == [0.8, 0.8]
    html = _render("includes/trend_chart.html", chart)
    assert "s-guru" not in html
    assert ">Guru<" not in html and " Guru" not in html
    assert html.count('<th scope="col">') == 2 * 3  # period, everyone, non-teachers; in both tables


def test_a_month_with_nobody_expected_leaves_a_gap_not_a_zero():
    chart = trend_chart(_year([0.7] * 5 + [None] + [0.8] * 6, 0.7, None), TREND_SERIES)
    everyone = chart.lines[0]
    assert len(everyone["segments"]) == 2
    assert len(everyone["dots"]) == 11
    assert _tick_values(chart)[0] > 0


def test_month_labels_are_indonesian_and_do_not_overlap():
    with override("id"):
        chart = trend_chart(
            _points(*[(2025 if m > 2 else 2026, m, 0.8, 0.8, None) for m in [*range(3, 13), 1, 2]]), TREND_SERIES
        )
    for drawing in (chart, chart.narrow):
        labels = [label for _x, label in drawing.x_labels]
        assert labels[-1] == "Feb 2026"  # the latest month is always labelled
        xs = [x for x, _label in drawing.x_labels]
        # Each label is at most 8 glyphs of 0.6 em: the next one starts further away than that.
        assert all(b - a >= 8 * 0.6 * drawing.font for a, b in zip(xs, xs[1:], strict=False))
    assert [label for _x, label in chart.narrow.x_labels] == ["Mei 2025", "Agu 2025", "Nov 2025", "Feb 2026"]
    assert [label for _x, label in chart.x_labels] == [
        "Apr 2025",
        "Jun 2025",
        "Agu 2025",
        "Okt 2025",
        "Des 2025",
        "Feb 2026",
    ]
    assert ">Agu 2025</text>" in _render("includes/trend_plot.html", chart)


def test_the_pdf_drawing_is_the_wide_one_with_its_legend_and_no_phone_twin():
    chart = trend_chart(_year(0.77, 0.76, 0.8), TREND_SERIES)
    html = _render("includes/trend_svg.html", chart)
    assert html.count("<svg") == 1 + 3  # the chart and the three legend swatches
    assert 'viewBox="0 0 640 ' in html
    assert "Semua ASN" in html and "Sumbu tegak" in html
    # Coordinates keep their decimal point under the Indonesian locale.
    assert 'r="3.5"' in html and 'r="3,5"' not in html
