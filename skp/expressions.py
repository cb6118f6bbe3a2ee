"""The SQL twins of skp/rules.py: each rule written once as a query expression.

Every reader that needs a rule in SQL (the lists and counts of
skp/selectors.py, hence the rollup, the reminders and the recaps; the outbox;
the exemption QuerySet; the generated predikat column) takes it from here, so
a list of thousands of rows costs a constant number of queries.
tests/skp/test_expressions.py holds each twin to its Python rule on every
field a row shows.

The functions take the names of the fields or annotations they read, so the
same rule serves a record joined under another name (the lists join a month's
record as `rec`) and a subquery (`OuterRef`).
"""

import datetime as dt

from django.db import models
from django.db.models import Case, Exists, F, Q, Value, When
from django.db.models.functions import Coalesce, NullIf

from . import rules


def predikat_case(hasil: str, perilaku: str) -> Case:
    """The PermenPANRB 6/2022 matrix over two rating columns (rules.predikat_for)."""
    return Case(
        *(
            When(Q(**{hasil: h, perilaku: p}), then=Value(predikat))
            for (h, p), predikat in rules.PREDIKAT_MATRIX.items()
        ),
        default=Value(""),
        output_field=models.CharField(max_length=20),
    )


def exemption_overlaps(month_start, month_end) -> Q:
    """An exemption touches any day of the month (rules.exemption_overlaps).

    On the Exemption model; the bounds are dates or OuterRef()s.
    """
    return Q(start__lte=month_end) & (Q(end__isnull=True) | Q(end__gte=month_start))


def exempt_in(asn, month_start, month_end) -> Exists:
    """Whether the ASN `asn` (an OuterRef) has an exemption touching the month."""
    from .models import Exemption  # the models import this module for the generated predikat

    return Exists(Exemption.objects.filter(exemption_overlaps(month_start, month_end), asn_id=asn))


def rated_by(rated_at: str, as_of) -> Q:
    """Rated at or before `as_of` (a rating after the moment asked about does not count yet)."""
    return Q(**{f"{rated_at}__lte": as_of})


def status(*, exempt: str, rated_at: str, deadline: dt.datetime, as_of: dt.datetime) -> Case:
    """The five statuses (rules.status_of) from an exemption flag and a rating time."""
    rated = rated_by(rated_at, as_of)
    return Case(
        When(**{exempt: True}, then=Value(rules.EXEMPT)),
        When(rated & Q(**{f"{rated_at}__lte": deadline}), then=Value(rules.ON_TIME)),
        When(rated, then=Value(rules.LATE)),
        # Unrated: the same for every row of one deadline, so decided here once.
        default=Value(rules.status_of(rated_at=None, deadline=deadline, as_of=as_of, exempt=False)),
        output_field=models.CharField(),
    )


def stage(*, stage: str, submitted_at: str, rated_at: str, as_of: dt.datetime) -> Case:
    """The stage as it stood at `as_of` (rules.stage_at)."""
    submitted_by = Q(**{f"{submitted_at}__isnull": True}) | Q(**{f"{submitted_at}__lte": as_of})
    return Case(
        When(rated_by(rated_at, as_of), then=Value(rules.RATED)),
        When(Q(**{stage: rules.SUBMITTED}) & submitted_by, then=Value(rules.SUBMITTED)),
        When(Q(**{stage: rules.RATED, f"{submitted_at}__lte": as_of}), then=Value(rules.SUBMITTED)),
        default=Value(rules.NOT_STARTED),
        output_field=models.CharField(),
    )


def must_act(*, status: str, stage: str) -> Case:
    """Who must act on an overdue record (rules.must_act), read from the status and stage annotations."""
    return Case(
        When(Q(**{status: rules.OVERDUE, stage: rules.SUBMITTED}), then=Value(rules.MUST_ACT_ATASAN)),
        When(**{status: rules.OVERDUE}, then=Value(rules.MUST_ACT_ASN)),
        default=None,
        output_field=models.CharField(),
    )


def predikat(*, rated_at: str, predikat_bkn: str, predikat_computed: str, as_of: dt.datetime) -> Case:
    """The predikat shown (rules.predikat_shown), and none before the rating."""
    return Case(
        When(
            rated_by(rated_at, as_of),
            then=Coalesce(NullIf(F(predikat_bkn), Value("")), NullIf(F(predikat_computed), Value(""))),
        ),
        default=None,
        output_field=models.CharField(),
    )


def ruling(field: str, *, teacher: Q | None, month: str = "rec", cycle: str = "cyc"):
    """The field of the record that rules a row (rules.ruling_record's SQL twin, in skp/selectors.py):
    a teacher's cycle period record (joined as `cycle`) when `teacher` holds, else the month's (`month`).

    `teacher` None: the year's teachers' cycle is monthly and every row reads its month.
    """
    if teacher is None:
        return F(f"{month}__{field}")
    return Case(When(teacher, then=F(f"{cycle}__{field}")), default=F(f"{month}__{field}"))


def status_by_cycle(
    *,
    teacher: Q | None,
    exempt: str,
    deadline: dt.datetime,
    cycle_deadline: dt.datetime | None,
    as_of: dt.datetime,
    month: str = "rec",
    cycle: str = "cyc",
) -> Case:
    """The status of a row whose deadline is per row: a teacher's by their cycle period's record and deadline
    (DESIGN.md "Teachers report through Ruang GTK"), everyone else's by the month's."""
    by_month = status(exempt=exempt, rated_at=f"{month}__rated_at", deadline=deadline, as_of=as_of)
    if teacher is None:
        return by_month
    by_cycle = status(exempt=exempt, rated_at=f"{cycle}__rated_at", deadline=cycle_deadline, as_of=as_of)
    return Case(When(teacher, then=by_cycle), default=by_month)


def status_order(status: str, order: dict[str, int]) -> Case:
    """A sort key for a status annotation (overdue first on the dashboards)."""
    return Case(*(When(**{status: s}, then=Value(n)) for s, n in order.items()), default=Value(len(order)))
