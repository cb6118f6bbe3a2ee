"""BKPSDM in the admin panel: the schedule is theirs to edit; the outbox is read-only but for resending."""

import pytest
from auditlog.models import LogEntry
from django.core import mail

from opd.models import User
from reminders.models import Message, ReminderRule
from tests.factories import bkpsdm_staff, outbox_message

Status = Message.Status


@pytest.fixture
def bkpsdm(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = bkpsdm_staff()
    client.force_login(admin)
    return client


def message(status, n=0):
    error = "claimed but never confirmed" if status == Status.UNCERTAIN else ""
    return outbox_message(f"admin/{n}", status=status, last_error=error)


def test_bkpsdm_resends_an_uncertain_message_and_the_trail_keeps_who(bkpsdm, django_capture_on_commit_callbacks):
    uncertain, sent = message(Status.UNCERTAIN, 1), message(Status.SENT, 2)
    listing = bkpsdm.get("/admin/reminders/message/?status__exact=uncertain")
    assert uncertain.address in listing.text and sent.address not in listing.text
    assert "Kirim ulang" in listing.text
    with django_capture_on_commit_callbacks(execute=True):
        response = bkpsdm.post(
            "/admin/reminders/message/",
            {"action": "resend", "_selected_action": [uncertain.pk, sent.pk]},
            follow=True,
        )
    assert "1 pesan dimasukkan kembali ke antrean." in response.text
    uncertain.refresh_from_db()
    assert uncertain.status == Status.SENT
    assert [m.to for m in mail.outbox] == [[uncertain.address]]  # the sent one is not sent again
    entry = LogEntry.objects.get_for_object(uncertain).first()
    assert entry.actor.role == User.Role.ADMIN_BKPSDM and "queued" in str(entry.changes)


def test_the_outbox_cannot_be_edited_by_hand(bkpsdm):
    row = message(Status.FAILED)
    page = bkpsdm.get(f"/admin/reminders/message/{row.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert bkpsdm.get("/admin/reminders/message/add/").status_code == 403


def test_bkpsdm_edits_the_schedule(bkpsdm):
    rule = ReminderRule.objects.get(kind="summary")
    response = bkpsdm.post(
        f"/admin/reminders/reminderrule/{rule.pk}/change/",
        {"kind": "summary", "timing": "day_of_month", "day": 21, "is_active": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.day == 21
    refused = bkpsdm.post(
        f"/admin/reminders/reminderrule/{rule.pk}/change/",
        {"kind": "summary", "timing": "day_of_month", "day": 31, "is_active": "on"},
    )
    assert refused.status_code == 200 and "Tanggal harus antara 1 dan 28." in refused.text
    before = bkpsdm.post(
        "/admin/reminders/reminderrule/add/",
        {"kind": "asn_reminder", "timing": "after_deadline", "day": 2, "is_active": "on"},
    )
    assert "Pengingat sebelum batas waktu diatur dengan tanggal." in before.text
