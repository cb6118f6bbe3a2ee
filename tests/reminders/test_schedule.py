"""The schedule's edges: when each occasion becomes due, and when a later one takes its place."""

import datetime as dt
from importlib import import_module

import pytest

from reminders.models import ReminderRule
from reminders.schedule import due_occasions
from skp.rules import WIB

# The schedule a new installation gets, as its migration installs it.
DEFAULTS = [
    ReminderRule(kind=kind, timing=timing, day=day)
    for kind, timing, day in import_module("reminders.migrations.0002_default_schedule").RULES
]


def due(*args, deadlines=None, rules_=DEFAULTS):
    return sorted(
        o.key for o in due_occasions(as_of=dt.datetime(*args, tzinfo=WIB), deadlines=deadlines or {}, rules_=rules_)
    )


@pytest.mark.parametrize(
    ("moment", "keys"),
    [
        # 9 November 2026 is a Monday: September's weekly digest (until 15 November) is what is due.
        ((2026, 11, 9, 23, 59, 59), ["2026-09/opd_digest/2026-11-09"]),
        (
            (2026, 11, 10, 0, 0),
            ["2026-09/opd_digest/2026-11-09", "2026-10/asn_reminder/2026-11-10", "2026-10/atasan_digest/2026-11-10"],
        ),
        (
            (2026, 11, 23, 7, 0),
            ["2026-10/escalation/2026-11-22", "2026-10/opd_digest/2026-11-23", "2026-10/summary/2026-11-20"],
        ),
    ],
    ids=[
        "nothing of the chased period before the 10th",
        "on the 10th the ASN and their appraisers are reminded",
        "on the 23rd, a Monday, the weekly digest replaces the 16th and missed ones catch up",
    ],
)
def test_all_that_is_due_at_a_moment(moment, keys):
    assert due(*moment) == keys


def test_the_14th_takes_the_place_of_the_10th():
    assert "2026-10/asn_reminder/2026-11-10" in due(2026, 11, 13, 23, 59)
    keys = due(2026, 11, 14, 7, 0)
    assert "2026-10/asn_reminder/2026-11-14" in keys and "2026-10/asn_reminder/2026-11-10" not in keys


def test_reminders_before_the_deadline_end_with_it():
    assert "2026-10/asn_reminder/2026-11-14" in due(2026, 11, 15, 23, 59, 59)
    keys = due(2026, 11, 16, 0, 0)
    assert not [k for k in keys if "asn_reminder" in k or "atasan_digest" in k]
    assert "2026-10/opd_digest/2026-11-16" in keys


def test_previous_period_digests_stop_at_the_next_deadline():
    assert "2026-09/opd_digest/2026-11-09" in due(2026, 11, 15, 23, 59, 59)
    assert not [k for k in due(2026, 11, 16, 0, 0) if k.startswith("2026-09")]


def test_escalation_is_due_seven_days_after_the_deadline_to_the_second():
    assert "2026-10/escalation/2026-11-22" not in due(2026, 11, 22, 23, 59, 58)
    assert "2026-10/escalation/2026-11-22" in due(2026, 11, 22, 23, 59, 59)


def test_mondays_continue_until_the_next_month_s_deadline():
    assert "2026-10/opd_digest/2026-12-14" in due(2026, 12, 14, 8, 0)


def test_december_is_chased_in_january():
    keys = due(2027, 1, 10, 7, 0)
    assert "2026-12/asn_reminder/2027-01-10" in keys


def test_a_later_deadline_moves_the_end_of_reminders_and_an_earlier_one_drops_the_14th():
    later = {(2026, 10): dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=WIB)}
    assert "2026-10/asn_reminder/2026-11-14" in due(2026, 11, 20, 8, 0, deadlines=later)
    earlier = {(2026, 10): dt.datetime(2026, 11, 12, 23, 59, 59, tzinfo=WIB)}
    assert not [k for k in due(2026, 11, 14, 8, 0, deadlines=earlier) if "asn_reminder" in k]


def test_a_switched_off_rule_is_never_due():
    rules_ = [r for r in DEFAULTS if r.kind != "summary"] + [
        ReminderRule(kind="summary", timing="day_of_month", day=20, is_active=False)
    ]
    assert not [k for k in due(2026, 11, 20, 8, 0, rules_=rules_) if "summary" in k]


def test_a_missed_occasion_catches_up_for_a_week_and_no_longer():
    assert "2026-10/summary/2026-11-20" in due(2026, 11, 26, 23, 59)
    assert "2026-10/summary/2026-11-20" not in due(2026, 11, 27, 0, 0)


def test_the_default_schedule_is_installed_and_run_daily_by_beat(db):
    from django_celery_beat.models import PeriodicTask

    from kapuas_kinerja.celery import app
    from reminders import tasks  # noqa: F401  (a worker's autodiscovery imports it)

    stored = sorted(ReminderRule.objects.values_list("kind", "timing", "day"))
    assert stored == sorted((r.kind, r.timing, r.day) for r in DEFAULTS)
    beat = {
        t.task: (t.crontab.minute, t.crontab.hour, str(t.crontab.timezone))
        for t in PeriodicTask.objects.filter(task__startswith="reminders.")
    }
    assert beat == {
        "reminders.tasks.send_reminders": ("0", "7", "Asia/Jakarta"),
        # Every minute: each run sends at most a minute's quota.
        "reminders.tasks.send_outbox": ("*", "*", "Asia/Jakarta"),
    }
    assert set(beat) <= set(app.tasks)
