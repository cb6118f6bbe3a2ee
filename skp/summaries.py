"""Counts, rankings and trends for the dashboards, read from the status rollup."""

import datetime as dt
from collections.abc import Iterable

from . import rules
from .models import Period
from .rollup import counts_from_rollup, rollup_rows, teacher_deadline

GROUPS = ("all", "non_guru", "guru")


def _grouped(rows: list[dict], *, now: dt.datetime, period: Period) -> dict[str, dict]:
    """Counts for everyone, for non-teachers and for teachers, each with its on-time rate.

    Teachers' unrated rows are pending or overdue by their own deadline (their cycle period's).
    """
    deadline, teachers_deadline = period.deadline, teacher_deadline(period)
    result = {}
    for group, keep in (
        ("all", lambda r: True),
        ("non_guru", lambda r: not r["is_guru"]),
        ("guru", lambda r: r["is_guru"]),
    ):
        counts = counts_from_rollup(
            (r for r in rows if keep(r)), now=now, deadline=deadline, teachers_deadline=teachers_deadline
        )
        result[group] = {"counts": counts, "total": sum(counts.values()), "rate": rules.on_time_rate(counts)}
    return result


def period_summary(period: Period, *, now: dt.datetime, opd_ids: set[int] | None = None) -> dict[str, dict]:
    rows = rollup_rows([period], opd_ids, by=("is_guru",))[period.key]
    return _grouped(rows, now=now, period=period)


def unit_summaries(period: Period, *, now: dt.datetime, opd_id: int) -> dict[int | None, dict]:
    """Counts per unit of one OPD (key None: staff placed in no unit)."""
    by_unit: dict[int | None, list[dict]] = {}
    for row in rollup_rows([period], {opd_id}, by=("unit_id", "is_guru"))[period.key]:
        by_unit.setdefault(row["unit_id"], []).append(row)
    teachers_deadline = teacher_deadline(period)
    result = {}
    for unit_id, rows in by_unit.items():
        counts = counts_from_rollup(rows, now=now, deadline=period.deadline, teachers_deadline=teachers_deadline)
        total = sum(r["total"] for r in rows)
        result[unit_id] = {"counts": counts, "total": total, "rate": rules.on_time_rate(counts)}
    return result


def opd_summaries(period: Period, *, now: dt.datetime, opd_ids: Iterable[int]) -> dict[int, dict[str, dict]]:
    """Counts per OPD, split into everyone, non-teachers and teachers."""
    opd_ids = set(opd_ids)
    by_opd: dict[int, list[dict]] = {pk: [] for pk in opd_ids}
    for row in rollup_rows([period], opd_ids, by=("opd_id", "is_guru"))[period.key]:
        by_opd.setdefault(row["opd_id"], []).append(row)
    return {pk: _grouped(rows, now=now, period=period) for pk, rows in by_opd.items()}


def trend(periods: list[Period], *, now: dt.datetime, opd_ids: set[int] | None = None) -> list[dict]:
    """On-time rate per period, oldest first, for everyone, non-teachers and teachers."""
    rows = rollup_rows(periods, opd_ids, by=("is_guru",))
    points = []
    for period in sorted(periods, key=lambda p: (p.year, p.month)):
        groups = _grouped(rows[period.key], now=now, period=period)
        points.append({"period": period, **groups})
    return points


def opd_ranking(period: Period, *, now: dt.datetime, opds) -> list[dict]:
    """Each OPD with its groups' counts, best on-time rate first (nobody expected to file: last), then by name.

    The regency page, its recap and the messages to BKPSDM and pimpinan all rank this way.
    """
    opds = list(opds)
    per_opd = opd_summaries(period, now=now, opd_ids={o.pk for o in opds})
    return sorted(
        ({"opd": o, **per_opd[o.pk]} for o in opds),
        key=lambda r: (-(r["all"]["rate"] if r["all"]["rate"] is not None else -1), r["opd"].nama),
    )
