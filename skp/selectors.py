"""Reads: the compliance list of a period, its summary, an ASN's history.

Status is computed, not stored (a changed deadline or exemption is right at
once), and computed in SQL so a list of thousands of ASN costs a constant
number of queries.
"""

import datetime as dt
import functools
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
from django.db.models.functions import Coalesce

from opd.access import EVERYONE, Scope
from opd.models import Asn

from . import expressions, rules
from .models import AnnualSkp, Exemption, MonthlyRecord, Period, TeacherCycle


def period_for(year: int, month: int) -> Period:
    """The stored period, or an unsaved one built from the rules (reading never writes)."""
    return Period.objects.filter(year=year, month=month).first() or Period.build(year, month)


@dataclass(frozen=True)
class RowFilters:
    opd_id: int | None = None
    unit_id: int | None = None
    status: str | None = None
    statuses: tuple[str, ...] = ()  # any of these (the dashboards' "must act": overdue or pending)
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
    `names`, month_opd_kode/opd_nama/unit_nama/atasan_nama (four more joins),
    and month_is_guru (a teacher that month). A teacher's row in a year whose
    teachers' cycle is not monthly reads its cycle period's record, appraiser
    and deadline (the deadline per row: `period.teacher_period().deadline`).
    Lists pick their page with a light query and load its rows with
    `listed_rows`.
    """
    as_of = rules.aware(as_of)
    deadline = period.deadline
    # An unsaved period has no records; pk 0 is never used, so nothing joins.
    rec = FilteredRelation("records", condition=Q(records__period_id=period.pk or 0))
    has_rec = Q(rec__id__isnull=False)
    # DESIGN.md "Teachers report through Ruang GTK": in a year whose cycle is not
    # monthly, a teacher's month (by that month's jabatan) takes the record and
    # deadline of the cycle period containing it, joined as `cyc`.
    cycle = period.teacher_period()

    # DESIGN.md "Population": an ASN files from the month of the earliest periode_awal
    # among the year's plans; with no known plan, every month.
    not_yet_serving = Exists(
        AnnualSkp.objects.filter(asn_id=OuterRef("pk"), year=period.year, periode_awal__gt=period.end_date)
    )
    rows = Asn.objects.annotate(rec=rec)
    if cycle is not None:
        rows = rows.annotate(cyc=FilteredRelation("records", condition=Q(records__period_id=cycle.pk or 0)))
    rows = rows.filter(has_rec | (Q(is_active=True, known_only_as_appraiser=False) & ~not_yet_serving)).annotate(
        month_is_guru=Coalesce(F("rec__is_guru"), F("is_guru"))
    )
    teacher = Q(month_is_guru=True) if cycle is not None else None

    def ruling(field: str):
        return expressions.ruling(field, teacher=teacher)

    atasan = [When(teacher & Q(cyc__atasan_id__isnull=False), then=F("cyc__atasan_id"))] if cycle else []
    rows = rows.alias(
        rule_rated_at=ruling("rated_at"),
        rule_stage=ruling("stage"),
        rule_submitted_at=ruling("submitted_at"),
        rule_predikat_bkn=ruling("predikat_bkn"),
        rule_predikat_computed=ruling("predikat_computed"),
    ).annotate(
        record_id=F("rec__id"),
        record_opd_id=F("rec__opd_id"),
        month_opd_id=Case(When(has_rec, then=F("rec__opd_id")), default=F("opd_id")),
        month_unit_id=Case(When(has_rec, then=F("rec__unit_id")), default=F("unit_id")),
        month_atasan_id=Case(*atasan, When(has_rec, then=F("rec__atasan_id")), default=F("atasan_id")),
        rated_at_then=Case(
            When(expressions.rated_by("rule_rated_at", as_of), then=F("rule_rated_at")),
            default=None,
            output_field=DateTimeField(),
        ),
        is_exempt=expressions.exempt_in(OuterRef("pk"), period.start_date, period.end_date),
    )
    month_status = expressions.status_by_cycle(
        teacher=teacher,
        exempt="is_exempt",
        deadline=deadline,
        cycle_deadline=cycle.deadline if cycle is not None else None,
        as_of=as_of,
    )
    rows = rows.annotate(status=month_status).annotate(status_order=expressions.status_order("status", STATUS_ORDER))
    if detail:
        rows = rows.annotate(
            stage_then=expressions.stage(
                stage="rule_stage", submitted_at="rule_submitted_at", rated_at="rule_rated_at", as_of=as_of
            ),
            predikat_then=expressions.predikat(
                rated_at="rule_rated_at",
                predikat_bkn="rule_predikat_bkn",
                predikat_computed="rule_predikat_computed",
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
    # The cycle's appraiser rules a teacher's row when the cycle period names one (as month_atasan_id).
    cycle = (
        [
            When(Q(month_is_guru=True, cyc__atasan_id__isnull=False), then=F(f"cyc__atasan__{f}"))
            for f in ("nama", "nip")
        ]
        if "cyc" in rows.query._filtered_relations
        else [None, None]
    )
    names = {
        "opd": {
            "month_opd_kode": Case(When(has_rec, then=F("rec__opd__kode")), default=F("opd__kode")),
            "month_opd_nama": Case(When(has_rec, then=F("rec__opd__nama")), default=F("opd__nama")),
        },
        "unit": {"month_unit_nama": Case(When(has_rec, then=F("rec__unit__nama")), default=F("unit__nama"))},
        "atasan": {
            "month_atasan_nama": Case(
                *cycle[:1] if cycle[0] else (), When(has_rec, then=F("rec__atasan__nama")), default=F("atasan__nama")
            ),
            "month_atasan_nip": Case(
                *cycle[1:] if cycle[1] else (), When(has_rec, then=F("rec__atasan__nip")), default=F("atasan__nip")
            ),
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
    if filters.statuses:
        rows = rows.filter(status__in=filters.statuses)
    if filters.is_guru is not None:
        rows = rows.filter(month_is_guru=filters.is_guru)
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
    cycle = period.teacher_period()
    records, cycle_records = {}, {}
    if period.pk:
        records = {
            r.asn_id: r
            for r in MonthlyRecord.objects.filter(period=period, asn_id__in=pks).select_related("unit", "atasan")
        }
    if cycle is not None and cycle.pk:
        cycle_records = {
            r.asn_id: r for r in MonthlyRecord.objects.filter(period=cycle, asn_id__in=pks).select_related("atasan")
        }
    exempt = set(Exemption.objects.overlapping(period).filter(asn_id__in=pks).values_list("asn_id", flat=True))
    rows = []
    for asn in asns:
        record = records.get(asn.pk)
        rule = ruling_record(asn, record, period, cycle, cycle_records.get(asn.pk))
        rows.append(
            ListedRow(
                asn=asn,
                record=record,
                unit=record.unit if record else asn.unit,
                atasan=rule["atasan"],
                **rules.as_it_stood(
                    record=rule["record"], deadline=rule["deadline"], as_of=as_of, exempt=asn.pk in exempt
                ),
            )
        )
    return rows


def month_is_guru(asn: Asn, record: MonthlyRecord | None) -> bool:
    """A teacher that month: the record's jabatan when it is known, else the ASN's (SQL: month_is_guru)."""
    return asn.is_guru if record is None or record.is_guru is None else record.is_guru


def ruling_record(asn, record, period: Period, cycle: Period | None, cycle_record) -> dict:
    """Which record and deadline decide one ASN's month, and its appraiser (the Python twin of compliance_rows).

    A teacher's month in a year whose cycle is not monthly takes the cycle
    period's record and deadline (DESIGN.md "Teachers report through Ruang GTK").
    """
    month_atasan = record.atasan if record else asn.atasan
    if cycle is not None and month_is_guru(asn, record):
        atasan = cycle_record.atasan if cycle_record and cycle_record.atasan_id else month_atasan
        return {"record": cycle_record, "deadline": cycle.deadline, "atasan": atasan, "cycle": cycle}
    return {"record": record, "deadline": period.deadline, "atasan": month_atasan, "cycle": None}


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
    """One row per period (newest first) for one ASN, stored record or not.

    Two queries, and two more when a year's teachers' cycle is not monthly
    (its periods and their records). A teacher's month shows its cycle
    period's rule (row key "cycle", None for a month of its own).
    """
    cycles = {p.pk or p.key: p.teacher_period() for p in periods}
    wanted = [p for p in periods if p.pk] + [c for c in cycles.values() if c is not None and c.pk]
    records = {
        r.period_id: r
        for r in MonthlyRecord.objects.filter(asn=asn, period__in=wanted).select_related("opd", "unit", "atasan")
    }
    exemptions = list(Exemption.objects.filter(asn=asn))
    history = []
    for period in periods:
        record = records.get(period.pk) if period.pk else None
        cycle = cycles[period.pk or period.key]
        rule = ruling_record(asn, record, period, cycle, records.get(cycle.pk) if cycle and cycle.pk else None)
        exemption = next(
            (e for e in exemptions if rules.exemption_overlaps(e.start, e.end, period.start_date, period.end_date)),
            None,
        )
        history.append(
            {
                "period": period,
                "record": record,
                "exemption": exemption,
                "cycle": rule["cycle"],
                "ruling": rule["record"],
                # A monthly rating while the teachers' cycle is not monthly: flagged, never a failure.
                "hand_entry": rule["cycle"] is not None and record is not None and record.stage == rules.RATED,
                "deadline": rule["deadline"],
                "atasan": rule["atasan"],
                "is_guru": month_is_guru(asn, record),
                **rules.as_it_stood(
                    record=rule["record"], deadline=rule["deadline"], as_of=as_of, exempt=exemption is not None
                ),
            }
        )
    return history


def chased_month(*, asn: Asn, item: dict, as_of: dt.datetime) -> dict:
    """What the ASN's page opens with: one month of `asn_history` (the one being chased) and what is left to do.

    `days_left` counts calendar days in WIB to the deadline that applies (a
    teacher's cycle period's), negative once it has passed (`days_late`); `appraiser` is
    that month's, else the ASN's current one (DESIGN.md "Real BKN data": the
    next month's chase uses it before any row names one). A teacher's month
    brings BKPSDM's Ruang GTK help page of that year, in one query.
    """
    help_url = ""
    if item["is_guru"]:
        year = (item["cycle"] or item["period"]).year
        help_url = TeacherCycle.help_url_of(year)
    days_left = (item["deadline"].astimezone(rules.WIB).date() - as_of.astimezone(rules.WIB).date()).days
    return {
        **item,
        "days_left": days_left,
        "days_late": max(-days_left, 0),
        "appraiser": item["atasan"] or asn.atasan,
        "help_url": help_url,
    }


def unrated_by_stage(*, period: Period, as_of: dt.datetime, opd_id: int) -> dict[str, int]:
    """An OPD's unrated rows by status and stage, in one query: who must act, as the dashboard's first line says.

    {"overdue", "overdue_not_filed", "overdue_waiting", "overdue_appraisers",
    "pending", "pending_not_filed", "pending_waiting"}: not filed means the
    ASN must act, waiting (filed) their appraiser of that month
    (`overdue_appraisers`: how many distinct appraisers; rows whose appraiser
    is not known are counted as waiting but name none).
    """
    rows = compliance_rows(
        period=period,
        as_of=as_of,
        scope=EVERYONE,
        filters=RowFilters(opd_id=opd_id, statuses=rules.UNRATED),
        names=False,
    )
    # Overdue: who must act by the rule (rules.must_act); before the deadline, the same by the stage.
    atasan_acts = Q(must_act=rules.MUST_ACT_ATASAN)
    pending = Q(status=rules.PENDING)
    counts = rows.order_by().aggregate(
        overdue=Count("pk", filter=Q(status=rules.OVERDUE)),
        overdue_waiting=Count("pk", filter=atasan_acts),
        overdue_appraisers=Count("month_atasan_id", filter=atasan_acts, distinct=True),
        pending=Count("pk", filter=pending),
        pending_waiting=Count("pk", filter=pending & Q(stage_then=rules.SUBMITTED)),
    )
    counts["overdue_not_filed"] = counts["overdue"] - counts["overdue_waiting"]
    counts["pending_not_filed"] = counts["pending"] - counts["pending_waiting"]
    return counts


def heads_waiting(*, period: Period, as_of: dt.datetime, opd_id: int, limit: int = 10) -> list[dict]:
    """The appraisers (at Disdik: the school heads) with the most teachers waiting for their rating, in one query.

    A teacher waits when their filing (that month's, or their cycle period's
    on the Ruang GTK cycle) is in e-Kinerja unrated: stage `submitted`.
    """
    rows = with_names(
        compliance_rows(
            period=period,
            as_of=as_of,
            scope=EVERYONE,
            filters=RowFilters(opd_id=opd_id, is_guru=True),
            names=False,
        ),
        "atasan",
    ).filter(stage_then=rules.SUBMITTED, month_atasan_id__isnull=False)
    return list(
        rows.order_by()
        .values("month_atasan_id", "month_atasan_nama", "month_atasan_nip")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=Q(status=rules.OVERDUE)))
        .order_by("-waiting", "-overdue", "month_atasan_nama")[:limit]
    )


def teacher_hand_entries() -> QuerySet:
    """Monthly ratings of teachers (that month's jabatan) in a year whose teachers' cycle is not monthly.

    The circular advises teachers against filling e-Kinerja by hand: Ruang
    GTK rates them per cycle period. Such a rating is flagged for BKPSDM and
    never counted as a failure (the month follows the cycle period's record).
    No BKN field is known to mark the source, so this is the sign.
    """
    cycle_years = TeacherCycle.objects.exclude(cycle=rules.BULANAN).values("year")
    return (
        MonthlyRecord.objects.alias(teacher=Coalesce(F("is_guru"), F("asn__is_guru")))
        .filter(period__kind=rules.BULANAN, period__year__in=cycle_years, stage=rules.RATED, teacher=True)
        .order_by()
    )


def recent_periods(*, year: int, month: int, count: int = 12) -> list[Period]:
    """`count` periods ending at (year, month), newest first; unsaved ones where none is stored."""
    keys = rules.months_back(year, month, count)
    stored = {(p.year, p.month): p for p in Period.objects.filter(year__gte=keys[-1][0], year__lte=keys[0][0])}
    periods = [stored.get(key) or Period.build(*key) for key in keys]
    # The years' teachers' cycles read once for the lot when first asked (a dashboard's trend asks each period),
    # and kept no longer than these instances.
    years = {year for year, _month in keys}
    year_cycles = functools.cache(lambda: TeacherCycle.cycles_of(years))
    for period in periods:
        period.year_cycles = year_cycles
    return periods


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
        "is_guru": "month_is_guru",
        "stage": "stage_then",
        "status": "status",
        "rated_at": "rated_at_then",
        "predikat": "predikat_then",
        "must_act": "must_act",
        "atasan_nip": "month_atasan_nip",
    }
    ordered = rows.order_by("month_opd_kode", "month_unit_nama", "nama", "nip")
    # The deadline that applies to each row: the month's, or a teacher's cycle period's.
    deadline = _iso_wib(period.deadline)
    cycle = period.teacher_period()
    cycle_deadline = _iso_wib(cycle.deadline) if cycle is not None else deadline
    items = []
    for values in ordered.values(*fields.values()):
        item = {key: values[column] for key, column in fields.items()}
        item["rated_at"] = _iso_wib(item["rated_at"])
        item["deadline"] = cycle_deadline if item["is_guru"] else deadline
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
