"""The status rollup: counts per period, OPD, unit and teacher group.

Every write path that can change a status calls `refresh_rollup` for what it
touched (records, exemptions, deadlines, ASN placement); `tests/skp/test_rollup.py`
checks the rollup against a fresh count after each of them.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum

from opd.access import EVERYONE
from opd.services import opd_data_changed

from . import rules
from .models import Period, StatusRollup

# Long after any rating: every stored rating counts, every unrated record is
# "unrated" (pending or overdue is decided when read, against the clock).
_END_OF_TIME = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


FIELDS = ("total", "exempt", "on_time", "late", "unrated")


def aggregate(period: Period, opd_ids: set[int] | None = None) -> list[dict]:
    """Count one period from the records themselves: one query, grouped by OPD, unit and teacher."""
    from .selectors import compliance_rows  # selectors read the rollup; import late to avoid a cycle

    rows = compliance_rows(period=period, as_of=_END_OF_TIME, scope=EVERYONE)
    if opd_ids is not None:
        rows = rows.filter(month_opd_id__in=opd_ids)
    # Teachers by the jabatan of that month: their group reads its own deadline (teacher_deadline).
    grouped = rows.order_by().values("month_opd_id", "month_unit_id", "month_is_guru")
    return [
        {
            "opd_id": row["month_opd_id"],
            "unit_id": row["month_unit_id"],
            "is_guru": row["month_is_guru"],
            **{field: row[field] for field in FIELDS},
        }
        for row in grouped.annotate(
            total=Count("pk"),
            exempt=Count("pk", filter=Q(status=rules.EXEMPT)),
            on_time=Count("pk", filter=Q(status=rules.ON_TIME)),
            late=Count("pk", filter=Q(status=rules.LATE)),
            unrated=Count("pk", filter=Q(status=rules.OVERDUE)),
        )
    ]


@transaction.atomic
def refresh_rollup(*, periods: Iterable[Period] | None = None, opd_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollup rows of `periods` (default: all), for `opd_ids` (default: all).

    A teachers' cycle period (a quarter…) stands for the months it covers,
    whose teachers take its ratings. Returns how many rows were written.
    """
    periods = list(Period.objects.all() if periods is None else periods)
    periods = list({m.pk: m for p in periods for m in p.months()}.values())
    opd_ids = None if opd_ids is None else {pk for pk in opd_ids if pk is not None}
    written = 0
    for period in periods:
        stale = StatusRollup.objects.filter(period=period)
        if opd_ids is not None:
            stale = stale.filter(opd_id__in=opd_ids)
        stale.delete()
        objs = [StatusRollup(period=period, **row) for row in aggregate(period, opd_ids)]
        StatusRollup.objects.bulk_create(objs)
        written += len(objs)
    opd_data_changed(opd_ids=opd_ids)
    return written


def rollup_rows(
    periods: list[Period], opd_ids: set[int] | None = None, by: tuple[str, ...] = ("opd_id", "unit_id", "is_guru")
) -> dict[str, list[dict]]:
    """Rollup counts per period key ("2025-03"), summed in SQL over the fields `by`.

    Stored rows are read in one query; a period with none stored (new, or
    never refreshed) is counted from its records instead, so a page is never
    wrong, only slower.
    """
    saved = {p.pk: p for p in periods if p.pk}
    stored = StatusRollup.objects.filter(period_id__in=saved)
    if opd_ids is not None:
        stored = stored.filter(opd_id__in=opd_ids)
    sums = {field: Sum(field) for field in FIELDS}
    result: dict[str, list[dict]] = {p.key: [] for p in periods}
    for row in stored.order_by().values("period_id", *by).annotate(**sums):
        result[saved[row.pop("period_id")].key].append(row)
    for period in periods:
        if not result[period.key]:
            result[period.key] = _regroup(aggregate(period, opd_ids), by)
    return result


def _regroup(rows: list[dict], by: tuple[str, ...]) -> list[dict]:
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[field] for field in by)
        target = grouped.setdefault(key, {**dict(zip(by, key, strict=True)), **dict.fromkeys(FIELDS, 0)})
        for field in FIELDS:
            target[field] += row[field]
    return list(grouped.values())


def periods_touching(start: dt.date, end: dt.date | None) -> list[Period]:
    """Stored periods whose month overlaps [start, end] (end None: open-ended)."""
    periods = Period.objects.filter(end_date__gte=start)
    if end is not None:
        periods = periods.filter(start_date__lte=end)
    return list(periods)


def teacher_deadline(period: Period) -> dt.datetime:
    """The deadline of the period's teachers: their cycle period's, or the month's under a monthly cycle."""
    cycle = period.teacher_period()
    return cycle.deadline if cycle is not None else period.deadline


def counts_from_rollup(
    rollups: Iterable[dict], *, now: dt.datetime, deadline: dt.datetime, teachers_deadline: dt.datetime | None = None
) -> dict[str, int]:
    """Five statuses from rollup rows: unrated is pending until the deadline, then overdue.

    Rows of teachers (`is_guru`) read `teachers_deadline` when given (their cycle
    period's); rows must then be grouped by `is_guru`.
    """
    counts = dict.fromkeys(rules.STATUSES, 0)
    unrated_status = rules.status_of(rated_at=None, deadline=deadline, as_of=now, exempt=False)
    teachers_status = rules.status_of(rated_at=None, deadline=teachers_deadline or deadline, as_of=now, exempt=False)
    for row in rollups:
        counts[rules.EXEMPT] += row["exempt"]
        counts[rules.ON_TIME] += row["on_time"]
        counts[rules.LATE] += row["late"]
        counts[teachers_status if row.get("is_guru") else unrated_status] += row["unrated"]
    return counts


def refresh_for_asn(asn_ids: Iterable[int], *, periods: Iterable[Period] | None = None, extra_opd_ids=()) -> None:
    """After a change to some ASN (a record, an exemption, a transfer): refresh the OPD
    they belong to now, the OPD their records of those periods name, and `extra_opd_ids`
    (where they were before the change)."""
    from opd.models import Asn

    from .models import MonthlyRecord

    asn_ids = set(asn_ids)
    periods = list(Period.objects.all() if periods is None else periods)
    if not periods:
        return
    opd_ids = set(extra_opd_ids)
    opd_ids |= set(Asn.objects.filter(pk__in=asn_ids).values_list("opd_id", flat=True))
    opd_ids |= set(
        MonthlyRecord.objects.filter(asn_id__in=asn_ids, period__in=periods).values_list("opd_id", flat=True)
    )
    refresh_rollup(periods=periods, opd_ids=opd_ids)
