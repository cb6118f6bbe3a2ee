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


def build(s):
    year, month, override = s["period"]
    period = PeriodFactory(
        year=year, month=month, deadline_override=override, override_reason="Uji" if override else ""
    )
    asn = AsnFactory()
    record = None
    if s["stage"] is not None:
        rated = s["stage"] == rules.RATED
        record = RecordFactory(
            asn=asn,
            period=period,
            stage=s["stage"],
            submitted_at=s["submitted_at"],
            rated_at=s["rated_at"],
            rating_hasil=s["pair"][0] if rated else None,
            rating_perilaku=s["pair"][1] if rated else None,
            predikat_bkn=s["predikat_bkn"] if rated else "",
        )
        record.refresh_from_db()  # the generated predikat column
    if s["exemption"]:
        ExemptionFactory(asn=asn, start=s["exemption"][0], end=s["exemption"][1])
    anchor = {"deadline": period.deadline, "rating": s["rated_at"], "filing": s["submitted_at"]}[s["as_of"]]
    as_of = (anchor or period.deadline) + dt.timedelta(seconds=s["as_of_offset"])
    return period, asn, record, as_of


FIELDS = ("status", "stage", "must_act", "rated_at", "predikat")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenarios())
def test_python_and_sql_agree_on_every_field_a_row_shows(db, s):
    with transaction.atomic():
        period, asn, record, as_of = build(s)
        period = Period.objects.get(pk=period.pk)
        exempt = any(
            rules.exemption_overlaps(e.start, e.end, period.start_date, period.end_date)
            for e in Exemption.objects.filter(asn=asn)
        )
        python = rules.as_it_stood(record=record, deadline=period.deadline, as_of=as_of, exempt=exempt)

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
