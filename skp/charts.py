"""Server-rendered SVG charts (no chart JavaScript): usable in pages and PDFs alike."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

# Colour and dash of each line, as SVG attributes so the chart looks the same in
# pages and in PDFs (WeasyPrint does not style SVG from a stylesheet). Dashes keep
# the lines apart without colour.
LINE_STYLES = {"s-all": ("#0b4f6c", ""), "s-staff": ("#8a5300", "6 3"), "s-guru": ("#1e6b34", "2 3")}

# The three lines every trend shows: (group in skp.summaries.trend, label, CSS class).
TREND_SERIES = [
    ("all", gettext_lazy("Everyone"), "s-all"),
    ("non_guru", gettext_lazy("Non-teachers"), "s-staff"),
    ("guru", gettext_lazy("Teachers"), "s-guru"),
]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    bottom: int
    lines: list[dict]  # {"name", "css", "color", "dash", "points": "x,y x,y", "dots": [(x, y, label)]}
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    rows: list[dict]  # the same numbers as a table, for screen readers and print


def trend_chart(
    points: list[dict], series: list[tuple[str, str, str]], *, width: int = 640, height: int = 200
) -> TrendChart:
    """Geometry for a line chart of on-time rates (0-100 %) over periods.

    `points` come from skp.summaries.trend; `series` is [(group, label, css class)].
    A period with nobody expected to file leaves a gap, not a zero.
    """
    left, right, top, bottom = 40, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def y(rate: float) -> float:
        return round(top + plot_h * (1 - rate), 1)

    lines = []
    for group, label, css in series:
        coords, dots = [], []
        for i, point in enumerate(points):
            rate = point[group]["rate"]
            if rate is None:
                continue
            x = round(left + i * step, 1)
            coords.append(f"{x},{y(rate)}")
            dots.append((x, y(rate), f"{date_format(point['period'].start_date, 'F Y')}: {round(rate * 100)}%"))
        color, dash = LINE_STYLES[css]
        lines.append(
            {"name": label, "css": css, "color": color, "dash": dash, "points": " ".join(coords), "dots": dots}
        )
    x_labels = [(round(left + i * step, 1), date_format(p["period"].start_date, "M Y")) for i, p in enumerate(points)]
    y_ticks = [(y(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)]
    rows = [{"period": p["period"], **{group: p[group]["rate"] for group, _, _ in series}} for p in points]
    return TrendChart(width, height, left, height - bottom, lines, x_labels, y_ticks, rows)
