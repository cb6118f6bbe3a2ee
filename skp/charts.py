"""Server-rendered SVG charts (no chart JavaScript): usable in pages and PDFs alike."""

import math
from dataclasses import dataclass, replace

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from .templatetags.kinerja import percent  # as the numbers table writes them

# Colour, dash, stroke width and dot radius of each line, as SVG attributes so the chart
# looks the same in pages and in PDFs (WeasyPrint does not style SVG from a stylesheet).
# Dashes keep the lines apart without colour; the widths nest (widest drawn first), so
# lines that coincide stay visible one inside the other instead of hiding each other.
LINE_STYLES = {
    "s-all": ("#0b4f6c", "", 5, 5),
    "s-staff": ("#8a5300", "7 4", 3, 3.5),
    "s-guru": ("#1e6b34", "2 3", 2, 2.5),
}

# The three lines every trend shows: (group in skp.summaries.trend, label, CSS class).
TREND_SERIES = [
    ("all", gettext_lazy("Everyone"), "s-all"),
    ("non_guru", gettext_lazy("Non-teachers"), "s-staff"),
    ("guru", gettext_lazy("Teachers"), "s-guru"),
]

# The axis never spans fewer percentage points than this: a change of one point must not
# look like a cliff, and a change of three (77 % to 80 %) must still be seen.
MIN_SPAN = 6
TICK_STEPS = (1, 2, 5, 10, 20, 25)


@dataclass(frozen=True)
class Frame:
    """Where the plot sits in the SVG's own units, and the size of its text."""

    name: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int


# The wide chart fills up to 48rem on a desktop (and 140 mm in a PDF); the narrow one is a
# phone's: about 366 CSS px wide at 390 px, so its 12-unit text shows at about 13 px.
WIDE = Frame("wide", 640, 220, left=44, right=42, top=12, bottom=34, font=12)
NARROW = Frame("narrow", 340, 230, left=38, right=40, top=12, bottom=34, font=12)


@dataclass(frozen=True)
class TrendChart:
    name: str  # "wide" or "narrow"
    width: int
    height: int
    left: int  # the plot's left edge
    plot_right: int
    bottom: int  # the plot's bottom edge (y)
    font: int
    lines: list[dict]  # {"name", "css", "color", "dash", "stroke", "radius", "segments", "dots", "same_as"}
    end_labels: list[dict]  # {"x", "y", "text", "color"}: the latest value of each line
    x_ticks: list[float]  # one per period
    x_labels: list[tuple[float, str]]  # as many as fit without overlapping, the latest period always
    y_ticks: list[tuple[float, str]]
    y_floor: str  # the axis' lowest value, "74%"
    from_zero: bool
    rows: list[dict]  # {"period", "values": [rate per line]}: the same numbers as a table
    narrow: "TrendChart | None" = None  # the phone's version of the same chart


def y_range(rates: list[float]) -> tuple[int, int, int]:
    """(lowest, highest, step) of the y axis in percent: round ticks around the data, within 0-100.

    The axis starts at 0 when the data come near it; otherwise it starts just below the
    lowest value, and the chart says so.
    """
    if not rates:
        return 0, 100, 25
    lo, hi = min(round(r * 100, 1) for r in rates), max(round(r * 100, 1) for r in rates)
    if hi - lo < MIN_SPAN:
        middle = (lo + hi) / 2
        lo, hi = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    step = next((s for s in TICK_STEPS if (hi - lo) / s <= 4), TICK_STEPS[-1])
    bottom, top = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if bottom <= step:
        bottom = 0
    if top > 100:
        bottom, top = max(0, bottom - (top - 100)), 100
    return max(bottom, 0), min(top, 100), step


def trend_chart(points: list[dict], series: list[tuple[str, str, str]]) -> TrendChart:
    """Geometry for a line chart of on-time rates over periods, wide (desktop, PDF) with its narrow (phone) twin.

    `points` come from skp.summaries.trend; `series` is [(group, label, css class)].
    A group with no rate in any period (no teachers in this OPD) is left out, line,
    legend and table column alike. A period with nobody expected to file leaves a gap,
    not a zero.
    """
    drawn = [(g, label, css) for g, label, css in series if any(p[g]["rate"] is not None for p in points)]
    rates = [p[g]["rate"] for p in points for g, _l, _c in drawn if p[g]["rate"] is not None]
    axis = y_range(rates)
    rows = [{"period": p["period"], "values": [p[g]["rate"] for g, _l, _c in drawn]} for p in points]
    narrow = _draw(NARROW, points, drawn, axis, rows)
    wide = _draw(WIDE, points, drawn, axis, rows)
    return replace(wide, narrow=narrow)


def _draw(frame: Frame, points, drawn, axis, rows) -> TrendChart:
    low, high, step = axis
    plot_w = frame.width - frame.left - frame.right
    plot_h = frame.height - frame.top - frame.bottom
    bottom = frame.height - frame.bottom
    inset = 8  # the first and last dots clear the axis' labels
    x_step = (plot_w - 2 * inset) / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(frame.left + inset + i * x_step, 1)

    def y(rate: float) -> float:
        return round(frame.top + plot_h * (1 - (rate * 100 - low) / (high - low)), 1)

    lines = []
    for group, label, css in drawn:
        segments, current, dots = [], [], []
        for i, point in enumerate(points):
            rate = point[group]["rate"]
            if rate is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append((x(i), y(rate)))
            dots.append((x(i), y(rate), f"{date_format(point['period'].start_date, 'F Y')}: {percent(rate)}", rate))
        if current:
            segments.append(current)
        color, dash, stroke, radius = LINE_STYLES[css]
        coords = [c for seg in segments for c in seg]
        same_as = next((other["name"] for other in lines if other["coords"] == coords), None)
        lines.append(
            {
                "name": label,
                "css": css,
                "color": color,
                "dash": dash,
                "stroke": stroke,
                "radius": radius,
                "segments": [" ".join(f"{cx},{cy}" for cx, cy in seg) for seg in segments],
                "coords": coords,
                "dots": [(dx, dy, text) for dx, dy, text, _r in dots],
                "last": dots[-1],
                "same_as": same_as,
            }
        )

    return TrendChart(
        name=frame.name,
        width=frame.width,
        height=frame.height,
        left=frame.left,
        plot_right=frame.width - frame.right,
        bottom=bottom,
        font=frame.font,
        lines=lines,
        end_labels=_end_labels(lines, frame, bottom),
        x_ticks=[x(i) for i in range(len(points))],
        x_labels=_x_labels(points, frame, x, x_step),
        y_ticks=[(y(v / 100), f"{v}%") for v in range(low, high + 1, step)],
        y_floor=f"{low}%",
        from_zero=low == 0,
        rows=rows,
    )


def _x_labels(points, frame: Frame, x, x_step: float) -> list[tuple[float, str]]:
    """Every k-th month, counted back from the latest, k as small as keeps the labels apart."""
    labels = [date_format(p["period"].start_date, "M Y") for p in points]
    if not labels:
        return []
    # An estimate of the text's width (a system sans-serif averages about 0.6 em a glyph), plus a gap.
    widest = max(len(label) for label in labels) * frame.font * 0.6 + frame.font / 2
    every = max(1, math.ceil(widest / x_step)) if len(points) > 1 else 1
    last = len(points) - 1
    return [(x(i), label) for i, label in enumerate(labels) if (last - i) % every == 0]


def _end_labels(lines: list[dict], frame: Frame, bottom: float) -> list[dict]:
    """The latest value beside the last point of each line; lines ending at the same point share one label.

    Labels that would overlap are pushed apart vertically, keeping their order.
    """
    labels: list[dict] = []
    for line in lines:
        lx, ly, _text, rate = line["last"]
        shared = next((lab for lab in labels if lab["at"] == (lx, ly)), None)
        if shared:
            shared["color"] = "#1a1a1a"  # no longer one line's label
            continue
        labels.append({"at": (lx, ly), "x": round(lx + 4 + line["radius"], 1), "y": ly, "text": percent(rate)})
        labels[-1]["color"] = line["color"]
    labels.sort(key=lambda lab: lab["y"])
    gap = frame.font + 1
    for above, below in zip(labels, labels[1:], strict=False):
        below["y"] = round(max(below["y"], above["y"] + gap), 1)
    overflow = labels[-1]["y"] - (bottom - frame.font / 2) if labels else 0
    if overflow > 0:
        for lab in labels:
            lab["y"] = round(lab["y"] - overflow, 1)
    return labels
