"""Reads: the compliance list of a period, its summary, an ASN's history.

Status is computed, not stored (a changed deadline or exemption is right at
once), and computed in SQL so a list of thousands of ASN costs a constant
number of queries.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    When,
    Window,
)

from opd.access import Scope
from opd.models import Asn

from . import expressions, rules
from .models import AnnualSkp, Exemption, MonthlyRecord, Period


def period_for(year: int, month: int) -> Period:
    """The stored period, or an unsaved one built from the rules (reading never writes)."""
    return Period.objects.filter(year=year, month=month).first() or Period.build(year, month)


@dataclass(frozen=True)
class RowFilters:
    opd_id: int | None = None
    unit_id: int | None = None
    status: str | None = None
    is_guru: bool | None = None
    kind: str | None = None
    text: str = ""


STATUS_ORDER = {rules.OVERDUE: 0, rules.LATE: 1, rules.PENDING: 2, rules.ON_TIME: 3, rules.EXEMPT: 4}


def compliance_rows(
    *,
    period: Period,
    as_of: dt.datetime,
    scope: Scope,
    filters: RowFilters = RowFilters(),
    names: bool = True,
    detail: bool = True,
) -> QuerySet:
    """Every ASN of the scope expected to file for `period`, with their status at `as_of`.

    The population is every active ASN whose service has started by that
    month (no plan of the year starting after it) and who is not known only
    as someone's appraiser, plus anyone with a record that month. OPD and unit are the ones of that month
    (a transfer does not move history). Each row carries: status, stage_then,
    rated_at_then, predikat_then, must_act (stage, predikat and must_act are
    left out with detail=False, to count, filter or sort), month_opd_id/unit_id/atasan_id and, with
    `names`, month_opd_kode/opd_nama/unit_nama/atasan_nama (four more joins).
    Lists pick their page with a light query and load its rows with
    `listed_rows`.
    """
    as_of = rules.aware(as_of)
    deadline = period.deadline
    # An unsaved period has no records; pk 0 is never used, so nothing joins.
    rec = FilteredRelation("records", condition=Q(records__period_id=period.pk or 0))
    has_rec = Q(rec__id__isnull=False)

    # DESIGN.md "Population": an ASN files from the month of the earliest periode_awal
    # among the year's plans; with no known plan, every month.
    not_yet_serving = Exists(
        AnnualSkp.objects.filter(asn_id=OuterRef("pk"), year=period.year, periode_awal__gt=period.end_date)
    )
    rows = (
        Asn.objects.annotate(rec=rec)
        .filter(has_rec | (Q(is_active=True, known_only_as_appraiser=False) & ~not_yet_serving))
        .annotate(
            record_id=F("rec__id"),
            record_opd_id=F("rec__opd_id"),
            month_opd_id=Case(When(has_rec, then=F("rec__opd_id")), default=F("opd_id")),
            month_unit_id=Case(When(has_rec, then=F("rec__unit_id")), default=F("unit_id")),
            month_atasan_id=Case(When(has_rec, then=F("rec__atasan_id")), default=F("atasan_id")),
            rated_at_then=Case(
                When(expressions.rated_by("rec__rated_at", as_of), then=F("rec__rated_at")),
                default=None,
                output_field=DateTimeField(),
            ),
            is_exempt=expressions.exempt_in(OuterRef("pk"), period.start_date, period.end_date),
        )
        .annotate(
            status=expressions.status(exempt="is_exempt", rated_at="rec__rated_at", deadline=deadline, as_of=as_of)
        )
        .annotate(status_order=expressions.status_order("status", STATUS_ORDER))
    )
    if detail:
        rows = rows.annotate(
            stage_then=expressions.stage(
                stage="rec__stage", submitted_at="rec__submitted_at", rated_at="rec__rated_at", as_of=as_of
            ),
            predikat_then=expressions.predikat(
                rated_at="rec__rated_at",
                predikat_bkn="rec__predikat_bkn",
                predikat_computed="rec__predikat_computed",
                as_of=as_of,
            ),
        ).annotate(must_act=expressions.must_act(status="status", stage="stage_then"))
    if not (scope.all_opd or filters.opd_id in scope.opd_ids):
        # Only when the scope is narrower than what the filters ask: a redundant
        # OR here ruins PostgreSQL's row estimates (and its join plan).
        rows = rows.filter(scope.rows_q())
    if names:
        rows = with_names(rows)
    return _apply_filters(rows, filters)


def with_names(rows: QuerySet, *which: str) -> QuerySet:
    """Add the names of that month's OPD, unit and appraiser (all, or those in `which`)."""
    has_rec = Q(rec__id__isnull=False)
    names = {
        "opd": {
            "month_opd_kode": Case(When(has_rec, then=F("rec__opd__kode")), default=F("opd__kode")),
            "month_opd_nama": Case(When(has_rec, then=F("rec__opd__nama")), default=F("opd__nama")),
        },
        "unit": {"month_unit_nama": Case(When(has_rec, then=F("rec__unit__nama")), default=F("unit__nama"))},
        "atasan": {
            "month_atasan_nama": Case(When(has_rec, then=F("rec__atasan__nama")), default=F("atasan__nama")),
            "month_atasan_nip": Case(When(has_rec, then=F("rec__atasan__nip")), default=F("atasan__nip")),
        },
    }
    for key in which or names:
        rows = rows.annotate(**names[key])
    return rows


def _apply_filters(rows: QuerySet, filters: RowFilters) -> QuerySet:
    if filters.opd_id is not None:
        # Spelled out rather than on the month_opd_id CASE, so the planner can estimate it.
        # (Through annotations, which reuse the month's join; a filter on rec__ would join again.)
        rows = rows.filter(Q(record_opd_id=filters.opd_id) | Q(record_id__isnull=True, opd_id=filters.opd_id))
    if filters.unit_id is not None:
        rows = rows.filter(month_unit_id=filters.unit_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.is_guru is not None:
        rows = rows.filter(is_guru=filters.is_guru)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.text:
        text = filters.text.strip()
        rows = rows.filter(Q(nip__startswith=text) | Q(nama__icontains=text))
    return rows


@dataclass(frozen=True)
class ListedRow:
    """One ASN in one month as a list shows it, worked out in Python for the rows on screen."""

    asn: Asn
    record: MonthlyRecord | None
    status: str
    stage: str
    must_act: str | None
    rated_at: dt.datetime | None
    predikat: str | None
    unit: object | None
    atasan: Asn | None

    @property
    def pk(self):
        return self.asn.pk

    @property
    def unit_nama(self):
        return self.unit.nama if self.unit else None

    @property
    def atasan_nama(self):
        return self.atasan.nama if self.atasan else None


def listed_rows(pks: list[int], *, period: Period, as_of: dt.datetime) -> list[ListedRow]:
    """The full rows of a page's ASN, in three small queries, by the Python twin of the SQL rules.

    tests/skp/test_status.py holds the two twins to the same answers.
    """
    as_of = rules.aware(as_of)
    asns = Asn.objects.filter(pk__in=pks).select_related("unit", "atasan")
    records = {}
    if period.pk:
        records = {
            r.asn_id: r
            for r in MonthlyRecord.objects.filter(period=period, asn_id__in=pks).select_related("unit", "atasan")
        }
    exempt = set(Exemption.objects.overlapping(period).filter(asn_id__in=pks).values_list("asn_id", flat=True))
    rows = []
    for asn in asns:
        record = records.get(asn.pk)
        rows.append(
            ListedRow(
                asn=asn,
                record=record,
                unit=record.unit if record else asn.unit,
                atasan=record.atasan if record else asn.atasan,
                **rules.as_it_stood(record=record, deadline=period.deadline, as_of=as_of, exempt=asn.pk in exempt),
            )
        )
    return rows


class CountedPaginator(Paginator):
    """A paginator told its count (the page query counted already), so it never counts again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def page_of(rows: QuerySet, number, size: int = 50, *, load=None) -> Page:
    """One page of rows and the total of all of them.

    Two light queries rather than one heavy one: the first picks the page's
    ASN and counts every row (a window count) with only what filtering and
    sorting need; `load(pks)` then reads the full rows of those few alone
    (default: `rows` itself, filtered to them).
    """
    number = int(number) if str(number).isdigit() and int(number) > 0 else 1
    counted = rows.annotate(full_count=Window(Count("pk"))).values_list("pk", "full_count")
    picked = list(counted[(number - 1) * size : number * size])
    if picked:
        count = picked[0][1]
    else:
        count = rows.count()
        if count and number > 1:  # past the end: show the last page
            number = math.ceil(count / size)
            picked = list(counted[(number - 1) * size : number * size])
    pks = [pk for pk, _ in picked]
    loaded = {row.pk: row for row in (load(pks) if load else rows.filter(pk__in=pks))} if pks else {}
    return Page([loaded[pk] for pk in pks], number, CountedPaginator(rows, size, count=count))


def compliance_summary(rows: QuerySet) -> dict[str, int]:
    """Counts by status, all five listed (zeros included), in one query."""
    counts = dict.fromkeys(rules.STATUSES, 0)
    for item in rows.order_by().values("status").annotate(n=Count("pk")):
        counts[item["status"]] = item["n"]
    return counts


def asn_history(*, asn: Asn, periods: list[Period], as_of: dt.datetime) -> list[dict]:
    """One row per period (newest first) for one ASN, stored record or not: two queries."""
    records = {
        r.period_id: r
        for r in MonthlyRecord.objects.filter(asn=asn, period__in=[p for p in periods if p.pk]).select_related(
            "opd", "unit", "atasan"
        )
    }
    exemptions = list(Exemption.objects.filter(asn=asn))
    history = []
    for period in periods:
        record = records.get(period.pk) if period.pk else None
        exemption = next(
            (e for e in exemptions if rules.exemption_overlaps(e.start, e.end, period.start_date, period.end_date)),
            None,
        )
        history.append(
            {
                "period": period,
                "record": record,
                "exemption": exemption,
                **rules.as_it_stood(record=record, deadline=period.deadline, as_of=as_of, exempt=exemption is not None),
            }
        )
    return history


def recent_periods(*, year: int, month: int, count: int = 12) -> list[Period]:
    """`count` periods ending at (year, month), newest first; unsaved ones where none is stored."""
    keys = rules.months_back(year, month, count)
    stored = {(p.year, p.month): p for p in Period.objects.filter(year__gte=keys[-1][0], year__lte=keys[0][0])}
    return [stored.get(key) or Period.build(*key) for key in keys]


def last_synced_at(*, opd_id: int | None = None) -> dt.datetime | None:
    """When the data shown was last refreshed from BKN (latest record sync)."""
    records = MonthlyRecord.objects.all()
    if opd_id is not None:
        records = records.filter(opd_id=opd_id)
    return records.order_by().aggregate(latest=Max("last_synced_at"))["latest"]


def _iso_wib(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(rules.WIB).isoformat() if moment else None


def compliance_report(*, period: Period, as_of: dt.datetime, scope: Scope, opd_id: int | None = None) -> dict:
    """The `compliance` contract: period, deadline, as_of, summary and one row per ASN."""
    rows = compliance_rows(period=period, as_of=as_of, scope=scope, filters=RowFilters(opd_id=opd_id))
    # values() rather than model instances: a regency has thousands of rows.
    fields = {
        "nip": "nip",
        "nama": "nama",
        "opd": "month_opd_kode",
        "opd_nama": "month_opd_nama",
        "unor": "month_unit_nama",
        "is_guru": "is_guru",
        "stage": "stage_then",
        "status": "status",
        "rated_at": "rated_at_then",
        "predikat": "predikat_then",
        "must_act": "must_act",
        "atasan_nip": "month_atasan_nip",
    }
    ordered = rows.order_by("month_opd_kode", "month_unit_nama", "nama", "nip")
    # The deadline that applies to each row: the month's for now (a teachers' cycle may differ later).
    deadline = _iso_wib(period.deadline)
    items = []
    for values in ordered.values(*fields.values()):
        item = {key: values[column] for key, column in fields.items()}
        item["rated_at"] = _iso_wib(item["rated_at"])
        item["deadline"] = deadline
        items.append(item)
    summary = dict.fromkeys(rules.STATUSES, 0)
    for item in items:
        summary[item["status"]] += 1
    return {
        "period": period.key,
        "deadline": _iso_wib(period.deadline),
        "as_of": _iso_wib(rules.aware(as_of)),
        "summary": summary,
        "rows": items,
    }
