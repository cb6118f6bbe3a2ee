"""Status at a moment, in Python (MonthlyRecord.status) and SQL (compliance_rows) alike."""

import datetime as dt

import pytest
from django.db import IntegrityError

from opd.access import Scope
from skp import rules
from skp.models import Period
from skp.selectors import compliance_rows, compliance_summary, period_for
from tests.factories import AsnFactory, ExemptionFactory, OpdFactory, PeriodFactory, RecordFactory

pytestmark = pytest.mark.django_db

WIB = rules.WIB
EVERYONE = Scope(role="admin_bkpsdm", all_opd=True)


def wib(*args):
    return dt.datetime(*args, tzinfo=WIB)


def sql_row(period, asn, as_of):
    return compliance_rows(period=period, as_of=as_of, scope=EVERYONE).get(pk=asn.pk)


def both_statuses(record, as_of):
    return record.status(as_of), sql_row(record.period, record.asn, as_of).status


@pytest.mark.parametrize(
    ("rated_at", "expected"),
    [
        (wib(2025, 4, 15, 23, 59, 59), rules.ON_TIME),
        (wib(2025, 4, 16, 0, 0, 0), rules.LATE),
        (dt.datetime(2025, 4, 15, 16, 59, 59, tzinfo=dt.UTC), rules.ON_TIME),
        (dt.datetime(2025, 4, 15, 17, 0, 0, tzinfo=dt.UTC), rules.LATE),
    ],
)
def test_rating_on_either_side_of_the_deadline(rated_at, expected):
    record = RecordFactory(rated=True, rated_at=rated_at)
    assert both_statuses(record, wib(2025, 6, 1)) == (expected, expected)


def test_unrated_record_turns_overdue_at_midnight_wib():
    record = RecordFactory()
    assert both_statuses(record, wib(2025, 4, 15, 23, 59, 59)) == (rules.PENDING, rules.PENDING)
    assert both_statuses(record, wib(2025, 4, 16, 0, 0, 0)) == (rules.OVERDUE, rules.OVERDUE)


def test_december_is_due_on_15_january():
    record = RecordFactory(period=PeriodFactory(year=2025, month=12))
    assert both_statuses(record, wib(2026, 1, 15, 23, 0)) == (rules.PENDING, rules.PENDING)
    assert both_statuses(record, wib(2026, 1, 16, 0, 0)) == (rules.OVERDUE, rules.OVERDUE)


def test_an_override_moves_the_deadline_at_once():
    period = PeriodFactory(deadline_override=wib(2025, 4, 22, 23, 59, 59), override_reason="Libur Idulfitri")
    record = RecordFactory(period=period, rated=True, rated_at=wib(2025, 4, 20, 8, 0))
    assert both_statuses(record, wib(2025, 5, 1)) == (rules.ON_TIME, rules.ON_TIME)
    Period.objects.filter(pk=period.pk).update(deadline_override=None, override_reason="")
    record.period.refresh_from_db()
    assert both_statuses(record, wib(2025, 5, 1)) == (rules.LATE, rules.LATE)


def test_an_override_needs_a_reason():
    with pytest.raises(IntegrityError):
        PeriodFactory(deadline_override=wib(2025, 4, 22, 23, 59, 59), override_reason="")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2025, 3, 31), None, rules.EXEMPT),  # starts on the month's last day
        (dt.date(2025, 1, 1), dt.date(2025, 3, 1), rules.EXEMPT),  # ends on its first day
        (dt.date(2025, 1, 1), dt.date(2025, 2, 28), rules.OVERDUE),  # ends the day before
        (dt.date(2025, 4, 1), None, rules.OVERDUE),  # starts the day after
    ],
)
def test_an_exemption_counts_when_it_touches_any_day_of_the_month(start, end, expected):
    record = RecordFactory()
    ExemptionFactory(asn=record.asn, start=start, end=end)
    assert both_statuses(record, wib(2025, 5, 1)) == (expected, expected)


def test_as_of_before_the_rating_shows_the_record_as_it_stood():
    record = RecordFactory(rated=True, rated_at=wib(2025, 4, 20, 9, 0))
    before = sql_row(record.period, record.asn, wib(2025, 4, 18))
    assert (before.status, before.stage_then, before.rated_at_then, before.predikat_then) == (
        rules.OVERDUE,
        rules.NOT_STARTED,
        None,
        None,
    )
    assert before.must_act == "asn"
    after = sql_row(record.period, record.asn, wib(2025, 4, 21))
    assert (after.status, after.stage_then, after.predikat_then) == (rules.LATE, rules.RATED, "baik")
    assert after.must_act is None


def test_a_submitted_record_waits_on_the_appraiser():
    record = RecordFactory(stage=rules.SUBMITTED)
    row = sql_row(record.period, record.asn, wib(2025, 4, 20))
    assert (row.status, row.must_act) == (rules.OVERDUE, "atasan")


def test_bkn_predikat_wins_over_the_computed_one_and_is_flagged():
    record = RecordFactory(rated=True, predikat_bkn="sangat_baik")
    record.refresh_from_db()
    assert record.predikat_computed == "baik"
    assert record.predikat == "sangat_baik"
    assert record.predikat_mismatch
    assert sql_row(record.period, record.asn, wib(2025, 6, 1)).predikat_then == "sangat_baik"


def test_population_includes_asn_without_a_stored_record():
    opd = OpdFactory(kode="DINSOS")
    AsnFactory.create_batch(3, opd=opd)
    rows = compliance_rows(period=period_for(2025, 3), as_of=wib(2025, 5, 1), scope=EVERYONE)
    assert rows.count() == 3
    assert compliance_summary(rows) == {"exempt": 0, "on_time": 0, "late": 0, "overdue": 3, "pending": 0}


def test_a_transfer_keeps_the_month_with_the_old_opd():
    old, new = OpdFactory(kode="DLH"), OpdFactory(kode="DISHUB")
    asn = AsnFactory(opd=new)
    RecordFactory(asn=asn, opd=old, unit=None)
    row = compliance_rows(period=period_for(2025, 3), as_of=wib(2025, 5, 1), scope=EVERYONE).get(pk=asn.pk)
    assert row.month_opd_kode == "DLH"


def test_inactive_asn_without_a_record_is_not_expected_to_file():
    AsnFactory(is_active=False)
    assert compliance_rows(period=period_for(2025, 3), as_of=wib(2025, 5, 1), scope=EVERYONE).count() == 0


def test_ratings_outside_bkn_codes_are_refused_by_the_database():
    with pytest.raises(IntegrityError):
        RecordFactory(rated=True, rating_hasil=4)


def test_a_rated_record_without_rating_time_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        RecordFactory(stage=rules.RATED, rating_hasil=1, rating_perilaku=1, rated_at=None)


def test_status_list_costs_the_same_queries_for_ten_or_a_hundred_asn(django_assert_max_num_queries):
    period = PeriodFactory()
    opd = OpdFactory(kode="BKAD")

    def run():
        rows = compliance_rows(period=period, as_of=wib(2025, 5, 1), scope=EVERYONE)
        compliance_summary(rows)
        return [(r.nip, r.status, r.month_opd_kode, r.month_unit_nama) for r in rows]

    RecordFactory.create_batch(10, period=period, asn__opd=opd, rated=True)
    period.teacher_period()  # the year's teachers' cycle: read once, then kept on the instance
    with django_assert_max_num_queries(2):
        assert len(run()) == 10
    RecordFactory.create_batch(90, period=period, asn__opd=opd)
    with django_assert_max_num_queries(2):
        assert len(run()) == 100
