"""send_reminders through a month, against a real SMTP server on loopback: exactly the messages the
schedule describes, each once, and nothing on a second run at the same moment."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders.models import Message, Occasion, ReminderRule
from reminders.outbox import send_waiting
from reminders.schedule import Occasion as DueOccasion
from reminders.schedule import due_occasions
from reminders.services import prepare_occasion, send_reminders
from skp.rollup import refresh_rollup
from tests.factories import AsnFactory, ExemptionFactory, RecordFactory
from tests.world import at, build_world, rate


@pytest.fixture
def world(db):
    return build_world()


def run(as_of):
    # The outbox sends at the real moment (its quotas and deadlines are real time): live at as_of.
    with time_machine.travel(as_of, tick=False):
        return send_reminders(as_of=as_of)


def addresses(sink):
    return sorted(m["To"] for m in sink.received)


def test_a_month_of_reminders_sends_each_message_once(world, smtp):
    w = world
    # The 10th: a reminder to each ASN not yet rated, a digest to their appraiser. Not to Budi, who has
    # filed: the rating is his appraiser's to give, and the digest tells them.
    run(at(10))
    assert addresses(smtp) == sorted([w.lazy.email, w.atasan.email])
    digest = smtp.to(w.atasan.email)[0]
    text = digest.get_payload(0).get_payload(decode=True).decode()
    assert "Ani Belum Mengisi" in text and "Eka Tanpa Email" in text and "Fajar Berhenti Langganan" in text
    # Budi has filed: he waits for the appraiser's rating, listed apart from those who have not filed.
    waiting, not_filed = (
        text.index("Menunggu penilaian Anda di e-Kinerja (1, sudah mengisi):"),
        text.index("Belum mengisi (3): ingatkan mereka untuk mengisi."),
    )
    assert waiting < text.index("Budi Sudah Mengisi") < not_filed < text.index("Ani Belum Mengisi")
    assert "Citra Sudah Dinilai" not in text and "Dedi Cuti Besar" not in text
    reminder = smtp.to(w.lazy.email)[0]
    assert reminder["Subject"] == "SKP Anda untuk Oktober 2026 belum dinilai: batas 15 November 2026"
    body = reminder.get_payload(0).get_payload(decode=True).decode()
    assert "15 November 2026 pukul 23.59 WIB" in body
    assert "/aktivasi/" in body  # no login yet: the link activates one
    assert "/berhenti/" in reminder["List-Unsubscribe"]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The same moment again: nothing new.
    run(at(10))
    assert len(smtp.received) == 2

    # Budi is rated on the 12th: the 14th reminds Ani only.
    rate(w.filed_record, at(12, 10))
    smtp.received.clear()
    run(at(14))
    assert addresses(smtp) == sorted([w.lazy.email, w.atasan.email])
    assert "Budi" not in smtp.to(w.atasan.email)[0].get_payload(0).get_payload(decode=True).decode()
    run(at(14, 8))
    assert len(smtp.received) == 2

    # The 16th: the Kepala OPD and the operator get the overdue digest; no ASN is reminded.
    smtp.received.clear()
    run(at(16))
    assert addresses(smtp) == sorted([w.head.email, w.operator_asn.email])
    digest = smtp.to(w.head.email)[0]
    assert digest["Subject"] == "Dinas Kesehatan: 3 ASN lewat batas untuk Oktober 2026"
    text = digest.get_payload(0).get_payload(decode=True).decode()
    assert "Puskesmas Selat" in text and "ASN yang harus mengisi:" in text and "Ani Belum Mengisi" in text
    run(at(16, 9))
    assert len(smtp.received) == 2

    # The 20th: the monthly summary to the leadership.
    smtp.received.clear()
    run(at(20))
    assert addresses(smtp) == ["bupati@kapuaskab.go.id"]
    assert "Dinas Kesehatan" in smtp.received[0].get_payload(0).get_payload(decode=True).decode()

    # The 23rd, a Monday: the weekly digest to the heads and the escalation to BKPSDM.
    smtp.received.clear()
    run(at(23))
    assert addresses(smtp) == sorted([w.head.email, w.operator_asn.email, w.admin_asn.email])
    assert smtp.to(w.admin_asn.email)[0]["Subject"] == "Eskalasi: 1 OPD masih tertinggal untuk Oktober 2026"
    run(at(23, 12))
    assert len(smtp.received) == 3
    assert Message.objects.exclude(status=Message.Status.SENT).count() == 0


def test_a_missed_run_catches_up_with_the_latest_occasion_only(world, smtp):
    run(at(15, 8))  # nobody ran on the 10th: the 14th's reminders go out, not the 10th's as well
    assert sorted(Occasion.objects.filter(key__startswith="2026-10").values_list("key", flat=True)) == [
        "2026-10/asn_reminder/2026-11-14",
        "2026-10/atasan_digest/2026-11-14",
    ]
    assert len(smtp.to(world.lazy.email)) == 1


def test_an_exemption_or_a_rating_after_queueing_cancels_the_reminder(world, smtp):
    rules_ = list(ReminderRule.objects.all())
    reminders = next(o for o in due_occasions(as_of=at(10), deadlines={}, rules_=rules_) if o.kind == "asn_reminder")
    gita = RecordFactory(asn=AsnFactory(opd=world.opd, unit=world.unit, atasan=world.atasan), period=world.period)
    refresh_rollup()
    assert len(prepare_occasion(reminders, as_of=at(10))) == 2  # Ani and Gita, queued
    rate(gita, at(10, 8))
    ExemptionFactory(asn=world.lazy, start=dt.date(2026, 10, 20))

    result = send_waiting(now=at(10, 9))
    assert result.cancelled == 2 and result.sent == 0
    assert smtp.received == []


def test_dry_run_prints_who_would_get_what_and_changes_nothing(world, capsys):
    call_command("send_reminders", "--as-of", "2026-11-10T07:00", "--dry-run")
    out = capsys.readouterr().out
    assert "2026-10/asn_reminder/2026-11-10: 1 message(s)" in out
    assert world.lazy.email in out and world.atasan.email in out
    assert not Message.objects.exists() and not Occasion.objects.exists()


def test_a_bad_as_of_exits_2():
    with pytest.raises(CommandError) as stopped:
        call_command("send_reminders", "--as-of", "kemarin")
    assert stopped.value.returncode == 2


@pytest.mark.parametrize("kind", ["asn_reminder", "atasan_digest", "opd_digest", "escalation", "summary"])
def test_preparing_an_occasion_costs_the_same_queries_for_few_or_many_asn(world, kind):
    as_of = at(10) if kind in ("asn_reminder", "atasan_digest") else at(23)
    occasion = DueOccasion("2026-10", kind, as_of.date(), as_of, as_of)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            messages = prepare_occasion(occasion, as_of=as_of, dry_run=True)
        return len(captured), len(messages)

    few, few_messages = queries()
    for _ in range(30):
        RecordFactory(asn=AsnFactory(opd=world.opd, unit=world.unit, atasan=world.atasan), period=world.period)
    refresh_rollup()
    many, many_messages = queries()
    assert few == many
    # Thirty more ASN not rated: thirty more reminders; the digests stay one per head or appraiser.
    assert many_messages == few_messages + (30 if kind == "asn_reminder" else 0)
    assert few_messages > 0
