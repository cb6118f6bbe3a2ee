"""WhatsApp through an HTTP gateway: off unless configured, against a fake gateway on loopback."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from reminders.channels import enabled_channels
from reminders.channels.whatsapp import normalise_phone
from reminders.models import Message
from reminders.outbox import send_waiting
from reminders.services import nudge
from tests.factories import AsnFactory, PeriodFactory, RecordFactory, outbox_message

Status = Message.Status


@pytest.fixture
def overdue(db):
    period = PeriodFactory(year=2026, month=10)
    asn = AsnFactory(nama="Ani", phone="0812-3456-7890")
    RecordFactory(asn=asn, period=period)
    return asn, period


def test_whatsapp_is_off_unless_its_gateway_is_configured(settings):
    settings.WHATSAPP_GATEWAY_URL = ""
    assert enabled_channels() == ["email"]


@pytest.mark.parametrize(
    "raw, number",
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("021-555", ""),
        ("", ""),
    ],
)
def test_phone_numbers_get_the_country_code_gateways_expect(raw, number):
    assert normalise_phone(raw) == number


def test_a_nudge_goes_out_by_email_and_whatsapp(overdue, whatsapp, smtp, django_capture_on_commit_callbacks):
    asn, period = overdue
    with django_capture_on_commit_callbacks(execute=True):
        nudge(asn_ids=[asn.pk], period=period, by=None)
    assert len(smtp.received) == 1
    (sent,) = whatsapp.received
    assert sent["target"] == "6281234567890" and sent["token"] == "token-uji"
    assert "Oktober 2026" in sent["message"] and "Ani" in sent["message"]
    assert set(Message.objects.values_list("channel", "status")) == {("email", Status.SENT), ("whatsapp", Status.SENT)}


def test_a_gateway_error_is_retried_and_a_refused_number_is_not(overdue, whatsapp, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    asn, period = overdue
    whatsapp.answer = (503, b"busy")
    nudge(asn_ids=[asn.pk], period=period, by=None)
    send_waiting()
    message = Message.objects.get(channel="whatsapp")
    assert message.status == Status.RETRY and message.last_error == "HTTP 503"

    Message.objects.filter(pk=message.pk).update(status=Status.QUEUED, next_attempt_at=message.created_at)
    whatsapp.answer = (200, b'{"status": false, "reason": "target invalid"}')
    send_waiting()
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == "target invalid"


def test_the_gateways_rate_limit_holds_whatsapp_back_without_costing_attempts_and_email_still_goes(
    db, whatsapp, smtp, settings
):
    settings.WHATSAPP_MAX_PER_MINUTE = 2
    people = [AsnFactory(phone=f"0812-0000-00{n:02d}") for n in range(4)]
    for n, asn in enumerate(people):
        for channel, address in (("whatsapp", normalise_phone(asn.phone)), ("email", asn.email)):
            outbox_message(f"wa/{n}/{channel}", asn=asn, channel=channel, address=address)
    first = send_waiting()
    # Our own quota: two a minute on WhatsApp; email has room for all four.
    assert len(whatsapp.received) == 2 and len(smtp.received) == 4 and first.held == {"whatsapp": 2}
    whatsapp.answer = (429, b"too many")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        later = send_waiting()
    assert later.throttled == ["whatsapp"] and later.failed == 0
    held = Message.objects.filter(channel="whatsapp", status=Status.RETRY)
    assert held.count() == 1 and held.get().attempts == 0  # stopped at the first 429, no attempt lost
    assert Message.objects.filter(channel="whatsapp", status=Status.QUEUED).count() == 1
