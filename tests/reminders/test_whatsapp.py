"""WhatsApp through an HTTP gateway: off unless configured, against a fake gateway on loopback."""

import pytest

from reminders.channels import enabled_channels
from reminders.channels.whatsapp import normalise_phone
from reminders.models import Message
from reminders.outbox import send_waiting
from reminders.services import nudge
from tests.factories import AsnFactory, PeriodFactory, RecordFactory

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
