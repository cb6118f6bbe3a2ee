"""Each rule's SQL twin (skp/expressions.py) against its Python rule (skp/rules.py), on every field a row shows.

Hypothesis draws a month (December included), a deadline (the circular's or
an override), a record (none, not started, submitted with or without a time,
rated before or after the deadline with any of the nine rating pairs and
BKN's predikat agreeing or not), an exemption (none, or one that ends or
starts near the month's edges) and a moment to ask about (either side of the
deadline, of the rating and of the filing). Three readers must agree on the
status, stage, must_act, rating time and predikat: the SQL list
(compliance_rows, as `compliance` and the counts read it), the rows a
dashboard lists (listed_rows, in Python) and the model's own methods.
"""

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opd.access import Scope
from skp import rules
from skp.models import Exemption, MonthlyRecord, Period
from skp.selectors import compliance_rows, listed_rows
from tests.factories import AsnFactory, ExemptionFactory, PeriodFactory, RecordFactory

EVERYONE = Scope(role="admin_bkpsdm", all_opd=True)
WIB = rules.WIB
PAIRS = sorted(rules.PREDIKAT_MATRIX)

# Offsets in seconds around a reference moment: exact edges and a spread.
EDGES = st.one_of(
    st.sampled_from([-86400 * 20, -3600, -1, 0, 1, 3600, 86400 * 20]), st.integers(-86400 * 40, 86400 * 40)
)


@st.composite
def scenarios(draw):
    year, month = draw(st.integers(2024, 2026)), draw(st.integers(1, 12))
    deadline = rules.default_deadline(year, month)
    override = None
    if draw(st.booleans()):
        override = deadline + dt.timedelta(days=draw(st.integers(-10, 20)))
        deadline = override
    stage = draw(st.sampled_from([None, rules.NOT_STARTED, rules.SUBMITTED, rules.RATED]))
    rated_at = submitted_at = None
    if stage == rules.RATED:
        rated_at = deadline + dt.timedelta(seconds=draw(EDGES))
    if stage in (rules.SUBMITTED, rules.RATED) and draw(st.booleans()):
        submitted_at = (rated_at or deadline) - dt.timedelta(seconds=abs(draw(EDGES)))
    start, end = rules.period_bounds(year, month)
    exemption = None
    if draw(st.booleans()):
        begin = start + dt.timedelta(days=draw(st.integers(-60, 40)))
        finish = draw(st.one_of(st.none(), st.integers(0, 90).map(lambda n: begin + dt.timedelta(days=n))))
        exemption = (begin, finish)
    pair = draw(st.sampled_from(PAIRS))
    return {
        "period": (year, month, override),
        "stage": stage,
        "rated_at": rated_at,
        "submitted_at": submitted_at,
        "pair": pair,
        "predikat_bkn": draw(st.sampled_from(["", rules.predikat_for(*pair), rules.SANGAT_KURANG])),
        "exemption": exemption,
        "as_of": draw(st.sampled_from(["deadline", "rating", "filing"])),
        "as_of_offset": draw(EDGES),
    }


def record_at(asn, period, stage, pair, rated_at, **fields):
    """A record at `stage`, with the rating pair only when rated, read back (the generated predikat column)."""
    rated = stage == rules.RATED
    record = RecordFactory(
        asn=asn,
        period=period,
        stage=stage,
        rated_at=rated_at,
        rating_hasil=pair[0] if rated else None,
        rating_perilaku=pair[1] if rated else None,
        **fields,
    )
    record.refresh_from_db()
    return record


def build(s):
    year, month, override = s["period"]
    period = PeriodFactory(
        year=year, month=month, deadline_override=override, override_reason="Uji" if override else ""
    )
    asn = AsnFactory()
    record = None
    if s["stage"] is not None:
        predikat_bkn = s["predikat_bkn"] if s["stage"] == rules.RATED else ""
        record = record_at(
            asn, period, s["stage"], s["pair"], s["rated_at"], submitted_at=s["submitted_at"], predikat_bkn=predikat_bkn
        )
    if s["exemption"]:
        ExemptionFactory(asn=asn, start=s["exemption"][0], end=s["exemption"][1])
    anchor = {"deadline": period.deadline, "rating": s["rated_at"], "filing": s["submitted_at"]}[s["as_of"]]
    as_of = (anchor or period.deadline) + dt.timedelta(seconds=s["as_of_offset"])
    return period, asn, record, as_of


FIELDS = ("status", "stage", "must_act", "rated_at", "predikat")


def twins_agree(s, *, period, asn, record, deadline, as_of) -> tuple[dict, bool]:
    """The Python twin's row (and whether an exemption overlaps), once the SQL row and the listed row
    were found to say the same on every field."""
    exempt = any(
        rules.exemption_overlaps(e.start, e.end, period.start_date, period.end_date)
        for e in Exemption.objects.filter(asn=asn)
    )
    python = rules.as_it_stood(record=record, deadline=deadline, as_of=as_of, exempt=exempt)
    sql_row = compliance_rows(period=period, as_of=as_of, scope=EVERYONE).get(pk=asn.pk)
    sql = {
        "status": sql_row.status,
        "stage": sql_row.stage_then,
        "must_act": sql_row.must_act,
        "rated_at": sql_row.rated_at_then,
        "predikat": sql_row.predikat_then,
    }
    assert sql == python, s
    (listed,) = listed_rows([asn.pk], period=period, as_of=as_of)
    assert {field: getattr(listed, field) for field in FIELDS} == python, s
    return python, exempt


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenarios())
def test_python_and_sql_agree_on_every_field_a_row_shows(db, s):
    with transaction.atomic():
        period, asn, record, as_of = build(s)
        period = Period.objects.get(pk=period.pk)
        python, exempt = twins_agree(s, period=period, asn=asn, record=record, deadline=period.deadline, as_of=as_of)

        # Exemptions by the QuerySet (SQL) and by the record's own method.
        assert Exemption.objects.overlapping(period).filter(asn=asn).exists() == exempt
        if record is not None:
            record = MonthlyRecord.objects.select_related("period").get(pk=record.pk)
            assert record.status(as_of) == python["status"]
            assert record.stage_at(as_of) == python["stage"]
            assert (record.predikat if python["stage"] == rules.RATED else None) == python["predikat"]
        transaction.set_rollback(True)


@given(hasil=st.sampled_from([1, 2, 3]), perilaku=st.sampled_from([1, 2, 3]))
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_generated_predikat_column_is_the_matrix(db, hasil, perilaku):
    with transaction.atomic():
        record = RecordFactory(
            stage=rules.RATED,
            rated_at=dt.datetime(2025, 4, 1, tzinfo=WIB),
            rating_hasil=hasil,
            rating_perilaku=perilaku,
        )
        record.refresh_from_db()
        assert record.predikat_computed == rules.predikat_for(hasil, perilaku)
        transaction.set_rollback(True)


@st.composite
def teacher_scenarios(draw):
    """A month as above, for a teacher (or an ex-teacher by the month's record) in a year with a drawn cycle,
    with a rating of the cycle period (none, submitted, or rated either side of its deadline)."""
    s = draw(scenarios())
    s["cycle"] = draw(st.sampled_from(rules.CYCLES))
    s["record_is_guru"] = draw(st.sampled_from([None, True, False]))
    year, month, _override = s["period"]
    end = rules.cycle_end_month(s["cycle"], month)
    cycle_deadline = rules.default_deadline(year, end)
    s["cycle_stage"] = draw(st.sampled_from([None, rules.SUBMITTED, rules.RATED]))
    s["cycle_rated_at"] = (
        cycle_deadline + dt.timedelta(seconds=draw(EDGES)) if s["cycle_stage"] == rules.RATED else None
    )
    s["cycle_pair"] = draw(st.sampled_from(PAIRS))
    s["cycle_as_of"] = draw(st.booleans())  # ask about the cycle's deadline rather than the month's
    return s


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=teacher_scenarios())
def test_a_teachers_month_follows_its_cycle_period_in_sql_and_python(db, s):
    from skp.models import TeacherCycle
    from skp.selectors import asn_history

    with transaction.atomic():
        TeacherCycle.objects.create(year=s["period"][0], cycle=s["cycle"])
        period, asn, record, as_of = build(s)
        asn.jabatan = "Guru Kelas Ahli Pertama"
        asn.save()
        asn.refresh_from_db()
        if record is not None:
            MonthlyRecord.objects.filter(pk=record.pk).update(is_guru=s["record_is_guru"])
            record.refresh_from_db()
        period = Period.objects.get(pk=period.pk)
        ruled_by_cycle = s["cycle"] != rules.BULANAN and (record is None or record.is_guru is not False)
        deadline, ruling = period.deadline, record
        if ruled_by_cycle:
            year, month, _override = s["period"]
            cycle = PeriodFactory(kind=s["cycle"], year=year, month=rules.cycle_end_month(s["cycle"], month))
            deadline, ruling = cycle.deadline, None
            if s["cycle_stage"] is not None:
                ruling = record_at(asn, cycle, s["cycle_stage"], s["cycle_pair"], s["cycle_rated_at"])
            if s["cycle_as_of"]:
                as_of = deadline + dt.timedelta(seconds=s["as_of_offset"])
        python, _exempt = twins_agree(s, period=period, asn=asn, record=ruling, deadline=deadline, as_of=as_of)
        (history,) = asn_history(asn=asn, periods=[period], as_of=as_of)
        assert {field: history[field] for field in FIELDS} == python, s
        assert history["deadline"] == deadline
        transaction.set_rollback(True)
