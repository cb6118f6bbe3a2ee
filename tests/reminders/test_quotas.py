"""Sending within the mail server's quotas (real SMTP server on loopback, time moved by time-machine):
at most the hour's quota per run, the rest over the next hours most urgent first, none twice, none lost,
the admin panel saying when; a reminder that cannot go before its deadline is dropped, not sent late."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from reminders import outbox
from reminders.models import Kind, Message
from reminders.quotas import Pacer
from skp import rules
from skp.rollup import refresh_rollup
from tests.factories import (
    AsnFactory,
    OpdFactory,
    PeriodFactory,
    RecordFactory,
    UnitFactory,
    bkpsdm_staff,
    outbox_message,
)
from tests.world import at

Status = Message.Status
HOUR = dt.timedelta(hours=1)
FEW = dt.timedelta(minutes=5)


@pytest.fixture
def regency(db, settings):
    """250 ASN of October 2026 not yet rated (10 appraisers with 24 staff each), chased in November."""
    settings.EMAIL_MAX_PER_MINUTE, settings.EMAIL_MAX_PER_HOUR, settings.EMAIL_MAX_PER_DAY = 0, 100, 0
    october = PeriodFactory(year=2026, month=10)
    september = PeriodFactory(year=2026, month=9)
    opd = OpdFactory(kode="DISDIK", nama="Dinas Pendidikan")
    unit = UnitFactory(opd=opd, nama="SDN 1 Selat")
    appraisers = [AsnFactory(opd=opd, unit=unit, nama=f"Kepala Sekolah {i}") for i in range(10)]
    staff = [AsnFactory(opd=opd, unit=unit, atasan=appraisers[i % 10], nama=f"Guru {i:03d}") for i in range(240)]
    for asn in appraisers + staff:  # September is done, so only October is chased
        RecordFactory(asn=asn, period=september, rated=True, rated_at=dt.datetime(2026, 10, 3, tzinfo=rules.WIB))
    refresh_rollup()
    return october, appraisers, staff


def run_reminders(as_of):
    with time_machine.travel(as_of, tick=False):
        call_command("send_reminders", "--as-of", as_of.isoformat())


def send_at(moment):
    with time_machine.travel(moment, tick=False):
        return outbox.send_waiting()


def kinds_in_order(sink):
    return [m["X-Kinerja-Message"].split("/")[1] for m in sink.received]


def test_one_run_sends_the_hours_quota_and_the_rest_follow_hour_by_hour_most_urgent_first(regency, smtp, capsys):
    _october, appraisers, staff = regency
    run_reminders(at(10))
    assert len(smtp.received) == 100
    assert "email: 160 held by the quotas for the next window" in capsys.readouterr().out
    # The ten appraisers' digests went first, then reminders in the order they were queued.
    assert kinds_in_order(smtp)[:10] == ["atasan_digest"] * 10
    assert Counter(kinds_in_order(smtp)) == {"atasan_digest": 10, "asn_reminder": 90}

    # Within the same hour nothing more goes, however often the outbox runs.
    assert send_at(at(10, 7) + dt.timedelta(minutes=59)).sent == 0
    # (A few minutes past the hour: sending itself takes a moment, and the window rolls from each send.)
    assert send_at(at(10, 8) + FEW).sent == 100
    assert send_at(at(10, 9) + 2 * FEW).sent == 60
    assert send_at(at(10, 10) + 3 * FEW).sent == 0

    # None twice, none lost: every ASN once, every appraiser once more for the digest.
    to = Counter(m["To"] for m in smtp.received)
    assert len(smtp.received) == 260
    assert {a.email for a in staff} | {a.email for a in appraisers} == set(to)
    assert all(to[a.email] == 2 for a in appraisers) and all(to[s.email] == 1 for s in staff)
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    # Sent in the order the outbox promised: by priority, then first queued first.
    sent = Message.objects.order_by("sent_at", "pk").values_list("priority", "pk")
    assert list(sent) == sorted(sent)


def test_the_admin_panel_says_what_waits_and_when_it_will_go(regency, smtp, client):
    run_reminders(at(10))
    admin = bkpsdm_staff(nama="Admin BKPSDM")
    client.force_login(admin)
    with time_machine.travel(at(10, 7) + dt.timedelta(minutes=5), tick=False):
        page = client.get(reverse("admin:reminders_message_changelist"), {"status__exact": "queued"})
    assert page.status_code == 200
    text = page.content.decode()
    # The summary line: 160 wait; 100 go at 08:00, the last 60 at 09:00 (rolling hour after 07:00's sends).
    assert "Email: 160 pesan menunggu; yang terakhir sekitar 10 November 2026, 09.00 WIB (kuota: 100 per jam)." in text
    assert "column-estimate" in text and ">Terkirim sekitar<" in text  # the column that says it
    # Each row says when it goes: of the 100 newest shown, the last 60 queued go at 09:00, 40 at 08:00.
    assert text.count("10 November 2026, 08.00 WIB") == 40
    assert text.count("10 November 2026, 09.00 WIB") == 60 + 1  # and the summary's
    first_waiting = Message.objects.filter(status=Status.QUEUED).order_by("priority", "pk").first()
    assert first_waiting.kind == Kind.ASN_REMINDER


def test_a_reminder_that_cannot_go_before_the_deadline_is_dropped_not_sent_late(regency, smtp, capsys):
    october, _appraisers, _staff = regency
    # Nobody ran the outbox until 22:00 on the deadline's day: 100 now, 100 at 23:00, 60 would be after 23:59:59.
    late_evening = dt.datetime(2026, 11, 15, 22, 0, tzinfo=rules.WIB)
    run_reminders(late_evening)
    assert len(smtp.received) == 100
    assert "60 dropped (could not go before their deadline within the quotas)" in capsys.readouterr().out
    dropped = Message.objects.filter(status=Status.CANCELLED)
    assert dropped.count() == 60 and set(dropped.values_list("kind", flat=True)) == {Kind.ASN_REMINDER}
    assert all(m.last_error.startswith("too late") for m in dropped)
    assert send_at(late_evening + HOUR + FEW).sent == 100
    # After the deadline nothing of it goes, whatever the quotas allow.
    assert send_at(october.deadline + dt.timedelta(minutes=5)).sent == 0
    assert len(smtp.received) == 200
    assert not Message.objects.filter(status__in=[Status.QUEUED, Status.RETRY]).exists()
    assert Message.objects.filter(sent_at__gt=october.deadline).count() == 0


def test_a_reminder_still_waiting_when_the_deadline_passes_is_dropped(db, smtp, settings):
    settings.EMAIL_MAX_PER_MINUTE = 1
    asn = AsnFactory()
    deadline = dt.datetime(2026, 11, 15, 23, 59, 59, tzinfo=rules.WIB)
    for n in range(2):
        outbox_message(f"late/{n}", asn=asn, kind=Kind.ASN_REMINDER, send_before=deadline)
    assert send_at(deadline - dt.timedelta(seconds=30)).sent == 1  # the other would go at 00:00:29: dropped
    assert Message.objects.get(status=Status.CANCELLED).last_error.startswith("too late")


def test_a_mail_server_that_rate_limits_is_backed_off_and_gets_everything_later(db, smtp, settings):
    settings.EMAIL_MAX_PER_MINUTE = 0  # our own quota too high for this server: its 421 holds the rest
    smtp.per_minute = 5
    asn = AsnFactory()
    for n in range(12):
        outbox_message(f"burst/{n}", asn=asn, subject=f"Pesan {n}")
    start = at(18, 10)
    first = send_at(start)
    assert (first.sent, first.failed, first.retrying, first.throttled) == (5, 0, 0, ["email"])
    assert smtp.throttled == 1  # stopped at the first refusal rather than trying the other six
    held = Message.objects.get(status=Status.RETRY)
    assert held.attempts == 0 and "slow down" in held.last_error
    assert send_at(start + dt.timedelta(seconds=30)).sent == 0  # the server's minute has not passed
    assert send_at(start + dt.timedelta(seconds=61)).sent == 5
    assert send_at(start + dt.timedelta(seconds=122)).sent == 2
    assert sorted(m["Subject"] for m in smtp.received) == sorted(f"Pesan {n}" for n in range(12))
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_the_pacer_spreads_messages_over_every_window():
    now = dt.datetime(2026, 11, 10, 7, 0, tzinfo=rules.WIB)
    minute = dt.timedelta(minutes=1)
    three_went_at_half_past_six = [now - 30 * minute] * 3
    pacer = Pacer({minute: 2, HOUR: 5}, three_went_at_half_past_six, now)
    assert pacer.available() == 2
    slots = []
    for _ in range(5):
        slots.append(pacer.next_slot())
        pacer.take(slots[-1])
    # Two now (the hour then holds five); two more when 06:30's three leave the hour; the fifth a minute later.
    assert slots == [now, now, now + 30 * minute, now + 30 * minute, now + 31 * minute]
    assert pacer.next_slot() == pacer.next_slot()  # asking does not take a place
