"""The outbox never sends a message twice and never drops one silently (real SMTP server on loopback)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders import outbox
from reminders.models import Message
from reminders.outbox import send_waiting
from tests.factories import AsnFactory, outbox_message

from .conftest import free_port

Status = Message.Status


def queue(asn, n=1, **fields):
    made = []
    for i in range(n):
        made.append(
            outbox_message(f"test/{asn.pk}/{i}", asn=asn, subject=f"Pesan {i}", body_text="Isi pesan", **fields)
        )
    return made


@pytest.fixture
def asn(db):
    return AsnFactory()


def test_a_task_run_twice_sends_each_message_once(asn, smtp):
    queue(asn, 3)
    first, second = send_waiting(), send_waiting()
    assert (first.sent, second.sent) == (3, 0)
    assert len(smtp.received) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_two_workers_at_once_send_each_message_once(asn, smtp):
    queue(asn, 4)
    now = timezone.now()
    # Both workers read the same waiting rows before either claims one.
    seen_by_a, seen_by_b = outbox.waiting(now), outbox.waiting(now)
    a, b = outbox.SendResult(), outbox.SendResult()
    outbox.send_batch(seen_by_a[:2] + seen_by_b[2:3], now, a)
    outbox.send_batch(seen_by_b, now, b)
    assert a.sent + b.sent == 4
    assert len(smtp.received) == 4
    assert sorted(m["Subject"] for m in smtp.received) == ["Pesan 0", "Pesan 1", "Pesan 2", "Pesan 3"]


def test_a_crash_before_the_claim_loses_nothing(asn, smtp, monkeypatch):
    queue(asn, 2)

    def crash(message, now):
        raise SystemExit("worker killed")

    monkeypatch.setattr(outbox, "claim", crash)
    with pytest.raises(SystemExit):
        send_waiting()
    monkeypatch.undo()
    assert send_waiting().sent == 2
    assert len(smtp.received) == 2


def test_a_crash_between_sending_and_confirming_leaves_the_message_uncertain_not_resent(
    asn, smtp, monkeypatch, settings
):
    (message,) = queue(asn)

    def crash(message, now=None):
        raise SystemExit("worker killed after the SMTP server took the message")

    monkeypatch.setattr(outbox, "confirm_sent", crash)
    with pytest.raises(SystemExit):
        send_waiting()
    monkeypatch.undo()
    assert len(smtp.received) == 1
    # The next run, soon after: the claim is not stale yet, and the message is not sent again.
    assert send_waiting().sent == 0
    message.refresh_from_db()
    assert message.status == Status.SENDING
    # Past the claim timeout it is marked uncertain, for BKPSDM to decide; still not resent.
    later = timezone.now() + dt.timedelta(minutes=settings.OUTBOX_CLAIM_TIMEOUT_MINUTES + 1)
    assert send_waiting(now=later).uncertain == 1
    message.refresh_from_db()
    assert message.status == Status.UNCERTAIN
    assert len(smtp.received) == 1
    # BKPSDM chooses to resend it.
    assert outbox.resend([message.pk]) == 1
    assert send_waiting().sent == 1
    assert len(smtp.received) == 2


def test_a_temporary_refusal_is_retried_with_backoff_and_then_sent(asn, smtp):
    (message,) = queue(asn)
    smtp.defer.add(asn.email)
    first = send_waiting()
    assert (first.sent, first.retrying) == (0, 1)
    message.refresh_from_db()
    assert message.status == Status.RETRY and message.last_error.startswith("451")
    wait = message.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < wait <= dt.timedelta(minutes=1)
    assert send_waiting().sent == 0  # not before its time
    smtp.defer.clear()
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1)):
        assert send_waiting().sent == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


def test_temporary_failures_give_up_after_the_last_attempt(asn, smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    (message,) = queue(asn)
    smtp.defer.add(asn.email)
    send_waiting()
    message.refresh_from_db()
    with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1)):
        assert send_waiting().failed == 1
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_a_refused_address_stops_at_once_and_others_still_go(smtp, db):
    good, bad = AsnFactory(), AsnFactory()
    queue(good)
    queue(bad)
    smtp.refuse.add(bad.email)
    result = send_waiting()
    assert (result.sent, result.failed) == (1, 1)
    refused = Message.objects.get(asn=bad)
    assert refused.status == Status.FAILED and refused.last_error.startswith("550")
    assert send_waiting().sent == 0  # never retried
    assert [m["To"] for m in smtp.received] == [good.email]


def test_a_mail_server_that_is_down_means_retry_later(asn, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    queue(asn, 2)
    result = send_waiting()
    assert (result.sent, result.retrying) == (0, 2)
    assert set(Message.objects.values_list("status", flat=True)) == {Status.RETRY}


def test_sending_costs_two_queries_per_message_and_a_fixed_few(asn, smtp):
    def cost(n):
        Message.objects.all().delete()
        queue(asn, n)
        with CaptureQueriesContext(connection) as captured:
            assert send_waiting().sent == n
        return len(captured)

    assert cost(12) - cost(3) == 2 * 9  # a claim and a confirmation each


def test_an_address_no_mail_server_should_see_fails_alone_and_the_rest_go(db, smtp):
    good = AsnFactory()
    queue(good)
    bad = {}
    for n, address in enumerate(["a@x, spy@evil.example", "script", "ani@kapuaskab.go.id\r\nBcc: spy@evil.example"]):
        bad[address] = outbox_message(f"bad/{n}", asn=good, address=address, subject="Pesan")
    result = send_waiting()
    assert (result.sent, result.failed) == (1, 3)
    assert [m["To"] for m in smtp.received] == [good.email]
    for message in bad.values():
        message.refresh_from_db()
        assert message.status == Status.FAILED and message.last_error.startswith("invalid address")
    assert not Message.objects.filter(status=Status.SENDING).exists()


def test_any_error_while_sending_one_message_fails_that_message_alone(asn, smtp, monkeypatch):
    from reminders.channels.email import EmailChannel

    queue(asn, 3)
    real = EmailChannel.send

    def breaks_on_the_second(self, message):
        if message.subject == "Pesan 1":
            raise ValueError("something no one expected")
        return real(self, message)

    monkeypatch.setattr(EmailChannel, "send", breaks_on_the_second)
    result = send_waiting()
    assert (result.sent, result.failed) == (2, 1)
    broken = Message.objects.get(subject="Pesan 1")
    assert broken.status == Status.FAILED and "something no one expected" in broken.last_error
    assert sorted(m["Subject"] for m in smtp.received) == ["Pesan 0", "Pesan 2"]
