"""The helpdesk: an ASN reports a problem, BKPSDM answers, the ASN hears by email, no other OPD sees it."""

import base64
import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.models import Attachment, Holiday, Ticket
from helpdesk.selectors import working_days_between
from opd.models import User
from tests.factories import AsnFactory, OpdFactory, UserFactory, asn_user
from tests.world import WIB, build_world

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)  # a Friday
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def report(client, world, **extra):
    client.force_login(asn_user(world.lazy))
    data = {
        "category": "login",
        "subject": "Tidak bisa masuk e-Kinerja",
        "description": "Muncul pesan akun terkunci.",
        "nip": world.lazy.nip,
        "periode": "2026-10",
        "attachments": [SimpleUploadedFile("layar.png", PNG, content_type="image/png")],
        **extra,
    }
    return client.post("/bantuan/baru/", data)


def test_an_asn_reports_bkpsdm_answers_and_the_asn_gets_the_answer_by_email(
    client, world, settings, django_capture_on_commit_callbacks
):
    response = report(client, world)
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/bantuan/{ticket.pk}/"
    assert (ticket.asn, ticket.period, ticket.opd, ticket.status) == (world.lazy, world.period, world.opd, "baru")
    (attachment,) = Attachment.objects.all()
    assert attachment.content_type == "image/png"
    assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))  # no URL serves it
    reporter = ticket.reporter
    assert b"".join(client.get(f"/bantuan/lampiran/{attachment.pk}/").streaming_content) == PNG

    # BKPSDM sees it in the queue, notes something internal, answers, and closes it.
    client.force_login(world.admin)
    queue = client.get("/bantuan/")
    assert "Tidak bisa masuk e-Kinerja" in queue.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "Cek di SIASN dulu.", "internal": "on"})
        client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "Akun sudah kami buka. Silakan coba lagi."})
        client.post(f"/bantuan/{ticket.pk}/ubah/", {"status": "selesai", "assignee": world.admin.pk})
    assert [m.to for m in mail.outbox] == [[world.lazy.email], [world.lazy.email]]
    answer, closed = mail.outbox
    assert answer.subject == f"Tiket bantuan #{ticket.pk}: Tidak bisa masuk e-Kinerja"
    assert "Akun sudah kami buka." in answer.body and f"/bantuan/{ticket.pk}/" in answer.body
    assert "Status: Baru → Selesai" in closed.body
    assert all("Cek di SIASN" not in m.body for m in mail.outbox)  # the internal note stays inside

    # The reporter sees the answer but not the internal note.
    client.force_login(reporter)
    page = client.get(f"/bantuan/{ticket.pk}/")
    assert "Akun sudah kami buka." in page.text and "Cek di SIASN" not in page.text
    ticket.refresh_from_db()
    assert ticket.status == "selesai" and ticket.closed_at is not None and ticket.assignee == world.admin
    assert LogEntry.objects.get_for_object(ticket).filter(actor=world.admin).exists()


def test_no_other_opd_can_see_the_ticket_but_its_own_head_can(client, world):
    report(client, world)
    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get()
    other = OpdFactory(kode="DISDIK")
    for outsider in (
        UserFactory(username="kepala-disdik", role=User.Role.KEPALA_OPD, opd=other),
        asn_user(AsnFactory(opd=other)),
        asn_user(world.filed),  # a colleague in the same OPD without a head's role
        world.bupati,
    ):
        client.force_login(outsider)
        assert client.get(f"/bantuan/{ticket.pk}/").status_code == 404
        assert client.get(f"/bantuan/lampiran/{attachment.pk}/").status_code == 404
        assert client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "x"}).status_code == 404
        assert "Tidak bisa masuk e-Kinerja" not in client.get("/bantuan/").text
    client.force_login(world.kepala)
    assert client.get(f"/bantuan/{ticket.pk}/").status_code == 200
    assert "1 tiket bantuan terbuka" in client.get("/opd/DINKES/").text
    assert client.post(f"/bantuan/{ticket.pk}/ubah/", {"status": "selesai"}).status_code == 403


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("layar.png", b"MZ\x90\x00 program", "hanya tangkapan layar"),
        ("besar.png", PNG + b"0" * (5 * 1024 * 1024), "paling besar 5 MB"),
    ],
)
def test_attachments_are_checked_by_content_and_size(client, world, name, content, message):
    response = report(client, world, attachments=[SimpleUploadedFile(name, content, content_type="image/png")])
    assert response.status_code == 400 and message in response.text
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_the_queue_counts_open_tickets_older_than_three_working_days(client, world):
    Holiday.objects.create(date=dt.date(2026, 11, 18), name="Cuti bersama")
    with time_machine.travel(dt.datetime(2026, 11, 13, 9, 0, tzinfo=WIB), tick=False):  # a Friday
        report(client, world, subject="Lama")
    with time_machine.travel(dt.datetime(2026, 11, 17, 9, 0, tzinfo=WIB), tick=False):
        report(client, world, subject="Baru saja")
    client.force_login(world.admin)
    page = client.get("/bantuan/")
    # Lama: Mon 16, Tue 17, Thu 19, Fri 20 = 4 working days (the weekend and the 18th skipped).
    assert "1 tiket terbuka berumur lebih dari 3 hari kerja." in page.text
    assert page.text.index("Lama") < page.text.index("Baru saja")


def test_working_days_skip_weekends_and_holidays():
    friday, monday = dt.date(2026, 11, 13), dt.date(2026, 11, 16)
    assert working_days_between(friday, monday, set()) == 1
    assert working_days_between(friday, dt.date(2026, 11, 20), {dt.date(2026, 11, 18)}) == 4
    assert working_days_between(monday, monday, set()) == 0


def test_the_faq_answers_without_a_login(client, db):
    page = client.get("/bantuan/tanya-jawab/")
    assert page.status_code == 200
    for words in ("kinerja.bkn.go.id", "Ruang GTK", "tanggal 15", "Siapa yang menilai saya?"):
        assert words in page.text
